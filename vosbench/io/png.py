"""A fast decoder for the 8-bit single-channel PNGs that VOS masks are stored in.

Masks are grayscale (DAVIS 2016) or palette-indexed (DAVIS 2017, YouTube-VOS) PNGs. Pillow
spends about 2 ms on a 854x480 mask, most of it outside the inflate step; decoding the
chunks here with zlib-ng and undoing the row filters with numpy takes a tenth of that for
the common files. Handled here: 8 bits, no interlacing, the None, Sub and Up filters with
whole-array operations, and Paeth rows whose row above has few value changes (masks: see
:func:`_unfilter_paeth_row`). Anything else (the Average filter, Paeth under a busy row,
other formats) returns ``None`` and the caller falls back to a general decoder, so the
output is always the decoded indices.
"""

from __future__ import annotations

import struct

import numpy as np

try:  # zlib-ng inflates about 8x faster than the standard library's zlib.
    from zlib_ng import zlib_ng as _zlib
except ImportError:  # pragma: no cover - zlib-ng is a dependency; keep working without it
    import zlib as _zlib

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
GRAYSCALE = 0
PALETTE = 3


class PngFormatError(ValueError):
    """The bytes are not a PNG file."""


def decode_indices(data: bytes) -> np.ndarray | None:
    """Decode an 8-bit grayscale or palette PNG into its raw sample values (H, W) uint8.

    Returns ``None`` when the file uses a feature this fast path does not handle (another
    colour type or bit depth, interlacing, the Average filter, Paeth rows under busy rows);
    raises :class:`PngFormatError` when the bytes are not a well-formed PNG.
    """
    if not data.startswith(PNG_SIGNATURE):
        raise PngFormatError("not a PNG file (bad signature)")
    header, idat = _read_chunks(data)
    width, height, bit_depth, colour_type, _, _, interlace = struct.unpack(">IIBBBBB", header)
    if bit_depth != 8 or colour_type not in (GRAYSCALE, PALETTE) or interlace != 0:
        return None
    try:
        raw = _zlib.decompress(idat)
    except Exception as exc:  # zlib.error and zlib_ng.error share no base class
        raise PngFormatError(f"corrupt image data ({exc})") from exc
    stride = width + 1
    if len(raw) != stride * height:
        raise PngFormatError(f"image data holds {len(raw)} bytes, expected {stride * height}")
    rows = np.frombuffer(raw, dtype=np.uint8).reshape(height, stride)
    filters = rows[:, 0]
    pixels = rows[:, 1:]
    if not filters.any():
        return pixels.copy()
    top = int(filters.max())
    if top > 4 or (filters == 3).any():
        return None
    if top <= 2:
        return _unfilter_sub_up(pixels, filters)
    return _unfilter_with_paeth(pixels, filters)


def _read_chunks(data: bytes) -> tuple[bytes, bytes]:
    """Return the IHDR payload and the concatenated IDAT payloads."""
    pos = len(PNG_SIGNATURE)
    header = b""
    idat: list[bytes] = []
    end = len(data)
    while pos + 8 <= end:
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        start = pos + 8
        stop = start + length
        if stop + 4 > end:
            raise PngFormatError(f"truncated {kind!r} chunk")
        if kind == b"IHDR":
            header = data[start:stop]
        elif kind == b"IDAT":
            idat.append(data[start:stop])
        elif kind == b"IEND":
            break
        pos = stop + 4  # skip the CRC
    if len(header) != 13:
        raise PngFormatError("missing IHDR chunk")
    if not idat:
        raise PngFormatError("missing IDAT chunk")
    return header, b"".join(idat)


def _unfilter_sub_up(pixels: np.ndarray, filters: np.ndarray) -> np.ndarray:
    """Undo the Sub (1) and Up (2) filters of 1-byte-per-pixel rows.

    Sub is a running sum along the row and Up a running sum down a run of Up rows, both
    modulo 256, so each is one cumulative sum in uint8 arithmetic.
    """
    out = pixels.copy()
    sub = filters == 1
    if sub.any():
        out[sub] = np.cumsum(out[sub], axis=1, dtype=np.uint8)
    up_rows = np.flatnonzero(filters == 2)
    if up_rows.size:
        # Split the Up rows into runs of consecutive rows; each run adds onto the row above
        # its first row (or onto zeros for the first row of the image).
        breaks = np.flatnonzero(np.diff(up_rows) != 1) + 1
        for run in np.split(up_rows, breaks):
            first, last = int(run[0]), int(run[-1]) + 1
            block = out[first:last]
            if first > 0:
                block[0] = block[0] + out[first - 1]
            out[first:last] = np.cumsum(block, axis=0, dtype=np.uint8)
    return out


MAX_PAETH_CHANGES = 64  # per row above; busier rows (photographs) go to the general decoder


def _unfilter_with_paeth(pixels: np.ndarray, filters: np.ndarray) -> np.ndarray | None:
    """Undo Sub, Up and Paeth rows in order: blocks of Sub/Up rows at once, Paeth rows one by one."""
    out = pixels.copy()
    paeth_rows = np.flatnonzero(filters == 4)
    start = 0
    for y in [*paeth_rows.tolist(), len(filters)]:
        if y > start:  # the Sub/Up block above this Paeth row, on top of the row before it
            above = out[start - 1 : start] if start else np.zeros((1, out.shape[1]), np.uint8)
            block = np.concatenate([above, out[start:y]])
            out[start:y] = _unfilter_sub_up(block, np.concatenate([[0], filters[start:y]]))[1:]
        if y == len(filters):
            break
        prior = out[y - 1] if y else np.zeros(out.shape[1], np.uint8)
        row = _unfilter_paeth_row(out[y], prior)
        if row is None:
            return None
        out[y] = row
        start = y + 1
    return out


def _unfilter_paeth_row(filtered: np.ndarray, prior: np.ndarray) -> np.ndarray | None:
    """Undo the Paeth filter of one row given the decoded row above (``None`` if too busy).

    With a = left, b = above, c = upper-left, Paeth's pa = |p - a| = |b - c|: wherever the
    row above does not change (b == c), pa = 0 and the predictor is a, the left value, so
    the row is a running sum there. Only at the columns where the row above changes (and at
    column 0) is the full rule needed; between them each stretch is the row's cumulative sum
    plus one offset, found at its first column.
    """
    changes = np.flatnonzero(prior[1:] != prior[:-1]) + 1
    if len(changes) > MAX_PAETH_CHANGES:
        return None
    starts = [0, *changes.tolist()]
    total = np.cumsum(filtered, dtype=np.uint8)  # running sum of the filtered bytes, mod 256
    offsets = np.empty(len(starts), np.uint8)
    left = 0
    for i, x in enumerate(starts):
        b = int(prior[x])
        c = int(prior[x - 1]) if x else 0
        if x:  # the decoded value left of this stretch: the previous stretch's last value
            left = (int(total[x - 1]) + int(offsets[i - 1])) & 0xFF
        a = left if x else 0
        p = a + b - c
        pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
        predicted = a if pa <= pb and pa <= pc else b if pb <= pc else c
        value = (int(filtered[x]) + predicted) & 0xFF
        offsets[i] = (value - int(total[x])) & 0xFF
    lengths = np.diff([*starts, len(filtered)])
    return total + np.repeat(offsets, lengths)
