"""Figures of a table: J&F against FPS, per-sequence bars, and overlays (PNG and GIF)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from vosbench.datasets import dataset_spec, load_videos
from vosbench.io.masks import read_mask
from vosbench.io.results import mask_path
from vosbench.reproduce.columns import COLUMNS
from vosbench.reproduce.spec import ExperimentSpec
from vosbench.reproduce.tables import Line, MeasuredRow, MeasuredSet
from vosbench.visual.compact import write_gif, write_palette_png
from vosbench.visual.labels import place_labels
from vosbench.visual.overlay import contact_sheet, overlay
from vosbench.visual.plots import pyplot, save_figure

OVERLAY_SEQUENCES = 3
GIF_WIDTH = 240
GIF_FRAMES = 30  # longer sequences are subsampled: the committed reports stay small
SHEET_TILE_HEIGHT = 120


ACCURACY_COLUMNS = ("davis2016_jf", "davis2017_jf")


def jf_fps_plots(spec: ExperimentSpec, lines: list[Line], folder: Path) -> list[Path]:
    """``<table>-jf-fps-<dataset>.png``: J&F against FPS for each J&F column of the table."""
    if "fps" not in spec.columns:
        return []
    written = []
    for column in ACCURACY_COLUMNS:
        if column in spec.columns:
            dataset = column.split("_")[0]
            plot = jf_fps_plot(spec, lines, column, folder / f"{spec.name}-jf-fps-{dataset}.png")
            if plot is not None:
                written.append(plot)
    return written


def jf_fps_plot(spec: ExperimentSpec, lines: list[Line], accuracy: str, path: Path) -> Path | None:
    """``accuracy`` against FPS (log scale), the paper's rows and measured rows marked apart."""
    points = [
        (line, float(line.raw["fps"]), float(line.raw[accuracy]))  # type: ignore[arg-type]
        for line in lines
        if line.raw.get("fps") not in (None, "") and line.raw.get(accuracy) not in (None, "")
    ]
    if not points:
        return None
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(9, 6), dpi=120)
    sources = sorted({line.source for line, _, _ in points if line.measured})
    markers = dict(zip(sources, "*^sD", strict=False))
    texts = []
    for line, fps, value in points:
        if line.measured:
            ax.scatter(fps, value, marker=markers.get(line.source, "*"), s=90, color="tab:red", zorder=3)
        else:
            ax.scatter(fps, value, marker="o", s=30, color="tab:gray", zorder=2)
        colour = "tab:red" if line.measured else "black"
        # a white box under each label hides the part of its leader line that runs beneath it
        box = {"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 0.5}
        texts.append(ax.text(fps, value, line.name, fontsize=7, color=colour, zorder=4, bbox=box))
    ax.set_xscale("log")
    ax.set_xlabel("FPS (log scale; paper: RTX 2080 Ti, measured: see the table)")
    ax.set_ylabel(f"{COLUMNS[accuracy].header} (%)")
    ax.set_title(spec.title, fontsize=9)
    handles = [ax.scatter([], [], marker="o", color="tab:gray", label="paper")]
    handles += [
        ax.scatter([], [], marker=markers[s], color="tab:red", s=90, label=f"measured ({s})") for s in sources
    ]
    ax.legend(handles=handles, fontsize=7, loc="best")
    ax.grid(alpha=0.3, which="both")
    place_labels(ax, texts, [(fps, value) for _, fps, value in points])
    return save_figure(fig, path)


def sequence_bars(spec: ExperimentSpec, measured: MeasuredSet, dataset: str, path: Path) -> Path | None:
    """Per-object J&F (``<sequence>_<id>``) of every measured row on ``dataset``, as grouped bars."""
    rows = [r for r in measured.rows if dataset in r.per_object]
    if not rows:
        return None
    objects = sorted({k for r in rows for k in r.per_object[dataset]})
    plt = pyplot()
    height = max(3.0, 0.22 * len(objects) * max(1, len(rows)) ** 0.5 + 1.2)
    fig, ax = plt.subplots(figsize=(7, height), dpi=110)
    width = 0.8 / len(rows)
    y = np.arange(len(objects))
    for i, row in enumerate(rows):
        values = [100 * row.per_object[dataset].get(o, math.nan) for o in objects]
        ax.barh(y + i * width, values, height=width, label=row.label)
    ax.set_yticks(y + width * (len(rows) - 1) / 2, objects, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    metric = "J&F" if dataset_spec(dataset).protocol != "youtube" else "(J+F)/2"
    ax.set_xlabel(f"{metric} per object (%)")
    ax.set_title(f"{spec.name}: {dataset} ({measured.marker})", fontsize=9)
    ax.legend(fontsize=7, loc="lower right")
    ax.grid(alpha=0.3, axis="x")
    return save_figure(fig, path)


def overlays(
    measured: MeasuredSet, row: MeasuredRow, dataset: str, root: Path, folder: Path, stem: str
) -> list[Path]:
    """A contact sheet (PNG) and one GIF per sequence of ``row``'s masks over the frames."""
    run = Path(row.runs[dataset])
    videos = load_videos(dataset, root)
    videos = [v for v in videos if (run / v.name).is_dir()][:OVERLAY_SEQUENCES]
    written: list[Path] = []
    sheet_rows, captions = [], []
    for video in videos:
        shown = [f for f in video.frames if mask_path(run, video.name, f).is_file()]
        if not shown:
            continue
        frames = []
        for name in shown:
            image = video.read_frame(video.frames.index(name))
            frames.append(overlay(image, read_mask(mask_path(run, video.name, name))))
        picks = sorted({0, len(frames) // 3, 2 * len(frames) // 3, len(frames) - 1})
        sheet_rows.append([frames[i] for i in picks])
        captions.append([f"{video.name} {shown[i]}" for i in picks])
        scale = min(1.0, GIF_WIDTH / frames[0].shape[1])
        step = math.ceil(len(frames) / GIF_FRAMES)
        small = [_resize(f, scale) for f in frames[::step]]
        written.append(write_gif(folder / f"{stem}-{video.name}.gif", small))
    if sheet_rows:
        sheet = folder / f"{stem}.png"
        write_palette_png(sheet, contact_sheet(sheet_rows, tile_height=SHEET_TILE_HEIGHT, captions=captions))
        written.insert(0, sheet)
    return written


def _resize(image: np.ndarray, scale: float) -> np.ndarray:
    import cv2

    if scale >= 1.0:
        return image
    size = (round(image.shape[1] * scale), round(image.shape[0] * scale))
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA)
