"""Mask overlays and contact sheets (PNG), coloured with the DAVIS palette."""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from vosbench.io.masks import davis_palette

_COLOURS = np.frombuffer(davis_palette(), dtype=np.uint8).reshape(256, 3)


def overlay(image: np.ndarray, labels: np.ndarray, alpha: float = 0.5, outline: bool = True) -> np.ndarray:
    """``image`` (RGB) with each object tinted in its palette colour and outlined."""
    out = image.astype(np.float32)
    objects = labels > 0
    colours = _COLOURS[labels].astype(np.float32)
    out[objects] = (1 - alpha) * out[objects] + alpha * colours[objects]
    out = out.astype(np.uint8)
    if outline:
        edges = cv2.morphologyEx(labels, cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8)) > 0
        out[edges] = _COLOURS[cv2.dilate(labels, np.ones((3, 3), np.uint8))][edges]
    return out


def contact_sheet(
    rows: Sequence[Sequence[np.ndarray]], tile_height: int = 160, gap: int = 4, background: int = 255
) -> np.ndarray:
    """Tile RGB images in rows (each resized to ``tile_height``) into one RGB image."""
    resized = [
        [cv2.resize(im, (max(1, round(im.shape[1] * tile_height / im.shape[0])), tile_height)) for im in row]
        for row in rows
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
