"""Reading and writing video frames (RGB ``uint8`` arrays)."""

from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np

from vosbench.errors import VosbenchError
from vosbench.io.atomic import atomic_path


def read_image(path: str | os.PathLike[str]) -> np.ndarray:
    """Read an image file as an (H, W, 3) RGB ``uint8`` array."""
    data = np.fromfile(path, dtype=np.uint8) if Path(path).is_file() else None
    if data is None:
        raise VosbenchError(f"{path}: file not found (expected an image)")
    if data.size == 0:
        raise VosbenchError(f"{path}: an empty file, expected an image")
    try:
        image = cv2.imdecode(data, cv2.IMREAD_COLOR)
    except cv2.error:
        image = None
    if image is None:
        raise VosbenchError(f"{path}: not a readable image")
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)


def write_image(path: str | os.PathLike[str], rgb: np.ndarray, quality: int = 95) -> None:
    """Write an RGB ``uint8`` image atomically; the format follows the file's suffix."""
    with atomic_path(path) as tmp:
        suffix = Path(path).suffix.lower()
        params = [cv2.IMWRITE_JPEG_QUALITY, quality] if suffix in (".jpg", ".jpeg") else []
        ok, encoded = cv2.imencode(suffix, cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), params)
        if not ok:
            raise VosbenchError(f"{path}: could not encode the image")
        tmp.write_bytes(encoded.tobytes())


def image_size(path: str | os.PathLike[str]) -> tuple[int, int]:
    """The ``(height, width)`` of an image file, from its header only."""
    from PIL import Image

    try:
        with Image.open(path) as image:
            width, height = image.size
    except FileNotFoundError:
        raise VosbenchError(f"{path}: file not found (expected an image)") from None
    except Exception as exc:
        raise VosbenchError(f"{path}: not a readable image ({exc})") from None
    return height, width
