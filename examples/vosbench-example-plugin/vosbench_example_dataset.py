"""An example dataset plugin: a folder-of-videos benchmark with its own split files.

Layout (``ROOT`` is the folder given as ``--root``)::

    ROOT/splits/<split>.txt             the split's video names, one per line
    ROOT/videos/<video>/<frame>.jpg     the frames
    ROOT/masks/<video>/<frame>.png      indexed masks (ids 1..N), every frame annotated

It is scored with the DAVIS rules (every annotated frame but the first and the last). One
module and one entry point (``vosbench.datasets``) are all it takes: `vosbench datasets`
lists it, and `run`, `evaluate` and `train --davis-dataset` take it by name.
"""

from __future__ import annotations

from pathlib import Path

from vosbench.datasets import DatasetSpec, MaskEncoding, Video
from vosbench.datasets.base import DatasetLayoutError, describe_folder, list_stems, read_list


def load_example_bench(root: Path, split: str, resolution: str) -> list[Video]:
    """The videos ``ROOT/splits/<split>.txt`` lists (one resolution: ``resolution`` is ignored)."""
    list_file = root / "splits" / f"{split}.txt"
    if not list_file.is_file():
        raise DatasetLayoutError(
            f"{root}: not an example-bench root: expected {list_file.relative_to(root)}; "
            f"found {describe_folder(root)}"
        )
    videos = []
    for name in read_list(list_file, "example-bench split"):
        images = list_stems(root / "videos" / name, ".jpg")
        masks = list_stems(root / "masks" / name, ".png")
        if not images:
            raise DatasetLayoutError(f"{root / 'videos' / name}: no frames for {name!r} of {list_file}")
        videos.append(
            Video(
                name=name,
                frames=tuple(images),
                image_paths=tuple(images.values()),
                annotations=masks,
                mask_encoding=MaskEncoding.INDEXED,
            )
        )
    return videos


EXAMPLE_BENCH = DatasetSpec(
    name="example-bench",
    description="example plugin: videos/, masks/ and splits/<split>.txt, scored as DAVIS",
    load=load_example_bench,
    default_split="val",
    splits=("train", "val"),
    scored_splits=("train", "val"),
    evaluation_splits=("val",),
    protocol="davis",
)
