"""Real-data tests skip where ../shared is absent, but fail in CI, where it must be."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import require


def test_absent_data_skips_with_its_reason(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match=r"real data not found at .*nowhere"):
        require(False, "real data", tmp_path / "nowhere")


def test_absent_data_fails_in_ci(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI must have it"):
        require(False, "real data", tmp_path / "nowhere")
    require(True, "real data", tmp_path)  # present: nothing happens
