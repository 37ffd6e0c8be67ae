"""`vosbench demo`, `make-demo-data`, `coco-clips` and the listings (methods, datasets, networks)."""

from __future__ import annotations

import argparse
from pathlib import Path

from vosbench.errors import VosbenchError


def _add_demo(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "demo",
        help="a ten-second look: generate demo data, run a baseline on it, score it, draw overlays",
        description="A quick look at vosbench (the main job, which regenerates the paper's tables, is "
        "`vosbench reproduce`). Generate the demo datasets into OUT (no download), run the "
        "flow-propagation baseline over the demo DAVIS 2017-layout val split, score it with the official "
        "protocol and write masks, result files, run.json and its figures (every object's score, the "
        "masks over the frames) to OUT/results.",
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
    "protocols": (
        "vosbench.evaluation.protocols",
        "protocol_catalogue",
        "list the scoring protocols: columns, headline, the official tool each matches",
        "List every scoring protocol registered under the 'vosbench.protocols' entry-point group "
        "(vosbench's own and installed plugins): its global columns as the official tool prints "
        "them, its headline number, and the official evaluator it was checked against.",
    ),
    "networks": (
        "vosbench.networks",
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
