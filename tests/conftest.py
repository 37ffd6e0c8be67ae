"""Shared fixtures: where the real data is, and small datasets in the real layouts."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from hypothesis import settings

# In CI the property tests draw the same examples every run, so a verdict on a submission
# does not depend on chance; elsewhere each run draws new ones (and keeps looking for bugs).
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI") == "true":
    settings.load_profile("ci")

TESTS = Path(__file__).resolve().parent
sys.path.insert(0, str(TESTS))  # for reference_davis and builders

SHARED = TESTS.parent.parent / "shared" / "datasets"
DAVIS2016 = SHARED / "DAVIS2016"
OSVOS_RESULTS = SHARED / "results" / "osvos-davis2017-val"


def require(found: bool, what: str, where: Path) -> None:
    """Skip a test whose real data is absent, with the reason; in CI (``CI=true``), where
    ``shared/`` lies beside the clone, fail instead: a broken data path must not pass unseen."""
    if found:
        return
    reason = f"{what} not found at {where} (expected ../shared beside the repo)"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI must have it")
    pytest.skip(reason)


@pytest.fixture
def davis2016_root() -> Path:
    require((DAVIS2016 / "ImageSets" / "480p" / "val.txt").is_file(), "real DAVIS 2016", DAVIS2016)
    return DAVIS2016


@pytest.fixture
def osvos_results() -> Path:
    require(OSVOS_RESULTS.is_dir(), "OSVOS results", OSVOS_RESULTS)
    return OSVOS_RESULTS


COCO_TINY = SHARED / "coco-tiny"
MOBILENET_FILE = SHARED.parent / "weights" / "mobilenetv2-imagenet-tonylins.pt"


@pytest.fixture
def coco_tiny_root() -> Path:
    require((COCO_TINY / "annotations" / "instances_val2017.json").is_file(), "coco-tiny", COCO_TINY)
    return COCO_TINY


@pytest.fixture
def mobilenet_file() -> Path:
    require(MOBILENET_FILE.is_file(), "the MobileNetV2 ImageNet file", MOBILENET_FILE)
    return MOBILENET_FILE


@pytest.fixture(scope="session")
def demo_data(tmp_path_factory: pytest.TempPathFactory):
    """The generated demo datasets (DAVIS 2017 layout and COCO layout), made once per session."""
    from vosbench.demo_data import make_demo_data

    return make_demo_data(tmp_path_factory.mktemp("demo"), seed=0, n_frames=12)


@pytest.fixture
def davis_root(tmp_path: Path) -> Path:
    """A DAVIS 2017 root with two small videos: ``a`` (6 frames, 2 objects), ``b`` (5, 3)."""
    from builders import ellipse_masks, write_davis2017

    sequences = {
        "a": ellipse_masks(6, (36, 48), 2, seed=1),
        "b": ellipse_masks(5, (36, 48), 3, seed=2),
    }
    return write_davis2017(tmp_path / "DAVIS", sequences)
