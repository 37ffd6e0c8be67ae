"""Shared fixtures: where the real data is, and small datasets in the real layouts."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
sys.path.insert(0, str(TESTS))  # for reference_davis and builders

SHARED = TESTS.parent.parent / "shared" / "datasets"
DAVIS2016 = SHARED / "DAVIS2016"
OSVOS_RESULTS = SHARED / "results" / "osvos-davis2017-val"


@pytest.fixture
def davis2016_root() -> Path:
    if not (DAVIS2016 / "ImageSets" / "480p" / "val.txt").is_file():
        pytest.skip(f"real DAVIS 2016 not found at {DAVIS2016} (expected ../shared/datasets beside the repo)")
    return DAVIS2016


@pytest.fixture
def osvos_results() -> Path:
    if not OSVOS_RESULTS.is_dir():
        pytest.skip(
            f"OSVOS results not found at {OSVOS_RESULTS} (expected ../shared/datasets beside the repo)"
        )
    return OSVOS_RESULTS


COCO_TINY = SHARED / "coco-tiny"


@pytest.fixture
def coco_tiny_root() -> Path:
    if not (COCO_TINY / "annotations" / "instances_val2017.json").is_file():
        pytest.skip(f"coco-tiny not found at {COCO_TINY} (expected ../shared/datasets beside the repo)")
    return COCO_TINY


@pytest.fixture(scope="session")
def demo_data(tmp_path_factory: pytest.TempPathFactory):
    """The generated demo datasets (DAVIS 2017 layout and COCO layout), made once per session."""
    from vosbench.demo_data import make_demo_data

    return make_demo_data(tmp_path_factory.mktemp("demo"), seed=0, n_frames=12)
