"""DAVIS 2016 and DAVIS 2017 loaders.

Layouts understood (``ROOT`` is the folder given on the command line):

* DAVIS 2016 release: ``ImageSets/480p/<split>.txt`` lists ``/JPEGImages/480p/<seq>/<f>.jpg
  /Annotations/480p/<seq>/<f>.png`` pairs; masks are grayscale 0/255.
* DAVIS 2017 release: ``ImageSets/2017/<split>.txt`` (train, val, test-dev, test-challenge)
  lists sequence names, images in ``JPEGImages/<resolution>/<seq>/`` and palette masks in
  ``Annotations/<resolution>/<seq>/`` (resolution ``480p`` or ``Full-Resolution``). Such a
  root also serves DAVIS 2016 through ``ImageSets/2016/<split>.txt`` (objects merged).
"""

from __future__ import annotations

from pathlib import Path

from vosbench.datasets.base import (
    DatasetLayoutError,
    MaskEncoding,
    Video,
    describe_folder,
    list_stems,
    read_list,
)
from vosbench.datasets.spec import DatasetSpec, Loader, SubmissionLayout

DAVIS_SPLITS = ("train", "val", "test-dev", "test-challenge")
RESOLUTIONS = ("480p", "Full-Resolution")


def load_davis(root: str | Path, year: int, split: str = "val", resolution: str = "480p") -> list[Video]:
    """The videos of a DAVIS ``year`` (2016 or 2017) ``split``, from either release layout."""
    root = Path(root)
    if year not in (2016, 2017):
        raise ValueError(f"DAVIS year must be 2016 or 2017, got {year}")
    if resolution not in RESOLUTIONS:
        raise ValueError(f"resolution must be one of {RESOLUTIONS}, got {resolution!r}")
    release_2016 = root / "ImageSets" / resolution / f"{split}.txt"
    release_2017 = root / "ImageSets" / str(year) / f"{split}.txt"
    if year == 2016 and release_2016.is_file():
        return _load_2016_release(root, release_2016)
    if release_2017.is_file():
        return _load_2017_release(root, release_2017, resolution, merge=year == 2016)
    expected = f"{release_2017.relative_to(root)}"
    if year == 2016:
        expected = f"{release_2016.relative_to(root)} (2016 release) or {expected}"
    raise DatasetLayoutError(
        f"{root}: not a DAVIS {year} root for split {split!r}: expected {expected}; "
        f"found {describe_folder(root)}"
        + (
            f", ImageSets/ holds {describe_folder(root / 'ImageSets')}"
            if (root / "ImageSets").is_dir()
            else ""
        )
    )


def _load_2016_release(root: Path, list_file: Path) -> list[Video]:
    sequences: dict[str, list[tuple[str, Path, Path]]] = {}
    for line_no, line in enumerate(read_list(list_file, "DAVIS 2016 image set"), start=1):
        parts = line.split()
        if len(parts) != 2:
            raise DatasetLayoutError(
                f"{list_file}:{line_no}: expected 'image_path annotation_path', got {line!r}"
            )
        image = root / parts[0].lstrip("/")
        mask = root / parts[1].lstrip("/")
        sequences.setdefault(image.parent.name, []).append((image.stem, image, mask))
    videos = []
    for name, entries in sequences.items():
        entries.sort(key=lambda e: e[0])
        videos.append(
            Video(
                name=name,
                frames=tuple(e[0] for e in entries),
                image_paths=tuple(e[1] for e in entries),
                annotations={e[0]: e[2] for e in entries},
                mask_encoding=MaskEncoding.BINARY,
            )
        )
    return videos


def _load_2017_release(root: Path, list_file: Path, resolution: str, merge: bool) -> list[Video]:
    image_root = root / "JPEGImages" / resolution
    mask_root = root / "Annotations" / resolution
    videos = []
    for name in read_list(list_file, "DAVIS image set"):
        images = list_stems(image_root / name, ".jpg")
        masks = list_stems(mask_root / name, ".png")
        if not images and not masks:
            raise DatasetLayoutError(
                f"{image_root / name}: no frames for sequence {name!r} listed in {list_file} "
                f"(expected JPEGImages/{resolution}/{name}/*.jpg)"
            )
        frames = tuple(images) if images else tuple(masks)
        videos.append(
            Video(
                name=name,
                frames=frames,
                image_paths=tuple(images.values()),
                annotations=masks,
                mask_encoding=MaskEncoding.INDEXED,
                merge_objects=merge,
            )
        )
    return videos


def _loader(year: int) -> Loader:
    def load(root: Path, split: str, resolution: str) -> list[Video]:
        return load_davis(root, year, split, resolution)

    return load


DAVIS2016 = DatasetSpec(
    name="davis2016",
    description="DAVIS 2016: one object per sequence (a DAVIS 2017 root's ImageSets/2016 merges its objects)",
    load=_loader(2016),
    default_split="val",
    splits=("train", "val"),
    scored_splits=("train", "val"),
    evaluation_splits=("val",),
    protocol="davis",
    merge_objects=True,
)
DAVIS2017 = DatasetSpec(
    name="davis2017",
    description="DAVIS 2017 semi-supervised: several objects per sequence",
    load=_loader(2017),
    default_split="val",
    splits=DAVIS_SPLITS,
    # test-dev and test-challenge give only the first masks: their scores come from the server
    scored_splits=("train", "val"),
    evaluation_splits=("val", "test-dev", "test-challenge"),
    protocol="davis",
    submission=SubmissionLayout(prefix="", default_split="test-dev"),
)
