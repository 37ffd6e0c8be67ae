"""STM: shapes, the memory read against a direct computation, multi-object inference, late
objects, memory bounds, checkpoints and the shared training loss. Small random-weight
models on CPU."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import torch
from builders import checkpoint_round_trip, frame_tensor

from baselines.stm.model import STM, memory_read
from memnet.aggregation import foreground_probability, soft_aggregate
from memnet.training.loss import ClipLoss
from memnet.weights import load_model
from vosbench.errors import VosbenchError
from vosbench.methods import GivenMasks, VideoInfo, create_method

torch.manual_seed(0)


@pytest.fixture(scope="module")
def model() -> STM:
    return STM().eval()


def _masks(size: tuple[int, int], ids: tuple[int, ...]) -> GivenMasks:
    labels = np.zeros(size, np.uint8)
    for i, obj in enumerate(ids):
        labels[4 + 12 * i : 14 + 12 * i, 6:30] = obj
    return GivenMasks(labels, ids)


def _frames(n: int, size: tuple[int, int]) -> list[np.ndarray]:
    rng = np.random.default_rng(0)
    return [rng.integers(0, 255, (*size, 3), dtype=np.uint8) for _ in range(n)]


def test_memory_read_is_the_formula() -> None:
    k, t, ck, cv, h, w = 2, 3, 8, 5, 2, 3
    query = torch.randn(1, ck, h, w)
    keys, values = torch.randn(k, t, ck, h, w), torch.randn(k, t, cv, h, w)
    out = memory_read(query, keys, values)
    assert out.shape == (k, cv, h, w)
    for obj in range(k):
        for y in range(h):
            for x in range(w):
                # similarity of this query location with every memory location (t, i, j)
                sims = torch.tensor(
                    [
                        float(keys[obj, tt, :, i, j] @ query[0, :, y, x]) / math.sqrt(ck)
                        for tt in range(t)
                        for i in range(h)
                        for j in range(w)
                    ]
                )
                weights = torch.softmax(sims, 0)
                mem_values = torch.stack(
                    [values[obj, tt, :, i, j] for tt in range(t) for i in range(h) for j in range(w)]
                )
                torch.testing.assert_close(out[obj, :, y, x], weights @ mem_values, rtol=1e-5, atol=1e-5)


@torch.no_grad()
def test_shapes(model: STM) -> None:
    frame = torch.rand(1, 3, 64, 96)
    query = model.encode_query(frame)
    assert query.key.shape == (1, 128, 4, 6) and query.value.shape == (1, 512, 4, 6)
    probs = torch.rand(3, 64, 96)
    keys, values = model.encode_memory(frame, probs)
    assert keys.shape == (3, 128, 4, 6) and values.shape == (3, 512, 4, 6)
    logits = model.segment(query, torch.stack([keys, keys], 1), torch.stack([values, values], 1))
    assert logits.shape == (3, 2, 16, 24)


@torch.no_grad()
def test_memory_encoder_sees_each_object_and_the_others(model: STM) -> None:
    frame = torch.rand(1, 3, 32, 32)
    a, b = torch.zeros(32, 32), torch.zeros(32, 32)
    a[:16], b[16:] = 1.0, 1.0
    keys_ab, _ = model.encode_memory(frame, torch.stack([a, b]))
    keys_ba, _ = model.encode_memory(frame, torch.stack([b, a]))
    torch.testing.assert_close(keys_ab[0], keys_ba[1])  # the same object with the same "others"
    assert not torch.allclose(keys_ab[0], keys_ab[1])


def test_multi_object_video_gives_each_object_its_id() -> None:
    method = create_method("stm", {"init": "random"})
    size = (48, 64)
    method.start_video(VideoInfo("v", size, 4, (1, 2)))
    frames = _frames(4, size)
    first = _masks(size, (1, 2))
    np.testing.assert_array_equal(method.step(frames[0], first), first.labels)
    for frame in frames[1:]:
        out = method.step(frame, None)
        assert out.shape == size and set(np.unique(out)) <= {0, 1, 2}


@torch.no_grad()
def test_inference_is_the_networks_direct_computation() -> None:
    """Frames 1 and 2, computed here from the network's own calls: the memory encoder on frame 0
    with each object's given mask (soft-aggregated) and on frame 1 with its *predicted*
    probabilities (the previous frame), the query encoder, the memory read over both, the
    decoder, soft aggregation. The method must agree exactly, whatever the (random) weights."""
    method = create_method("stm", {"init": "random", "seed": "5"})
    size = (48, 64)  # multiples of 16: no resizing, no padding
    method.start_video(VideoInfo("v", size, 3, (1, 2)))
    frames = _frames(3, size)
    given = _masks(size, (1, 2))
    outputs = [method.step(frames[0], given), method.step(frames[1], None), method.step(frames[2], None)]

    model = method.model

    one_hot = torch.stack([torch.from_numpy(given.labels == i) for i in (1, 2)]).float()
    probs = soft_aggregate(one_hot)
    keys, values = [], []
    for t in (1, 2):
        key, value = model.encode_memory(frame_tensor(frames[t - 1]), probs[1:])
        keys.append(key)
        values.append(value)
        query = model.encode_query(frame_tensor(frames[t]))
        logits = model.segment(query, torch.stack(keys, dim=1), torch.stack(values, dim=1))
        probs = soft_aggregate(foreground_probability(logits, size))
        expected = probs.argmax(0).numpy().astype(np.uint8)  # channel k is object id k here
        np.testing.assert_array_equal(outputs[t], expected)
        assert len(np.unique(expected)) >= 2


def test_late_object_reads_only_its_own_memory() -> None:
    method = create_method("stm", {"init": "random", "every": "2"})
    size = (32, 48)
    method.start_video(VideoInfo("v", size, 6, (1, 2)))
    for t, frame in enumerate(_frames(6, size)):
        given = _masks(size, (1,)) if t == 0 else None
        if t == 3:
            late = np.zeros(size, np.uint8)
            late[18:28, 6:30] = 2
            given = GivenMasks(late, (2,))
        out = method.step(frame, given)
        if t == 3:
            assert (out[given.labels == 2] == 2).all()
    assert min(method.memory[2]) >= 3 and min(method.memory[1]) == 0


def test_memory_is_first_every_kth_and_previous() -> None:
    method = create_method("stm", {"init": "random", "every": "5"})
    size = (32, 32)
    method.start_video(VideoInfo("v", size, 23, (1,)))
    for t, frame in enumerate(_frames(23, size)):
        method.step(frame, _masks(size, (1,)) if t == 0 else None)
    assert sorted(method.memory[1]) == [0, 5, 10, 15, 20, 22]  # STM's memory grows every 5 frames


def test_options_and_checkpoints(tmp_path: Path) -> None:
    with pytest.raises(VosbenchError, match="k must be at least 1"):
        create_method("stm", {"init": "random", "every": "0"})
    path = checkpoint_round_trip("stm", tmp_path)
    with pytest.raises(VosbenchError, match="a stm checkpoint, but a sitvos model"):
        load_model("sitvos", path)


def test_the_shared_clip_loss_trains_stm() -> None:
    torch.manual_seed(1)
    model = STM().train()
    loss_fn = ClipLoss(model)
    b, t, k, size = 1, 2, 2, 32
    images = torch.rand(b, t, 3, size, size)
    labels = torch.zeros(b, t, size, size, dtype=torch.long)
    labels[:, :, :16, :16], labels[:, :, 16:, 16:] = 1, 2
    masks = torch.stack([labels == 1, labels == 2], dim=2)
    loss = loss_fn(images, masks, labels, torch.tensor([k]))
    loss.backward()
    assert torch.isfinite(loss) and loss > 0
    assert model.memory_encoder.mask_conv.weight.grad is not None  # the memory path is trained
    assert model.query_kv.key.weight.grad is not None
