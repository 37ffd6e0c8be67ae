"""Mask overlays and contact sheets (PNG), coloured with the DAVIS palette."""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from vosbench.io.masks import davis_palette

WHITE = (255, 255, 255)
_COLOURS = np.frombuffer(davis_palette(), dtype=np.uint8).reshape(256, 3)


def overlay(image: np.ndarray, labels: np.ndarray, alpha: float = 0.5, outline: bool = True) -> np.ndarray:
    """``image`` (RGB) with each object tinted in its palette colour and outlined."""
    out = image.astype(np.float32)
    objects = labels > 0
    colours = _COLOURS[labels].astype(np.float32)
    out[objects] = (1 - alpha) * out[objects] + alpha * colours[objects]
    out = out.astype(np.uint8)
    if outline:
        edges = _edges(labels)
        out[edges] = _COLOURS[cv2.dilate(labels, np.ones((3, 3), np.uint8))][edges]
    return out


def draw_outline(image: np.ndarray, labels: np.ndarray, colour: tuple[int, int, int] = WHITE) -> np.ndarray:
    """``image`` with the boundary of every object of ``labels`` drawn in ``colour`` (e.g. the
    ground truth's, over a prediction's overlay)."""
    out = image.copy()
    out[_edges(labels)] = colour
    return out


def _edges(labels: np.ndarray) -> np.ndarray:
    """Pixels where the label changes within a 3x3 neighbourhood (both sides of a boundary)."""
    return cv2.morphologyEx(labels, cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8)) > 0


def caption(image: np.ndarray, text: str) -> np.ndarray:
    """``image`` with ``text`` in its top-left corner, white on a dark box (readable on any frame)."""
    out = image.copy()
    scale = max(0.35, image.shape[0] / 400)
    thickness = 1 if scale < 0.7 else 2
    (width, height), baseline = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, thickness)
    pad = max(2, height // 3)
    box = out[: height + baseline + 2 * pad, : width + 2 * pad]
    box[:] = (box * 0.35).astype(np.uint8)
    cv2.putText(
        out,
        text,
        (pad, pad + height),
        cv2.FONT_HERSHEY_SIMPLEX,
        scale,
        (255, 255, 255),
        thickness,
        cv2.LINE_AA,
    )
    return out


def contact_sheet(
    rows: Sequence[Sequence[np.ndarray]],
    tile_height: int = 160,
    gap: int = 4,
    background: int = 255,
    captions: Sequence[Sequence[str]] | None = None,
) -> np.ndarray:
    """Tile RGB images in rows (each resized to ``tile_height``) into one RGB image.

    ``captions`` (one text per tile, e.g. the sequence and frame) are written on the tiles.
    """
    resized = [
        [cv2.resize(im, (max(1, round(im.shape[1] * tile_height / im.shape[0])), tile_height)) for im in row]
        for row in rows
    ]
    if captions is not None:
        resized = [
            [caption(im, text) for im, text in zip(row, texts, strict=True)]
            for row, texts in zip(resized, captions, strict=True)
        ]
    width = max(sum(im.shape[1] for im in row) + gap * (len(row) + 1) for row in resized)
    height = len(resized) * (tile_height + gap) + gap
    sheet = np.full((height, width, 3), background, np.uint8)
    for r, row in enumerate(resized):
        x, y = gap, gap + r * (tile_height + gap)
        for im in row:
            sheet[y : y + tile_height, x : x + im.shape[1]] = im
            x += im.shape[1] + gap
    return sheet
