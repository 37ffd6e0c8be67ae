"""Held-out synthetic clips: pre-training's own learning signal.

The pre-training stage trains on clips synthesised from COCO ``train2017``; whether it learns
what it is taught shows on clips synthesised the same way from images it never sees (COCO
``val2017``). A fixed, seeded set of such clips is written once as a DAVIS 2017 folder and
then scored like any held-out split: the network's method runs on it and vosbench's J&F
scores each object.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from vosbench.demo_data.vos import DemoVideo, write_davis_demo
from vosbench.errors import VosbenchError
from vosbench.io.atomic import atomic_folder, write_atomic
from vosbench.sampling import ClipOptions, CocoClips
from vosbench.training.validation import Validation

SPLIT = "val"
MADE = "synthetic-clips.json"  # what the folder holds: it is remade when the request changes


# How many synthetic validation clips a pre-training run scores unless told otherwise.
SYNTHETIC_CLIPS = 16


@dataclass(frozen=True)
class SyntheticSet:
    """A request for held-out synthetic clips.

    ``clips`` clips of ``frames`` frames at ``size`` x ``size`` with up to ``max_objects``
    objects, from the images of ``coco_ann`` (found under ``coco_root``), drawn with ``seed``.
    No per-frame mirror and no colour jitter: the clips test tracking, not augmentation.
    """

    coco_root: Path
    coco_ann: Path
    clips: int = SYNTHETIC_CLIPS
    frames: int = 6
    size: int = 160
    max_objects: int = 3
    seed: int = 0

    def __post_init__(self) -> None:
        if self.clips < 1 or self.frames < 2:
            raise VosbenchError(f"synthetic validation needs clips >= 1 and frames >= 2, got {self}")

    def record(self) -> dict[str, object]:
        """The request as the folder's record (paths resolved)."""
        fields = asdict(self)
        fields["coco_root"], fields["coco_ann"] = str(self.coco_root.resolve()), str(self.coco_ann.resolve())
        return fields


def write_synthetic_set(request: SyntheticSet, folder: Path) -> Path:
    """The clips of ``request`` in ``folder`` (split ``val`` of a DAVIS 2017 layout); reused
    when the folder already holds them, else written whole (atomically)."""
    record = folder / MADE
    if record.is_file() and json.loads(record.read_text(encoding="utf-8")) == request.record():
        return folder
    options = ClipOptions(
        size=request.size, n_frames=request.frames, max_objects=request.max_objects, flip=0.0, jitter=0.0
    )
    source = CocoClips(request.coco_root, request.coco_ann, options, seed=request.seed, samples=request.clips)
    videos = []
    for index in range(request.clips):
        images, labels, n_objects = source.frames(index)
        if n_objects:  # a clip with nothing to track scores nothing
            videos.append(DemoVideo(SPLIT, f"clip{index:03d}", list(zip(images, labels, strict=True))))
    if not videos:
        raise VosbenchError(f"{request.coco_ann}: no synthetic clip has an object in its first frame")
    with atomic_folder(folder) as staged:
        write_davis_demo(staged, videos)
        write_atomic(staged / MADE, json.dumps(request.record(), indent=1))
    return folder


def synthetic_validation(
    request: SyntheticSet, folder: Path, settings: tuple[tuple[str, str], ...] = ()
) -> Validation:
    """Validation on ``request``'s clips, written to ``folder`` first (or found there)."""
    write_synthetic_set(request, folder)
    return Validation("davis2017", folder, SPLIT, None, settings)
