"""Tables: the paper's rows with the measured rows beside them, as Markdown, LaTeX and CSV.

Measured rows are kept per table and data in ``reports/measured/<table>/<data>.json``, so a
demo run and a run on real data appear together, each marked with its data, the hardware
its FPS was measured on and the commit. Numbers follow the paper: percentages with one
decimal; the CSV keeps full precision (percent as well, to sit beside the paper's values).
"""

from __future__ import annotations

import csv
import io
import json
import statistics
from dataclasses import asdict, dataclass, field
from pathlib import Path

from vosbench.errors import VosbenchError
from vosbench.evaluation.uncertainty import Interval, score_interval
from vosbench.io.atomic import write_atomic
from vosbench.reproduce.columns import COLUMNS, format_value
from vosbench.reproduce.orderings import RowScores, orderings_markdown
from vosbench.reproduce.spec import ExperimentSpec


@dataclass
class MeasuredRow:
    """One row as measured: a value (fraction; FPS for ``fps``) per column, ``None`` if not run."""

    label: str
    method: str
    paper_row: str | None
    values: dict[str, float | None]
    hardware: str
    runs: dict[str, str] = field(default_factory=dict)  # dataset -> run folder
    per_object: dict[str, dict[str, float]] = field(default_factory=dict)  # dataset -> object -> J&F
    commit: str = ""  # the commit(s) of the code that made the row's runs
    # dataset -> the numeric settings its run computed under (vosbench.numerics.numeric_state)
    numerics: dict[str, dict[str, object]] = field(default_factory=dict)
    results: dict[str, str] = field(default_factory=dict)  # dataset -> results folder scored (no run)
    server: dict[str, dict[str, str]] = field(default_factory=dict)  # dataset -> its server zip and status


@dataclass
class MeasuredSet:
    """The rows of one table measured in one ``reproduce`` call on one data source."""

    table: str
    tag: str
    data: str
    scale: str  # "quick", "small", ...; "": the recipes as written
    commit: str
    time: str
    command: str
    rows: list[MeasuredRow]
    scale_label: str = ""  # how the scale marks its rows (default: its name)

    @property
    def marker(self) -> str:
        """How a measured row says where it came from, e.g. ``demo, quick``."""
        label = self.scale_label or self.scale
        return self.tag + (f", {label}" if label else "")

    @property
    def stem(self) -> str:
        """The set's file and figure name: ``<data>[-<scale>]``, e.g. ``demo-quick``."""
        return set_stem(self.tag, self.scale)

    @classmethod
    def load(cls, path: Path) -> MeasuredSet:
        data = json.loads(path.read_text())
        if "quick" in data:  # written before scales had names
            data["scale"] = "quick" if data.pop("quick") else ""
        data["rows"] = [MeasuredRow(**r) for r in data["rows"]]
        return cls(**data)

    def save(self, reports: Path) -> Path:
        path = measured_dir(reports, self.table) / f"{self.stem}.json"
        write_atomic(path, json.dumps(asdict(self), indent=1))
        return path


def set_stem(tag: str, scale: str) -> str:
    """How files of one data source and scale are named: ``<data>[-<scale>]``."""
    return tag + (f"-{scale}" if scale else "")


def measured_dir(reports: Path, table: str) -> Path:
    return reports / "measured" / table


def load_measured(reports: Path, table: str) -> list[MeasuredSet]:
    """Every measured set of ``table``, demo first, then by name."""
    folder = measured_dir(reports, table)
    sets = [MeasuredSet.load(p) for p in sorted(folder.glob("*.json"))] if folder.is_dir() else []
    return sorted(sets, key=lambda s: (s.tag != "demo", s.tag, s.scale))


def read_paper(spec: ExperimentSpec) -> list[dict[str, str]]:
    """The paper's rows of the table (``reports/paper/*.csv``)."""
    try:
        with spec.paper.open(newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
    except FileNotFoundError:
        raise VosbenchError(f"{spec.path}: paper: {spec.paper} not found") from None
    if rows and spec.paper_key not in rows[0]:
        raise VosbenchError(f"{spec.path}: paper_key: {spec.paper.name} has no column {spec.paper_key!r}")
    missing = [c for c in spec.columns if rows and c not in rows[0]]
    if missing:
        raise VosbenchError(f"{spec.path}: columns: {spec.paper.name} has no column {missing[0]!r}")
    return rows


@dataclass(frozen=True)
class Line:
    """A rendered row: its name, cells per column, hardware, where it came from."""

    name: str
    cells: dict[str, str]
    raw: dict[str, float | str | None]
    hardware: str
    source: str  # "paper" or the measured marker
    commit: str = ""
    measured: bool = False
    intervals: dict[str, Interval] = field(default_factory=dict)  # J&F columns of measured rows


def row_interval(row: MeasuredRow, column: str) -> Interval | None:
    """The 95% bootstrap interval of a measured J&F cell, from the row's per-object scores."""
    spec = COLUMNS[column]
    scores = row.per_object.get(spec.dataset or "")
    if spec.metric != "J&F-Mean" or not scores or row.values.get(column) is None:
        return None
    return score_interval(scores)


def _server_note(dataset: str, info: dict[str, str]) -> str:
    """Where a server-scored row's numbers come from, or the zip that awaits the server."""
    if info.get("source"):
        return f", {dataset} scored by the server ({info['source']})"
    return f", {dataset}: upload {info['zip']}"


def _with_interval(cell: str, interval: Interval | None) -> str:
    return cell if interval is None else f"{cell} {interval.percent()}"


def table_lines(spec: ExperimentSpec, sets: list[MeasuredSet]) -> list[Line]:
    """The paper's rows in order, each followed by the measured rows that match it; the rest last."""
    paper = read_paper(spec)

    def measured_line(s: MeasuredSet, row: MeasuredRow) -> Line:
        intervals = {c: row_interval(row, c) for c in spec.columns}
        cells = {c: _with_interval(format_value(c, row.values.get(c)), intervals[c]) for c in spec.columns}
        for c in spec.columns:  # a split only its server scores: the cell says so until it has
            awaiting = row.server.get(COLUMNS[c].dataset or "", {}).get("status") == "awaiting the server"
            if awaiting and row.values.get(c) is None:
                cells[c] = "awaiting server"
        return Line(
            name=row.label,
            cells=cells,
            intervals={c: i for c, i in intervals.items() if i is not None},
            raw={c: (row.values.get(c) if c == "fps" else _percent(row.values.get(c))) for c in spec.columns},
            hardware=row.hardware if "fps" in spec.columns else "",
            source=s.marker
            + "".join(f", scored from {f} ({d})" for d, f in row.results.items())
            + "".join(_server_note(d, info) for d, info in row.server.items()),
            commit=row.commit or s.commit,
            measured=True,
        )

    lines: list[Line] = []
    placed: set[tuple[int, int]] = set()
    for prow in paper:
        name = prow[spec.paper_key]
        marks = ("†" if prow.get("youtube_training") == "1" else "") + (
            " (OL)" if prow.get("online_finetuning") == "1" else ""
        )
        lines.append(
            Line(
                name=name + marks,
                cells={c: prow[c] or "-" for c in spec.columns},
                raw={c: prow[c] or None for c in spec.columns},
                hardware=prow.get("fps_gpu", "") if "fps" in spec.columns else "",
                source="paper",
            )
        )
        for i, s in enumerate(sets):
            for j, row in enumerate(s.rows):
                if row.paper_row == name and (i, j) not in placed:
                    lines.append(measured_line(s, row))
                    placed.add((i, j))
    for i, s in enumerate(sets):
        for j, row in enumerate(s.rows):
            if (i, j) not in placed:
                lines.append(measured_line(s, row))
    return lines


def _percent(value: float | None) -> float | None:
    return None if value is None else 100 * value


def _headers(spec: ExperimentSpec) -> list[str]:
    return [COLUMNS[c].header for c in spec.columns]


def render_markdown(spec: ExperimentSpec, lines: list[Line], sets: list[MeasuredSet]) -> str:
    has_fps = "fps" in spec.columns
    head = ["Method", *_headers(spec), *(["FPS hardware"] if has_fps else []), "Source"]
    out = [f"# {spec.title}", ""]
    out.append(
        "Paper rows: the paper's numbers (`reports/paper/" + spec.paper.name + "`; † = trained with "
        "YouTube-VOS, OL = online fine-tuning). **Bold** rows are measured by this suite; their "
        "source says on what data and with the code of which commit. In brackets beside a measured "
        "J&F: its 95% bootstrap interval (BCa; sequences resampled with all their objects, 9999 "
        "resamples, seed 0)."
    )
    for s in sets:
        out.append(f"- `{s.marker}`: {s.data}; written {s.time} by `{s.command}` at commit `{s.commit}`")
    out += ["", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for line in lines:
        name = f"**{line.name}**" if line.measured else line.name
        cells = [line.cells[c] for c in spec.columns]
        if line.measured:
            cells = [f"**{c}**" if c != "-" else c for c in cells]
        extra = [line.hardware] if has_fps else []
        source = f"{line.source}, `{line.commit}`" if line.measured else line.source
        out.append("| " + " | ".join([name, *cells, *extra, source]) + " |")
    spreads = seed_spreads(spec, sets)
    out += spread_markdown(spec, spreads)
    ranges = {source: {c: max(v) - min(v) for c, v in cols.items()} for source, cols in spreads.items()}
    out += orderings_markdown(spec.orderings, spec.columns, ordering_scores(spec, sets), ranges)
    return "\n".join(out) + "\n"


def seed_spreads(spec: ExperimentSpec, sets: list[MeasuredSet]) -> dict[str, dict[str, list[float]]]:
    """Per measured set, per J&F column: the J&F of the spec's ``seeds`` rows (one recipe
    trained with different seeds), where every one of them has it."""
    out: dict[str, dict[str, list[float]]] = {}
    if not spec.seeds:
        return out
    for s in sets:
        rows = {r.label: r for r in s.rows}
        for column in spec.columns:
            if COLUMNS[column].metric != "J&F-Mean":
                continue
            values = [rows[label].values.get(column) if label in rows else None for label in spec.seeds]
            if all(v is not None for v in values):
                out.setdefault(s.marker, {})[column] = [float(v) for v in values]  # type: ignore[arg-type]
    return out


def spread_markdown(spec: ExperimentSpec, spreads: dict[str, dict[str, list[float]]]) -> list[str]:
    """The training-noise section: each seed's J&F, their range and standard deviation."""
    if not spreads:
        return []
    out = [
        "",
        "## Training noise",
        "",
        f"The same recipe trained with different seeds ({'; '.join(spec.seeds)}): the spread of "
        "their J&F is what training alone moves a score by. An ordering between trained rows "
        "says whether its difference is within that spread.",
        "",
        "| set | column | J&F per seed | range | sd |",
        "|---|---|---|---:|---:|",
    ]
    for source, columns in spreads.items():
        for column, values in columns.items():
            each = ", ".join(f"{100 * v:.1f}" for v in values)
            sd = statistics.stdev(values) if len(values) > 1 else 0.0
            out.append(
                f"| `{source}` | {COLUMNS[column].header} | {each} | {100 * (max(values) - min(values)):.1f} "
                f"| {100 * sd:.1f} |"
            )
    return out


def ordering_scores(spec: ExperimentSpec, sets: list[MeasuredSet]) -> dict[str, dict[str, RowScores]]:
    """Per source (``paper``, then each set's marker): row label -> its scores (printed values;
    per-object J&F for measured rows); the paper's values stand under the labels of the
    spec's rows that name them."""
    paper = {r[spec.paper_key]: r for r in read_paper(spec)}
    sources = {
        "paper": {
            row.label: RowScores({c: paper[row.paper_row][c] or "-" for c in spec.columns})
            for row in spec.rows
            if row.paper_row in paper
        }
    }
    for s in sets:
        sources[s.marker] = {
            r.label: RowScores({c: format_value(c, r.values.get(c)) for c in spec.columns}, r.per_object)
            for r in s.rows
        }
    return sources


def _tex_escape(text: str) -> str:
    for a, b in (("\\", r"\textbackslash{}"), ("&", r"\&"), ("%", r"\%"), ("_", r"\_"), ("#", r"\#")):
        text = text.replace(a, b)
    return text.replace("†", r"$^\dagger$")


def render_tex(spec: ExperimentSpec, lines: list[Line]) -> str:
    has_fps = "fps" in spec.columns
    cols = "l" + "r" * len(spec.columns) + ("l" if has_fps else "") + "l"
    head = ["Method", *(COLUMNS[c].tex for c in spec.columns), *(["Hardware"] if has_fps else []), "Source"]
    out = [
        "% generated by vosbench reproduce; needs \\usepackage{booktabs}",
        r"\begin{table}[t]",
        r"\centering",
        rf"\caption{{{_tex_escape(spec.title)}}}",
        rf"\begin{{tabular}}{{{cols}}}",
        r"\toprule",
        " & ".join(head) + r" \\",
        r"\midrule",
    ]
    for line in lines:
        cells = [line.cells[c] for c in spec.columns]
        name = _tex_escape(line.name)
        if line.measured:
            name = rf"\textbf{{{name}}}"
        extra = [_tex_escape(line.hardware)] if has_fps else []
        out.append(" & ".join([name, *cells, *extra, _tex_escape(line.source)]) + r" \\")
    out += [r"\bottomrule", r"\end{tabular}", r"\end{table}"]
    return "\n".join(out) + "\n"


def render_csv(spec: ExperimentSpec, lines: list[Line]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    ranged = [c for c in spec.columns if COLUMNS[c].metric == "J&F-Mean"]
    bounds = [f"{c}_{end}" for c in ranged for end in ("low", "high")]
    writer.writerow(["method", "source", *spec.columns, *bounds, "fps_hardware", "commit"])
    for line in lines:
        values = ["" if line.raw[c] is None else line.raw[c] for c in spec.columns]
        ends = []
        for c in ranged:
            interval = line.intervals.get(c)
            ends += ["", ""] if interval is None else [100 * interval.low, 100 * interval.high]
        writer.writerow([line.name, line.source, *values, *ends, line.hardware, line.commit])
    return buffer.getvalue()


def write_tables(
    spec: ExperimentSpec, reports: Path, sets: list[MeasuredSet], lines: list[Line]
) -> list[Path]:
    """Write ``reports/tables/<table>.{md,tex,csv}``: ``lines`` (:func:`table_lines` of ``sets``)."""
    folder = reports / "tables"
    outputs = {
        folder / f"{spec.name}.md": render_markdown(spec, lines, sets),
        folder / f"{spec.name}.tex": render_tex(spec, lines),
        folder / f"{spec.name}.csv": render_csv(spec, lines),
    }
    for path, text in outputs.items():
        write_atomic(path, text)
    return list(outputs)
