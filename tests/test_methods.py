"""The method protocol, typed options and the entry-point registry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pytest

from baselines.first_frame_copy import FirstFrameCopy
from baselines.flow_propagation import FlowPropagation
from vosbench.cli import main
from vosbench.errors import VosbenchError
from vosbench.methods import GivenMasks, VideoInfo, create_method, method_class, method_names
from vosbench.methods.options import build_options, parse_settings


@dataclass(frozen=True)
class _Opts:
    n: int = 1
    rate: float = 0.5
    mode: Literal["a", "b"] = "a"
    flag: bool = False

    def __post_init__(self) -> None:
        if self.n < 0:
            raise ValueError("n must be >= 0")


def test_bundled_methods_come_from_entry_points() -> None:
    assert {"first-frame-copy", "flow-propagation"} <= set(method_names())
    assert method_class("flow-propagation") is FlowPropagation
    assert method_class("first-frame-copy") is FirstFrameCopy


def test_options_are_typed() -> None:
    opts = build_options("m", _Opts, parse_settings(["n=3", "rate=0.25", "mode=b", "flag=yes"]))
    assert opts == _Opts(n=3, rate=0.25, mode="b", flag=True)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (["size=3"], r"unknown option 'size'; valid options: flag, mode, n, rate"),
        (["n=three"], r"option n='three': expected int"),
        (["mode=c"], r"option mode='c': expected one of a, b"),
        (["flag=maybe"], r"expected true or false"),
        (["n=-1"], r"invalid options: n must be >= 0"),
    ],
)
def test_bad_options_are_clear_errors(settings: list[str], message: str) -> None:
    with pytest.raises(VosbenchError, match=message):
        build_options("m", _Opts, parse_settings(settings))


def test_malformed_set_and_unknown_method() -> None:
    with pytest.raises(VosbenchError, match="expected key=value"):
        parse_settings(["novalue"])
    with pytest.raises(VosbenchError, match=r"unknown method 'nope'; available: .*flow-propagation"):
        create_method("nope")


def test_methods_command_lists_options(capsys: pytest.CaptureFixture) -> None:
    assert main(["methods"]) == 0
    out = capsys.readouterr().out
    assert "flow-propagation:" in out and "preset (ultrafast|fast|medium, default 'medium')" in out
    assert "first-frame-copy:" in out


def _blob(shape: tuple[int, int], box: tuple[int, int, int, int], value: int) -> np.ndarray:
    labels = np.zeros(shape, np.uint8)
    y0, y1, x0, x1 = box
    labels[y0:y1, x0:x1] = value
    return labels


def test_first_frame_copy_holds_and_adds_late_objects() -> None:
    method = create_method("first-frame-copy")
    method.start_video(VideoInfo("v", (20, 30), 3, (1, 2)))
    first = _blob((20, 30), (2, 6, 2, 6), 1)
    np.testing.assert_array_equal(
        method.step(np.zeros((20, 30, 3), np.uint8), GivenMasks(first, (1,))), first
    )
    np.testing.assert_array_equal(method.step(np.zeros((20, 30, 3), np.uint8), None), first)
    late = _blob((20, 30), (10, 15, 10, 20), 2)
    out = method.step(np.zeros((20, 30, 3), np.uint8), GivenMasks(late, (2,)))
    np.testing.assert_array_equal(out, first + late)


@pytest.mark.parametrize("algorithm", ["dis", "farneback"])
def test_flow_propagation_follows_a_moving_square(algorithm: str) -> None:
    rng = np.random.default_rng(0)
    texture = rng.integers(0, 255, (60, 80), np.uint8)
    texture = np.repeat(np.asarray(texture)[..., None], 3, 2)
    background = np.full((60, 80, 3), 90, np.uint8)

    def frame(dx: int) -> tuple[np.ndarray, np.ndarray]:
        image = background.copy()
        image[20:40, 10 + dx : 30 + dx] = texture[20:40, 10:30]
        return image, _blob((60, 80), (20, 40, 10 + dx, 30 + dx), 1)

    method = create_method("flow-propagation", {"algorithm": algorithm, "flow_scale": "1.0"})
    method.start_video(VideoInfo("v", (60, 80), 4, (1,)))
    image, labels = frame(0)
    method.step(image, GivenMasks(labels, (1,)))
    for t in (1, 2, 3):
        image, labels = frame(3 * t)
        pred = method.step(image, None)
        iou = ((pred == 1) & (labels == 1)).sum() / ((pred == 1) | (labels == 1)).sum()
        assert iou > 0.8, f"frame {t}: IoU {iou:.2f}"
