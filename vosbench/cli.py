"""The `vosbench` command."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from vosbench import __version__
from vosbench.errors import VosbenchError

EXIT_BAD_INPUT = 2


def _add_evaluate(sub: argparse._SubParsersAction) -> None:
    from vosbench.datasets import dataset_names

    p = sub.add_parser(
        "evaluate",
        help="score a results folder (J, F, J&F; G for YouTube-VOS)",
        description="Score RESULTS_DIR/<sequence>/<frame>.png against a dataset's ground truth "
        "with the official semi-supervised protocol, print a table and write "
        "global_results-<split>.csv, per-sequence_results-<split>.csv and results.json.",
    )
    # Names only: building the parser imports no plugin, so a broken one fails only when used.
    p.add_argument("--dataset", required=True, choices=dataset_names())
    p.add_argument("--root", required=True, type=Path, help="dataset root folder")
    p.add_argument("--split", default=None, help="split (default: val for DAVIS, valid for YouTube-VOS)")
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
    p.add_argument("--quiet", action="store_true", help="no progress bar or per-object table")
    p.set_defaults(func=_run_evaluate)


def _run_evaluate(args: argparse.Namespace) -> int:
    from vosbench.evaluation.command import evaluate_folder

    evaluate_folder(**_arguments_of(evaluate_folder, args))
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

    compare_results(**_arguments_of(compare_results, args))
    return 0


def _add_demo(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "demo",
        help="a ten-second look: generate demo data, run a baseline on it, score it, draw overlays",
        description="A quick look at vosbench (the main job, which regenerates the paper's tables, is "
        "`vosbench reproduce`). Generate the demo datasets into OUT (no download), run the "
        "flow-propagation baseline over the demo DAVIS 2017-layout val split, score it with the official "
        "protocol and write masks, result files, run.json and an overlay contact sheet to OUT/results.",
    )
    p.add_argument("--out", type=Path, default=Path("vosbench-demo"))
    p.add_argument("--method", default="flow-propagation", help="method to run (default flow-propagation)")
    p.set_defaults(func=_run_demo)


def _run_demo(args: argparse.Namespace) -> int:
    from vosbench.demo_data.demo import run_demo

    run_demo(args.out, args.method)
    return 0


def _add_make_demo_data(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "make-demo-data",
        help="generate the demo datasets (DAVIS 2017 and YouTube-VOS layouts, COCO-format shapes)",
        description="Generate, with no download, OUT/DAVIS (a VOS dataset in the DAVIS 2017 layout, "
        "480p, train and val splits: textured objects moving, deforming and occluding each other "
        "over panning textured backgrounds; ImageSets/2016 lists the same videos for davis2016), "
        "OUT/YouTube (the same videos in the YouTube-VOS layout, train and valid splits) and OUT/COCO "
        "(a COCO-format instance dataset of textured shapes). Deterministic for a seed.",
    )
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--frames", type=int, default=20, help="frames per video (default 20)")
    p.add_argument(
        "--size",
        type=int,
        nargs=2,
        default=(480, 854),
        metavar=("H", "W"),
        help="video frame size (default 480 854; smaller for quick CPU training)",
    )
    p.set_defaults(func=_run_make_demo_data)


def _run_make_demo_data(args: argparse.Namespace) -> int:
    from vosbench.demo_data.demo import write_demo_data

    write_demo_data(args.out, seed=args.seed, frames=args.frames, size=tuple(args.size))
    return 0


def _add_coco_clips(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "coco-clips",
        help="write example COCO synthetic pre-training clips and a contact sheet",
        description="Synthesise N pre-training clips from a COCO-format instance dataset (objects of "
        "one image pasted on another, separate random affine motion of foreground and background) "
        "and write them as OUT/clip_XXX/<t>.jpg + <t>.png and OUT/contact_sheet.png.",
    )
    p.add_argument("--coco-root", type=Path, required=True, help="COCO root (images in <split>2017/)")
    p.add_argument("--ann", type=Path, required=True, help="instances_<split>2017.json")
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--n", type=int, default=16, help="number of clips (default 16)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--size", type=int, default=384, help="square frame side (default 384)")
    p.set_defaults(func=_run_coco_clips)


def _run_coco_clips(args: argparse.Namespace) -> int:
    from vosbench.io.preflight import writable_dir
    from vosbench.sampling.clip import ClipOptions
    from vosbench.sampling.preview import write_coco_clips

    if args.n < 1:
        raise VosbenchError(f"--n must be at least 1, got {args.n}")
    writable_dir(args.out, "--out")
    sheet = write_coco_clips(
        args.coco_root, args.ann, args.out, args.n, args.seed, ClipOptions(size=args.size)
    )
    print(f"wrote {args.n} clips to {args.out}; contact sheet: {sheet}")
    return 0


# The listing commands: (module, function returning the text, help, description).
LISTINGS = {
    "methods": (
        "vosbench.methods.registry",
        "method_catalogue",
        "list the registered methods and their options",
        "List every method registered under the 'vosbench.methods' entry-point group (bundled and "
        "installed plugins), with its options, their types and defaults.",
    ),
    "datasets": (
        "vosbench.datasets.spec",
        "dataset_catalogue",
        "list the registered datasets: splits, scoring rules, submission layout",
        "List every dataset registered under the 'vosbench.datasets' entry-point group (vosbench's own "
        "and installed plugins), with its splits, default split, scoring rules and the layout its "
        "benchmark server takes.",
    ),
    "networks": (
        "vosbench.training.network",
        "network_catalogue",
        "list the trainable networks (`vosbench train --model NAME`) and their settings",
        "List every network registered under the 'vosbench.networks' entry-point group (SITVOS, STM "
        "and installed plugins): the method that runs its checkpoints and its own training settings "
        "beyond the common ones.",
    ),
}


def _add_listings(sub: argparse._SubParsersAction) -> None:
    for name, (module, function, help_text, description) in LISTINGS.items():
        p = sub.add_parser(name, help=help_text, description=description)
        p.set_defaults(func=_print_listing, listing=(module, function))


def _print_listing(args: argparse.Namespace) -> int:
    import importlib

    module, function = args.listing
    print(getattr(importlib.import_module(module), function)())
    return 0


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
    p.set_defaults(func=_run_run)


def _method_run_options(args: argparse.Namespace, **extra):
    """`run` and `profile` share their dataset, device and progress arguments."""
    from vosbench.runner.run import RunOptions

    sequences = tuple(args.sequences) if args.sequences else None
    return RunOptions(
        **_arguments_of(RunOptions, args, sequences=sequences, progress=not args.quiet, **extra)
    )


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
    run_and_report(args.method, parse_settings(args.set), options)
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


def _add_train(sub: argparse._SubParsersAction) -> None:
    from vosbench.datasets import dataset_names
    from vosbench.training import network_names

    p = sub.add_parser(
        "train",
        help="train a network (SITVOS, STM, a plugin's): COCO pre-training (stage 1) or main training "
        "on videos (stage 2)",
        description="Train a registered network (`vosbench networks`; SITVOS by default, STM with "
        "--model stm) with the SITVOS paper's settings as defaults (3-frame 384x384 clips, batch 4, Adam "
        "1e-5 with polynomial decay 0.9, frozen batch norm). Checkpoints go to OUT (state.pt for "
        "--resume, last.pth and best.pth for `vosbench run --method sitvos --set checkpoint=...`, or "
        "--method stm), with metrics.jsonl/csv and loss_curve.png. Under torchrun: "
        "DistributedDataParallel.",
    )
    p.add_argument("--stage", required=True, choices=("pretrain", "main"))
    p.add_argument("--out", required=True, type=Path, help="run folder")
    p.add_argument("--coco-root", type=Path, help="pretrain: COCO root (images in <split>2017/)")
    p.add_argument("--coco-ann", type=Path, help="pretrain: instances_<split>2017.json")
    p.add_argument("--davis-root", type=Path, help="main: a DAVIS root")
    p.add_argument(
        "--davis-dataset",
        default="davis2017",
        choices=dataset_names(),
        help="the dataset --davis-root holds (default davis2017)",
    )
    p.add_argument("--davis-split", default="train")
    p.add_argument("--youtube-root", type=Path, help="main: a YouTube-VOS root (its train split)")
    p.add_argument(
        "--youtube-weight", type=float, default=1.0, help="sampling weight of YouTube-VOS vs DAVIS (1)"
    )
    p.add_argument(
        "--init", default="", help="start from this checkpoint (e.g. the pretrain stage's last.pth)"
    )
    # The memory networks' own settings (SITVOS, STM); other networks take theirs with --set.
    p.add_argument(
        "--backbone",
        default=None,
        choices=("resnet50", "mobilenetv2"),
        help="resnet50: the paper's; mobilenetv2: the small-scale variant (default resnet50)",
    )
    p.add_argument(
        "--backbone-init",
        default=None,
        choices=("imagenet", "random"),
        help="without --init: torchvision's ImageNet weights (downloaded or from the torch cache) or random",
    )
    p.add_argument(
        "--backbone-weights",
        default=None,
        metavar="PATH",
        help="without --init: the image backbone's weights from this file (torchvision's layout, or "
        "tonylins' for MobileNetV2, e.g. ../shared/weights/mobilenetv2-imagenet-tonylins.pt)",
    )
    p.add_argument("--fim", default=None, choices=("true", "false"), help="false: Table 3's ablation")
    p.add_argument("--model", default="sitvos", choices=network_names(), help="the network to train")
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="another of the network's training settings (repeatable)",
    )
    p.add_argument("--iterations", type=int, default=100_000)
    p.add_argument("--batch-size", type=int, default=4)
    p.add_argument("--size", type=int, default=384)
    p.add_argument("--frames", type=int, default=3, help="frames per clip (default 3)")
    p.add_argument("--max-objects", type=int, default=3)
    p.add_argument("--lr", type=float, default=1e-5)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--device", default="cpu")
    p.add_argument("--precision", default="auto", choices=("auto", "fp32", "bf16"))
    p.add_argument("--checkpoint-every", type=int, default=500)
    p.add_argument("--validate-every", type=int, default=0, help="0: validate only at the end")
    p.add_argument("--log-every", type=int, default=10)
    p.add_argument("--val-dataset", default=None, help="held-out validation: a dataset name (e.g. davis2017)")
    p.add_argument("--val-root", type=Path, default=None)
    p.add_argument("--val-split", default="val")
    p.add_argument("--val-sequences", nargs="+", default=None)
    p.add_argument(
        "--val-set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="an option of the validation runs' method, e.g. size=240 on a CPU (repeatable)",
    )
    p.add_argument(
        "--val-coco-ann",
        type=Path,
        default=None,
        metavar="PATH",
        help="also validate on synthetic clips made from this held-out COCO annotation file's images "
        "(under --coco-root), e.g. instances_val2017.json: pre-training's own learning signal",
    )
    p.add_argument(
        "--val-coco-clips", type=int, default=16, help="how many synthetic validation clips (default 16)"
    )
    p.add_argument(
        "--holdout",
        nargs="+",
        default=(),
        metavar="VIDEO",
        help="leave these videos of the DAVIS training split out of training and validate on them "
        "(unless --val-dataset says otherwise)",
    )
    p.add_argument("--resume", action="store_true", help="continue the run in OUT where it stopped")
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(func=_run_train)


def _run_train(args: argparse.Namespace) -> int:
    from vosbench.methods.options import parse_settings
    from vosbench.training.command import TrainData, train_stage

    settings: dict[str, object] = {
        "stage": args.stage,
        "iterations": args.iterations,
        "batch_size": args.batch_size,
        "size": args.size,
        "frames": args.frames,
        "max_objects": args.max_objects,
        "lr": args.lr,
        "init_checkpoint": args.init,
        "workers": args.workers,
        "holdout": tuple(args.holdout),
        "seed": args.seed,
        "precision": args.precision,
        "checkpoint_every": args.checkpoint_every,
        "validate_every": args.validate_every,
        "log_every": args.log_every,
    }
    given = {
        "backbone": args.backbone,
        "backbone_init": args.backbone_init,
        "backbone_weights": args.backbone_weights,
        "fim": args.fim,
    }
    settings.update({k: v for k, v in given.items() if v is not None})
    settings.update(parse_settings(args.set))
    sequences = tuple(args.val_sequences) if args.val_sequences else None
    val_settings = tuple(sorted(parse_settings(args.val_set).items()))
    data = TrainData(**_arguments_of(TrainData, args, val_sequences=sequences, val_settings=val_settings))
    summary = train_stage(args.model, settings, data, args.out, args.device, args.resume, not args.quiet)
    if summary:
        print(
            f"trained {summary['iterations']} iterations, final loss {summary['final_loss']:.4f}; "
            f"{summary['iterations_per_second']:.2f} it/s on {summary['device']}, peak memory "
            f"{summary['peak_memory_mb']:.0f} MB ({summary['peak_memory_of']}); "
            f"checkpoint {args.out / 'last.pth'}"
            + (f"; validation {summary['validation']:.4f}" if "validation" in summary else "")
        )
    return 0


def _add_convert_weights(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "convert-weights",
        help="turn another code base's weights (e.g. STM's released STM_weights.pth) into a checkpoint",
        description="Convert a state dict saved by another code base into a vosbench checkpoint that "
        "records its network and variant, so `vosbench run --method NAME --set checkpoint=OUT` needs no "
        "other option. --from names the layout (stm-official: STM_weights.pth from github "
        "seoungwugoh/STM). Every key that cannot be placed is named; nothing is dropped silently.",
    )
    p.add_argument("--from", dest="source", required=True, metavar="LAYOUT", help="e.g. stm-official")
    p.add_argument("weights", type=Path, metavar="IN", help="the state dict (.pth)")
    p.add_argument("out", type=Path, metavar="OUT", help="the checkpoint to write (.pth)")
    p.set_defaults(func=_run_convert_weights)


def _run_convert_weights(args: argparse.Namespace) -> int:
    from vosbench.training.convert import convert_weights

    print(convert_weights(args.source, args.weights, args.out))
    return 0


def _add_reproduce(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "reproduce",
        help="regenerate the paper's tables (train, run, score, profile) beside its numbers",
        description="Run the experiment specs (reports/experiments/table*.toml): train what each row's "
        "recipe asks, run, score and profile it on each dataset its columns need, and write "
        "reports/tables/<table>.{md,tex,csv}, reports/figures/ and reports/README.md. Finished steps "
        "are cached in --work by a key of their inputs: a rerun does only what changed, and an "
        "interrupted run resumes. With no arguments: all tables, quick scale, on the demo data.",
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


def _arguments_of(target: object, args: argparse.Namespace, **given: object) -> dict[str, object]:
    """The keyword arguments of ``target`` (a function or dataclass) that the parsed arguments
    hold under the same name, then ``given``."""
    import inspect

    names = inspect.signature(target).parameters  # type: ignore[arg-type]
    return {**{k: v for k, v in vars(args).items() if k in names}, **given}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vosbench", description="Benchmark suite for semi-supervised video object segmentation."
    )
    parser.add_argument("--version", action="version", version=f"vosbench {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_evaluate(sub)
    _add_compare(sub)
    _add_demo(sub)
    _add_make_demo_data(sub)
    _add_coco_clips(sub)
    _add_listings(sub)
    _add_run(sub)
    _add_profile(sub)
    _add_submit(sub)
    _add_train(sub)
    _add_convert_weights(sub)
    _add_reproduce(sub)
    return parser


def _pin_numerics(argv: list[str]) -> None:
    """`reproduce` at a scale that promises the same values on any machine pins its numeric
    settings (:mod:`vosbench.numerics`) now, before building the parser loads NumPy: each
    library reads its own once. Arguments are checked later, by the full parser."""
    if argv[:1] != ["reproduce"] or {"-h", "--help"} & set(argv):
        return  # (asking for help computes nothing; the early parser would print it twice)
    from vosbench.numerics import pin
    from vosbench.reproduce.spec import choose_scale, scale_numerics

    early = argparse.ArgumentParser(add_help=False, exit_on_error=False)
    _add_reproduce(early.add_subparsers(dest="command"))
    try:
        args, _ = early.parse_known_args(argv)
        data = args.data or ["demo"]
        scale = choose_scale(args.scale, args.quick, data == ["demo"])
        pin(scale_numerics(args.experiments / "recipes.toml", scale))
    except (argparse.ArgumentError, VosbenchError, SystemExit):
        return  # the full parser and the command report it


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; bad input prints one line and returns exit status 2."""
    _pin_numerics(list(sys.argv[1:] if argv is None else argv))
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except VosbenchError as exc:
        print(f"vosbench: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("vosbench: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
