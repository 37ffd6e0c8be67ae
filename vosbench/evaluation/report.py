"""Writing an evaluation's result files and printing its table.

Files, as the official toolkit names them (values as fractions, full float precision):

* ``global_results-<split>.csv``: one row of the protocol's columns (DAVIS:
  ``J&F-Mean,J-Mean,J-Recall,J-Decay,F-Mean,F-Recall,F-Decay``; YouTube-VOS:
  ``G,J-Seen,J-Unseen,F-Seen,F-Unseen``);
* ``per-sequence_results-<split>.csv``: ``Sequence,J-Mean,F-Mean`` (``Sequence`` is
  ``<seq>_<object id>``) then ``J-Recall,J-Decay,F-Recall,F-Decay`` and the protocol's own
  per-object columns (YouTube-VOS: ``Category,Seen``);
* ``results.json``: all of the above plus every object's per-frame J and F.

Every file is written atomically, and only after everything was scored.
"""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path

from vosbench.evaluation.protocols import protocol_spec
from vosbench.evaluation.summary import EvaluationResult, ObjectResult
from vosbench.io.atomic import write_all_atomic


def _number(value: float) -> str:
    return repr(float(value))  # shortest string that reads back as the same float


def global_csv(result: EvaluationResult) -> str:
    columns = result.columns
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerow([_number(result.global_metrics[c]) for c in columns])
    return buffer.getvalue()


def _statistic(o: ObjectResult, name: str) -> float:
    """``J-Mean``, ``F-Recall``, ...: one statistic of an object's J or F."""
    measure, kind = name.split("-")
    stats = o.j_stats if measure == "J" else o.f_stats
    return float(getattr(stats, kind.lower()))


def per_sequence_csv(result: EvaluationResult) -> str:
    protocol = protocol_spec(result.protocol)
    stats, own = protocol.object_stats, protocol.object_columns
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(("Sequence", *stats, *own))
    for o in result.objects:
        row = [o.key, *(_number(_statistic(o, name)) for name in stats)]
        row += [_cell(o.extras.get(name)) for name in own]
        writer.writerow(row)
    return buffer.getvalue()


def _cell(value: object) -> str:
    """A per-object value as the CSV holds it: numbers in full precision, none as empty."""
    if value is None:
        return ""
    return _number(value) if isinstance(value, float | int) and not isinstance(value, bool) else str(value)


def _json_float(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


def _json_value(value: object) -> object:
    return _json_float(value) if isinstance(value, float) else value


def results_json(result: EvaluationResult, extra: dict | None = None) -> str:
    sequences: dict[str, dict] = {}
    for o in result.objects:
        sequences.setdefault(o.sequence, {})[str(o.object_id)] = {
            "category": o.category,
            "seen": o.seen,
            "frames": list(o.frames),
            "J": [float(v) for v in o.j],
            "F": [float(v) for v in o.f],
            "J-Mean": _json_float(o.j_stats.mean),
            "J-Recall": _json_float(o.j_stats.recall),
            "J-Decay": _json_float(o.j_stats.decay),
            "F-Mean": _json_float(o.f_stats.mean),
            "F-Recall": _json_float(o.f_stats.recall),
            "F-Decay": _json_float(o.f_stats.decay),
            "score": _json_float(o.score),
            **{k: _json_value(v) for k, v in o.extras.items() if k not in ("Category", "Seen")},
        }
    document = {
        "dataset": result.dataset,
        "split": result.split,
        "protocol": result.protocol,
        **(extra or {}),
        "global": {k: _json_float(v) for k, v in result.global_metrics.items()},
        "intervals": {k: i.as_json() for k, i in result.intervals.items()},
        **({"missing": list(result.missing)} if result.missing else {}),
        "sequences": sequences,
    }
    return json.dumps(document, indent=1) + "\n"


def result_contents(
    result: EvaluationResult, out_dir: str | Path, extra: dict | None = None
) -> dict[Path, str]:
    """The three result files of ``result`` in ``out_dir``: path -> text."""
    texts = (global_csv(result), per_sequence_csv(result), results_json(result, extra))
    return {Path(out_dir) / name: text for name, text in zip(result_names(result.split), texts, strict=True)}


def write_results(result: EvaluationResult, out_dir: str | Path, extra: dict | None = None) -> list[Path]:
    """Write the three result files into ``out_dir`` (all or none); returns their paths."""
    contents = result_contents(result, out_dir, extra)
    write_all_atomic(contents)
    return list(contents)


def result_names(split: str) -> list[str]:
    """The files :func:`write_results` writes for ``split``."""
    return [f"global_results-{split}.csv", f"per-sequence_results-{split}.csv", "results.json"]


def format_table(result: EvaluationResult) -> str:
    """A readable summary: the global row, then one row per object, as percentages."""
    columns = result.columns
    lines = [f"{result.dataset} {result.split}: {len(result.objects)} objects"]
    lines.append("  ".join(f"{c:>9}" for c in columns))
    lines.append("  ".join(f"{100 * result.global_metrics[c]:9.1f}" for c in columns))
    lines += [f"{interval_line(name, result)}" for name in result.intervals]
    lines.append("")
    width = max([len("Sequence")] + [len(o.key) for o in result.objects])
    score = protocol_spec(result.protocol).object_score
    lines.append(f"{'Sequence':<{width}}  {'J-Mean':>7}  {'F-Mean':>7}  {score:>7}")
    for o in result.objects:
        j, f, score = 100 * o.j_stats.mean, 100 * o.f_stats.mean, 100 * o.score
        lines.append(f"{o.key:<{width}}  {j:7.1f}  {f:7.1f}  {score:7.1f}")
    return "\n".join(lines)


def interval_line(name: str, result: EvaluationResult) -> str:
    """``J&F-Mean 44.8 [41.9, 47.6]: 95% interval, bootstrap over 20 sequences (9999 resamples,
    seed 0)``: one score of the global row with its uncertainty."""
    interval = result.intervals[name]
    value = 100 * result.global_metrics[name]
    return (
        f"{name} {value:.1f} {interval.percent()}: {round(100 * interval.level)}% interval, bootstrap "
        f"over {interval.sequences} sequences ({interval.resamples} resamples, seed {interval.seed})"
    )


def headline_line(result: EvaluationResult) -> str:
    """``J&F-Mean: 44.8 [41.9, 47.6] (95% bootstrap interval over 20 sequences)``."""
    name, value = result.headline
    interval = result.intervals.get(name)
    if interval is None:
        return f"{name}: {100 * value:.1f}"
    return (
        f"{name}: {100 * value:.1f} {interval.percent()} "
        f"({round(100 * interval.level)}% bootstrap interval over {interval.sequences} sequences)"
    )
