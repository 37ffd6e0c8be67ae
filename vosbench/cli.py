"""The `vosbench` command."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from vosbench import __version__
from vosbench.errors import VosbenchError

EXIT_BAD_INPUT = 2


def _add_evaluate(sub: argparse._SubParsersAction) -> None:
    from vosbench.evaluation.protocol import DATASETS

    p = sub.add_parser(
        "evaluate",
        help="score a results folder (J, F, J&F; G for YouTube-VOS)",
        description="Score RESULTS_DIR/<sequence>/<frame>.png against a dataset's ground truth "
        "with the official semi-supervised protocol, print a table and write "
        "global_results-<split>.csv, per-sequence_results-<split>.csv and results.json.",
    )
    p.add_argument("--dataset", required=True, choices=DATASETS)
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
    from vosbench.datasets import DEFAULT_SPLITS
    from vosbench.evaluation import ScoringOptions, evaluate
    from vosbench.evaluation.report import format_table, result_names, write_results
    from vosbench.io.preflight import writable_files

    if args.workers is not None and args.workers < 1:
        raise VosbenchError(f"--workers must be at least 1, got {args.workers}")
    split = args.split or DEFAULT_SPLITS[args.dataset]
    writable_files(args.out or args.results, result_names(split), "--out")
    start = time.perf_counter()
    result = evaluate(
        args.dataset,
        args.root,
        args.results,
        split=args.split,
        options=ScoringOptions(exclude_void=args.exclude_void),
        workers=args.workers,
        resolution=args.resolution,
        sequences=args.sequences,
        progress=not args.quiet,
    )
    seconds = time.perf_counter() - start
    out_dir = args.out or args.results
    extra = {"root": str(args.root), "results": str(args.results), "exclude_void": args.exclude_void}
    paths = write_results(result, out_dir, extra)
    table = format_table(result)
    print(table if not args.quiet else "\n".join(table.splitlines()[:3]))
    name, value = result.headline
    n_frames = sum(len(o.frames) for o in result.objects)
    print(f"\n{name}: {100 * value:.1f}  ({n_frames} object-frames scored in {seconds:.2f} s)")
    print("wrote " + ", ".join(str(p) for p in paths))
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
    from vosbench.datasets import load_videos
    from vosbench.demo_data import make_demo_data
    from vosbench.io.images import write_image
    from vosbench.io.masks import read_mask
    from vosbench.io.preflight import writable_dir
    from vosbench.visual.overlay import contact_sheet, overlay

    writable_dir(args.out, "--out")
    demo = make_demo_data(args.out)
    print(f"demo data written to {args.out} (DAVIS/, YouTube/ and COCO/)")
    results = args.out / "results"
    root = str(demo.davis_root)
    code = main(
        ["run", "--method", args.method, "--dataset", "davis2017", "--root", root, "--out", str(results)]
    )
    if code:
        return code
    rows, captions = [], []
    for video in load_videos("davis2017", demo.davis_root, "val"):
        picks = [0, len(video) // 2, len(video) - 1]
        rows.append(
            [
                overlay(video.read_frame(i), read_mask(results / video.name / f"{video.frames[i]}.png"))
                for i in picks
            ]
        )
        captions.append([f"{video.name} {video.frames[i]}" for i in picks])
    sheet = results / "overlays.png"
    write_image(sheet, contact_sheet(rows, captions=captions))
    print(f"overlays (first, middle, last frame of each video): {sheet}")
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
    from vosbench.demo_data import make_demo_data
    from vosbench.io.preflight import writable_dir

    if args.frames < 3:
        raise VosbenchError(f"--frames must be at least 3, got {args.frames}")
    start = time.perf_counter()
    if min(args.size) < 32:
        raise VosbenchError(f"--size {args.size[0]} {args.size[1]}: both sides must be at least 32")
    writable_dir(args.out, "--out")
    demo = make_demo_data(args.out, seed=args.seed, n_frames=args.frames, size=tuple(args.size))
    print(
        f"wrote {demo.davis_root} (DAVIS 2017 layout), {demo.youtube_root} (YouTube-VOS layout) and "
        f"{demo.coco_root} (COCO layout) in {time.perf_counter() - start:.1f} s"
    )
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


def _add_methods(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "methods",
        help="list the registered methods and their options",
        description="List every method registered under the 'vosbench.methods' entry-point group "
        "(bundled and installed plugins), with its options, their types and defaults.",
    )
    p.set_defaults(func=_run_methods)


def _run_methods(args: argparse.Namespace) -> int:
    from vosbench.methods.options import describe_options
    from vosbench.methods.registry import method_class, method_names

    for name in method_names():
        cls = method_class(name)
        print(f"{name}: {cls.description or cls.__doc__ or ''}".rstrip())
        for option in describe_options(cls.Options):
            help_text = f"  {option.help}" if option.help else ""
            print(f"    {option.name} ({option.type}, default {option.default!r}){help_text}")
    return 0


def _add_method_run_arguments(p: argparse.ArgumentParser) -> None:
    from vosbench.datasets import DATASETS

    p.add_argument("--method", required=True, help="a name from `vosbench methods`")
    p.add_argument(
        "--set", action="append", default=[], metavar="KEY=VALUE", help="a method option (repeatable)"
    )
    p.add_argument("--dataset", required=True, choices=DATASETS)
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


def _check_device(device: str) -> None:
    import torch

    if device.startswith("cuda") and not torch.cuda.is_available():
        raise VosbenchError(f"--device {device}: CUDA is not available on this machine (use --device cpu)")
    if not (device == "cpu" or device.startswith("cuda")):
        raise VosbenchError(f"--device {device!r}: expected cpu, cuda or cuda:N")


def _method_run_options(args: argparse.Namespace, **extra):
    """`run` and `profile` share their dataset, device and progress arguments."""
    from vosbench.runner.run import RunOptions

    _check_device(args.device)
    return RunOptions(
        dataset=args.dataset,
        root=args.root,
        split=args.split,
        resolution=args.resolution,
        device=args.device,
        sequences=tuple(args.sequences) if args.sequences else None,
        progress=not args.quiet,
        **extra,
    )


def _run_run(args: argparse.Namespace) -> int:
    from vosbench.evaluation.report import format_table
    from vosbench.methods.options import parse_settings
    from vosbench.runner.run import run_method

    options = _method_run_options(
        args,
        out=args.out,
        resume=args.resume,
        overwrite=args.overwrite,
        score=False if args.no_score else None,
    )
    outcome = run_method(args.method, parse_settings(args.set), options)
    if outcome is None:  # not rank 0
        return 0
    print(f"{args.method}: {sum(r.frames for r in outcome.records)} frames; {outcome.profile.summary()}")
    if outcome.result is not None:
        print(format_table(outcome.result))
        name, value = outcome.result.headline
        print(f"\n{name}: {100 * value:.1f}")
    print(f"wrote {args.out} (masks, run.json" + (", result files)" if outcome.result else ")"))
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
    import json

    from vosbench.datasets import DEFAULT_SPLITS
    from vosbench.io.atomic import write_atomic
    from vosbench.io.preflight import writable_file
    from vosbench.methods.options import parse_settings
    from vosbench.runner.provenance import provenance
    from vosbench.runner.run import run_method

    if args.frames is not None and args.frames <= args.warmup:
        raise VosbenchError(f"--frames {args.frames}: must exceed --warmup ({args.warmup})")
    if args.out is not None:
        writable_file(args.out, "--out")
    options = _method_run_options(args, out=None, warmup=args.warmup, max_frames=args.frames)
    outcome = run_method(args.method, parse_settings(args.set), options)
    if outcome is None:
        return 0
    print(f"{args.method} on {args.dataset}: {outcome.profile.summary()}")
    if args.out is not None:
        report = {
            "method": args.method,
            "settings": args.set,
            "dataset": args.dataset,
            "split": args.split or DEFAULT_SPLITS[args.dataset],
            "profile": outcome.profile.to_dict(),
            "provenance": provenance(args.device),
        }
        write_atomic(args.out, json.dumps(report, indent=1))
        print(f"wrote {args.out}")
    return 0


def _add_submit(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "submit",
        help="check a results folder and pack it for the benchmark server",
        description="Check RESULTS against the dataset (every required video and frame, original "
        "size, indexed PNG, ids within the video's objects) and write the zip the benchmark server "
        "expects: YouTube-VOS Annotations/<video>/<frame>.png, DAVIS <sequence>/<frame>.png. "
        "Any problem is listed with its file and fix, and no zip is written.",
    )
    p.add_argument("--dataset", required=True, choices=("davis2017", "youtube2018", "youtube2019"))
    p.add_argument("--root", required=True, type=Path)
    p.add_argument("--split", default=None, help="default: test-dev for DAVIS 2017, valid for YouTube-VOS")
    p.add_argument("--results", required=True, type=Path)
    p.add_argument("--zip", required=True, type=Path, dest="zip_path")
    p.set_defaults(func=_run_submit)


def _run_submit(args: argparse.Namespace) -> int:
    from vosbench.io.preflight import writable_file
    from vosbench.submission import write_submission

    writable_file(args.zip_path, "--zip")
    split = args.split or ("test-dev" if args.dataset == "davis2017" else "valid")
    summary = write_submission(args.dataset, args.root, split, args.results, args.zip_path)
    print(summary)
    return 0


def _add_train(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "train",
        help="train SITVOS or STM: COCO pre-training (stage 1) or main training on videos (stage 2)",
        description="Train SITVOS (or STM with --model stm) with the SITVOS paper's settings as defaults "
        "(3-frame 384x384 clips, batch 4, Adam 1e-5 with polynomial decay 0.9, frozen batch norm). "
        "Checkpoints go to OUT (state.pt for --resume, last.pth and best.pth for `vosbench run --method "
        "sitvos --set checkpoint=...`, or --method stm), with metrics.jsonl/csv and loss_curve.png. "
        "Under torchrun: DistributedDataParallel.",
    )
    p.add_argument("--stage", required=True, choices=("pretrain", "main"))
    p.add_argument("--out", required=True, type=Path, help="run folder")
    p.add_argument("--coco-root", type=Path, help="pretrain: COCO root (images in <split>2017/)")
    p.add_argument("--coco-ann", type=Path, help="pretrain: instances_<split>2017.json")
    p.add_argument("--davis-root", type=Path, help="main: a DAVIS root")
    p.add_argument("--davis-dataset", default="davis2017", choices=("davis2016", "davis2017"))
    p.add_argument("--davis-split", default="train")
    p.add_argument("--youtube-root", type=Path, help="main: a YouTube-VOS root (its train split)")
    p.add_argument(
        "--youtube-weight", type=float, default=1.0, help="sampling weight of YouTube-VOS vs DAVIS (1)"
    )
    p.add_argument(
        "--init", default="", help="start from this checkpoint (e.g. the pretrain stage's last.pth)"
    )
    p.add_argument(
        "--backbone",
        default="resnet50",
        choices=("resnet50", "mobilenetv2"),
        help="resnet50: the paper's; mobilenetv2: the small-scale variant (default resnet50)",
    )
    p.add_argument(
        "--backbone-init",
        default="imagenet",
        choices=("imagenet", "random"),
        help="without --init: torchvision's ImageNet weights (downloaded or from the torch cache) or random",
    )
    p.add_argument(
        "--backbone-weights",
        default="",
        metavar="PATH",
        help="without --init: the image backbone's weights from this file (torchvision's layout, or "
        "tonylins' for MobileNetV2, e.g. ../shared/weights/mobilenetv2-imagenet-tonylins.pt)",
    )
    p.add_argument("--fim", default="true", choices=("true", "false"), help="false: Table 3's ablation")
    p.add_argument("--model", default="sitvos", choices=("sitvos", "stm"), help="the network to train")
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
    from sitvos.training.config import TrainConfig
    from sitvos.training.data import training_clips
    from sitvos.training.trainer import Validation, train
    from vosbench.io.preflight import writable_dir

    _check_device(args.device)
    writable_dir(args.out, "--out")
    try:
        config = TrainConfig(
            stage=args.stage,
            model=args.model,
            iterations=args.iterations,
            batch_size=args.batch_size,
            size=args.size,
            frames=args.frames,
            max_objects=args.max_objects,
            lr=args.lr,
            backbone=args.backbone,
            backbone_init=args.backbone_init,
            backbone_weights=args.backbone_weights,
            init_checkpoint=args.init,
            fim=args.fim == "true",
            workers=args.workers,
            holdout=tuple(args.holdout),
            seed=args.seed,
            precision=args.precision,
            checkpoint_every=args.checkpoint_every,
            validate_every=args.validate_every,
            log_every=args.log_every,
        )
    except ValueError as exc:
        raise VosbenchError(f"train: {exc}") from None
    clips = training_clips(
        config,
        args.coco_root,
        args.coco_ann,
        args.davis_root,
        args.davis_dataset,
        args.davis_split,
        args.youtube_root,
        args.youtube_weight,
    )
    validation = None
    if args.val_dataset or args.val_root:
        if not (args.val_dataset and args.val_root):
            raise VosbenchError("validation needs both --val-dataset and --val-root")
        sequences = tuple(args.val_sequences) if args.val_sequences else None
        validation = Validation(args.val_dataset, args.val_root, args.val_split, sequences)
    elif args.holdout and args.davis_root is not None:
        validation = Validation(args.davis_dataset, args.davis_root, args.davis_split, tuple(args.holdout))
    summary = train(config, clips, args.out, args.device, args.resume, validation, progress=not args.quiet)
    if summary:
        print(
            f"trained {summary['iterations']} iterations, final loss {summary['final_loss']:.4f}; "
            f"{summary['iterations_per_second']:.2f} it/s on {summary['device']}, peak memory "
            f"{summary['peak_memory_mb']:.0f} MB ({summary['peak_memory_of']}); "
            f"checkpoint {args.out / 'last.pth'}"
            + (f"; validation {summary['validation']:.4f}" if "validation" in summary else "")
        )
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
    from vosbench.io.preflight import writable_dir
    from vosbench.reproduce import ReproduceOptions, reproduce
    from vosbench.reproduce.data import parse_data

    _check_device(args.device)
    writable_dir(args.reports, "--reports")
    writable_dir(args.work, "--work")
    data = args.data or ["demo"]
    demo = data == ["demo"]
    if "demo" in data and not demo:
        raise VosbenchError("--data demo cannot be combined with dataset paths")
    if args.scale is not None and args.quick is not None:
        raise VosbenchError("give --scale or --quick/--no-quick, not both")
    if args.scale is not None:
        scale = args.scale
    elif args.quick is not None:
        scale = "quick" if args.quick else ""
    else:
        scale = "quick" if demo else ""
    start = time.perf_counter()
    sources = None if demo else parse_data(data)  # None: reproduce generates the demo data
    options = ReproduceOptions(
        experiments=args.experiments,
        reports=args.reports,
        work=args.work,
        scale=scale,
        device=args.device,
        progress=not args.quiet,
        rerun=args.rerun,
        command=" ".join(["vosbench", "reproduce", *sys.argv[2:]]) if sys.argv[1:2] == ["reproduce"] else "",
    )
    written = reproduce(args.tables, sources, options)
    print(
        f"wrote {len(written)} files under {args.reports} in {time.perf_counter() - start:.0f} s; "
        f"index: {args.reports / 'README.md'}"
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vosbench", description="Benchmark suite for semi-supervised video object segmentation."
    )
    parser.add_argument("--version", action="version", version=f"vosbench {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_evaluate(sub)
    _add_demo(sub)
    _add_make_demo_data(sub)
    _add_coco_clips(sub)
    _add_methods(sub)
    _add_run(sub)
    _add_profile(sub)
    _add_submit(sub)
    _add_train(sub)
    _add_reproduce(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; bad input prints one line and returns exit status 2."""
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
