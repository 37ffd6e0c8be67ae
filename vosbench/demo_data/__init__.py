"""`vosbench make-demo-data`: small, generated datasets in real layouts (no download).

Deterministic from a seed. Textures are real photographs and textures that scikit-image
ships in its wheel.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from vosbench.demo_data.coco import write_coco_demo
from vosbench.demo_data.lvos import write_lvos_demo
from vosbench.demo_data.mose import write_mose_demo
from vosbench.demo_data.sav import write_sav_demo
from vosbench.demo_data.vos import render_demo_videos, write_davis_demo
from vosbench.demo_data.vost import write_vost_demo
from vosbench.demo_data.youtube import write_youtube_demo
from vosbench.io.atomic import atomic_folder


@dataclass(frozen=True)
class DemoData:
    """Where the demo datasets were written."""

    davis_root: Path  # DAVIS 2017 layout (ImageSets/2016 too), splits train and val
    youtube_root: Path  # YouTube-VOS layout, splits train and valid, the same videos
    coco_root: Path  # COCO 2017 layout, splits train and val
    benchmark_roots: dict[str, Path]  # dataset -> root of the other benchmarks' layouts (MOSE, ...)


def make_demo_data(
    out: str | Path,
    seed: int = 0,
    n_frames: int = 20,
    size: tuple[int, int] = (480, 854),
    benchmarks: bool = False,
) -> DemoData:
    """Write the demo videos to ``out/DAVIS`` and ``out/YouTube``, the COCO set to ``out/COCO``;
    with ``benchmarks`` also the other benchmarks' layouts (``out/MOSE``, ``out/MOSEv2``,
    ``out/LVOS``, ``out/VOST``, ``out/SA-V``).

    Each folder is replaced whole (written beside it, then swapped in), so data made earlier
    with other settings (more frames, another seed) never lies beside the new."""
    out = Path(out)
    videos = render_demo_videos(seed, n_frames, size)
    with atomic_folder(out / "DAVIS") as davis:
        write_davis_demo(davis, videos)
    with atomic_folder(out / "YouTube") as youtube:
        write_youtube_demo(youtube, videos)
    with atomic_folder(out / "COCO") as coco:
        write_coco_demo(coco, seed=seed)
    roots: dict[str, Path] = {}
    if benchmarks:
        for dataset, folder, meta in (("mose", "MOSE", False), ("mosev2", "MOSEv2", True)):
            with atomic_folder(out / folder) as root:
                write_mose_demo(root, seed, n_frames, size, meta)
            roots[dataset] = out / folder
        with atomic_folder(out / "LVOS") as root:
            write_lvos_demo(root, seed, n_frames, size)
        roots["lvos2"] = out / "LVOS"
        with atomic_folder(out / "VOST") as root:
            write_vost_demo(root, seed, n_frames, size)
        roots["vost"] = out / "VOST"
        with atomic_folder(out / "SA-V") as root:
            write_sav_demo(root, seed, n_frames, size)
        roots["sav"] = out / "SA-V"
    return DemoData(out / "DAVIS", out / "YouTube", out / "COCO", roots)
