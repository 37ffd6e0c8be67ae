"""Training recipes and scales (``reports/experiments/recipes.toml``).

The recipes name training stages and the training settings they change (``model``: a
registered network, default ``sitvos``; the other keys are fields of its settings class,
``TrainConfig`` or the network's subclass of it); its ``[scales.NAME]`` tables say what
``--scale NAME`` changes for every recipe and row (``--quick`` is ``--scale quick``), and
``[scales.NAME.stages.STAGE]`` what it changes for one training stage. Every key is checked.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from vosbench.errors import VosbenchError
from vosbench.numerics import Numerics
from vosbench.reproduce.reading import SpecError, _check_keys, _read_toml, _typed

STAGES = ("pretrain", "main")


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
    # synthetic clips pre-training validates on (0: the trainer's default, SYNTHETIC_CLIPS)
    synthetic_clips: int = 0

    def stage_train(self, stage: str) -> dict[str, Any]:
        """The training fields this scale sets for ``stage``."""
        return {**self.train, **self.stages.get(stage, {})}

    @property
    def is_paper(self) -> bool:
        """The recipes as written (``--scale paper``): a GPU's work."""
        return self.name == PAPER_NAME

    @property
    def key(self) -> str:
        """How measured sets and files name the scale: its name, "" for the paper's."""
        return "" if self.is_paper else self.name

    @property
    def marker(self) -> str:
        """How its rows are marked in the tables ("" for the paper's)."""
        return "" if self.is_paper else self.label or self.name

    @property
    def numerics(self) -> Numerics:
        """The numeric settings its steps compute under (:mod:`vosbench.numerics`)."""
        return Numerics(self.threads, self.isa)


PAPER_NAME = "paper"
# The recipes as written: no field, option or numeric setting changed; demo data at 480p.
PAPER = Scale(name=PAPER_NAME, description="the recipes as written (the paper's settings)")


@dataclass(frozen=True)
class Recipes:
    recipes: dict[str, Recipe]
    scales: dict[str, Scale] = field(default_factory=dict)

    @property
    def quick(self) -> Scale | None:
        return self.scales.get("quick")

    def scale(self, name: str) -> Scale:
        """The scale ``name`` ("" or "paper": :data:`PAPER`, the recipes as written)."""
        if name in ("", PAPER_NAME):
            return PAPER
        if name not in self.scales:
            known = ", ".join(["paper", *self.scales])
            raise SpecError(f"--scale {name}: recipes.toml has no [scales.{name}]; expected one of {known}")
        return self.scales[name]


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
        {"train", "stages", "options", "demo", "label", "description", "threads", "isa", "synthetic_clips"},
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
    synthetic_clips = _typed(
        path, f"{where}.synthetic_clips", table.get("synthetic_clips", 0), int, "a number of clips"
    )
    if synthetic_clips < 0:
        raise SpecError(
            f"{path}: {where}.synthetic_clips: expected 1 or more (0: the default), got {synthetic_clips}"
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
        synthetic_clips=synthetic_clips,
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
