"""SITVOS: shapes, every attention equation against its formula, feature reuse, memory bounds,
aggregation, padding, options and checkpoints. Small random-weight models on CPU."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import torch
from builders import batch_norms, checkpoint_round_trip, frame_tensor
from hypothesis import given, settings
from hypothesis import strategies as st
from torchvision.ops.misc import FrozenBatchNorm2d

from memnet.aggregation import foreground_probability, soft_aggregate
from memnet.frames import network_size
from memnet.memory import STRATEGIES, MemoryPolicy
from memnet.padding import pad_to_multiple, unpad
from sitvos.model import SITVOS, ModelConfig
from sitvos.model.attention import AttentionBlock
from sitvos.model.transformer import InteractiveTransformer
from vosbench.errors import VosbenchError
from vosbench.methods import GivenMasks, VideoInfo, create_method

torch.manual_seed(0)


def formula(block: AttentionBlock, q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """LN(softmax(Q W_q (K W_k)^T / sqrt(d_k)) V W_v + Q), written out."""
    qq = q @ block.q.weight.T + block.q.bias
    kk = k @ block.k.weight.T + block.k.bias
    vv = v @ block.v.weight.T + block.v.bias
    weights = torch.softmax(qq @ kk.transpose(-1, -2) / math.sqrt(qq.shape[-1]), dim=-1)
    x = weights @ vv + q
    mean, var = x.mean(-1, keepdim=True), x.var(-1, unbiased=False, keepdim=True)
    return (x - mean) / torch.sqrt(var + block.norm.eps) * block.norm.weight + block.norm.bias


def _randomise_norms(module: torch.nn.Module) -> None:
    for m in module.modules():
        if isinstance(m, torch.nn.LayerNorm):
            torch.nn.init.normal_(m.weight)
            torch.nn.init.normal_(m.bias)


def test_attention_block_is_its_formula() -> None:
    block = AttentionBlock(32, 8)
    _randomise_norms(block)
    q, k, v = torch.randn(2, 5, 32), torch.randn(2, 7, 32), torch.randn(2, 7, 32)
    assert block.q.weight.shape == (8, 32) and block.v.weight.shape == (32, 32)
    torch.testing.assert_close(block(q, k, v), formula(block, q, k, v), atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("fim", [True, False])
def test_interactive_transformer_equations(fim: bool) -> None:
    net = InteractiveTransformer(32, 8, fim=fim)
    _randomise_norms(net)
    m_ori, q_ori = torch.randn(1, 12, 32), torch.randn(1, 6, 32)
    m_e = torch.randn(3, 12, 32)  # three objects
    m_sa = formula(net.encoder_self, m_ori, m_ori, m_ori)
    q_sa = formula(net.decoder_self, q_ori, q_ori, q_ori)
    m_x = m_e * m_ori
    if fim:
        m_out = formula(net.fim_memory, m_sa, q_sa, q_sa)
        q_out = formula(net.fim_query, q_sa.expand(3, -1, -1), m_sa.expand(3, -1, -1), m_x)
        expected = formula(net.cross, q_out, m_out.expand(3, -1, -1), m_out.expand(3, -1, -1))
    else:
        expected = formula(net.cross, q_sa.expand(3, -1, -1), m_sa.expand(3, -1, -1), m_x)
    torch.testing.assert_close(net.encode_memory(m_ori), m_sa, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(net(m_sa, m_ori, m_e, q_ori), expected, atol=1e-5, rtol=1e-5)
    assert hasattr(net, "fim_memory") == fim


@pytest.fixture(scope="module")
def model() -> SITVOS:
    return SITVOS(ModelConfig()).eval()


def test_shapes(model: SITVOS) -> None:
    with torch.no_grad():
        enc = model.encode_image(torch.rand(1, 3, 64, 96))
        assert enc.features.r4.shape == (1, 1024, 4, 6)
        assert enc.features.r3.shape == (1, 512, 8, 12)
        assert enc.features.r2.shape == (1, 256, 16, 24)
        assert enc.key.shape == (1, 256, 4, 6)
        masks = model.encode_masks(torch.rand(3, 1, 64, 96))
        assert masks.shape == (3, 256, 4, 6)
        keys = torch.cat([enc.key, enc.key])  # two memory frames
        logits = model.segment(enc, keys, torch.stack([masks, masks], dim=1))
        assert logits.shape == (3, 2, 16, 24)


def test_backbones_use_frozen_batch_norm(model: SITVOS) -> None:
    norms = batch_norms(model)
    assert norms and all(isinstance(m, FrozenBatchNorm2d) for m in norms)
    assert model.mask_encoder.stem[0].in_channels == 1


def _frames(n: int, size: tuple[int, int], seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.integers(0, 255, (*size, 3), dtype=np.uint8) for _ in range(n)]


def _first_mask(size: tuple[int, int], ids: tuple[int, ...]) -> GivenMasks:
    labels = np.zeros(size, np.uint8)
    for i, obj in enumerate(ids):
        labels[2 + 6 * i : 6 + 6 * i, 3:12] = obj
    return GivenMasks(labels, ids)


def test_backbone_runs_once_per_frame_and_memory_reuses_it() -> None:
    method = create_method("sitvos", {"init": "random", "memory": "first-previous"})
    calls = []
    method.model.image_encoder.register_forward_hook(lambda module, args, out: calls.append(out))
    size = (48, 64)
    method.start_video(VideoInfo("v", size, 6, (1, 2)))
    keys = []
    for t, frame in enumerate(_frames(6, size)):
        method.step(frame, _first_mask(size, (1, 2)) if t == 0 else None)
        keys.append(method.bank.keys[t])
    assert len(calls) == 6  # exactly once per frame, memory frames included
    # what memory holds for frame t is the key computed when t was the query
    assert all(method.bank.keys[f] is keys[f] for f in method.bank.keys)


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_memory_policy_bounds_over_200_frames(strategy: str) -> None:
    policy = MemoryPolicy(strategy, n=7, k=12)
    for t in range(200):
        policy.add(t, anchor=t in (0, 50))  # a second object given on frame 50
        frames = policy.frames()
        assert frames == sorted(set(frames))
        if strategy == "first":
            assert frames == [f for f in (0, 50) if f <= t]
        elif strategy == "previous":
            assert frames == [t]
        else:
            assert t in frames and 0 in frames
        if strategy == "first-previous":
            assert set(frames) <= {0, 50, t}
        if strategy == "fixed":
            assert len(frames) <= 7
        if strategy == "every":
            assert set(frames) == {0, t} | ({50} if t >= 50 else set()) | {
                f for f in range(1, t) if f % 12 == 0
            }
    if strategy == "fixed":  # the intermediate frames cover the past evenly
        gaps = np.diff(policy.frames())
        assert len(policy.frames()) == 7 and gaps.max() <= 2 * 200 / 5, policy.frames()


class StubNetwork(torch.nn.Module):
    """The network's interface with tiny, cheap tensors: the inference core's bookkeeping alone."""

    def __init__(self) -> None:
        super().__init__()
        self.config = ModelConfig()
        self.encode_memory_calls = 0

    def encode_image(self, images: torch.Tensor):
        from memnet.backbone import ImageFeatures
        from sitvos.model.network import FrameEncoding

        h, w = images.shape[-2] // 16, images.shape[-1] // 16
        return FrameEncoding(
            ImageFeatures(torch.zeros(1, 1), torch.zeros(1, 1), torch.zeros(1, 1)), torch.rand(1, 4, h, w)
        )

    def encode_masks(self, masks: torch.Tensor) -> torch.Tensor:
        return torch.rand(masks.shape[0], 4, masks.shape[-2] // 16, masks.shape[-1] // 16)

    def memory_key(self, frame) -> torch.Tensor:
        return frame.key

    def encode_memory(self, keys: torch.Tensor) -> torch.Tensor:
        self.encode_memory_calls += 1
        return keys

    def read(self, query, keys, masks, memory_sa):
        assert masks.shape[1] == keys.shape[0]  # every memory frame has every object's embedding
        return torch.rand(masks.shape[0], 4, *query.key.shape[-2:])

    def decode(self, t_map, query):
        return torch.randn(t_map.shape[0], 2, t_map.shape[-2] * 4, t_map.shape[-1] * 4)


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_memory_stays_bounded_in_a_200_frame_run(strategy: str) -> None:
    method = create_method("sitvos", {"init": "random", "memory": strategy, "n": "5", "k": "12"})
    method.model = StubNetwork()
    size = (32, 32)
    method.start_video(VideoInfo("long", size, 200, (1, 2)))
    frame = np.zeros((*size, 3), np.uint8)
    for t in range(200):
        given = _first_mask(size, (1,)) if t == 0 else None
        if t == 100:
            given = GivenMasks(_first_mask(size, (2,)).labels, (2,))  # a late object
        method.step(frame, given)
        assert (
            list(method.bank.keys) == method.bank.policy.frames()
            or sorted(method.bank.keys) == method.bank.policy.frames()
        )
        assert len(method.bank.masks) == len(method.bank.keys)
        if strategy == "fixed":
            assert len(method.bank) <= 5
        if strategy in ("first", "previous", "first-previous"):
            assert len(method.bank) <= 3
    if strategy == "first":  # memory unchanged between given frames: M_SA computed once per change
        assert method.model.encode_memory_calls == 2
    assert all(m.shape[0] == 2 for m in method.bank.masks.values())


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(0.0, 1.0), min_size=1, max_size=5))
def test_soft_aggregation_is_a_distribution(ps: list[float]) -> None:
    fg = torch.tensor(ps, dtype=torch.float64)[:, None, None]
    probs = soft_aggregate(fg)
    assert probs.shape == (len(ps) + 1, 1, 1)
    torch.testing.assert_close(probs.sum(0), torch.ones(1, 1, dtype=torch.float64))
    clamped = fg.clamp(1e-7, 1 - 1e-7)[:, 0, 0]
    bg = torch.prod(1 - fg[:, 0, 0]).clamp(1e-7, 1 - 1e-7)
    odds = torch.cat([bg[None], clamped]) / (1 - torch.cat([bg[None], clamped]))
    torch.testing.assert_close(probs[:, 0, 0], odds / odds.sum())


def test_multi_object_labels_come_from_the_aggregate() -> None:
    method = create_method("sitvos", {"init": "random", "memory": "first"})
    size = (40, 56)
    method.start_video(VideoInfo("v", size, 3, (2, 5)))
    first = _first_mask(size, (2, 5))
    out = method.step(_frames(1, size)[0], first)
    np.testing.assert_array_equal(out, first.labels)  # given masks come back unchanged
    out = method.step(_frames(1, size, seed=3)[0], None)
    assert set(np.unique(out)) <= {0, 2, 5}  # ids, not channel numbers


@torch.no_grad()
def test_inference_is_the_networks_direct_computation() -> None:
    """Frames 1 and 2 with ``memory=first-previous``, computed here from the network's own calls:
    frame 0's key and the embeddings of its given masks (soft-aggregated), then frame 1's key
    and the embeddings of its *predicted* probabilities, read by the next frame, decoded,
    merged. The method must give exactly these label maps, whatever the (random) weights."""
    method = create_method("sitvos", {"init": "random", "memory": "first-previous", "seed": "3"})
    size = (48, 64)  # multiples of 16: no resizing, no padding
    method.start_video(VideoInfo("v", size, 3, (2, 5)))
    frames = [_frames(1, size, seed=s)[0] for s in (0, 3, 4)]
    given = _first_mask(size, (2, 5))
    outputs = [method.step(frames[0], given), method.step(frames[1], None), method.step(frames[2], None)]

    model = method.model

    one_hot = torch.stack([torch.from_numpy(given.labels == i) for i in (2, 5)]).float()
    probs = soft_aggregate(one_hot)
    keys, masks = [], []
    for t in (1, 2):
        keys.append(model.encode_image(frame_tensor(frames[t - 1])).key)
        masks.append(model.encode_masks(probs[1:, None]))  # (K, C, h, w)
        query = model.encode_image(frame_tensor(frames[t]))
        logits = model.segment(query, torch.cat(keys), torch.stack(masks, dim=1))
        probs = soft_aggregate(foreground_probability(logits, size))
        expected = np.array([0, 2, 5], np.uint8)[probs.argmax(0).numpy()]
        np.testing.assert_array_equal(outputs[t], expected)
        assert len(np.unique(expected)) >= 2  # the comparison is not between two blank maps


@settings(max_examples=50, deadline=None)
@given(st.integers(1, 50), st.integers(1, 50))
def test_padding_round_trip(h: int, w: int) -> None:
    x = torch.rand(1, 3, h, w)
    padded, pad = pad_to_multiple(x, 16)
    assert padded.shape[-2] % 16 == 0 and padded.shape[-1] % 16 == 0
    assert padded.shape[-2] - h < 16 and padded.shape[-1] - w < 16
    torch.testing.assert_close(unpad(padded, pad), x)


def test_odd_sizes_come_back_at_the_input_size() -> None:
    method = create_method("sitvos", {"init": "random"})
    size = (37, 53)
    method.start_video(VideoInfo("odd", size, 2, (1,)))
    first = _first_mask(size, (1,))
    np.testing.assert_array_equal(method.step(_frames(1, size)[0], first), first.labels)
    assert method.step(_frames(1, size, seed=2)[0], None).shape == size


def test_network_size_caps_the_shorter_side() -> None:
    assert network_size((480, 854), 0) == (480, 854)
    assert network_size((480, 854), 480) == (480, 854)
    assert network_size((480, 854), 240) == (240, 427)
    assert network_size((854, 480), 120) == (214, 120)


def test_reduced_network_size_returns_full_size_masks() -> None:
    method = create_method("sitvos", {"init": "random", "size": "32"})
    size = (64, 96)
    seen: list[tuple[int, ...]] = []
    encode = method.model.encode_image
    method.model.encode_image = lambda frame: seen.append(tuple(frame.shape[-2:])) or encode(frame)
    method.start_video(VideoInfo("small", size, 2, (1,)))
    first = _first_mask(size, (1,))
    out = method.step(_frames(1, size)[0], first)
    assert out.shape == size and set(np.unique(out)) <= {0, 1}
    # the given mask comes back as given, up to the nearest-neighbour round trip at its edges
    assert (out == first.labels).mean() > 0.95
    assert method.step(_frames(1, size, seed=2)[0], None).shape == size
    assert seen == [(32, 48), (32, 48)]  # the network saw 32x48 frames (a multiple of 16)


@pytest.mark.parametrize(
    ("settings_", "message"),
    [
        ({"size": "16"}, "size must be 0"),
        ({"memory": "all"}, "expected one of '', first, previous, first-previous, every, fixed, linspace"),
        ({"n": "1"}, "n must be at least 2"),
        ({"k": "0"}, "k must be at least 1"),
        ({"precision": "fp16"}, "expected one of auto, fp32, bf16"),
        ({"checkpoint": "/nonexistent.pth"}, "checkpoint not found"),
    ],
)
def test_option_validation(settings_: dict, message: str) -> None:
    with pytest.raises(VosbenchError, match=message):
        create_method("sitvos", {"init": "random", **settings_})


def test_default_memory_is_the_variants_schedule() -> None:
    """Without a memory option, official weights (converted from the authors' code) run with
    the authors' evaluation schedule, every 12th frame and the previous one; the paper variant
    keeps fixed; an explicit option wins over both."""
    paper = create_method("sitvos", {"init": "random"})
    official = create_method("sitvos", {"init": "random", "variant": "official"})
    assert paper.memory == "fixed" and official.memory == "every" and official.options.k == 12
    official.start_video(VideoInfo("v", (32, 48), 30, (1,)))
    policy = official.bank.policy
    for t in range(26):
        policy.add(t, t == 0)
    assert policy.frames() == [0, 12, 24, 25]  # every 12th and the previous, as eval.py keeps
    chosen = create_method("sitvos", {"init": "random", "variant": "official", "memory": "first"})
    assert chosen.memory == "first"


def test_imagenet_weights_offline_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """torchvision's download is tried (it is what a user with internet gets); offline, it
    fails, and the message says where the file goes or how to start without it."""
    import urllib.error

    tried = []

    def offline(url: str, *args, **kwargs) -> None:
        tried.append(url)
        raise urllib.error.URLError("no network")

    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(tmp_path))
    monkeypatch.setattr(torch.hub, "download_url_to_file", offline)
    message = (
        r"could not be downloaded \(<urlopen error no network>\): put the file from .*resnet50-0676ba61\.pth"
    )
    with pytest.raises(VosbenchError, match=message) as caught:
        create_method("sitvos")
    assert "--set init=random" in str(caught.value) and str(tmp_path / "checkpoints") in str(caught.value)
    assert tried == ["https://download.pytorch.org/models/resnet50-0676ba61.pth"]


def test_imagenet_weights_from_the_torch_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file already in the torch cache is what the network gets (no download attempted)."""
    from torchvision.models import resnet18, resnet50

    from memnet.weights import RESNET18, RESNET50, cached_weights_path

    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(tmp_path))
    monkeypatch.setattr(torch.hub, "download_url_to_file", lambda *a, **k: pytest.fail("downloaded"))
    torch.manual_seed(1)
    saved = {}
    for weights, builder in ((RESNET50, resnet50), (RESNET18, resnet18)):
        path = cached_weights_path(weights)
        path.parent.mkdir(parents=True, exist_ok=True)
        saved[weights] = builder().state_dict()
        torch.save(saved[weights], path)
    model = create_method("sitvos", {"memory": "first"}).model
    torch.testing.assert_close(
        model.image_encoder.layer3[0].conv1.weight, saved[RESNET50]["layer3.0.conv1.weight"]
    )
    torch.testing.assert_close(
        model.mask_encoder.layer2[0].conv1.weight, saved[RESNET18]["layer2.0.conv1.weight"]
    )
    summed = saved[RESNET18]["conv1.weight"].sum(dim=1, keepdim=True)
    torch.testing.assert_close(model.mask_encoder.stem[0].weight, summed)


def test_checkpoint_round_trip(tmp_path: Path) -> None:
    path = checkpoint_round_trip("sitvos", tmp_path)
    with pytest.raises(VosbenchError, match="trained with fim=True, but fim=False"):
        create_method("sitvos", {"checkpoint": str(path), "fim": "false"})
    (tmp_path / "bad.pth").write_bytes(b"junk")
    junk = r"bad\.pth: not a torch file but a text file; expected a checkpoint"
    with pytest.raises(VosbenchError, match=junk):
        create_method("sitvos", {"checkpoint": str(tmp_path / "bad.pth")})


def test_late_objects_join_the_memory() -> None:
    method = create_method("sitvos", {"init": "random", "memory": "fixed", "n": "4"})
    size = (48, 48)
    method.start_video(VideoInfo("v", size, 8, (1, 2)))
    frames = _frames(8, size)
    for t in range(8):
        g = _first_mask(size, (1,)) if t == 0 else None
        if t == 3:
            late = np.zeros(size, np.uint8)
            late[30:40, 30:40] = 2
            g = GivenMasks(late, (2,))
        out = method.step(frames[t], g)
        if t == 3:
            assert (out[30:40, 30:40] == 2).all()
        assert all(m.shape[0] == len(method.ids) for m in method.bank.masks.values())
    assert method.ids == [1, 2] and 3 in method.bank.keys  # the given frame is an anchor


def _official_formula(
    block: AttentionBlock, q: torch.Tensor, k: torch.Tensor, v: torch.Tensor
) -> torch.Tensor:
    """The official code's blocks, written out: no biases; without a value map, V as it is."""
    qq, kk = q @ block.q.weight.T, k @ block.k.weight.T
    vv = v @ block.v.weight.T if isinstance(block.v, torch.nn.Linear) else v
    x = torch.softmax(qq @ kk.transpose(-1, -2) / 8, dim=-1) @ vv + q  # 1/8: the code's temperature
    mean, var = x.mean(-1, keepdim=True), x.var(-1, unbiased=False, keepdim=True)
    return (x - mean) / torch.sqrt(var + block.norm.eps) * block.norm.weight + block.norm.bias


def test_official_variant_is_the_authors_network() -> None:
    """ModelConfig.official(): C=128, 3x3 W_K and W_Q, the 3x3 mask embedding, self-attention
    without biases (LayerNorm eps 1e-6), cross-attention without value maps sharing one
    LayerNorm, and [T_out, Q_ori] projected to 512 channels for the decoder."""
    model = SITVOS(ModelConfig.official()).eval()
    _randomise_norms(model)
    assert model.key_embed.weight.shape == model.query_embed.weight.shape == (128, 1024, 3, 3)
    assert model.mask_embed.weight.shape == (128, 256, 3, 3)
    assert model.projector.weight.shape == (512, 256, 1, 1)
    assert model.decoder.conv.in_channels == 512
    tr = model.transformer
    for block in (tr.encoder_self, tr.decoder_self):
        assert block.q.bias is None and block.v.bias is None and block.norm.eps == 1e-6
    crosses = (tr.fim_memory, tr.fim_query, tr.cross)
    assert all(isinstance(b.v, torch.nn.Identity) and b.norm is tr.cross.norm for b in crosses)
    assert tr.cross.norm.eps == 1e-5
    # the Memory module's forward (model/model.py), written out from the code's equations
    m_ori, q_ori, m_e = torch.randn(1, 12, 128), torch.randn(1, 6, 128), torch.randn(2, 12, 128)
    t_self = _official_formula(tr.encoder_self, m_ori, m_ori, m_ori)
    c_self = _official_formula(tr.decoder_self, q_ori, q_ori, q_ori)
    t_final = _official_formula(tr.fim_memory, t_self, c_self, c_self)
    c_final = _official_formula(tr.fim_query, c_self.expand(2, -1, -1), t_self.expand(2, -1, -1), m_e * m_ori)
    expected = _official_formula(tr.cross, c_final, t_final.expand(2, -1, -1), t_final.expand(2, -1, -1))
    with torch.no_grad():
        got = tr(tr.encode_memory(m_ori), m_ori, m_e, q_ori)
    torch.testing.assert_close(got, expected, atol=1e-5, rtol=1e-5)
    # memory keys come from W_K, queries from W_Q: no longer the same tensor
    with torch.no_grad():
        frame = model.encode_image(torch.rand(1, 3, 64, 96))
        torch.testing.assert_close(model.memory_key(frame), model.key_embed(frame.features.r4))
        assert not torch.allclose(model.memory_key(frame), frame.key)
        logits = model.segment(
            frame, model.memory_key(frame), model.encode_masks(torch.rand(2, 1, 64, 96))[:, None]
        )
    assert logits.shape == (2, 2, 16, 24)


def test_paper_variant_keeps_its_shape() -> None:
    model = SITVOS(ModelConfig())
    assert model.query_embed is None and model.projector is None
    assert isinstance(model.mask_embed, torch.nn.Identity)  # ResNet-18's 256 channels are C
    assert model.key_embed.kernel_size == (1, 1) and model.transformer.cross.v.bias is not None


def test_official_variant_runs_zero_padded_over_11_slots(tmp_path: Path) -> None:
    method = create_method(
        "sitvos", {"init": "random", "variant": "official", "memory": "linspace", "n": "3"}
    )
    assert method.official and method.padding == "zero" and method.model.config == ModelConfig.official()
    size = (37, 53)  # needs padding
    method.start_video(VideoInfo("v", size, 4, (1, 2)))
    first = _first_mask(size, (1, 2))
    np.testing.assert_array_equal(method.step(_frames(1, size)[0], first), first.labels)
    for seed in (1, 2, 3):
        assert method.step(_frames(1, size, seed=seed)[0], None).shape == size
    assert method.probabilities.shape == (3, *size)
    torch.testing.assert_close(method.probabilities.sum(0), torch.ones(size))  # 11 slots, 3 returned
    path = checkpoint_round_trip("sitvos", tmp_path, variant="official")
    assert create_method("sitvos", {"checkpoint": str(path)}).official  # recorded in the checkpoint
    assert not create_method("sitvos", {"checkpoint": str(path), "variant": "paper"}).official


def test_denormals_are_flushed_only_while_the_network_computes() -> None:
    """On a CPU the network computes with denormals flushed (they cost x86 cores many times the
    time); the process's setting is left as it was, so other code (hypothesis, numpy users) is
    not affected."""

    def denormal() -> float:
        return float(torch.tensor([1e-39]) * 1.0)  # 0.0 when denormal inputs read as zero

    method = create_method("sitvos", {"init": "random"})
    seen: list[float] = []
    encode = method.model.encode_image
    method.model.encode_image = lambda frame: seen.append(denormal()) or encode(frame)
    size = (32, 32)
    method.start_video(VideoInfo("v", size, 2, (1,)))
    method.step(_frames(1, size)[0], _first_mask(size, (1,)))
    assert seen == [0.0]
    assert denormal() > 0.0


def test_the_official_variant_drops_attention_weights_while_training_only() -> None:
    """The authors' attention blocks apply dropout 0.01 to the attention weights (their
    transformer.py); the paper says nothing, so its variant has none."""
    from sitvos.model import SITVOS, ModelConfig

    assert ModelConfig.official().attention_dropout == 0.01 and ModelConfig().attention_dropout == 0.0
    frames = torch.rand(2, 3, 32, 48)
    masks = torch.zeros(1, 1, 32, 48)
    masks[..., 8:20, 10:30] = 1
    for config, stochastic in (
        (ModelConfig.official(backbone="mobilenetv2"), True),
        (ModelConfig(backbone="mobilenetv2"), False),
    ):
        torch.manual_seed(0)
        model = SITVOS(config)
        memory = model.encode_image(frames[:1])
        query = model.encode_image(frames[1:])
        keys, embedded = model.memory_key(memory)[None], model.encode_masks(masks)[:, None]

        model.train()
        with torch.no_grad():
            twice = [model.segment(query, keys[0], embedded) for _ in range(2)]
        assert torch.equal(*twice) is not stochastic
        model.eval()
        with torch.no_grad():
            twice = [model.segment(query, keys[0], embedded) for _ in range(2)]
        assert torch.equal(*twice)
