"""`vosbench convert-weights`: STM's released layout and the official SITVOS code's become
checkpoints that run as they are, and every key the conversion cannot place is named (the
equality of the computation itself is ``test_official_stm.py`` and ``test_official_sitvos.py``,
against the authors' code)."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from baselines.stm.model import STM, STMConfig
from baselines.stm.official import RENAMES
from memnet.backbone import IMAGENET_MEAN, IMAGENET_STD
from sitvos.model import SITVOS, ModelConfig
from sitvos.official import SHARED, SITVOS_RENAMES
from vosbench.checkpoints import load_checkpoint
from vosbench.cli import main
from vosbench.methods import create_method


def _official_layout(model: STM) -> dict[str, torch.Tensor]:
    """``model``'s weights under the official names, as `nn.DataParallel` saves them."""
    back = {new: old for old, new in RENAMES}
    state: dict[str, torch.Tensor] = {}
    for key, value in model.state_dict().items():
        if key == "memory_encoder.mask_conv.weight":
            state["module.Encoder_M.conv1_m.weight"] = value[:, :1].clone()  # the object's own mask
            state["module.Encoder_M.conv1_o.weight"] = value[:, 1:].clone()  # the other objects'
            continue
        prefix = next(p for p in back if key.startswith(p))
        state["module." + back[prefix] + key[len(prefix) :]] = value.clone()
    for encoder in ("Encoder_Q", "Encoder_M"):
        state[f"module.{encoder}.mean"] = torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1)
        state[f"module.{encoder}.std"] = torch.tensor(IMAGENET_STD).view(1, 3, 1, 1)
        state[f"module.{encoder}.bn1.num_batches_tracked"] = torch.tensor(0)
    return state


@pytest.fixture(scope="module")
def stm() -> STM:
    torch.manual_seed(0)
    return STM(STMConfig()).eval()


def test_official_names_land_where_they_belong(stm: STM, tmp_path: Path) -> None:
    official = _official_layout(stm)
    # a few names read off the authors' model.py by hand
    for name in (
        "module.Encoder_Q.res4.5.conv3.weight",
        "module.Encoder_M.res2.0.downsample.1.running_var",
        "module.KV_M_r4.Value.weight",
        "module.Decoder.RF2.ResMM.conv2.bias",
        "module.Decoder.pred2.weight",
    ):
        assert name in official
    source, out = tmp_path / "STM_weights.pth", tmp_path / "stm.pth"
    torch.save(official, source)
    assert main(["convert-weights", "--from", "stm-official", str(source), str(out)]) == 0
    payload = load_checkpoint(out)
    assert payload["architecture"] == "stm" and payload["config"]["variant"] == "official"
    for key, value in stm.state_dict().items():  # every tensor back where it came from
        assert torch.equal(payload["model"][key], value), key
    method = create_method("stm", {"checkpoint": str(out)})  # no other option needed
    assert method.official


def test_converter_names_what_it_cannot_place(stm: STM, tmp_path: Path, capsys) -> None:
    def convert(state: dict[str, torch.Tensor], name: str) -> str:
        source, out = tmp_path / f"{name}.pth", tmp_path / f"{name}-out.pth"
        torch.save(state, source)
        assert main(["convert-weights", "--from", "stm-official", str(source), str(out)]) == 2
        assert not out.exists()  # nothing half-written
        return capsys.readouterr().err

    official = _official_layout(stm)
    extra = {**official, "module.Encoder_Q.extra.weight": torch.zeros(1)}
    assert "keys that are not STM's: Encoder_Q.extra.weight" in convert(extra, "extra")
    missing = {k: v for k, v in official.items() if k != "module.Decoder.pred2.bias"}
    assert "1 missing: decoder.pred.bias" in convert(missing, "missing")
    shape = {**official, "module.KV_Q_r4.Key.weight": torch.zeros(64, 1024, 3, 3)}
    assert "misshapen: query_kv.key.weight (64, 1024, 3, 3)" in convert(shape, "shape")
    mean = {**official, "module.Encoder_Q.mean": torch.zeros(1, 3, 1, 1)}
    said = convert(mean, "mean")
    assert "Encoder_Q.mean" in said and "expected ImageNet's" in said
    no_mask = {k: v for k, v in official.items() if "conv1_m" not in k}
    assert "no Encoder_M.conv1_m.weight" in convert(no_mask, "nomask")


def test_unknown_layout_lists_the_known_ones(tmp_path: Path, capsys) -> None:
    torch.save({"w": torch.zeros(1)}, tmp_path / "w.pth")
    assert (
        main(["convert-weights", "--from", "aot-official", str(tmp_path / "w.pth"), str(tmp_path / "o")]) == 2
    )
    assert "known: sitvos-official, stm-official" in capsys.readouterr().err


def _official_sitvos_layout(model: SITVOS) -> dict[str, torch.Tensor]:
    """``model``'s weights under the official SITVOS code's names, as its train_davis.py saves them."""
    back = [(new, old) for old, new in SITVOS_RENAMES]
    back += [(new, old) for old, news in SHARED.items() for new in news]
    state: dict[str, torch.Tensor] = {}
    for key, value in model.state_dict().items():
        new, old = next((n, o) for n, o in back if key.startswith(n))
        state[old + key[len(new) :]] = value.clone()
    state["Encoder.mean"] = torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1)
    state["Encoder.std"] = torch.tensor(IMAGENET_STD).view(1, 3, 1, 1)
    state["Encoder.bn1.num_batches_tracked"] = torch.tensor(0)
    return state


@pytest.fixture(scope="module")
def official_sitvos() -> SITVOS:
    torch.manual_seed(0)
    return SITVOS(ModelConfig.official()).eval()


def test_official_sitvos_names_land_where_they_belong(official_sitvos: SITVOS, tmp_path: Path) -> None:
    official = _official_sitvos_layout(official_sitvos)
    # names read off the authors' model/model.py and model/transformer.py by hand
    for name in (
        "Encoder.res4.5.conv3.weight",
        "Encoder_mask.conv1_m.weight",
        "Encoder_mask.res4.1.bn2.running_var",
        "W_K.bias",
        "W_Q.weight",
        "W_mask.weight",
        "Memory.self_atten_T.w_v.weight",
        "Memory.self_atten_C.layer_norm.bias",
        "Memory.cross_atten2.w_k.weight",
        "Memory.layer_norm.weight",
        "Memory.projector.weight",
        "Decoder.RF3.ResFS.conv1.weight",
    ):
        assert name in official, name
    assert not any(".w_v." in k for k in official if "cross_atten" in k)  # no value maps there
    assert official["W_K.weight"].shape == (128, 1024, 3, 3)  # C=128 and 3x3 keys
    assert official["Memory.projector.weight"].shape == (512, 256, 1, 1)  # [T_out, Q_ori] -> 512
    source, out = tmp_path / "sitvos_official.pth", tmp_path / "sitvos.pth"
    torch.save(official, source)
    assert main(["convert-weights", "--from", "sitvos-official", str(source), str(out)]) == 0
    payload = load_checkpoint(out)
    assert payload["architecture"] == "sitvos" and payload["config"]["variant"] == "official"
    assert payload["config"]["channels"] == 128
    for key, value in official_sitvos.state_dict().items():
        assert torch.equal(payload["model"][key], value), key
    method = create_method("sitvos", {"checkpoint": str(out)})  # no other option needed
    assert method.official and method.model.config == ModelConfig.official()


def test_sitvos_converter_names_what_it_cannot_place(official_sitvos: SITVOS, tmp_path: Path, capsys) -> None:
    def convert(state: dict[str, torch.Tensor], name: str) -> str:
        source, out = tmp_path / f"{name}.pth", tmp_path / f"{name}-out.pth"
        torch.save(state, source)
        assert main(["convert-weights", "--from", "sitvos-official", str(source), str(out)]) == 2
        assert not out.exists()
        return capsys.readouterr().err

    official = _official_sitvos_layout(official_sitvos)
    extra = {**official, "Memory.cross_atten1.w_v.weight": torch.zeros(128, 128)}
    assert "keys that are not SITVOS's: Memory.cross_atten1.w_v.weight" in convert(extra, "extra")
    missing = {k: v for k, v in official.items() if k != "Memory.layer_norm.bias"}
    said = convert(missing, "missing")
    assert "3 missing" in said and "transformer.cross.norm.bias" in said
    shape = {**official, "W_Q.weight": torch.zeros(128, 1024, 1, 1)}
    assert "misshapen: query_embed.weight (128, 1024, 1, 1)" in convert(shape, "shape")
    resnet101 = {**official, "aspp.conv1.weight": torch.zeros(1)}
    assert "resnet101" in convert(resnet101, "aspp")
    assert "not SITVOS's official weights" in convert(_official_layout_of_stm(), "stm")


def _official_layout_of_stm() -> dict[str, torch.Tensor]:
    torch.manual_seed(1)
    return _official_layout(STM(STMConfig()))
