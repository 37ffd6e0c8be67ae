"""Random damage to input files (hypothesis): every command either succeeds with the result of
the clean input or fails cleanly: exit status 2, one line naming the file, nothing written."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest
from builders import ellipse_masks, write_davis2017, write_results
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from vosbench.cli import main

MASKS = {"a": ellipse_masks(4, (24, 32), 2, seed=4)}
DAMAGED = Path("a") / "00001.png"


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict]:
    base = tmp_path_factory.mktemp("clean")
    root = write_davis2017(base / "DAVIS", MASKS)
    results = write_results(base / "results", MASKS)
    out = base / "scores"
    assert _evaluate(root, results, out) == 0
    return root, results, json.loads((out / "results.json").read_text())["global"]


def _evaluate(root: Path, results: Path, out: Path) -> int:
    args = ["evaluate", "--dataset", "davis2017", "--root", str(root), "--results", str(results)]
    return main([*args, "--out", str(out), "--workers", "1", "--quiet"])


def _encodings(labels: np.ndarray) -> st.SearchStrategy[bytes]:
    """The same labels written in many PNG variants (palette, grayscale, 16-bit, colour, alpha,
    interlaced), some of which a mask must not be."""

    def encode(mode: str, optimize: bool) -> bytes:
        image = Image.fromarray(labels, mode="L")
        if mode == "P":
            image = image.convert("P")
            image.putpalette(list(np.random.default_rng(0).integers(0, 255, 768)))
        elif mode != "L":
            image = image.convert(mode)
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", optimize=optimize)
        return buffer.getvalue()

    return st.builds(encode, st.sampled_from(["P", "L", "I;16", "RGB", "RGBA", "LA"]), st.booleans())


def _error_lines(err: str) -> int:
    """Lines of stderr other than the busy-machine warning (which a loaded machine adds)."""
    return len([line for line in err.splitlines() if not line.startswith("vosbench: warning:")])


def _check(root: Path, results: Path, clean_scores: dict, data: bytes, tmp_path: Path, capsys) -> None:
    damaged = results / DAMAGED
    damaged.write_bytes(data)
    out = tmp_path / "out"
    capsys.readouterr()
    code = _evaluate(root, results, out)
    err = capsys.readouterr().err
    if code == 0:
        assert json.loads((out / "results.json").read_text())["global"] == clean_scores
    else:
        assert code == 2 and _error_lines(err) == 1 and str(damaged) in err, err
        assert not out.exists() or not any(out.iterdir())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=300))
def test_random_bytes_as_a_mask(clean, data: bytes, tmp_path_factory, capsys) -> None:
    root, _, scores = clean
    work = tmp_path_factory.mktemp("bytes")
    copy = write_results(work / "results", MASKS)
    _check(root, copy, scores, data, work, capsys)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_png_variants_as_a_mask(clean, data, tmp_path_factory, capsys) -> None:
    root, _, scores = clean
    work = tmp_path_factory.mktemp("png")
    copy = write_results(work / "results", MASKS)
    labels = MASKS["a"][1]
    encoded = data.draw(_encodings(labels))
    prefix = data.draw(st.integers(0, len(encoded)))  # sometimes cut short
    _check(
        root,
        copy,
        scores,
        encoded[: max(prefix, len(encoded) // 2)] if data.draw(st.booleans()) else encoded,
        work,
        capsys,
    )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=300))
def test_random_bytes_as_a_frame(data: bytes, tmp_path_factory, capsys) -> None:
    work = tmp_path_factory.mktemp("frame")
    root = write_davis2017(work / "DAVIS", MASKS)
    frame = root / "JPEGImages" / "480p" / "a" / "00002.jpg"
    frame.write_bytes(data)
    out = work / "out"
    capsys.readouterr()
    args = ["run", "--method", "first-frame-copy", "--dataset", "davis2017", "--root", str(root)]
    code = main([*args, "--out", str(out), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and _error_lines(err) == 1 and str(frame) in err, err
    assert not (out / "run.json").exists() and not (out / "results.json").exists()
