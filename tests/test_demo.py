"""The main job on a fresh machine: demo data, a baseline run, its scores and overlays."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from vosbench.cli import main
from vosbench.evaluation import evaluate


def test_demo_runs_a_baseline_on_generated_data(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["demo", "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    assert "J&F-Mean" in printed and "overlays-val.png" in printed
    results = tmp_path / "results"
    with open(results / "global_results-val.csv") as handle:
        rows = list(csv.reader(handle))
    jf = float(rows[1][0])
    # flow propagation on moving, deforming, occluding objects: useful, not perfect
    assert 0.3 < jf < 0.99
    assert jf == evaluate("davis2017", tmp_path / "DAVIS", results, workers=1).global_metrics["J&F-Mean"]
    assert json.loads((results / "run.json").read_text())["method"] == "flow-propagation"
    assert (results / "overlays-val.png").stat().st_size > 10_000
    assert (results / "per-object-val.png").stat().st_size > 10_000
