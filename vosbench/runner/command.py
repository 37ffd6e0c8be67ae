"""`vosbench run` and `vosbench profile`: a method over a dataset, reported on the terminal."""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Any

from vosbench.datasets import dataset_spec
from vosbench.errors import VosbenchError
from vosbench.evaluation.report import format_table, headline_line
from vosbench.io.atomic import write_atomic
from vosbench.io.preflight import writable_file, writable_files
from vosbench.runner.run import RunOptions, run_method
from vosbench.system.devices import check_device
from vosbench.system.provenance import provenance


def run_and_report(method: str, settings: dict[str, Any], options: RunOptions, figures: bool = False) -> None:
    """Run ``method``, then print its frames, timing and (where scored) the table; with
    ``figures``, draw every object's score (where scored) and the masks over the frames."""
    check_device(options.device)
    spec = dataset_spec(options.dataset)
    split = spec.split_or_default(options.split)
    if figures:
        from vosbench.visual.results_figures import figure_names

        writable_files(options.out, figure_names(split), "--out")
    outcome = run_method(method, settings, options)
    if outcome is None:  # not rank 0
        return
    print(f"{method}: {sum(r.frames for r in outcome.records)} frames; {outcome.profile.summary()}")
    if outcome.result is not None:
        print(format_table(outcome.result))
        print("\n" + headline_line(outcome.result))
    print(f"wrote {options.out} (masks, run.json" + (", result files)" if outcome.result else ")"))
    if figures:
        from vosbench.visual.results_figures import draw_figures

        drawn = draw_figures(
            options.dataset,
            options.root,
            options.out,
            options.out,
            split,
            options.resolution,
            options.sequences,
            outcome.result,
        )
        print("figures: " + ", ".join(str(p) for p in drawn))
    # an evaluation split left unscored though not told so: its ground truth is the server's (by
    # its spec, or annotations that give each object's first mask only)
    server = spec.submission is not None and split in spec.evaluation_splits
    if outcome.result is None and options.score is not False and server:
        print(
            f"{options.dataset} {split} is scored by its benchmark's server; make the zip with "
            f"`vosbench submit --dataset {options.dataset} --root {shlex.quote(str(options.root))} "
            f"--split {split} --results {shlex.quote(str(options.out))} "
            f"--zip {shlex.quote(f'{options.out}.zip')}`"
        )


def profile_and_report(
    method: str, settings: dict[str, Any], set_items: list[str], options: RunOptions, out: Path | None
) -> None:
    """Time ``method`` (nothing written but, with ``out``, the report as JSON); prints it."""
    if options.max_frames is not None and options.max_frames <= options.warmup:
        raise VosbenchError(f"--frames {options.max_frames}: must exceed --warmup ({options.warmup})")
    if out is not None:
        writable_file(out, "--out")
    check_device(options.device)
    outcome = run_method(method, settings, options)
    if outcome is None:
        return
    print(f"{method} on {options.dataset}: {outcome.profile.summary()}")
    if out is not None:
        report = {
            "method": method,
            "settings": set_items,
            "dataset": options.dataset,
            "split": dataset_spec(options.dataset).split_or_default(options.split),
            "profile": outcome.profile.to_dict(),
            "provenance": provenance(options.device),
        }
        write_atomic(out, json.dumps(report, indent=1))
        print(f"wrote {out}")
