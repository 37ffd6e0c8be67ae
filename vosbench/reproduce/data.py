"""Where `vosbench reproduce` finds its datasets: the generated demo data, or given paths.

``--data demo`` (the default) generates the demo data (DAVIS 2017 layout, which serves
DAVIS 2016 too, a YouTube-VOS layout copy of the same videos, and a COCO-format set) in
the work folder once. Otherwise each ``--data NAME=PATH`` names a dataset root:
``davis2016``, ``davis2017``, ``youtube2018`` (evaluation and main training) and ``coco``
(pre-training; its annotation file is ``annotations/instances_train2017.json`` unless
``coco-ann=FILE`` says otherwise; ``instances_val2017.json`` beside it, where present, makes
the synthetic clips pre-training is validated on).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from vosbench.errors import VosbenchError
from vosbench.io.atomic import write_atomic
from vosbench.reproduce.recipes import Scale
from vosbench.reproduce.spec import DATASETS

COCO_ANN = Path("annotations") / "instances_train2017.json"
COCO_VAL_ANN = "instances_val2017.json"
KEYS = (*DATASETS, "coco", "coco-ann")


@dataclass(frozen=True)
class DataSources:
    """Dataset roots by name, and what to call them in a table."""

    tag: str  # names the measured rows' data: "demo", "davis2016", ...
    description: str
    roots: dict[str, Path]
    coco: tuple[Path, Path] | None = None  # (root, annotation file)

    @property
    def coco_val(self) -> Path | None:
        """COCO's held-out annotation file beside the training one (``instances_val2017.json``),
        whose images make pre-training's synthetic validation clips; None where absent."""
        if self.coco is None:
            return None
        held_out = self.coco[1].with_name(COCO_VAL_ANN)
        return held_out if held_out.is_file() and held_out != self.coco[1] else None

    def main_training(self) -> tuple[str | None, Path | None, Path | None]:
        """(DAVIS dataset, its root, YouTube-VOS root) for a main-training stage."""
        davis = next((d for d in ("davis2017", "davis2016") if d in self.roots), None)
        return davis, self.roots.get(davis) if davis else None, self.roots.get("youtube2018")


def demo_sources(work: Path, frames: int, size: tuple[int, int], seed: int = 0) -> DataSources:
    """The demo data in ``work/demo-...``, generated on first use (a marker says it is complete)."""
    from vosbench.demo_data import make_demo_data

    folder = work / f"demo-seed{seed}-{frames}f-{size[0]}x{size[1]}"
    marker = folder / "complete"
    if not marker.is_file():
        make_demo_data(folder, seed=seed, n_frames=frames, size=size)
        write_atomic(marker, "")
    davis, youtube, coco = folder / "DAVIS", folder / "YouTube", folder / "COCO"
    return DataSources(
        tag="demo",
        description=f"demo data ({frames} frames, {size[1]}x{size[0]}, seed {seed})",
        roots={"davis2016": davis, "davis2017": davis, "youtube2018": youtube},
        coco=(coco, coco / COCO_ANN),
    )


def scaled_demo(work: Path, scale: Scale) -> DataSources:
    """The demo data at the scale's size (the paper's: 480p, 20 frames)."""
    return demo_sources(work, scale.demo_frames, scale.demo_size)


def parse_data(items: list[str]) -> DataSources:
    """``["davis2016=PATH", "coco=PATH", ...]`` to data sources; every path must exist."""
    paths: dict[str, Path] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or key not in KEYS or not value:
            names = ", ".join(KEYS)
            raise VosbenchError(f"--data {item!r}: expected demo or NAME=PATH with NAME one of {names}")
        path = Path(value).expanduser()
        if not path.exists():
            raise VosbenchError(f"--data {item!r}: {path} does not exist")
        paths[key] = path
    coco = None
    if "coco" in paths:
        ann = paths.pop("coco-ann", paths["coco"] / COCO_ANN)
        if not ann.is_file():
            raise VosbenchError(f"{ann}: COCO annotation file not found (give coco-ann=FILE)")
        coco = (paths.pop("coco"), ann)
    elif "coco-ann" in paths:
        raise VosbenchError("--data coco-ann=FILE needs coco=ROOT too")
    if not paths:
        raise VosbenchError("--data: give at least one of davis2016, davis2017, youtube2018")
    return DataSources(
        tag="+".join(paths),
        description=", ".join(f"{k} {v}" for k, v in paths.items()),
        roots=paths,
        coco=coco,
    )
