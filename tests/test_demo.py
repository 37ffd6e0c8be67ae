"""The bundled example: the default job on a fresh machine."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from vosbench.cli import main


def test_demo_evaluates_the_bundled_example(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["demo", "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    assert "J&F-Mean" in printed
    with open(tmp_path / "results" / "global_results-val.csv") as handle:
        rows = list(csv.reader(handle))
    jf = float(rows[1][0])
    # The example's method drifts and drops an object: clearly imperfect, clearly not random.
    assert 0.3 < jf < 0.95
    decay = float(rows[1][3])
    assert decay > 0  # it gets worse over time
