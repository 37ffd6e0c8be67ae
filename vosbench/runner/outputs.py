"""A run's files beside its masks: ``run.json`` and, where scored, the result files."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from vosbench.evaluation import EvaluationResult, result_contents
from vosbench.io.atomic import write_all_atomic
from vosbench.methods import Method
from vosbench.runner.profiler import ProfileReport
from vosbench.runner.state import VideoRecord
from vosbench.system.distributed import World
from vosbench.system.provenance import provenance

if TYPE_CHECKING:
    from vosbench.runner.run import RunOptions


def write_outputs(
    options: RunOptions,
    method_name: str,
    method: Method,
    split: str,
    config: dict,
    report: ProfileReport,
    result: EvaluationResult | None,
    records: list[VideoRecord],
    world: World,
) -> None:
    """Write ``run.json`` (the run's identity, profile, provenance, scores) and the result
    files together, atomically: all of them or none."""
    assert options.out is not None
    run = {
        **config,
        "device": options.device,
        "processes": world.size,
        "videos": len(records),
        "frames": sum(r.frames for r in records),
        "masks_written": sum(r.written for r in records),
        "profile": report.to_dict(),
        "provenance": provenance(options.device),
        "scores": dict(result.global_metrics) if result is not None else None,
    }
    contents = {}
    if result is not None:
        extra = {"root": str(options.root), "results": str(options.out), "method": method_name}
        contents = result_contents(result, options.out, extra)
    contents[options.out / "run.json"] = json.dumps(run, indent=1, default=str)
    write_all_atomic(contents)  # the result files and run.json together, or none of them
