"""Experiment specs: one TOML file per table, and the training recipes they share.

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

The recipes (``reports/experiments/recipes.toml``) name training stages and the training
settings they change (``model``: a registered network, default ``sitvos``; the other keys
are fields of its settings class, ``TrainConfig`` or the network's subclass of it); its
``[scales.NAME]`` tables say what ``--scale NAME`` changes for every recipe and row
(``--quick`` is ``--scale quick``). Every key is checked: a misspelt one is an error that
names the file and the key.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from vosbench.errors import VosbenchError
from vosbench.numerics import Numerics
from vosbench.reproduce.columns import COLUMNS
from vosbench.reproduce.orderings import Ordering

STAGES = ("pretrain", "main")
# The datasets a table's columns score (fps_dataset is one of them).
DATASETS = tuple(dict.fromkeys(c.dataset for c in COLUMNS.values() if c.dataset))


class SpecError(VosbenchError):
    """A spec file that does not say what it must."""


@dataclass(frozen=True)
class Recipe:
    """How a row's weights are trained: stages in order, each from the previous one's weights."""

    name: str
    stages: tuple[str, ...]
    train: dict[str, Any] = field(default_factory=dict)  # TrainConfig fields, every stage
    description: str = ""


@dataclass(frozen=True)
class Scale:
    """A reduced setting of every recipe and row (``--scale NAME``): training fields, method
    options, the demo data's size, and how its rows are marked in the tables."""

    name: str
    label: str = ""  # the rows' marker, e.g. "small-scale, MobileNetV2" (default: the name)
    train: dict[str, Any] = field(default_factory=dict)
    options: dict[str, dict[str, Any]] = field(default_factory=dict)  # per method
    demo_frames: int = 20
    demo_size: tuple[int, int] = (480, 854)
    description: str = ""
    threads: int = 0  # torch's CPU threads for every step (0: its default), so results repeat
    isa: str = ""  # the widest instruction set every CPU library may use ("": the machine's)
    # stage -> training fields for that stage only, over ``train`` (e.g. pre-training's own)
    stages: dict[str, dict[str, Any]] = field(default_factory=dict)

    def stage_train(self, stage: str) -> dict[str, Any]:
        """The training fields this scale sets for ``stage``."""
        return {**self.train, **self.stages.get(stage, {})}

    @property
    def marker(self) -> str:
        return self.label or self.name

    @property
    def numerics(self) -> Numerics:
        """The numeric settings its steps compute under (:mod:`vosbench.numerics`)."""
        return Numerics(self.threads, self.isa)


@dataclass(frozen=True)
class Recipes:
    recipes: dict[str, Recipe]
    scales: dict[str, Scale] = field(default_factory=dict)

    @property
    def quick(self) -> Scale | None:
        return self.scales.get("quick")

    def scale(self, name: str) -> Scale | None:
        """The scale ``name`` ("" or "paper": none, the recipes as written)."""
        if name in ("", "paper"):
            return None
        if name not in self.scales:
            known = ", ".join(["paper", *self.scales])
            raise SpecError(f"--scale {name}: recipes.toml has no [scales.{name}]; expected one of {known}")
        return self.scales[name]


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


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except FileNotFoundError:
        raise SpecError(f"{path}: no such spec file") from None
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"{path}: not valid TOML ({exc})") from None


def _check_keys(path: Path, where: str, table: Any, required: set[str], optional: set[str]) -> None:
    if not isinstance(table, dict):
        raise SpecError(f"{path}: {where or 'the file'} must be a table")
    for key in table:
        if key not in required | optional:
            allowed = ", ".join(sorted(required | optional))
            raise SpecError(
                f"{path}: {where + '.' if where else ''}{key}: unknown key; expected one of {allowed}"
            )
    for key in sorted(required - set(table)):
        raise SpecError(f"{path}: {where + '.' if where else ''}{key}: missing")


def _typed(path: Path, where: str, value: Any, kind: type | tuple[type, ...], what: str) -> Any:
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise SpecError(f"{path}: {where}: expected {what}, got {value!r}")
    return value


def _train_fields(path: Path, where: str, table: Any, every_network: bool = False) -> dict[str, Any]:
    """A ``train`` table: the settings of its network (``model``), or with ``every_network`` (a
    scale, which applies to every recipe) of any registered network."""
    from vosbench.training import TrainConfig, network_names, network_spec

    if not isinstance(table, dict):
        raise SpecError(f"{path}: {where} must be a table")
    if every_network:
        configs = {network_spec(name).train_config for name in network_names()}
    else:
        model = _typed(path, f"{where}.model", table.get("model", TrainConfig.model), str, "a network name")
        try:
            configs = {network_spec(model).train_config}
        except VosbenchError as exc:
            raise SpecError(f"{path}: {where}.model: {exc}") from None
    allowed = {f.name for config in configs for f in fields(config)} - {"stage", "init_checkpoint"}
    _check_keys(path, where, table, set(), allowed)
    return dict(table)


def _scale(path: Path, name: str, table: Any) -> Scale:
    where = f"scales.{name}"
    _check_keys(
        path,
        where,
        table,
        set(),
        {"train", "stages", "options", "demo", "label", "description", "threads", "isa"},
    )
    stages = _typed(path, f"{where}.stages", table.get("stages", {}), dict, "a table of stage -> settings")
    for stage in stages:
        if stage not in STAGES:
            raise SpecError(f"{path}: {where}.stages.{stage}: expected one of {', '.join(STAGES)}")
    numerics = _numerics(path, where, table)
    demo = table.get("demo", {})
    _check_keys(path, f"{where}.demo", demo, set(), {"frames", "size"})
    size = demo.get("size", [480, 854])
    if not (isinstance(size, list) and len(size) == 2 and all(isinstance(s, int) and s >= 32 for s in size)):
        raise SpecError(
            f"{path}: {where}.demo.size: expected [height, width], both at least 32, got {size!r}"
        )
    options = table.get("options", {})
    _typed(path, f"{where}.options", options, dict, "a table of method -> options")
    for method, values in options.items():
        _typed(path, f"{where}.options.{method}", values, dict, "a table of options")
    return Scale(
        name=name,
        label=_typed(path, f"{where}.label", table.get("label", ""), str, "text"),
        train=_train_fields(path, f"{where}.train", table.get("train", {}), every_network=True),
        options={m: dict(v) for m, v in options.items()},
        demo_frames=_typed(path, f"{where}.demo.frames", demo.get("frames", 20), int, "an integer"),
        demo_size=(size[0], size[1]),
        description=_typed(path, f"{where}.description", table.get("description", ""), str, "text"),
        threads=numerics.threads,
        isa=numerics.isa,
        stages={
            stage: _train_fields(path, f"{where}.stages.{stage}", values, every_network=True)
            for stage, values in stages.items()
        },
    )


def _numerics(path: Path, where: str, table: dict[str, Any]) -> Numerics:
    threads = _typed(
        path, f"{where}.threads", table.get("threads", 0), int, "a number of threads (0: default)"
    )
    isa = _typed(path, f"{where}.isa", table.get("isa", ""), str, "an instruction set name")
    try:
        return Numerics(threads, isa)
    except ValueError as exc:
        raise SpecError(f"{path}: {where}.{exc}") from None


def choose_scale(scale: str | None, quick: bool | None, demo: bool) -> str:
    """``--scale NAME`` or ``--quick``/``--no-quick`` (not both); by default quick on demo data
    and the recipes as written ("") on real data."""
    if scale is not None and quick is not None:
        raise VosbenchError("give --scale or --quick/--no-quick, not both")
    if scale is not None:
        return scale
    if quick is not None:
        return "quick" if quick else ""
    return "quick" if demo else ""


def scale_numerics(path: str | Path, name: str) -> Numerics:
    """The numeric settings of ``[scales.NAME]`` (none for the recipes as written), read without
    loading any network: a command pins them before torch is imported."""
    path = Path(path)
    scales = _read_toml(path).get("scales", {})
    if name in ("", "paper") or not isinstance(scales, dict) or not isinstance(scales.get(name), dict):
        return Numerics()  # an unknown scale is reported when the recipes are loaded
    return _numerics(path, f"scales.{name}", scales[name])


def load_recipes(path: str | Path) -> Recipes:
    """Read ``recipes.toml``: named training recipes and the ``[scales.NAME]`` settings."""
    path = Path(path)
    data = _read_toml(path)
    scales_table = data.pop("scales", {})
    _typed(path, "scales", scales_table, dict, "a table of [scales.NAME] tables")
    scales = {name: _scale(path, name, table) for name, table in scales_table.items()}
    recipes = {}
    for name, table in data.items():
        _check_keys(path, name, table, {"stages"}, {"train", "description"})
        stages = table["stages"]
        if not (isinstance(stages, list) and stages and all(s in STAGES for s in stages)):
            raise SpecError(f"{path}: {name}.stages: expected a list of {', '.join(STAGES)}, got {stages!r}")
        recipes[name] = Recipe(
            name=name,
            stages=tuple(stages),
            train=_train_fields(path, f"{name}.train", table.get("train", {})),
            description=_typed(path, f"{name}.description", table.get("description", ""), str, "text"),
        )
    return Recipes(recipes, scales)


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
    columns = data["columns"]
    if not (isinstance(columns, list) and columns):
        raise SpecError(f"{path}: columns: expected a non-empty list of column names")
    for i, name in enumerate(columns):
        if name not in COLUMNS:
            raise SpecError(
                f"{path}: columns[{i}]: unknown column {name!r}; expected one of {', '.join(COLUMNS)}"
            )
    fps_dataset = data.get("fps_dataset")
    if "fps" in columns and fps_dataset not in DATASETS:
        raise SpecError(f"{path}: fps_dataset: expected one of {', '.join(DATASETS)} with an fps column")
    rows = _typed(path, "rows", data["rows"], list, "a list of [[rows]] tables")
    parsed = []
    for i, row in enumerate(rows):
        where = f"rows[{i}]"
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
        parsed.append(
            RowSpec(
                label=_typed(path, f"{where}.label", row["label"], str, "text"),
                method=_typed(path, f"{where}.method", row.get("method", ""), str, "a method name"),
                options=dict(options),
                recipe=recipe,
                checkpoint=row.get("checkpoint"),
                paper_row=row.get("paper_row"),
                masks=_typed(path, f"{where}.masks", row.get("masks", False), bool, "true or false"),
                results=results,
            )
        )
    labels = [r.label for r in parsed]
    for label in labels:
        if labels.count(label) > 1:
            raise SpecError(f"{path}: rows: the label {label!r} is used twice")
    orderings = []
    for i, text in enumerate(_typed(path, "orderings", data.get("orderings", []), list, "a list of claims")):
        ordering = Ordering.parse(text) if isinstance(text, str) else None
        if ordering is None:
            raise SpecError(f'{path}: orderings[{i}]: expected "ROW > ROW" or "ROW >= ROW", got {text!r}')
        for label in (ordering.higher, ordering.lower):
            if label not in labels:
                raise SpecError(f"{path}: orderings[{i}]: no row is labelled {label!r}")
        orderings.append(ordering)
    seeds = _typed(path, "seeds", data.get("seeds", []), list, "a list of row labels")
    for i, label in enumerate(seeds):
        if label not in labels:
            raise SpecError(f"{path}: seeds[{i}]: no row is labelled {label!r}")
    if len(seeds) == 1:
        raise SpecError(f"{path}: seeds: a spread needs at least two rows")
    paper = (path.parent / _typed(path, "paper", data["paper"], str, "a path")).resolve()
    if not paper.is_file():  # found now, not after the rows have run
        raise SpecError(f"{path}: paper: {paper} not found (expected the paper's rows as CSV)")
    return ExperimentSpec(
        name=path.stem,
        path=path,
        title=_typed(path, "title", data["title"], str, "text"),
        paper=paper,
        paper_key=_typed(path, "paper_key", data["paper_key"], str, "a column name"),
        columns=tuple(columns),
        rows=tuple(parsed),
        fps_dataset=fps_dataset,
        orderings=tuple(orderings),
        seeds=tuple(seeds),
    )


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
