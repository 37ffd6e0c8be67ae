"""Running what a table row needs: its training recipe, then a run per dataset.

Every finished step is cached under the work folder by a key of its inputs:

* ``train/<key>/``: one training stage (``vosbench train``'s run folder); the key holds the
  stage's full ``TrainConfig``, its data and the previous stage's key. ``done.json`` marks
  it finished; an interrupted stage resumes from its last checkpoint.
* ``runs/<key>/``: one method over one dataset split (``vosbench run``'s output folder); the
  key holds the method, its options, its weights' key, the dataset root, split and device.
  ``row.json`` marks it finished; an interrupted run resumes at the first unfinished video.

So a rerun repeats only what changed, and rows that share a step (Table 1's SITVOS and
Table 4's "Fixed 7 frames") compute it once. Each step is computed under a lock
(``<key>.lock`` beside its folder), so ``reproduce`` processes sharing a work folder (say,
one per core, each given other tables) never compute the same step at once: the second
waits, then takes it from the cache. A step taken from the cache says so, with its
folder. The code's commit is recorded with each step (the commit when the process started),
not keyed: after changing code, use ``--rerun`` (every step of the requested tables is
computed again, once per call), a new ``--work`` folder, or delete the affected keys.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import shutil
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vosbench.datasets import default_split
from vosbench.errors import VosbenchError
from vosbench.io.atomic import exclusive, write_atomic
from vosbench.reproduce.data import DataSources
from vosbench.reproduce.recipes import Recipe, Recipes, Scale
from vosbench.reproduce.server import submission_for_server, with_server_scores
from vosbench.reproduce.spec import RowSpec
from vosbench.system.devices import is_cuda
from vosbench.system.provenance import hardware_label

if TYPE_CHECKING:  # the training code loads torch: imported where a stage runs
    from vosbench.training import TrainConfig
    from vosbench.training.command import TrainData


def input_key(inputs: dict[str, Any]) -> str:
    """A short, stable hash of JSON-able inputs (key order does not matter)."""
    text = json.dumps(inputs, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Context:
    """What every step of one ``reproduce`` call shares."""

    work: Path
    sources: DataSources
    recipes: Recipes
    scale: Scale  # --scale (quick, small, ..., or paper: the recipes as written)
    device: str = "cpu"
    progress: bool = True
    commit: str = "unknown"  # the code's commit when this process started (it is what runs)
    rerun: bool = False  # ignore cached steps (each is recomputed once in this call)
    redone: set[str] = field(default_factory=set)  # keys recomputed in this call
    numerics: dict[str, object] = field(default_factory=dict)  # the state every step computes under
    trained: dict[str, tuple[Path, ...]] = field(default_factory=dict)  # recipe -> its stages' folders
    server: Path | None = None  # the benchmark servers' numbers for server-scored runs (reports/server)

    def keyed_numerics(self) -> dict[str, Any]:
        """What of the numeric settings keys a step: a scale that pins them never reuses a step
        computed under other ones (nothing, where the scale pins none)."""
        numerics = self.scale.numerics
        return {"numerics": numerics.keyed()} if numerics.pinned else {}

    def isa_label(self) -> str:
        """The ISA cap a pinned scale computes under, for the FPS's conditions (e.g. ``avx2``)."""
        numerics = self.scale.numerics
        return f"{numerics.isa} cap" if numerics.pinned else ""

    def lock(self, folder: Path) -> contextlib.AbstractContextManager[None]:
        """Hold the step ``folder`` against other processes sharing the work folder."""
        return exclusive(
            folder.parent / f"{folder.name}.lock",
            lambda: print(f"waiting for another process computing {folder}", flush=True),
        )

    def cached(self, kind: str, key: str, folder: Path, marker: Path, what: str) -> bool:
        """Whether the step ``key`` is finished in the cache (and may be reused); says so.

        With ``rerun`` a step is cleared and recomputed the first time this call meets it.
        """
        if self.rerun and key not in self.redone:
            self.redone.add(key)
            if folder.exists():
                shutil.rmtree(folder)
            return False
        if not marker.is_file():
            return False
        if key in self.redone:
            print(f"{kind} {what}: computed earlier in this call ({folder}), reused")
        else:
            print(f"{kind} {what}: cached in {folder} (reused; --rerun to compute it again)")
        return True


@dataclass
class RunRecord:
    """One finished run (``runs/<key>/row.json``)."""

    key: str
    method: str
    options: dict[str, str]
    dataset: str
    split: str
    scores: dict[str, float]
    fps: float
    hardware: str
    per_object: dict[str, float] = field(default_factory=dict)  # "<seq>_<id>" -> J&F (or G terms)
    folder: str = ""
    commit: str = "unknown"  # the code that made the run
    conditions: str = ""  # threads and load average while the FPS was measured
    numerics: dict[str, Any] = field(default_factory=dict)  # numeric settings it computed under
    # a split without local ground truth: the zip for its server, and the server's numbers once
    # someone has put them in reports/server/<key>.csv (zip, numbers, source, status)
    server: dict[str, str] = field(default_factory=dict)


def stage_config(recipe: Recipe, stage: str, init: str, scale: Scale) -> TrainConfig:
    """The stage's training settings, in the class of the recipe's network (``train.model``)."""
    from vosbench.methods.options import build_options
    from vosbench.training import TrainConfig, network_spec

    values = {**recipe.train, **scale.stage_train(stage), "stage": stage, "init_checkpoint": init}
    spec = network_spec(values.get("model", TrainConfig.model))
    # A scale sets fields for every recipe: those this network's settings lack are not its own.
    own = {f.name for f in fields(spec.train_config)}
    values = {k: v for k, v in values.items() if k in own or k in recipe.train}
    return build_options(f"recipe {recipe.name!r}, stage {stage}", spec.train_config, values, invalid="")


def stage_roots(stage: str, sources: DataSources) -> dict[str, str | None]:
    """The dataset roots a stage trains on, resolved (part of its cache key)."""
    if stage == "pretrain":
        if sources.coco is None:
            raise VosbenchError("pre-training needs COCO: give --data coco=ROOT (or use --data demo)")
        return {"coco_root": str(sources.coco[0].resolve()), "coco_ann": str(sources.coco[1].resolve())}
    davis, davis_root, youtube_root = sources.main_training()
    if davis_root is None and youtube_root is None:
        raise VosbenchError("main training needs a DAVIS or YouTube-VOS root in --data")
    return {
        "davis_dataset": davis,
        "davis_root": str(davis_root.resolve()) if davis_root else None,
        "youtube_root": str(youtube_root.resolve()) if youtube_root else None,
    }


def train_recipe(recipe: Recipe, ctx: Context) -> tuple[Path, str]:
    """Train (or find cached) every stage of ``recipe``; returns (checkpoint, its key)."""
    from vosbench.training import TRAINING_REVISION

    checkpoint, previous = "", None
    folders: list[Path] = []
    for stage in recipe.stages:
        config = stage_config(recipe, stage, checkpoint, ctx.scale)
        roots = stage_roots(stage, ctx.sources)
        data = stage_data(stage, config, ctx.sources, ctx.scale, roots)
        inputs = {
            **asdict(config),
            "init_checkpoint": previous,
            "data": roots,
            # what its validation scores: the curves and the held-out columns come from it
            "validation": validation_inputs(data),
            "device": ctx.device,
            "revision": TRAINING_REVISION,
            **ctx.keyed_numerics(),
        }
        key = input_key(inputs)
        folder = ctx.work / "train" / key
        with ctx.lock(folder):
            _train_stage(ctx, recipe.name, config, data, inputs, folder)
        checkpoint, previous = str(folder / "last.pth"), key
        folders.append(folder)
    assert previous is not None
    ctx.trained[recipe.name] = tuple(folders)
    return Path(checkpoint), previous


def _train_stage(
    ctx: Context, name: str, config: TrainConfig, data: TrainData, inputs: dict[str, Any], folder: Path
) -> None:
    """Train one stage into ``folder`` unless the cache has it (resuming an interrupted one),
    through the training path `vosbench train` takes."""
    from vosbench.training.command import run_stage

    done = folder / "done.json"
    if ctx.cached("training", folder.name, folder, done, f"{name}: stage {config.stage}"):
        return
    print(f"training {name}: stage {config.stage} ({config.iterations} iterations) -> {folder}")
    summary = run_stage(config, data, folder, ctx.device, resume=True, progress=ctx.progress)
    record = {"inputs": inputs, "summary": summary, "commit": ctx.commit, "numerics": ctx.numerics}
    write_atomic(done, json.dumps(record, indent=1, default=str))
    # only an unfinished stage resumes: its optimiser state (three times the weights) goes
    (folder / "state.pt").unlink(missing_ok=True)


def stage_data(
    stage: str, config: TrainConfig, sources: DataSources, scale: Scale, roots: dict[str, str | None]
) -> TrainData:
    """What a stage reads, as `vosbench train` would be told it: its clips' datasets, the
    DAVIS train videos the recipe holds out (validated on in both stages, so the curves
    compare), and for pre-training COCO's held-out images for synthetic validation clips; the
    validation runs take the ``scale``'s method options. ``roots``: :func:`stage_roots`."""
    from vosbench.training import network_spec
    from vosbench.training.command import TrainData

    paths = {k: Path(v) for k, v in roots.items() if v}
    davis, davis_root, _ = sources.main_training()
    options = scale.options.get(network_spec(config.model).method, {})
    return TrainData(
        coco_root=paths.get("coco_root"),
        coco_ann=paths.get("coco_ann"),
        davis_root=davis_root,
        davis_dataset=davis or "davis2017",
        youtube_root=paths.get("youtube_root"),
        val_settings=tuple(sorted((k, str(v)) for k, v in options.items())),
        val_coco_ann=sources.coco_val if stage == "pretrain" else None,
        **({"val_coco_clips": scale.synthetic_clips} if scale.synthetic_clips else {}),
    )


def validation_inputs(data: TrainData) -> dict[str, Any]:
    """What a stage's validation reads (``data``: its :class:`TrainData`), for its cache key: the
    held-out videos' root (their names are the config's ``holdout``), the validation runs'
    method options, and the held-out COCO annotations with the number of synthetic clips."""
    synthetic = data.val_coco_ann is not None
    return {
        "davis": [data.davis_dataset, str(data.davis_root.resolve()) if data.davis_root else None],
        "settings": [list(pair) for pair in data.val_settings],
        "coco": [str(data.val_coco_ann.resolve()), data.val_coco_clips] if synthetic else None,
    }


def row_settings(row: RowSpec, scale: Scale) -> dict[str, Any]:
    """The row's method options as TOML typed them: the scale's defaults for the method, then
    the row's own."""
    defaults = scale.options.get(row.method, {})
    return {**defaults, **row.options}


def settings_text(settings: dict[str, Any]) -> dict[str, str]:
    """Options as text, as cache keys and measured rows record them (``true``, ``7``)."""
    return {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in settings.items()}


def method_options(row: RowSpec, settings: dict[str, Any]) -> Any:
    """The row's method's options instance, validated (a bad option names the row's method)."""
    from vosbench.methods.options import build_options
    from vosbench.methods.registry import method_class

    return build_options(row.method, method_class(row.method).Options, settings)


def check_row(row: RowSpec, scale: Scale, recipes: Recipes | None = None) -> None:
    """Fail before any work if the row's method or options are wrong, or its recipe's training
    settings (every stage's config, and what its network checks of them, e.g. files it names)."""
    from vosbench.training import network_spec

    if row.results:
        for dataset, folder in row.results.items():
            if not Path(folder).is_dir():
                raise VosbenchError(f"row {row.label!r}: results folder {folder} ({dataset}) not found")
        return
    method_options(row, row_settings(row, scale))
    if row.recipe is None or recipes is None:
        return
    recipe = recipes.recipes[row.recipe]
    for stage in recipe.stages:
        config = stage_config(recipe, stage, "", scale)
        spec = network_spec(config.model)
        if spec.check is not None:
            try:
                spec.check(config)
            except VosbenchError as exc:
                raise VosbenchError(f"recipe {recipe.name!r}: {exc}") from None


def run_row(row: RowSpec, dataset: str, ctx: Context) -> RunRecord | None:
    """The row's method over ``dataset``'s evaluation split (cached; trains first if needed),
    or its results folder for ``dataset`` scored; None for a results row without one."""
    if row.results:
        return score_results(row, dataset, ctx) if dataset in row.results else None
    settings = row_settings(row, ctx.scale)
    weights: str | None = None
    if row.recipe is not None:
        checkpoint, weights = train_recipe(ctx.recipes.recipes[row.recipe], ctx)
        settings["checkpoint"] = str(checkpoint)
    elif row.checkpoint is not None:
        path = Path(row.checkpoint)
        if not path.is_file():
            raise VosbenchError(f"row {row.label!r}: checkpoint {path} not found")
        stat = path.stat()
        weights = f"{path.resolve()}:{stat.st_size}:{stat.st_mtime_ns}"
        settings["checkpoint"] = str(path)
    root = ctx.sources.roots[dataset]
    split = default_split(dataset)
    inputs = {
        "method": row.method,
        "options": settings_text({k: v for k, v in settings.items() if k != "checkpoint"}),
        "weights": weights,
        "dataset": dataset,
        "root": str(root.resolve()),
        "split": split,
        "device": ctx.device,
        **ctx.keyed_numerics(),
    }
    folder = ctx.work / "runs" / input_key(inputs)
    with ctx.lock(folder):
        return _run(row, dataset, ctx, settings, inputs, folder)


def _run(
    row: RowSpec, dataset: str, ctx: Context, settings: dict[str, Any], inputs: dict[str, Any], folder: Path
) -> RunRecord:
    """Run the row into ``folder`` unless the cache has it (resuming an interrupted run)."""
    from vosbench.runner.run import RunOptions, run_method

    key, root, split = folder.name, ctx.sources.roots[dataset], inputs["split"]
    marker = folder / "row.json"
    described = ", ".join(f"{k}={v}" for k, v in inputs["options"].items()) or "defaults"
    if ctx.cached("run", key, folder, marker, f"{row.method} ({described}) on {dataset}"):
        record = RunRecord(**json.loads(marker.read_text()))
        return with_server_scores(record, ctx) if record.server else record
    print(f"running {row.method} ({described}) on {dataset} -> {folder}")
    run_options = RunOptions(
        dataset=dataset,
        root=root,
        out=folder,
        split=split,
        device=ctx.device,
        resume=True,
        overwrite=True,  # the cache's own folder: another run's results in it are stale
        score=True,  # the demo's YouTube-VOS valid split has its ground truth
        progress=ctx.progress,
    )
    outcome = run_method(row.method, method_options(row, settings), run_options)
    if outcome is None:
        raise VosbenchError(f"{dataset} at {root}: the run produced nothing")
    result = outcome.result
    run = json.loads((folder / "run.json").read_text())
    server = {} if result is not None else submission_for_server(dataset, root, split, folder)
    precision = run["options"].get("precision")  # a network's FPS names its arithmetic
    if precision == "fp32" and is_cuda(ctx.device):
        precision = "fp32 (TF32 off)"
    record = RunRecord(
        key=key,
        method=row.method,
        options=inputs["options"],
        dataset=dataset,
        split=split,
        scores=dict(result.global_metrics) if result is not None else {},
        fps=outcome.profile.fps,
        hardware=hardware_label(run["provenance"]["hardware"]),
        per_object={o.key: o.score for o in result.objects} if result is not None else {},
        folder=str(folder),
        commit=ctx.commit,
        conditions=", ".join(filter(None, (precision, ctx.isa_label(), outcome.profile.conditions))),
        numerics=ctx.numerics,
        server=server,
    )
    write_atomic(marker, json.dumps(asdict(record), indent=1))
    return with_server_scores(record, ctx) if server else record


def score_results(row: RowSpec, dataset: str, ctx: Context) -> RunRecord:
    """A row's results folder for ``dataset`` scored on its evaluation split (no FPS: vosbench
    did not run the code that made the masks)."""
    from vosbench.evaluation import evaluate

    folder = Path(row.results[dataset])
    root, split = ctx.sources.roots[dataset], default_split(dataset)
    print(f"scoring {row.label!r}: results folder {folder} on {dataset}")
    result = evaluate(dataset, root, folder, split=split, progress=ctx.progress)
    return RunRecord(
        key="",
        method="",
        options={},
        dataset=dataset,
        split=split,
        scores=dict(result.global_metrics),
        fps=math.nan,
        hardware="",
        per_object={o.key: o.score for o in result.objects},
        folder=str(folder),
        commit="",
    )
