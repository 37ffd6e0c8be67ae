"""`vosbench run`, `profile` and `submit`: a method over a dataset, its timing, its server zip."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vosbench.commands.common import arguments_of

if TYPE_CHECKING:
    from vosbench.runner.run import RunOptions


def _add_method_run_arguments(p: argparse.ArgumentParser) -> None:
    from vosbench.datasets import dataset_names

    p.add_argument("--method", required=True, help="a name from `vosbench methods`")
    p.add_argument(
        "--set", action="append", default=[], metavar="KEY=VALUE", help="a method option (repeatable)"
    )
    p.add_argument("--dataset", required=True, choices=dataset_names())
    p.add_argument("--root", required=True, type=Path, help="dataset root folder")
    p.add_argument("--split", default=None, help="split (default: val for DAVIS, valid for YouTube-VOS)")
    p.add_argument("--device", default="cpu", help="cpu, cuda or cuda:N")
    p.add_argument("--resolution", default="480p", choices=("480p", "Full-Resolution"))
    p.add_argument("--sequences", nargs="+", default=None, help="only these videos")
    p.add_argument("--quiet", action="store_true", help="no progress bars")


def _add_run(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "run",
        help="run a method over a dataset: masks, scores, timing",
        description="Run a method over a dataset split and write OUT/<video>/<frame>.png (indexed, "
        "DAVIS palette) for the frames the benchmark needs. Where the split has ground truth, score "
        "each video as it finishes and write the same result files as `vosbench evaluate`; always "
        "write run.json (method, options, versions, hardware, FPS). Under torchrun the videos are "
        "shared across processes.",
    )
    _add_method_run_arguments(p)
    p.add_argument("--out", required=True, type=Path, help="results folder")
    p.add_argument("--resume", action="store_true", help="skip videos this same run already completed in OUT")
    p.add_argument(
        "--overwrite",
        action="store_true",
        help="OUT holds another run's results (another method, options, weights or data): remove them "
        "first instead of refusing",
    )
    p.add_argument("--no-score", action="store_true", help="do not score, even where ground truth exists")
    p.add_argument(
        "--figures",
        action="store_true",
        help="also draw per-object-<split>.png (where scored) and overlays-<split>.png in OUT",
    )
    p.set_defaults(func=_run_run)


def _method_run_options(args: argparse.Namespace, **extra: Any) -> RunOptions:
    """`run` and `profile` share their dataset, device and progress arguments."""
    from vosbench.runner.run import RunOptions

    sequences = tuple(args.sequences) if args.sequences else None
    return RunOptions(**arguments_of(RunOptions, args, sequences=sequences, progress=not args.quiet, **extra))


def _run_run(args: argparse.Namespace) -> int:
    from vosbench.methods.options import parse_settings
    from vosbench.runner.command import run_and_report

    options = _method_run_options(
        args,
        out=args.out,
        resume=args.resume,
        overwrite=args.overwrite,
        score=False if args.no_score else None,
    )
    run_and_report(args.method, parse_settings(args.set), options, figures=args.figures)
    return 0


def _add_profile(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "profile",
        help="measure a method's FPS, per-frame latency, stages and peak GPU memory",
        description="Run a method over a dataset's frames (no files written but the report) and "
        "measure frames per second as papers mean it: the method's own time per frame, without "
        "reading or decoding files, synchronised on CUDA, warm-up frames excluded.",
    )
    _add_method_run_arguments(p)
    p.add_argument("--frames", type=int, default=None, help="stop after N frames (default: all)")
    p.add_argument("--warmup", type=int, default=5, help="frames left out at the start (default 5)")
    p.add_argument(
        "--out",
        type=Path,
        default=None,
        help="also write the report as JSON here (default: print only)",
    )
    p.set_defaults(func=_run_profile)


def _run_profile(args: argparse.Namespace) -> int:
    from vosbench.methods.options import parse_settings
    from vosbench.runner.command import profile_and_report

    options = _method_run_options(args, out=None, warmup=args.warmup, max_frames=args.frames)
    profile_and_report(args.method, parse_settings(args.set), args.set, options, args.out)
    return 0


def _add_submit(sub: argparse._SubParsersAction) -> None:
    from vosbench.datasets import dataset_names

    p = sub.add_parser(
        "submit",
        help="check a results folder and pack it for the benchmark server",
        description="Check RESULTS against the dataset (every required video and frame, original "
        "size, indexed PNG, ids within the video's objects) and write the zip the benchmark server "
        "expects: YouTube-VOS Annotations/<video>/<frame>.png, DAVIS <sequence>/<frame>.png. "
        "Any problem is listed with its file and fix, and no zip is written.",
    )
    p.add_argument("--dataset", required=True, choices=dataset_names())
    p.add_argument("--root", required=True, type=Path)
    p.add_argument("--split", default=None, help="default: test-dev for DAVIS 2017, valid for YouTube-VOS")
    p.add_argument("--results", required=True, type=Path)
    p.add_argument("--zip", required=True, type=Path, dest="zip_path")
    p.set_defaults(func=_run_submit)


def _run_submit(args: argparse.Namespace) -> int:
    from vosbench.submission import submit

    print(submit(args.dataset, args.root, args.split, args.results, args.zip_path))
    return 0
