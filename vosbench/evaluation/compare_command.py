"""`vosbench compare`: is result A better than result B on the same videos, beyond chance?

Each side is a results folder (its masks are scored here, with the official protocol, on
``--dataset``/``--root``) or a ``results.json`` written by `vosbench evaluate` or `run`.
Prints both scores with their intervals, the paired difference with its interval, the
permutation test's p-value and the verdict on "A > B"; with ``--out`` writes
``comparison.json`` and ``comparison.png`` (each video's difference, sorted, with the
interval of the mean). Nothing is written unless both sides cover the same objects.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from vosbench.errors import VosbenchError
from vosbench.evaluation.protocols import protocol_spec
from vosbench.evaluation.uncertainty import Comparison, Interval, compare, score_interval
from vosbench.io.atomic import write_atomic
from vosbench.io.preflight import writable_files

OUTPUTS = ["comparison.json", "comparison.png"]


@dataclass(frozen=True)
class Side:
    """One side of a comparison: its name and per-object J&F (object key -> fraction)."""

    name: str
    scores: dict[str, float]
    score: str  # what the scores are, e.g. "J&F"
    about: str = ""  # what made it, where its folder says (see :func:`describe`)
    # the benchmark's own headline where it is not the mean of the objects' scores compared here
    # (YouTube-VOS's G averages seen and unseen categories): e.g. "G 31.0"
    benchmark: str = ""

    def label(self) -> str:
        notes = "; ".join(filter(None, [self.about, f"its {self.benchmark}" if self.benchmark else ""]))
        return f"{self.name} ({notes})" if notes else self.name


def describe(folder: Path) -> str:
    """What made a results folder, where it says: the table row and measured set of a run that
    `vosbench reproduce` kept (``source.json``), or the method of a `vosbench run` (``run.json``);
    "" otherwise."""
    try:
        if (folder / "source.json").is_file():
            source = json.loads((folder / "source.json").read_text(encoding="utf-8"))
            return f"{source['table']} row {source['row']!r}, {source['scale']}"
        if (folder / "run.json").is_file():
            run = json.loads((folder / "run.json").read_text(encoding="utf-8"))
            return f"vosbench run --method {run['method']}"
    except (OSError, ValueError, KeyError, TypeError):
        pass  # a description is a courtesy: a folder without a readable one is still compared
    return ""


def per_object_from_json(path: Path) -> dict[str, float]:
    """Per-object headline scores from a ``results.json``: each object's ``score`` (its J&F, or
    its protocol's own), or for files without it the mean of its J-Mean and F-Mean."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        sequences = document["sequences"]
        return {
            f"{sequence}_{obj}": float(values["score"])
            if "score" in values
            else (float(values["J-Mean"]) + float(values["F-Mean"])) / 2
            for sequence, objects in sequences.items()
            for obj, values in objects.items()
        }
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise VosbenchError(
            f"{path}: not a vosbench results.json (expected sequences -> objects -> J-Mean, F-Mean; {exc})"
        ) from None


def check_side(path: Path, dataset: str | None, root: Path | None) -> None:
    """Refuse a side that cannot be read, before either side's masks are scored."""
    if path.is_file():
        return
    if not path.is_dir():
        raise VosbenchError(f"{path}: not found (expected a results folder or a results.json)")
    if dataset is None or root is None:
        raise VosbenchError(f"{path}: a results folder is scored here: give --dataset and --root")


def load_side(path: Path, dataset: str | None, root: Path | None, split: str | None, quiet: bool) -> Side:
    """A results.json read, or a results folder scored on ``dataset``/``root``."""
    check_side(path, dataset, root)
    if path.is_file():
        return Side(str(path), per_object_from_json(path), "J&F", describe(path.parent))
    from vosbench.evaluation import evaluate

    result = evaluate(dataset, root, path, split=split, progress=not quiet)
    scores = {o.key: o.score for o in result.objects}
    name, value = result.headline
    if abs(sum(scores.values()) / len(scores) - value) < 1e-9:  # the headline is their mean (DAVIS)
        return Side(str(path), scores, name, describe(path))
    score = f"mean per-object {protocol_spec(result.protocol).object_score}"
    return Side(str(path), scores, score, describe(path), f"{name} {100 * value:.1f}")


def compare_results(
    a: Path,
    b: Path,
    dataset: str | None = None,
    root: Path | None = None,
    split: str | None = None,
    out: Path | None = None,
    quiet: bool = False,
) -> Comparison:
    """Compare ``a`` with ``b``; print the report, and with ``out`` write its JSON and figure."""
    if out is not None:
        writable_files(out, OUTPUTS, "--out")
    for path in (a, b):
        check_side(path, dataset, root)
    side_a = load_side(a, dataset, root, split, quiet)
    side_b = load_side(b, dataset, root, split, quiet)
    comparison = compare(side_a.scores, side_b.scores, what=(side_a.name, side_b.name))
    intervals = score_interval(side_a.scores), score_interval(side_b.scores)
    print(comparison_report(side_a, side_b, comparison, intervals))
    if out is not None:
        document = {
            "a": side_a.name,
            "b": side_b.name,
            "a_about": side_a.about,
            "b_about": side_b.about,
            "score": "J&F (per object: the mean of its J-Mean and F-Mean)",
            "interval_a": intervals[0].as_json(),
            "interval_b": intervals[1].as_json(),
            **comparison.as_json(),
        }
        write_atomic(out / OUTPUTS[0], json.dumps(document, indent=1) + "\n")
        comparison_figure(side_a, side_b, comparison, out / OUTPUTS[1])
        print("wrote " + ", ".join(str(out / name) for name in OUTPUTS))
    return comparison


def comparison_report(a: Side, b: Side, comparison: Comparison, intervals: tuple[Interval, Interval]) -> str:
    """The printed comparison: both scores with intervals, the difference, the test, the verdict."""
    interval_a, interval_b = intervals
    level = round(100 * comparison.interval.level)
    lines = [
        f"{comparison.objects} objects in {comparison.sequences} sequences; {a.score} in percent, "
        f"{level}% intervals by bootstrap over sequences ({comparison.interval.resamples} resamples, "
        f"seed {comparison.interval.seed})",
        f"  A  {100 * comparison.mean_a:5.1f} {interval_a.percent()}  {a.label()}",
        f"  B  {100 * comparison.mean_b:5.1f} {interval_b.percent()}  {b.label()}",
        f"  A - B  {comparison.summary()} (paired; p: two-sided sign-flip permutation test over sequences)",
        f"A > B: {comparison.verdict()}",
    ]
    if not comparison.resolvable():
        lines.append(
            f"  (with {comparison.sequences} sequences no sign-flip p-value can fall below "
            f"{comparison.smallest_p():.3g}, so no difference can be resolved at {level}%: compare on "
            f"{_sequences_needed(comparison.interval.level)} or more videos)"
        )
    return "\n".join(lines)


def _sequences_needed(level: float) -> int:
    """The fewest sequences whose sign-flip test can reject at ``level`` (6 at 95%)."""
    n = 1
    while 2.0 / 2.0**n >= 1 - level:
        n += 1
    return n


def comparison_figure(a: Side, b: Side, comparison: Comparison, path: Path) -> Path:
    """Each sequence's mean difference A - B, sorted, with the mean and its interval."""
    from vosbench.visual.plots import pyplot, save_figure, set_wrapped_title

    items = sorted(comparison.per_sequence.items(), key=lambda kv: kv[1])
    names = [n for n, _ in items]
    values = [100 * v for _, v in items]
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, max(3.0, 0.22 * len(names) + 1.2)), dpi=110)
    colours = ["tab:green" if v > 0 else "tab:red" for v in values]
    ax.barh(range(len(names)), values, color=colours)
    ax.set_yticks(range(len(names)), names, fontsize=7)
    interval = comparison.interval
    ax.axvline(100 * comparison.difference, color="k", lw=1.2, label="mean over objects")
    if interval.low == interval.low:  # not NaN
        ax.axvspan(100 * interval.low, 100 * interval.high, color="k", alpha=0.12, label="95% interval")
    ax.axvline(0, color="grey", lw=0.6)
    ax.set_xlabel(f"{a.score} difference A - B (points)")
    verdict = f"A - B = {comparison.summary()}; A > B: {comparison.verdict()}"
    set_wrapped_title(ax, f"A: {a.label()}\nB: {b.label()}\n{verdict}", 8)
    ax.legend(fontsize=7, loc="lower right")
    ax.grid(axis="x", alpha=0.3)
    return save_figure(fig, path)
