"""Mask reading and writing: the palette, round trips and the fast PNG decoder."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from PIL import Image

from vosbench.io.masks import MaskFileError, davis_palette, decode_mask, encode_mask, read_mask, write_mask
from vosbench.io.png import decode_indices


def test_palette_is_the_pascal_voc_colour_map() -> None:
    palette = davis_palette()
    colour = lambda i: tuple(palette[3 * i : 3 * i + 3])  # noqa: E731
    assert colour(0) == (0, 0, 0)
    assert colour(1) == (128, 0, 0)
    assert colour(2) == (0, 128, 0)
    assert colour(3) == (128, 128, 0)
    assert colour(4) == (0, 0, 128)
    assert colour(8) == (64, 0, 0)
    assert colour(255) == (224, 224, 192)


def test_write_then_read_round_trip(tmp_path: Path) -> None:
    labels = np.arange(256, dtype=np.uint8).reshape(16, 16)
    write_mask(tmp_path / "seq" / "00000.png", labels)
    with Image.open(tmp_path / "seq" / "00000.png") as image:
        assert image.mode == "P"
        assert bytes(image.getpalette()[:12]) == davis_palette()[:12]
        assert np.array_equal(np.asarray(image), labels)
    assert np.array_equal(read_mask(tmp_path / "seq" / "00000.png"), labels)
    assert [p.name for p in (tmp_path / "seq").iterdir()] == ["00000.png"]  # no temp file left


def _png(rows: np.ndarray, filters: list[int], colour_type: int) -> bytes:
    """A minimal PNG encoder that applies the given row filters (for testing the decoder)."""
    height, width = rows.shape
    out = bytearray()
    prior = np.zeros(width, np.int16)
    for y in range(height):
        row = rows[y].astype(np.int16)
        left = np.concatenate([[0], row[:-1]])
        up_left = np.concatenate([[0], prior[:-1]])
        kind = filters[y]
        if kind == 0:
            pred = np.zeros(width, np.int16)
        elif kind == 1:
            pred = left
        elif kind == 2:
            pred = prior
        elif kind == 3:
            pred = (left + prior) // 2
        else:
            p = left + prior - up_left
            pa, pb, pc = np.abs(p - left), np.abs(p - prior), np.abs(p - up_left)
            pred = np.where((pa <= pb) & (pa <= pc), left, np.where(pb <= pc, prior, up_left))
        out.append(kind)
        out += ((row - pred) % 256).astype(np.uint8).tobytes()
        prior = row

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    body = chunk(b"IHDR", header)
    if colour_type == 3:
        body += chunk(b"PLTE", davis_palette())
    body += chunk(b"IDAT", zlib.compress(bytes(out)))
    return b"\x89PNG\r\n\x1a\n" + body + chunk(b"IEND", b"")


@settings(max_examples=200, deadline=None)
@given(
    arrays(np.uint8, st.tuples(st.integers(1, 12), st.integers(1, 12))),
    st.data(),
    st.sampled_from([0, 3]),
)
def test_decoder_undoes_every_filter_like_pillow(
    rows: np.ndarray, data: st.DataObject, colour_type: int
) -> None:
    filters = data.draw(st.lists(st.integers(0, 4), min_size=rows.shape[0], max_size=rows.shape[0]))
    png = _png(rows, filters, colour_type)
    with Image.open(io.BytesIO(png)) as image:
        assert np.array_equal(np.asarray(image), rows)  # the test encoder is right
    assert np.array_equal(decode_mask(png), rows)
    fast = decode_indices(png)
    assert (fast is None) == any(f > 2 for f in filters)  # Average/Paeth go to the fallback


def test_decoder_matches_pillow_on_real_masks(davis2016_root: Path, osvos_results: Path) -> None:
    files = sorted((davis2016_root / "Annotations" / "480p" / "dog").glob("*.png"))[:20]
    files += sorted((osvos_results / "dog").glob("*.png"))[:20]
    for path in files:
        with Image.open(path) as image:
            assert np.array_equal(read_mask(path), np.asarray(image)), path


def test_read_errors_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(MaskFileError, match=r"missing\.png: file not found"):
        read_mask(tmp_path / "missing.png")
    (tmp_path / "bad.png").write_bytes(b"\x89PNG\r\n\x1a\nbroken")
    with pytest.raises(MaskFileError, match=r"bad\.png: not a readable PNG"):
        read_mask(tmp_path / "bad.png")
    Image.new("RGB", (4, 4)).save(tmp_path / "rgb.png")
    with pytest.raises(MaskFileError, match=r"rgb\.png: image mode .RGB."):
        read_mask(tmp_path / "rgb.png")


def test_encode_rejects_bad_arrays() -> None:
    with pytest.raises(ValueError, match="2-D"):
        encode_mask(np.zeros((2, 2, 3), np.uint8))
    with pytest.raises(ValueError, match=r"0\.\.255"):
        encode_mask(np.full((2, 2), 300))
