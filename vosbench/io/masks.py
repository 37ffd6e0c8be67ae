"""Reading and writing segmentation masks: the one place where mask PNGs are opened.

A mask is a 2-D ``uint8`` array of labels:

* DAVIS 2016 annotations are grayscale PNGs with 0 for background and 255 for the object;
* DAVIS 2017 and YouTube-VOS annotations (and every method's output) are palette-indexed
  PNGs whose pixel values are object ids 1..N, 0 for background and 255 for void.

:func:`read_mask` returns the stored values unchanged (the palette is ignored); what they
mean is up to the dataset protocol. :func:`write_mask` writes an indexed PNG with the
DAVIS palette, atomically.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from vosbench.errors import VosbenchError
from vosbench.io.atomic import write_bytes_atomic
from vosbench.io.png import GRAYSCALE, PngFormatError, decode_indices

VOID_LABEL = 255


class MaskFileError(VosbenchError):
    """A mask file is missing, unreadable or not a single-channel PNG."""


def davis_palette() -> bytes:
    """The 256-colour palette of DAVIS and YouTube-VOS masks (the PASCAL VOC colour map).

    Colour ``i`` spreads the bits of ``i`` over the top bits of R, G and B: bit 0 to R,
    bit 1 to G, bit 2 to B, the next three bits one place lower, and so on.
    """
    palette = bytearray()
    for index in range(256):
        r = g = b = 0
        value = index
        for shift in range(7, -1, -1):
            r |= (value & 1) << shift
            g |= ((value >> 1) & 1) << shift
            b |= ((value >> 2) & 1) << shift
            value >>= 3
        palette += bytes((r, g, b))
    return bytes(palette)


_PALETTE = davis_palette()


def read_mask(path: str | os.PathLike[str]) -> np.ndarray:
    """Read a mask PNG and return its stored values as an (H, W) ``uint8`` array.

    Raises :class:`MaskFileError` naming the file when it is missing, unreadable, or not a
    single-channel (grayscale or palette) image.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise MaskFileError(f"{path}: file not found (expected a mask PNG)") from None
    except OSError as exc:
        raise MaskFileError(f"{path}: cannot read ({exc.strerror})") from None
    return decode_mask(data, path)


def decode_mask(data: bytes, path: str | os.PathLike[str] = "<bytes>") -> np.ndarray:
    """Decode the bytes of a mask PNG; ``path`` only names the file in errors."""
    try:
        labels = decode_indices(data)
    except PngFormatError as exc:
        raise MaskFileError(f"{path}: not a readable PNG ({exc})") from None
    if labels is not None:
        return labels
    return _decode_general(data, path)


def _decode_general(data: bytes, path: str | os.PathLike[str]) -> np.ndarray:
    # Grayscale 8-bit files with the Average or Paeth filter: OpenCV's libpng is the faster
    # general decoder; it expands palettes to colour, so palettes go through Pillow.
    colour_type, bit_depth = data[25], data[24]
    if colour_type == GRAYSCALE and bit_depth == 8:
        array = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_UNCHANGED)
        if array is not None and array.ndim == 2 and array.dtype == np.uint8:
            return array
    try:
        with Image.open(io.BytesIO(data)) as image:
            mode = image.mode
            if mode not in ("P", "L", "1"):
                raise MaskFileError(
                    f"{path}: image mode {mode!r}; expected a single-channel mask PNG "
                    "(palette-indexed 'P' or grayscale 'L')"
                )
            array = np.asarray(image)
    except MaskFileError:
        raise
    except Exception as exc:
        raise MaskFileError(f"{path}: not a readable PNG ({exc})") from None
    return array.astype(np.uint8, copy=False)


def encode_mask(labels: np.ndarray) -> bytes:
    """Encode an (H, W) label map as an indexed PNG with the DAVIS palette."""
    labels = np.asarray(labels)
    if labels.ndim != 2:
        raise ValueError(f"a mask must be 2-D (H, W), got shape {labels.shape}")
    if labels.dtype != np.uint8:
        if labels.size and (labels.min() < 0 or labels.max() > 255):
            raise ValueError("mask labels must lie in 0..255")
        labels = labels.astype(np.uint8)
    height, width = labels.shape
    image = Image.frombytes("P", (width, height), np.ascontiguousarray(labels).tobytes())
    image.putpalette(_PALETTE)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def write_mask(path: str | os.PathLike[str], labels: np.ndarray) -> None:
    """Write a label map as an indexed PNG with the DAVIS palette, atomically."""
    write_bytes_atomic(path, encode_mask(labels))
