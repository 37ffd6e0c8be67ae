"""The backbone option: ResNet-50 (the paper's) and MobileNetV2 (the small-scale variant) for
SITVOS and STM, frozen norms, checkpoints that record the backbone, and the converter of the
tonylins MobileNetV2 layout (the ImageNet file in ../shared/weights) to torchvision's."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from builders import ONE_TINY_ITERATION, batch_norms, checkpoint_round_trip
from torch import nn
from torchvision.models import mobilenet_v2
from torchvision.ops.misc import FrozenBatchNorm2d

from memnet.backbone import FrozenNorm, ImageEncoder, MaskEncoder
from memnet.weight_layouts import is_tonylins_layout, tonylins_to_torchvision
from memnet.weights import load_model, read_backbone_file
from vosbench.checkpoints import load_checkpoint
from vosbench.cli import main
from vosbench.demo_data import make_demo_data
from vosbench.errors import VosbenchError
from vosbench.methods import create_method


@pytest.mark.parametrize(
    ("backbone", "channels"), [("resnet50", (256, 512, 1024)), ("mobilenetv2", (24, 32, 320))]
)
@torch.no_grad()
def test_feature_strides_and_widths(backbone: str, channels: tuple[int, int, int]) -> None:
    encoder = ImageEncoder(backbone=backbone).eval()
    features = encoder(torch.rand(2, 3, 64, 96))
    assert features.r2.shape == (2, channels[0], 16, 24)  # stride 4
    assert features.r3.shape == (2, channels[1], 8, 12)  # stride 8
    assert features.r4.shape == (2, channels[2], 4, 6)  # stride 16
    masks = MaskEncoder(backbone=backbone).eval()(torch.rand(3, 1, 64, 96))
    assert masks.shape == (3, masks.shape[1], 4, 6)


def test_frozen_norm_computes_torchvisions_floats_and_sees_every_change() -> None:
    """The cached scale and shift give torchvision's frozen batch norm's floats bit for bit,
    in training (gradients too) and inference, and follow every change of its tensors: a
    load, an in-place change (calibration), a move to another dtype."""
    generator = torch.Generator().manual_seed(0)
    ours, theirs = FrozenNorm(8), FrozenBatchNorm2d(8)
    state = {k: torch.rand(v.shape, generator=generator) + 0.5 for k, v in theirs.state_dict().items()}

    def same(x: torch.Tensor) -> None:
        a, b = x.clone().requires_grad_(), x.clone().requires_grad_()
        out_a, out_b = ours(a), theirs(b)
        assert torch.equal(out_a, out_b)
        out_a.square().sum().backward()
        out_b.square().sum().backward()
        assert torch.equal(a.grad, b.grad)
        with torch.inference_mode():
            assert torch.equal(ours(x), theirs(x))

    x = torch.randn(2, 8, 5, 7, generator=generator)
    same(x)  # untouched: mean 0, variance 1
    ours.load_state_dict(state)
    theirs.load_state_dict(state)
    same(x)
    for net in (ours, theirs):
        net.running_mean.add_(0.25)  # what calibrate_frozen_norms does, in place
    same(x)
    ours.double()
    theirs.double()
    same(x.double())


@pytest.mark.parametrize("architecture", ["sitvos", "stm"])
@torch.no_grad()
def test_both_networks_take_mobilenetv2(architecture: str) -> None:
    model = load_model(init="random", architecture=architecture, backbone="mobilenetv2").eval()
    assert model.config.backbone == "mobilenetv2"
    encoded = model.encode_frames(torch.rand(1, 3, 64, 96))
    probs = torch.rand(2, 64, 96)
    entry = model.memorise(encoded, torch.rand(1, 3, 64, 96), probs)
    logits = model.segment_memory(encoded, [entry, entry])
    assert logits.shape == (2, 2, 16, 24)
    norms = batch_norms(model)
    assert len(norms) > 50 and all(isinstance(m, FrozenBatchNorm2d) for m in norms)
    # frozen: the norms hold no trainable parameters
    assert not any(p.requires_grad for m in norms for p in m.parameters())


def test_dilated_blocks_keep_stride_16() -> None:
    encoder = ImageEncoder(backbone="mobilenetv2")
    depthwise = [m for m in encoder.layer3.modules() if isinstance(m, nn.Conv2d) and m.groups > 1]
    assert [m.stride for m in depthwise] == [(2, 2)] + [(1, 1)] * 10  # block 7 goes to stride 16
    assert [m.dilation for m in depthwise] == [(1, 1)] * 7 + [(2, 2)] * 4  # blocks 14 to 17 stay there


@pytest.mark.parametrize("architecture", ["sitvos", "stm"])
def test_checkpoint_records_the_backbone(architecture: str, tmp_path: Path) -> None:
    path = checkpoint_round_trip(architecture, tmp_path, backbone="mobilenetv2")
    payload = torch.load(path, weights_only=True)
    assert payload["config"]["backbone"] == "mobilenetv2"
    # the checkpoint alone says which backbone to build
    loaded = create_method(architecture, {"checkpoint": str(path)})
    assert loaded.model.config.backbone == "mobilenetv2"
    with pytest.raises(VosbenchError, match="a mobilenetv2 backbone, but backbone=resnet50"):
        create_method(architecture, {"checkpoint": str(path), "backbone": "resnet50"})


def _tonylins_layout(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """torchvision's MobileNetV2 renamed as tonylins saves it: each block's layers numbered
    flat in forward order (convolution, norm, ReLU6, ...), derived from the modules here."""
    net = mobilenet_v2()
    renamed = {}
    for block_index, block in enumerate(net.features):
        if not hasattr(block, "conv"):
            continue
        leaves = [(n, m) for n, m in block.conv.named_modules() if not list(m.children())]
        for flat, (name, module) in enumerate(leaves):
            for param in module.state_dict():
                old = f"features.{block_index}.conv.{name}.{param}"
                renamed[f"features.{block_index}.conv.{flat}.{param}"] = state[old]
    for key, value in state.items():
        if not key.startswith("features.") or ".conv." not in key:
            renamed[key] = value
    return renamed


def test_converter_puts_every_tensor_in_its_place() -> None:
    torch.manual_seed(0)
    reference = mobilenet_v2().state_dict()
    flat = _tonylins_layout({k: v for k, v in reference.items() if k.startswith("features.")})
    assert is_tonylins_layout(flat) and not is_tonylins_layout(reference)
    converted = tonylins_to_torchvision(flat)
    assert set(converted) == {k for k in reference if k.startswith("features.")}
    assert all(torch.equal(converted[k], reference[k]) for k in converted)


def test_converter_names_what_has_no_place() -> None:
    flat = _tonylins_layout(
        {k: v for k, v in mobilenet_v2().state_dict().items() if k.startswith("features.")}
    )
    flat["features.3.conv.9.weight"] = torch.zeros(1)
    flat["head.weight"] = torch.zeros(1)
    with pytest.raises(ValueError, match=r"2 tensors have no place.*features\.3\.conv\.9\.weight"):
        tonylins_to_torchvision(flat)


def test_bad_backbone_files_are_named(tmp_path: Path) -> None:
    short = mobilenet_v2().state_dict()
    del short["features.5.conv.1.0.weight"]
    torch.save(short, tmp_path / "short.pt")
    with pytest.raises(VosbenchError, match=r"short\.pt: .*1 missing: features\.5\.conv\.1\.0\.weight"):
        read_backbone_file(tmp_path / "short.pt", "mobilenetv2")
    with pytest.raises(VosbenchError, match=r"nothing\.pt: backbone weights file not found"):
        read_backbone_file(tmp_path / "nothing.pt", "mobilenetv2")


def test_the_shared_imagenet_file_converts_completely(mobilenet_file: Path) -> None:
    raw = torch.load(mobilenet_file, map_location="cpu", weights_only=True)
    state = read_backbone_file(mobilenet_file, "mobilenetv2")
    expected = {k for k in mobilenet_v2().state_dict() if k.startswith("features.")}
    assert len(raw) == len(state) == 312 and set(state) == expected
    # every tensor of the file lands, unchanged, under its new name

    def fingerprints(tensors) -> list:
        return sorted((tuple(t.shape), float(t.double().sum())) for t in tensors)

    assert fingerprints(raw.values()) == fingerprints(state.values())
    model = load_model(architecture="sitvos", backbone="mobilenetv2", backbone_file=mobilenet_file)
    for encoder in (model.image_encoder, model.mask_encoder):
        loaded = encoder.layer3[-1].conv[-1]  # the last norm of block 17
        assert torch.equal(loaded.running_var, state["features.17.conv.3.running_var"])
    summed = state["features.0.0.weight"].sum(dim=1, keepdim=True)
    assert torch.equal(model.mask_encoder.stem[0].weight, summed)


@torch.no_grad()
def test_imagenet_features_tell_images_apart(mobilenet_file: Path) -> None:
    """With ImageNet weights, the stride-16 features of a shifted copy of a picture are closer
    to the picture's than a different picture's are: what matching-based VOS relies on."""
    from skimage import data

    encoder = ImageEncoder(read_backbone_file(mobilenet_file, "mobilenetv2"), backbone="mobilenetv2").eval()

    def features(image) -> torch.Tensor:
        x = torch.from_numpy(image[:224, :224]).permute(2, 0, 1)[None].float() / 255
        return encoder(x).r4.mean(dim=(2, 3)).flatten()

    cat, coffee = data.chelsea(), data.coffee()
    same = torch.cosine_similarity(features(cat), features(cat[8:, 8:]), dim=0)
    other = torch.cosine_similarity(features(cat), features(coffee), dim=0)
    assert same > other + 0.1


@pytest.mark.parametrize("network", ["sitvos", "stm"])
def test_command_line_trains_from_the_shared_file_and_runs_the_checkpoint(
    network: str, mobilenet_file: Path, tmp_path: Path
) -> None:
    """`vosbench train --backbone mobilenetv2 --backbone-weights FILE` trains either network from
    the file's ImageNet weights, its checkpoint records the backbone, and `vosbench run` runs it."""
    demo = make_demo_data(tmp_path / "demo", n_frames=4, size=(64, 96))
    out = tmp_path / "train"
    train = ["train", "--stage", "main", "--model", network, "--davis-root", str(demo.davis_root)]
    train += ["--backbone", "mobilenetv2", "--backbone-weights", str(mobilenet_file), "--out", str(out)]
    train += ONE_TINY_ITERATION
    assert main(train) == 0
    checkpoint = load_checkpoint(out / "last.pth")
    assert checkpoint["config"]["backbone"] == "mobilenetv2"
    # frozen norms keep the file's statistics through training: block 17's last norm is there
    target = read_backbone_file(mobilenet_file, "mobilenetv2")["features.17.conv.3.running_var"]
    assert any(
        key.endswith("running_var") and torch.equal(tensor, target)
        for key, tensor in checkpoint["model"].items()
    )
    results = tmp_path / "run"
    run = ["run", "--method", network, "--set", f"checkpoint={out / 'last.pth'}", "--dataset", "davis2017"]
    run += ["--root", str(demo.davis_root), "--sequences", "juggle", "--out", str(results), "--quiet"]
    assert main(run) == 0
    assert len(list((results / "juggle").glob("*.png"))) == 4
