"""`vosbench reproduce`: the paper's tables."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _add_reproduce(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "reproduce",
        help="regenerate the paper's tables (train, run, score, profile) beside its numbers",
        description="Run the experiment specs (reports/experiments/table*.toml): train what each row's "
        "recipe asks, run, score and profile it on each dataset its columns need, and write "
        "reports/tables/<table>.{md,tex,csv}, reports/figures/ and reports/README.md. Finished steps "
        "are cached in --work by a key of their inputs: a rerun does only what changed, and an "
        "interrupted run resumes. A row may name a results folder instead of a method: masks made by "
        "any code, scored and judged beside the others (examples/my-masks-table.toml). With no "
        "arguments: all tables, quick scale, on the demo data.",
    )
    p.add_argument(
        "tables", nargs="*", metavar="TABLE", help="table1 ... table4 or a spec path (default: all)"
    )
    p.add_argument(
        "--data",
        action="append",
        default=None,
        metavar="demo|NAME=PATH",
        help="demo (default: generated demo data) or dataset roots: davis2016=, davis2017=, youtube2018=, "
        "coco= (pre-training; annotations/instances_train2017.json) and coco-ann=; repeat for each",
    )
    p.add_argument(
        "--scale",
        default=None,
        metavar="NAME",
        help="a [scales.NAME] of recipes.toml: quick (CPU minutes, demo data), small (CPU hours, "
        "MobileNetV2 ImageNet backbone, real data), or paper (the recipes as written; a GPU's work). "
        "Default: quick with demo data, paper otherwise",
    )
    p.add_argument(
        "--quick",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="--quick: --scale quick; --no-quick: --scale paper",
    )
    p.add_argument("--device", default="cpu", help="cpu, cuda or cuda:N (default cpu)")
    p.add_argument("--experiments", type=Path, default=Path("reports/experiments"))
    p.add_argument("--reports", type=Path, default=Path("reports"), help="where tables and figures go")
    p.add_argument("--work", type=Path, default=Path(".vosbench-work"), help="cache of training and runs")
    p.add_argument(
        "--rerun",
        action="store_true",
        help="compute every training and run step of these tables again instead of reusing --work's cache",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.set_defaults(func=_run_reproduce)


def _run_reproduce(args: argparse.Namespace) -> int:
    from vosbench.reproduce.command import reproduce_tables
    from vosbench.reproduce.pipeline import ReproduceOptions

    options = ReproduceOptions(
        experiments=args.experiments,
        reports=args.reports,
        work=args.work,
        device=args.device,
        progress=not args.quiet,
        rerun=args.rerun,
        command=" ".join(["vosbench", "reproduce", *sys.argv[2:]]) if sys.argv[1:2] == ["reproduce"] else "",
    )
    reproduce_tables(args.tables, args.data, args.scale, args.quick, options)
    return 0
