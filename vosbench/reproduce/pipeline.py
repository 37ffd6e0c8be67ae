"""The pipeline of `vosbench reproduce`: specs checked, rows measured, tables written."""

from __future__ import annotations

import math
import re
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from vosbench.errors import VosbenchError
from vosbench.numerics import cpu_flags, numeric_state, state_matches
from vosbench.reproduce.columns import COLUMNS
from vosbench.reproduce.data import DataSources, scaled_demo
from vosbench.reproduce.execute import Context, check_row, run_row
from vosbench.reproduce.figures import jf_fps_plots, overlays, sequence_bars
from vosbench.reproduce.index import write_index
from vosbench.reproduce.masks import export_masks
from vosbench.reproduce.recipes import load_recipes
from vosbench.reproduce.spec import ExperimentSpec, load_spec
from vosbench.reproduce.tables import (
    Line,
    MeasuredRow,
    MeasuredSet,
    load_measured,
    set_stem,
    table_lines,
    write_tables,
)
from vosbench.reproduce.training import record_training
from vosbench.system.devices import torch_threads, without_onednn
from vosbench.system.provenance import git_commit


@dataclass(frozen=True)
class ReproduceOptions:
    experiments: Path  # the folder of table*.toml and recipes.toml
    reports: Path  # where tables, figures and measured rows go
    work: Path  # the cache of training and run folders
    scale: str = ""  # a [scales.NAME] of recipes.toml ("quick", "small"); "": the recipes as written
    device: str = "cpu"
    progress: bool = True
    command: str = ""
    rerun: bool = False  # recompute every step instead of reusing the cache


def spec_paths(experiments: Path, tables: list[str]) -> list[Path]:
    """``table1`` or a path for each requested table; all ``table*.toml`` when none is named."""
    if not experiments.is_dir():
        raise VosbenchError(f"{experiments}: no experiments folder (expected table*.toml and recipes.toml)")
    if not tables:
        found = sorted(experiments.glob("table*.toml"))
        if not found:
            raise VosbenchError(f"{experiments}: holds no table*.toml spec")
        return found
    paths = []
    for name in tables:
        path = Path(name) if name.endswith(".toml") else experiments / f"{name}.toml"
        if not path.is_file():
            known = ", ".join(p.stem for p in sorted(experiments.glob("table*.toml")))
            raise VosbenchError(f"{path}: no such table spec; {experiments} has {known}")
        paths.append(path)
    return paths


def _row_name(measured: MeasuredSet, dataset: str, row: MeasuredRow) -> str:
    """What a row's files on ``dataset`` are called: ``<data>[-<scale>]-<dataset>-<row slug>``."""
    return f"{measured.stem}-{dataset}-" + re.sub(r"[^a-z0-9]+", "-", row.label.lower()).strip("-")


def reproduce(tables: list[str], sources: DataSources | None, options: ReproduceOptions) -> list[Path]:
    """Run and write the requested tables; returns every file written.

    ``sources`` None: the demo data, generated (once) at the size ``options.scale`` asks for,
    after every spec has been checked.
    """
    recipes = load_recipes(options.experiments / "recipes.toml")
    specs = [load_spec(p, recipes) for p in spec_paths(options.experiments, tables)]
    scale = recipes.scale(options.scale)
    for spec in specs:  # every spec and option is checked before hours of work start
        for row in spec.rows:
            check_row(row, scale, recipes)
    numerics = scale.numerics
    # from the data on: results repeat
    with torch_threads(numerics.threads), without_onednn(not numerics.onednn):
        state = numeric_state()
        if numerics.pinned and not state_matches(numerics, state, cpu_flags()):
            print(
                f"warning: the {scale.name} scale computes under {numerics.label()}, but this "
                f"process computes under {state}: its values may differ from the committed ones "
                "(run `vosbench reproduce`, which pins them before torch is loaded)",
                file=sys.stderr,
            )
        if sources is None:
            sources = scaled_demo(options.work, scale)
        ctx = Context(
            work=options.work,
            sources=sources,
            recipes=recipes,
            scale=scale,
            device=options.device,
            progress=options.progress,
            commit=git_commit(Path(__file__).parent),
            rerun=options.rerun,
            numerics=state,
            server=options.reports / "server",
        )
        return _reproduce(specs, ctx, options)


def _reproduce(specs: list[ExperimentSpec], ctx: Context, options: ReproduceOptions) -> list[Path]:
    sources, scale = ctx.sources, ctx.scale
    written: list[Path] = []
    drawn: set[str] = set()
    for spec in specs:
        available = [d for d in spec.datasets if d in sources.roots]
        if not available:
            print(f"{spec.name}: skipped, it needs {' or '.join(spec.datasets)} data (give --data NAME=PATH)")
            continue
        measured = _measure(spec, available, ctx, options)
        written.append(measured.save(options.reports))
        sets = load_measured(options.reports, spec.name)  # this run's and earlier runs' rows
        lines = table_lines(spec, sets)
        written += write_tables(spec, options.reports, sets, lines)
        written += _figures(spec, lines, measured, available, sources, options.reports, drawn)
        written += _masks(spec, measured, options.reports)
        print(f"{spec.name}: {options.reports / 'tables' / (spec.name + '.md')}")
    if ctx.trained:
        stem = set_stem(sources.tag, scale.key)
        written += record_training(ctx.trained, stem, options.reports)
    written.append(write_index(options.reports, options.experiments))
    return written


def _measure(
    spec: ExperimentSpec, available: list[str], ctx: Context, options: ReproduceOptions
) -> MeasuredSet:
    rows = []
    for row in spec.rows:
        ran = {d: run_row(row, d, ctx) for d in available}
        records = {d: r for d, r in ran.items() if r is not None}
        fps_from = spec.fps_dataset if spec.fps_dataset in records else next(iter(records), available[0])
        timed = records.get(fps_from)
        values: dict[str, float | None] = {}
        for name in spec.columns:
            if name == "fps":
                fps = timed.fps if timed is not None else math.nan
                values[name] = None if math.isnan(fps) else fps
                continue
            column = COLUMNS[name]
            record = records.get(column.dataset or "")
            values[name] = record.scores.get(column.metric) if record else None
        rows.append(
            MeasuredRow(
                label=row.label,
                method=row.method,
                paper_row=row.paper_row,
                values=values,
                hardware=", ".join(filter(None, (timed.hardware, timed.conditions, fps_from)))
                if "fps" in spec.columns and timed is not None and timed.hardware
                else "",
                runs={d: r.folder for d, r in records.items()},
                per_object={d: r.per_object for d, r in records.items()},
                commit=" ".join(sorted({r.commit for r in records.values()})),
                numerics={d: r.numerics for d, r in records.items()},
                results=dict(row.results),
                server={d: r.server for d, r in records.items() if r.server},
            )
        )
    return MeasuredSet(
        table=spec.name,
        tag=ctx.sources.tag,
        data=ctx.sources.description,
        scale=ctx.scale.key,
        scale_label=ctx.scale.marker,
        commit=ctx.commit,
        time=datetime.now(UTC).isoformat(timespec="seconds"),
        command=options.command or "vosbench reproduce",
        rows=rows,
    )


def _masks(spec: ExperimentSpec, measured: MeasuredSet, reports: Path) -> list[Path]:
    """The masks of the rows marked ``masks = true``: ``results/<data>[-<scale>]-<dataset>-<row>``."""
    written = []
    for row_spec, row in zip(spec.rows, measured.rows, strict=True):
        if row_spec.masks:
            for dataset in row.runs:
                folder = reports / "results" / _row_name(measured, dataset, row)
                written.append(export_masks(measured, row, dataset, folder))
    return written


def _figures(
    spec: ExperimentSpec,
    lines: list[Line],
    measured: MeasuredSet,
    available: list[str],
    sources: DataSources,
    reports: Path,
    drawn: set[str],
) -> list[Path]:
    figures = reports / "figures"
    written = []
    written += jf_fps_plots(spec, lines, figures)
    stem = measured.stem
    for dataset in available:
        bars = sequence_bars(spec, measured, dataset, figures / f"{spec.name}-{stem}-{dataset}-sequences.png")
        if bars is not None:
            written.append(bars)
    # the spec's last run row: the paper's own configuration (results rows ran nothing here)
    shown = next((r for r in reversed(measured.rows) if not r.results), None)
    if shown is None:
        return written
    # several objects in their own colours where the data has them
    dataset = next(d for d in ("davis2017", "youtube2018", "davis2016", *available) if d in available)
    run = shown.runs[dataset]
    if run not in drawn:
        drawn.add(run)
        name = _row_name(measured, dataset, shown)
        written += overlays(measured, shown, dataset, sources.roots[dataset], figures / "overlays", name)
    return written
