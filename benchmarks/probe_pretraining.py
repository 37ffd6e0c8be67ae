#!/usr/bin/env python3
"""Controlled pre-training probes (issue 25): can the memory network fit COCO synthetic clips?

Trains with vosbench's own trainer (the path every entry point uses) on COCO synthetic clips
and, every ``--every`` iterations, scores a fixed set of clips with the training forward
pass in eval mode: the loss on background pixels and on object pixels separately, and the
mean IoU of each object's argmax region over frames 1..T-1 (J on the clip frames). Prints
one row per check and writes them to ``OUT/probe.jsonl``.

    .venv/bin/python benchmarks/probe_pretraining.py --out runs/probe/fixed8 \\
        --fixed 8 --max-objects 2 --iterations 200 --every 25

``--fixed N`` trains on the same N clips over and over (can the network fit them at all?);
without it every iteration draws new clips, and the checks run on ``--check-clips`` clips of
the held-out annotation file (``--check-ann``, coco-tiny val2017 by default).
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch.utils.data import Dataset, default_collate

from memnet.aggregation import foreground_probability, soft_aggregate
from sitvos.training.config import SITVOSTrainConfig
from vosbench.checkpoints import load_checkpoint
from vosbench.networks import network_spec
from vosbench.sampling import ClipOptions, CocoClips, to_model
from vosbench.training.trainer import train

COCO = Path("../shared/datasets/coco-tiny")
WEIGHTS = "../shared/weights/mobilenetv2-imagenet-tonylins.pt"


class Fixed(Dataset):
    """The first ``n`` clips of ``clips``, repeated."""

    def __init__(self, clips: Dataset, n: int) -> None:
        self.items = [clips[i] for i in range(n)]

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> Any:
        return self.items[index % len(self.items)]


@torch.no_grad()
def check(model: torch.nn.Module, clips: list[dict]) -> dict[str, float]:
    """Background and object pixel loss, and mean object IoU, on ``clips`` (eval mode)."""
    model.eval()
    bg_loss, fg_loss, bg_n, fg_n, ious = 0.0, 0.0, 0, 0, []
    for item in clips:
        data = to_model(default_collate([item]))
        k = int(data["n_objects"][0])
        if k == 0:
            continue
        images, masks, labels = data["images"][0], data["masks"][0], data["labels"][0]
        size = tuple(images.shape[-2:])
        encoded = model.encode_frames(images)
        first = model.frame(encoded, 0)
        memory = [model.memorise(first, images[:1], masks[0, :k])]
        for t in range(1, len(images)):
            query = model.frame(encoded, t)
            probs = soft_aggregate(foreground_probability(model.segment_memory(query, memory), size))
            nll = F.nll_loss(torch.log(probs)[None], labels[t][None], reduction="none")[0]
            background = labels[t] == 0
            bg_loss += float(nll[background].sum())
            fg_loss += float(nll[~background].sum())
            bg_n += int(background.sum())
            fg_n += int((~background).sum())
            predicted = probs.argmax(0)
            for obj in range(1, k + 1):
                truth, guess = labels[t] == obj, predicted == obj
                union = int((truth | guess).sum())
                ious.append(1.0 if union == 0 else int((truth & guess).sum()) / union)
            if t < len(images) - 1:
                memory.append(model.memorise(query, images[t : t + 1], probs[1:]))
    model.train()
    return {
        "bg_loss": bg_loss / max(bg_n, 1),
        "fg_loss": fg_loss / max(fg_n, 1),
        "fg_fraction": fg_n / max(bg_n + fg_n, 1),
        "iou": sum(ious) / max(len(ious), 1),
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--model", default="sitvos")
    p.add_argument("--fixed", type=int, default=0, help="train on these many fixed clips (0: new clips)")
    p.add_argument("--max-objects", type=int, default=3)
    p.add_argument("--flip", type=float, default=0.5, help="ClipOptions.flip (the per-frame mirror's rate)")
    p.add_argument("--size", type=int, default=160)
    p.add_argument("--min-area", type=float, default=400.0, help="CocoClips.min_area (source pixels)")
    p.add_argument("--batch-size", type=int, default=4)
    p.add_argument("--lr", type=float, default=2e-5)
    p.add_argument("--iterations", type=int, default=150)
    p.add_argument("--every", type=int, default=25)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--check-ann", type=Path, default=COCO / "annotations/instances_val2017.json")
    p.add_argument("--check-clips", type=int, default=16)
    args = p.parse_args()

    options = ClipOptions(size=args.size, max_objects=args.max_objects, flip=args.flip)
    annotations = COCO / "annotations/instances_train2017.json"
    train_clips = CocoClips(COCO, annotations, options, seed=args.seed, min_area=args.min_area)
    clips: Dataset = Fixed(train_clips, args.fixed) if args.fixed else train_clips
    # one fixed held-out set for every probe: up to 3 objects, no mirror, no jitter
    check_options = ClipOptions(size=args.size, max_objects=3, flip=0.0, jitter=0.0)
    held = CocoClips(COCO, args.check_ann, check_options, seed=1000)
    checked = list(clips.items) if args.fixed else [held[i] for i in range(args.check_clips)]
    config = SITVOSTrainConfig(
        stage="pretrain",
        model=args.model,
        iterations=args.iterations,
        batch_size=args.batch_size,
        size=args.size,
        max_objects=args.max_objects,
        lr=args.lr,
        workers=0,
        seed=args.seed,
        precision="fp32",
        checkpoint_every=args.every,
        validate_every=args.every,
        backbone="mobilenetv2",
        backbone_weights=WEIGHTS,
    )
    spec = network_spec(args.model)
    probe = args.out / "probe.jsonl"
    args.out.mkdir(parents=True, exist_ok=True)
    probe.unlink(missing_ok=True)
    began = time.perf_counter()
    (args.out / "args.json").write_text(json.dumps(vars(args), default=str, indent=1))

    def validate(checkpoint: Path, scratch: Path) -> float:
        iteration = int(load_checkpoint(checkpoint)["iteration"])
        model = spec.build(replace(config, init_checkpoint=str(checkpoint)))
        scores = check(model, checked)
        metrics = args.out / "metrics.jsonl"
        logged = metrics.read_text().splitlines() if metrics.is_file() else []
        losses = [json.loads(line)["loss"] for line in logged]
        row = {
            "iteration": iteration,
            "minutes": round((time.perf_counter() - began) / 60, 2),
            "train_loss": losses[-1] if losses and iteration else None,
            **scores,
        }
        with open(probe, "a", encoding="utf-8") as log:
            log.write(json.dumps(row) + "\n")
        print(json.dumps(row), flush=True)
        return scores["iou"]

    train(config, clips, args.out, "cpu", validate=validate, progress=False)


if __name__ == "__main__":
    main()
