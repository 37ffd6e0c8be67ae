"""What the rows' training looked like: each stage's loss and held-out validation curves, its
iterations and minutes, kept with the reports.

Every stage a ``reproduce`` call trains or takes from its cache is read from its training
folder (``config.json``, ``metrics.jsonl``, ``validation.jsonl``, ``summary.json``) into
``reports/measured/training/<data>[-<scale>].json``, merged with the stages recorded by
earlier calls on the same data and scale. From that file come
``reports/figures/training-<data>[-<scale>].png`` (loss and validation J&F against iteration,
one column per stage) and ``reports/tables/training-<data>[-<scale>].md``.
"""

from __future__ import annotations

import json
import statistics
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from vosbench.io.atomic import write_atomic
from vosbench.io.jsonlines import read_json_lines
from vosbench.reproduce.recipes import STAGES
from vosbench.reproduce.tables import measured_dir
from vosbench.visual.plots import pyplot, save_figure

SMOOTHING = 5  # logged points in the loss curves' moving average
STAGE_TITLES = {"pretrain": "pre-training", "main": "main training"}


@dataclass(frozen=True)
class StageRecord:
    """One finished training stage, as the reports keep it."""

    key: str  # the stage's cache key (its training folder's name)
    recipes: tuple[str, ...]  # the recipes whose weights went through this stage
    stage: str
    network: str
    backbone: str
    iterations: int
    losses: tuple[tuple[int, float], ...]  # (iteration, loss) as logged
    validation: tuple[tuple[int, float], ...]  # (iteration, held-out J&F as a fraction)
    seconds: float  # wall time of the training loop: the logged intervals, validation included
    seconds_per_iteration: float  # the median logged interval's, so a busy spell does not count
    device: str
    # (iteration, J&F) on synthetic clips from COCO's held-out images (pre-training)
    synthetic: tuple[tuple[int, float], ...] = ()

    @classmethod
    def read(cls, folder: Path, recipes: tuple[str, ...]) -> StageRecord:
        """The stage trained in ``folder`` (a finished ``vosbench train`` run folder)."""
        config = json.loads((folder / "config.json").read_text())
        summary = json.loads((folder / "summary.json").read_text())
        # one row per iteration, the last written: a run resumed before its log was cut back
        # (older training folders) logged some iterations twice
        logged = sorted(
            {r["iteration"]: r for r in read_json_lines(folder / "metrics.jsonl")}.values(),
            key=lambda r: r["iteration"],
        )
        steps = [
            b["iteration"] - a["iteration"] for a, b in zip([{"iteration": 0}, *logged], logged, strict=False)
        ]
        rates = [r["seconds"] / n for r, n in zip(logged, steps, strict=True) if n > 0]
        validated = read_json_lines(folder / "validation.jsonl")
        return cls(
            key=folder.name,
            recipes=recipes,
            stage=config["stage"],
            network=config["model"],
            backbone=config.get("backbone", "resnet50"),
            iterations=int(config["iterations"]),
            losses=tuple((int(r["iteration"]), float(r["loss"])) for r in logged),
            validation=_curve(validated, "held-out"),
            seconds=sum(float(r["seconds"]) for r in logged),
            seconds_per_iteration=statistics.median(rates) if rates else float("nan"),
            device=str(summary.get("device", "")),
            synthetic=_curve(validated, "synthetic"),
        )

    @classmethod
    def from_json(cls, data: dict) -> StageRecord:
        data = {**data, "recipes": tuple(data["recipes"])}
        data["losses"] = tuple((int(i), float(v)) for i, v in data["losses"])
        for curve in ("validation", "synthetic"):
            data[curve] = tuple((int(i), float(v)) for i, v in data.get(curve, ()))
        return cls(**data)

    @property
    def label(self) -> str:
        return f"{self.network}: {', '.join(self.recipes)}"


def _curve(rows: list[dict], name: str) -> tuple[tuple[int, float], ...]:
    """(iteration, score) of the validation set ``name``. Rows without named scores hold the
    held-out videos' score alone (one set was all a stage was validated on before)."""
    curve = []
    for row in rows:
        scores = row.get("scores", {"held-out": row["score"]})
        if name in scores:
            curve.append((int(row["iteration"]), float(scores[name])))
    return tuple(curve)


def merge(earlier: list[StageRecord], new: list[StageRecord]) -> list[StageRecord]:
    """``earlier`` updated by ``new``: a stage recorded again is replaced (with the recipes of
    both), and a recipe's stage trained anew (another key) leaves the old record, which is
    dropped once no recipe is left in it."""
    merged = {r.key: r for r in earlier}
    for record in new:
        if record.key in merged:
            recipes = tuple(dict.fromkeys(merged[record.key].recipes + record.recipes))
            record = replace(record, recipes=recipes)
        merged[record.key] = record
        for key, other in list(merged.items()):
            if key != record.key and other.stage == record.stage:
                left = tuple(r for r in other.recipes if r not in record.recipes)
                if not left:
                    del merged[key]
                elif left != other.recipes:
                    merged[key] = replace(other, recipes=left)
    return list(merged.values())


def record_training(trained: dict[str, tuple[Path, ...]], stem: str, reports: Path) -> list[Path]:
    """Record the stages in ``trained`` (recipe -> its stages' folders, in order) with those
    recorded before on the same data and scale; returns the JSON, figure and table written."""
    recipes: dict[Path, tuple[str, ...]] = {}
    for recipe, folders in trained.items():
        for folder in folders:
            recipes[folder] = (*recipes.get(folder, ()), recipe)
    new = [StageRecord.read(folder, names) for folder, names in recipes.items()]
    path = measured_dir(reports, "training") / f"{stem}.json"
    earlier = [StageRecord.from_json(d) for d in json.loads(path.read_text())] if path.is_file() else []
    records = merge(earlier, new)
    write_atomic(path, json.dumps([asdict(r) for r in records], indent=1))
    figure = training_curves(records, reports / "figures" / f"training-{stem}.png", stem)
    table = reports / "tables" / f"training-{stem}.md"
    write_atomic(table, training_table(records, stem))
    return [path, figure, table]


def _moving_average(values: list[float], width: int) -> list[float]:
    out = []
    for i in range(len(values)):
        window = values[max(0, i - width + 1) : i + 1]
        out.append(sum(window) / len(window))
    return out


def training_curves(records: list[StageRecord], path: Path, stem: str) -> Path:
    """Loss (top) and held-out validation J&F (bottom, where validated) against iteration, one
    column per stage; a recipe keeps its colour across stages."""
    plt = pyplot()
    stages = [s for s in STAGES if any(r.stage == s for r in records)]
    validated = any(r.validation or r.synthetic for r in records)
    rows = 2 if validated else 1
    fig, axes = plt.subplots(
        rows, len(stages), figsize=(5.5 * len(stages), 3.6 * rows), dpi=110, squeeze=False
    )
    leads = list(dict.fromkeys(r.recipes[0] for r in records))
    colours = {lead: plt.get_cmap("tab10")(i % 10) for i, lead in enumerate(leads)}
    for column, stage in enumerate(stages):
        loss_ax = axes[0][column]
        for record in (r for r in records if r.stage == stage):
            colour = colours[record.recipes[0]]
            its = [i for i, _ in record.losses]
            losses = [v for _, v in record.losses]
            loss_ax.plot(its, losses, lw=0.6, alpha=0.3, color=colour)
            loss_ax.plot(its, _moving_average(losses, SMOOTHING), lw=1.4, color=colour, label=record.label)
            if record.validation:
                val_ax = axes[1][column]
                its = [i for i, _ in record.validation]
                val_ax.plot(
                    its, [100 * v for _, v in record.validation], marker="o", color=colour, label=record.label
                )
            if record.synthetic:
                its = [i for i, _ in record.synthetic]
                axes[1][column].plot(
                    its,
                    [100 * v for _, v in record.synthetic],
                    marker="s",
                    ls="--",
                    color=colour,
                    label=f"{record.label} (synthetic clips)",
                )
        loss_ax.set_title(f"{STAGE_TITLES.get(stage, stage)}: training loss ({stem})", fontsize=9)
        loss_ax.set_xlabel("iteration")
        loss_ax.set_ylabel(f"loss (moving average of {SMOOTHING} logged points)", fontsize=8)
        loss_ax.legend(fontsize=7)
        loss_ax.grid(alpha=0.3)
        if validated:
            val_ax = axes[1][column]
            synthetic = any(r.synthetic for r in records if r.stage == stage)
            val_ax.set_title(
                f"{STAGE_TITLES.get(stage, stage)}: J&F on the held-out train videos"
                + (" (solid) and COCO val synthetic clips (dashed)" if synthetic else ""),
                fontsize=9,
            )
            val_ax.set_xlabel("iteration")
            val_ax.set_ylabel("held-out J&F (%)")
            val_ax.grid(alpha=0.3)
            if val_ax.lines:
                val_ax.legend(fontsize=7)
            else:
                val_ax.text(0.5, 0.5, "not validated", ha="center", va="center", transform=val_ax.transAxes)
    return save_figure(fig, path)


def training_table(records: list[StageRecord], stem: str) -> str:
    """The stages as a Markdown table: iterations, minutes, losses and held-out J&F."""
    lines = [
        f"# Training stages ({stem})",
        "",
        "Written by `vosbench reproduce`. Minutes: the training loop's wall time (held-out "
        "validation included); s/iteration: the median logged interval's. Held-out J&F: on "
        "the train videos the recipe holds out, at the stage's last validation (best in brackets); "
        "synthetic-clip J&F: on the fixed clips made from COCO val2017's images (pre-training).",
        "",
        "| recipes | network | backbone | stage | iterations | minutes | s/iteration "
        f"| loss (last {SMOOTHING} logged) "
        "| held-out J&F | synthetic-clip J&F | device |",
        "|---|---|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in sorted(records, key=lambda r: (STAGES.index(r.stage) if r.stage in STAGES else 9, r.label)):
        last = [v for _, v in r.losses[-SMOOTHING:]]
        final = f"{sum(last) / len(last):.3f}" if last else ""
        lines.append(
            f"| {', '.join(r.recipes)} | {r.network} | {r.backbone} | {r.stage} | {r.iterations} "
            f"| {r.seconds / 60:.1f} | {r.seconds_per_iteration:.2f} | {final} "
            f"| {_last_and_best(r.validation)} | {_last_and_best(r.synthetic)} | {r.device} |"
        )
    return "\n".join(lines) + "\n"


def _last_and_best(curve: tuple[tuple[int, float], ...]) -> str:
    """``last (best)`` J&F in percent of a validation curve; empty when not validated."""
    if not curve:
        return ""
    return f"{100 * curve[-1][1]:.1f} ({100 * max(v for _, v in curve):.1f})"
