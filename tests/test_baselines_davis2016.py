"""The baselines on real DAVIS 2016 frames: masks written and a J&F that evaluate reproduces."""

from __future__ import annotations

from pathlib import Path

import pytest

from vosbench.evaluation import evaluate
from vosbench.runner.run import RunOptions, run_method


@pytest.mark.parametrize("method", ["first-frame-copy", "flow-propagation"])
def test_baseline_on_real_davis2016(davis2016_root: Path, tmp_path: Path, method: str) -> None:
    sequences = ("blackswan", "car-shadow")
    options = RunOptions("davis2016", davis2016_root, tmp_path, sequences=sequences, progress=False)
    outcome = run_method(method, {"preset": "ultrafast"} if method == "flow-propagation" else None, options)
    assert outcome is not None and outcome.result is not None
    n_frames = sum(len(list((tmp_path / s).glob("*.png"))) for s in sequences)
    assert n_frames == 50 + 40  # every frame of both sequences
    again = evaluate("davis2016", davis2016_root, tmp_path, sequences=list(sequences), workers=1)
    assert again.global_metrics == outcome.result.global_metrics
    assert 0.05 < outcome.result.global_metrics["J&F-Mean"] < 1.0
