"""Experiment specs: one TOML file per table (its columns, rows, orderings and seeds).

A table spec (``reports/experiments/table3.toml``)::

    title = "Table 3: training stages and FIM"
    paper = "../paper/table3.csv"       # the paper's rows, relative to the spec
    paper_key = "variant"               # the paper CSV's column naming a row
    columns = ["davis2016_jf", "davis2017_jf", "fps"]
    fps_dataset = "davis2017"           # the run whose profile gives FPS
    orderings = ["Full training > Main training only"]  # the paper's claims (optional)

    [[rows]]
    label = "Full training"             # the measured row's name
    paper_row = "Full training"         # the paper row it stands beside (optional)
    method = "sitvos"
    options = { memory = "fixed", n = 7 }
    recipe = "full"                     # train first (recipes.toml), or
    # checkpoint = "path/to/weights.pth"
    masks = true                        # keep its masks in reports/results/ (optional)

Training recipes and scales are in :mod:`vosbench.reproduce.recipes`. Every key is checked: a
misspelt one is an error that names the file and the key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vosbench.reproduce.columns import COLUMNS
from vosbench.reproduce.orderings import Ordering
from vosbench.reproduce.reading import SpecError, _check_keys, _read_toml, _typed
from vosbench.reproduce.recipes import Recipes

# The datasets a table's columns score (fps_dataset is one of them).
DATASETS = tuple(dict.fromkeys(c.dataset for c in COLUMNS.values() if c.dataset))


@dataclass(frozen=True)
class RowSpec:
    """One measured row: a method with options, its weights, and the paper row it matches."""

    label: str
    method: str = ""  # "" for a row of results folders
    options: dict[str, Any] = field(default_factory=dict)
    recipe: str | None = None
    checkpoint: str | None = None
    paper_row: str | None = None
    masks: bool = False  # keep the run's masks with the reports (reports/results/)
    # dataset -> a folder of masks made by any code, scored instead of running a method
    results: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ExperimentSpec:
    """One table: its paper rows, its columns and the rows to measure."""

    name: str
    path: Path
    title: str
    paper: Path
    paper_key: str
    columns: tuple[str, ...]
    rows: tuple[RowSpec, ...]
    fps_dataset: str | None = None
    orderings: tuple[Ordering, ...] = ()  # the paper's claims over the rows' labels
    # rows that differ only in the training seed: their spread is training noise, against
    # which the orderings between trained rows are read
    seeds: tuple[str, ...] = ()

    @property
    def datasets(self) -> tuple[str, ...]:
        """The datasets the columns need, in column order."""
        out: list[str] = []
        for name in self.columns:
            ds = COLUMNS[name].dataset or self.fps_dataset
            if ds is not None and ds not in out:
                out.append(ds)
        return tuple(out)


def load_spec(path: str | Path, recipes: Recipes) -> ExperimentSpec:
    """Read and check one table spec against the known columns and ``recipes``."""
    path = Path(path)
    data = _read_toml(path)
    _check_keys(
        path,
        "",
        data,
        {"title", "paper", "paper_key", "columns", "rows"},
        {"fps_dataset", "orderings", "seeds"},
    )
    columns = _columns(path, data)
    rows = _typed(path, "rows", data["rows"], list, "a list of [[rows]] tables")
    parsed = [_row(path, f"rows[{i}]", row, recipes) for i, row in enumerate(rows)]
    labels = [r.label for r in parsed]
    for label in labels:
        if labels.count(label) > 1:
            raise SpecError(f"{path}: rows: the label {label!r} is used twice")
    paper = (path.parent / _typed(path, "paper", data["paper"], str, "a path")).resolve()
    if not paper.is_file():  # found now, not after the rows have run
        raise SpecError(f"{path}: paper: {paper} not found (expected the paper's rows as CSV)")
    return ExperimentSpec(
        name=path.stem,
        path=path,
        title=_typed(path, "title", data["title"], str, "text"),
        paper=paper,
        paper_key=_typed(path, "paper_key", data["paper_key"], str, "a column name"),
        columns=columns,
        rows=tuple(parsed),
        fps_dataset=data.get("fps_dataset"),
        orderings=_orderings(path, data, labels),
        seeds=_seeds(path, data, labels),
    )


def _columns(path: Path, data: dict[str, Any]) -> tuple[str, ...]:
    columns = data["columns"]
    if not (isinstance(columns, list) and columns):
        raise SpecError(f"{path}: columns: expected a non-empty list of column names")
    for i, name in enumerate(columns):
        if name not in COLUMNS:
            raise SpecError(
                f"{path}: columns[{i}]: unknown column {name!r}; expected one of {', '.join(COLUMNS)}"
            )
    if "fps" in columns and data.get("fps_dataset") not in DATASETS:
        raise SpecError(f"{path}: fps_dataset: expected one of {', '.join(DATASETS)} with an fps column")
    return tuple(columns)


def _row(path: Path, where: str, row: Any, recipes: Recipes) -> RowSpec:
    _check_keys(
        path,
        where,
        row,
        {"label"},
        {"method", "results", "options", "recipe", "checkpoint", "paper_row", "masks"},
    )
    results = _results_folders(path, where, row)
    recipe = row.get("recipe")
    if recipe is not None and recipe not in recipes.recipes:
        known = ", ".join(recipes.recipes) or "(none)"
        raise SpecError(f"{path}: {where}.recipe: unknown recipe {recipe!r}; recipes.toml has {known}")
    if recipe is not None and row.get("checkpoint") is not None:
        raise SpecError(f"{path}: {where}: give a recipe or a checkpoint, not both")
    options = _typed(path, f"{where}.options", row.get("options", {}), dict, "a table of options")
    return RowSpec(
        label=_typed(path, f"{where}.label", row["label"], str, "text"),
        method=_typed(path, f"{where}.method", row.get("method", ""), str, "a method name"),
        options=dict(options),
        recipe=recipe,
        checkpoint=row.get("checkpoint"),
        paper_row=row.get("paper_row"),
        masks=_typed(path, f"{where}.masks", row.get("masks", False), bool, "true or false"),
        results=results,
    )


def _orderings(path: Path, data: dict[str, Any], labels: list[str]) -> tuple[Ordering, ...]:
    orderings = []
    for i, text in enumerate(_typed(path, "orderings", data.get("orderings", []), list, "a list of claims")):
        ordering = Ordering.parse(text) if isinstance(text, str) else None
        if ordering is None:
            raise SpecError(f'{path}: orderings[{i}]: expected "ROW > ROW" or "ROW >= ROW", got {text!r}')
        for label in (ordering.higher, ordering.lower):
            if label not in labels:
                raise SpecError(f"{path}: orderings[{i}]: no row is labelled {label!r}")
        orderings.append(ordering)
    return tuple(orderings)


def _seeds(path: Path, data: dict[str, Any], labels: list[str]) -> tuple[str, ...]:
    seeds = _typed(path, "seeds", data.get("seeds", []), list, "a list of row labels")
    for i, label in enumerate(seeds):
        if label not in labels:
            raise SpecError(f"{path}: seeds[{i}]: no row is labelled {label!r}")
    if len(seeds) == 1:
        raise SpecError(f"{path}: seeds: a spread needs at least two rows")
    return tuple(seeds)


def _results_folders(path: Path, where: str, row: dict[str, Any]) -> dict[str, str]:
    """A row's ``results`` table (dataset -> folder of masks), which stands instead of a method:
    masks made by any code, scored and placed in the table like a measured row."""
    if "results" not in row:
        if "method" not in row:
            raise SpecError(f"{path}: {where}: give a method to run or results = {{ DATASET = FOLDER }}")
        return {}
    if "method" in row or {"options", "recipe", "checkpoint", "masks"} & set(row):
        raise SpecError(
            f"{path}: {where}.results: a row of results folders takes no method, options, "
            "recipe, checkpoint or masks"
        )
    folders = _typed(path, f"{where}.results", row["results"], dict, "a table of DATASET = FOLDER")
    for dataset, folder in folders.items():
        if dataset not in DATASETS:
            raise SpecError(f"{path}: {where}.results.{dataset}: expected one of {', '.join(DATASETS)}")
        _typed(path, f"{where}.results.{dataset}", folder, str, "a folder path")
    if not folders:
        raise SpecError(f"{path}: {where}.results: name at least one DATASET = FOLDER")
    return dict(folders)
