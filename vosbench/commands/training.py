"""`vosbench train` and `convert-weights`."""

from __future__ import annotations

import argparse
from pathlib import Path

from vosbench.commands.common import arguments_of


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
        "--init",
        dest="init_checkpoint",
        default=None,
        help="start from this checkpoint (e.g. the pretrain stage's last.pth)",
    )
    p.add_argument("--model", default="sitvos", choices=network_names(), help="the network to train")
    _add_setting_flags(p)
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="another of the network's training settings (repeatable; `vosbench networks` lists them)",
    )
    p.add_argument("--device", default="cpu")
    _add_validation_flags(p)
    p.add_argument("--resume", action="store_true", help="continue the run in OUT where it stopped")
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(func=_run_train)


def _run_train(args: argparse.Namespace) -> int:
    from vosbench.methods.options import parse_settings
    from vosbench.training.command import TrainData, train_stage

    settings = {k: v for k, v in vars(args).items() if k in _SETTINGS and v is not None}
    if args.holdout is not None:
        settings["holdout"] = tuple(args.holdout)
    settings.update(parse_settings(args.set))
    sequences = tuple(args.val_sequences) if args.val_sequences else None
    val_settings = tuple(sorted(parse_settings(args.val_set).items()))
    data = TrainData(**arguments_of(TrainData, args, val_sequences=sequences, val_settings=val_settings))
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


# Settings with flags of their own: TrainConfig's fields (generated: help from each field's
# metadata, the default the config's), and the memory-network kit's (memnet) starting point,
# which every memory network shares. A network's own settings (SITVOS's fim) go through --set:
# the parser is built without loading any network.
_OWN = {"stage", "model", "init_checkpoint", "holdout"}
_MEMORY_FLAGS = {
    "backbone": (("resnet50", "mobilenetv2"), "resnet50: the paper's; mobilenetv2: the small-scale variant"),
    "backbone_init": (("imagenet", "random"), "without --init: torchvision's ImageNet weights or random"),
    "backbone_weights": (
        None,
        "without --init: the image backbone's weights from this file (torchvision's "
        "layout, or tonylins' for MobileNetV2)",
    ),
}
_SETTINGS: set[str] = set()


def _add_setting_flags(p: argparse.ArgumentParser) -> None:
    """A flag per training setting: ``--batch-size`` for ``batch_size``; unset flags leave the
    settings' own defaults (so they are written once, in the dataclass)."""
    import dataclasses
    import typing

    from vosbench.training.config import TrainConfig

    hints = typing.get_type_hints(TrainConfig)
    for field in dataclasses.fields(TrainConfig):
        if field.name in _OWN:
            continue
        kind = hints[field.name]
        choices = typing.get_args(kind) if typing.get_origin(kind) is typing.Literal else None
        help_text = field.metadata.get("help", "")
        p.add_argument(
            "--" + field.name.replace("_", "-"),
            type=None if choices else kind,
            choices=choices,
            default=None,
            help=f"{help_text} (default {field.default!r})".lstrip(),
        )
        _SETTINGS.add(field.name)
    for name, (choices, help_text) in _MEMORY_FLAGS.items():
        p.add_argument("--" + name.replace("_", "-"), choices=choices, default=None, help=help_text)
        _SETTINGS.add(name)
    _SETTINGS.update({"stage", "init_checkpoint"})
    p.add_argument(
        "--holdout",
        nargs="+",
        default=None,
        metavar="VIDEO",
        help="leave these videos of the DAVIS training split out of training and validate on them "
        "(unless --val-dataset says otherwise)",
    )


def _add_validation_flags(p: argparse.ArgumentParser) -> None:
    """Where a run validates: a named split, the held-out videos, synthetic COCO clips."""
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
        "--val-coco-clips",
        type=int,
        default=argparse.SUPPRESS,  # unset: the trainer's own default, kept in one place
        help="how many synthetic validation clips (default: 16, docs/training.md)",
    )
