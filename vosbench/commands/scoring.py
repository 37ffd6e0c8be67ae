"""`vosbench evaluate` and `vosbench compare`: scoring results folders."""

from __future__ import annotations

import argparse
from pathlib import Path

from vosbench.commands.common import arguments_of


def _add_evaluate(sub: argparse._SubParsersAction) -> None:
    from vosbench.datasets import dataset_names
    from vosbench.evaluation.protocols import protocol_names

    p = sub.add_parser(
        "evaluate",
        help="score a results folder (J, F, J&F; G for YouTube-VOS; J&F_new for MOSEv2, ...)",
        description="Score RESULTS_DIR/<sequence>/<frame>.png against a dataset's ground truth "
        "by its benchmark's scoring protocol (`vosbench protocols`), print a table and write "
        "global_results-<split>.csv, per-sequence_results-<split>.csv and results.json.",
    )
    # Names only: building the parser imports no plugin, so a broken one fails only when used.
    p.add_argument("--dataset", required=True, choices=dataset_names())
    p.add_argument("--root", required=True, type=Path, help="dataset root folder")
    p.add_argument(
        "--split",
        default=None,
        help="split (default: the dataset's, e.g. val for DAVIS, valid for YouTube-VOS)",
    )
    p.add_argument("--results", required=True, type=Path, help="folder of <sequence>/<frame>.png")
    p.add_argument("--out", type=Path, default=None, help="output folder (default: the results folder)")
    p.add_argument("--workers", type=int, default=None, help="processes (default: all CPU cores)")
    p.add_argument("--resolution", default="480p", choices=("480p", "Full-Resolution"))
    p.add_argument(
        "--exclude-void",
        action="store_true",
        help="leave ground-truth void pixels (255) out of J and F; NOT the official protocol, "
        "which turns them into background",
    )
    p.add_argument("--sequences", nargs="+", default=None, help="score only these sequences")
    p.add_argument(
        "--protocol",
        default=None,
        choices=protocol_names(),
        help="score by this protocol instead of the dataset's (e.g. lvos-2022: the LVOS rules of 2022)",
    )
    p.add_argument(
        "--figures",
        action="store_true",
        help="also draw per-object-<split>.png (every object's score, the mean and its interval) "
        "and overlays-<split>.png (the masks over three frames of each video)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar or per-object table")
    p.set_defaults(func=_run_evaluate)


def _run_evaluate(args: argparse.Namespace) -> int:
    from vosbench.evaluation.command import evaluate_folder

    evaluate_folder(**arguments_of(evaluate_folder, args))
    return 0


def _add_compare(sub: argparse._SubParsersAction) -> None:
    from vosbench.datasets import dataset_names

    p = sub.add_parser(
        "compare",
        help="is A better than B beyond chance? paired test of two results on the same videos",
        description="Compare two results on the same objects: each is a results folder (scored here "
        "on --dataset/--root) or a results.json of `vosbench evaluate` or `run`. Prints both J&F with "
        "95%% bootstrap intervals (sequences resampled), the paired difference with its interval, a "
        "sign-flip permutation test over sequences and the verdict on A > B; with --out writes "
        "comparison.json and comparison.png.",
    )
    p.add_argument("a", type=Path, metavar="A", help="results folder or results.json")
    p.add_argument("b", type=Path, metavar="B", help="results folder or results.json")
    p.add_argument("--dataset", default=None, choices=dataset_names(), help="to score folders")
    p.add_argument("--root", type=Path, default=None, help="the dataset root (to score folders)")
    p.add_argument("--split", default=None, help="split (default: the dataset's evaluation split)")
    p.add_argument("--out", type=Path, default=None, help="write comparison.json and comparison.png here")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.set_defaults(func=_run_compare)


def _run_compare(args: argparse.Namespace) -> int:
    from vosbench.evaluation.compare_command import compare_results

    compare_results(**arguments_of(compare_results, args))
    return 0
