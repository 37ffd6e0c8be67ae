"""`vosbench submit`: check a results folder against a dataset and zip it for the server.

Layouts the servers accept:

* YouTube-VOS (CodaLab): ``Annotations/<video>/<frame>.png`` for the frames of the split's
  ``JPEGImages`` (every 5th frame), each at the video's original size;
* DAVIS 2017 (CodaLab, semi-supervised): ``<sequence>/<frame>.png`` at the zip's root for
  every frame of every sequence.

Every mask must be an indexed (palette) PNG whose ids are 0 or ids of the video's objects.
All problems are collected first; if there is any, no zip is written.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vosbench.datasets import Video, dataset_spec, load_videos
from vosbench.errors import VosbenchError
from vosbench.io.atomic import atomic_path
from vosbench.io.masks import MaskFileError, decode_mask
from vosbench.io.png import PALETTE
from vosbench.io.results import LAYOUT, mask_file, mask_path
from vosbench.system.progress import progress_bar

MAX_LISTED = 12


@dataclass(frozen=True)
class Problem:
    path: Path
    problem: str
    fix: str

    def __str__(self) -> str:
        return f"{self.path}: {self.problem}; {self.fix}"


def _results_folder(results: Path) -> Path:
    """``results`` itself, or its ``Annotations/`` when it is laid out like a YouTube-VOS zip."""
    if not results.is_dir():
        raise VosbenchError(f"{results}: results folder not found (expected <video>/<frame>.png)")
    annotations = results / "Annotations"
    return annotations if annotations.is_dir() else results


def check_video(video: Video, folder: Path) -> list[Problem]:
    """The problems of one video's results folder."""
    problems: list[Problem] = []
    if not folder.is_dir():
        return [Problem(folder, "missing video folder", f"run the method on video {video.name!r}")]
    allowed = np.zeros(256, bool)
    allowed[0] = True
    allowed[[o.id for o in video.resolve_objects()]] = True
    height, width = video.size
    for frame in video.output_frames:
        path = folder / mask_file(frame)
        if not path.is_file():
            problems.append(
                Problem(path, "missing frame", "write a mask for every frame the benchmark scores")
            )
            continue
        data = path.read_bytes()
        if len(data) < 26 or data[25] != PALETTE:
            problems.append(
                Problem(path, "not an indexed (palette) PNG", "write it with vosbench.io.masks.write_mask")
            )
            continue
        try:
            labels = decode_mask(data, path)
        except MaskFileError as exc:
            problems.append(Problem(path, str(exc).split(": ", 1)[-1], "rewrite the file"))
            continue
        if labels.shape != (height, width):
            problems.append(
                Problem(
                    path,
                    f"size {labels.shape[1]}x{labels.shape[0]}",
                    f"resize to the original {width}x{height} (nearest neighbour)",
                )
            )
            continue
        present = np.flatnonzero(np.bincount(labels.ravel(), minlength=256))
        bad = [int(i) for i in present if not allowed[i]]
        if bad:
            ids = ", ".join(str(i) for i in np.flatnonzero(allowed)[1:])
            problems.append(
                Problem(path, f"object id {bad[0]} is not an object of this video", f"use only 0, {ids}")
            )
    return problems


def check_submission(
    dataset: str, root: Path, split: str, results: Path, progress: bool = True
) -> list[Problem]:
    """Every problem of ``results`` as a submission of ``dataset``'s ``split``."""
    folder = _results_folder(results)
    videos = load_videos(dataset, root, split)
    problems: list[Problem] = []
    for video in progress_bar(iterable=videos, desc="check", unit="video", enabled=progress):
        problems.extend(check_video(video, folder / video.name))
    known = {v.name for v in videos}
    for extra in sorted(
        p for p in folder.iterdir() if p.is_dir() and p.name not in known and p.name[0] != "."
    ):
        problems.append(Problem(extra, f"not a video of {dataset} {split}", "remove it"))
    return problems


def write_submission(dataset: str, root: Path, split: str, results: Path, zip_path: Path) -> str:
    """Check and pack; raises :class:`VosbenchError` listing the problems (no zip written)."""
    problems = check_submission(dataset, root, split, results)
    if problems:
        listed = "\n  ".join(str(p) for p in problems[:MAX_LISTED])
        more = f"\n  ... and {len(problems) - MAX_LISTED} more" if len(problems) > MAX_LISTED else ""
        raise VosbenchError(f"{results}: {len(problems)} problem(s), no zip written:\n  {listed}{more}")
    folder = _results_folder(results)
    submission = dataset_spec(dataset).submission
    if submission is None:
        raise VosbenchError(f"dataset {dataset!r}: no benchmark server takes its results")
    prefix = submission.prefix
    videos = load_videos(dataset, root, split)
    count = 0
    with atomic_path(zip_path) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_STORED) as archive:
        for video in videos:
            for frame in video.output_frames:
                archive.write(
                    mask_path(folder, video.name, frame), f"{prefix}{video.name}/{mask_file(frame)}"
                )
                count += 1
    layout = f"{prefix}{LAYOUT}"
    return f"wrote {zip_path}: {count} masks of {len(videos)} videos ({dataset} {split}, layout {layout})"


def submit(dataset: str, root: Path, split: str | None, results: Path, zip_path: Path) -> str:
    """`vosbench submit`: check ``results`` and write the server's zip; returns the summary line.
    The split defaults to the one the dataset's benchmark server takes (DAVIS 2017: test-dev)."""
    from vosbench.io.preflight import writable_file

    writable_file(zip_path, "--zip")
    submission = dataset_spec(dataset).submission
    if submission is None:
        raise VosbenchError(f"dataset {dataset!r}: no benchmark server takes its results")
    return write_submission(dataset, root, split or submission.default_split, results, zip_path)
