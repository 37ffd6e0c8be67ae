"""The numeric settings that make a scale's values the same on any x86-64 machine
(vosbench/numerics.py, docs/reproducibility.md), and the narrowed networks the quick scale
trains."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from vosbench.numerics import (
    ISAS,
    Numerics,
    cpu_flags,
    numeric_state,
    opencv_groups_off,
    pin,
    state_matches,
)
from vosbench.reproduce.recipes import load_recipes, scale_numerics
from vosbench.reproduce.spec import SpecError

REPO = Path(__file__).resolve().parent.parent


def test_avx2_caps_every_library_and_fixes_the_threads() -> None:
    env = Numerics(threads=2, isa="avx2").environment()
    assert env["ATEN_CPU_CAPABILITY"] == "avx2"
    assert env["ONEDNN_MAX_CPU_ISA"] == "AVX2"
    # MKL's AVX2 branch gave other products on an Intel CPU than on an AMD one; COMPATIBLE did not
    assert env["MKL_CBWR"] == "COMPATIBLE"
    assert "X86_V4" in env["NPY_DISABLE_CPU_FEATURES"].split()
    assert env["OMP_NUM_THREADS"] == env["MKL_NUM_THREADS"] == "2"
    assert Numerics(2, "avx2").pinned and not Numerics(2).pinned and not Numerics(0, "avx2").pinned
    assert Numerics().environment() == {}


def test_opencv_is_told_to_leave_the_groups_wider_than_avx2_that_the_cpu_has() -> None:
    skx = {"avx2", "avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"}
    assert opencv_groups_off(frozenset({"avx2", "fma"})) == ""  # an AVX2 CPU: nothing to name
    assert opencv_groups_off(frozenset(skx)) == "AVX512-SKX"
    assert opencv_groups_off(frozenset(skx | {"avx512_vnni"})) == "AVX512-SKX,AVX512-CLX"
    assert opencv_groups_off(frozenset({"avx2", "avx_vnni"})) == "AVX_VNNI"


def test_under_the_pins_opencv_runs_no_code_wider_than_avx2() -> None:
    """OpenCV marks a dispatch group it will not use with "?" (absent or turned off); under the
    pins none wider than AVX2 is in use, on this CPU whatever it has."""
    env = {**os.environ, **Numerics(2, "avx2").environment()}
    done = subprocess.run(
        [sys.executable, "-c", "import cv2; print(cv2.getCPUFeaturesLine())"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0 and done.stderr == "", done.stderr  # no warning about a group
    wide = [t for t in done.stdout.split() if "AVX512" in t or "AVX_VNNI" in t]
    assert all(t.endswith("?") for t in wide), done.stdout


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="isa"):
        Numerics(2, "avx512")
    with pytest.raises(ValueError, match="threads"):
        Numerics(-1)


def test_pinning_after_numpy_is_loaded_changes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in Numerics(2, "avx2").environment():
        monkeypatch.delenv(name, raising=False)
    assert not pin(Numerics(2, "avx2"))  # this process has NumPy and torch already
    assert "MKL_CBWR" not in os.environ
    assert pin(Numerics())  # nothing to pin


def test_the_state_in_effect_is_compared_with_what_a_scale_pins() -> None:
    numerics = Numerics(2, "avx2")
    _, onednn, mkl, numpy_off = ISAS["avx2"]
    pinned = {
        "threads": 2,
        "aten_capability": "AVX2",
        "onednn_max_isa": onednn,
        "mkl_cbwr": mkl,
        "numpy_disabled": numpy_off,
        "opencv_disabled": opencv_groups_off(cpu_flags()),
        "onednn": False,
    }
    assert state_matches(numerics, pinned)
    assert not state_matches(numerics, {k: v for k, v in pinned.items() if k != "onednn"})
    assert not state_matches(numerics, {**pinned, "threads": 1})
    assert not state_matches(numerics, {**pinned, "aten_capability": "AVX512"})
    assert not state_matches(numerics, {**pinned, "mkl_cbwr": "AVX2"})
    # OpenCV's cap depends on the computing CPU: checked against flags given, not a recorded row's
    skx = frozenset({"avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"})
    assert state_matches(numerics, {**pinned, "opencv_disabled": "AVX512-SKX"}, skx)
    assert not state_matches(numerics, {**pinned, "opencv_disabled": ""}, skx)
    assert state_matches(numerics, {**pinned, "opencv_disabled": ""})  # an AVX2 machine's row
    state = numeric_state()
    assert state["threads"] == torch.get_num_threads() and state["torch"] == torch.__version__


def test_the_command_pins_before_numpy_and_torch_are_loaded(tmp_path: Path) -> None:
    """`vosbench reproduce` reads the scale's settings without loading NumPy or torch, which read
    theirs once: an import added to that path would leave them unpinned."""
    script = (
        "import os, sys\n"
        "from vosbench.cli import _pin_numerics\n"
        "_pin_numerics(['reproduce'])\n"
        "print(json.dumps({'numpy': 'numpy' in sys.modules, 'torch': 'torch' in sys.modules,"
        " 'env': {k: os.environ.get(k) for k in ('MKL_CBWR', 'ATEN_CPU_CAPABILITY', 'OMP_NUM_THREADS')}}))\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in Numerics(2, "avx2").environment()}
    done = subprocess.run(
        [sys.executable, "-c", "import json\n" + script], cwd=REPO, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert seen["numpy"] is False and seen["torch"] is False
    quick = load_recipes(REPO / "reports" / "experiments" / "recipes.toml").scale("quick")
    assert quick is not None
    expected = quick.numerics.environment()
    assert seen["env"] == {k: expected[k] for k in seen["env"]}


def test_scale_numerics_are_read_and_checked(tmp_path: Path) -> None:
    recipes = tmp_path / "recipes.toml"
    recipes.write_text('[main]\nstages = ["main"]\n[scales.q]\nthreads = 3\nisa = "avx2"\n')
    assert scale_numerics(recipes, "q") == Numerics(3, "avx2")
    assert scale_numerics(recipes, "paper") == Numerics()
    assert load_recipes(recipes).scale("q").numerics == Numerics(3, "avx2")
    recipes.write_text('[main]\nstages = ["main"]\n[scales.q]\nisa = "neon"\n')
    with pytest.raises(SpecError, match=r"recipes.toml: scales.q.isa: expected one of avx2"):
        load_recipes(recipes)


def test_a_pinned_scale_keys_its_steps_by_its_settings(tmp_path: Path) -> None:
    """A step computed under other numeric settings is never taken from the cache."""
    from vosbench.reproduce.data import DataSources
    from vosbench.reproduce.execute import Context

    recipes = load_recipes(REPO / "reports" / "experiments" / "recipes.toml")
    sources = DataSources("demo", "demo", {})
    pinned = Context(tmp_path, sources, recipes, recipes.scale("quick"))
    # a pinned scale's convolutions are not oneDNN's, and its keys say so
    assert pinned.keyed_numerics() == {"numerics": {"threads": 2, "isa": "avx2", "onednn": False}}
    small = Context(tmp_path, sources, recipes, recipes.scale("small")).keyed_numerics()
    assert small == {"numerics": {"threads": 2, "isa": "avx2", "onednn": False}}  # small pins too
    assert Context(tmp_path, sources, recipes, recipes.scale("paper")).keyed_numerics() == {}  # a GPU's


@pytest.mark.parametrize("architecture", ["sitvos", "stm"])
def test_a_narrowed_network_is_narrow_and_its_checkpoint_loads_back(
    tmp_path: Path, architecture: str
) -> None:
    from memnet.weights import load_model
    from vosbench.checkpoints import save_checkpoint

    torch.manual_seed(0)
    model = load_model(init="random", architecture=architecture, backbone="mobilenetv2", width=0.25)
    assert model.config.decoder_channels == 64
    assert model.decoder.conv.out_channels == 64
    if architecture == "sitvos":
        assert model.config.channels == 64
    else:
        assert (model.config.key_channels, model.config.value_channels) == (32, 128)
    path = tmp_path / "narrow.pth"
    save_checkpoint(path, model, model.config, {}, architecture)
    loaded = load_model(architecture, path)
    assert loaded.config == model.config
    for (name, a), b in zip(model.state_dict().items(), loaded.state_dict().values(), strict=True):
        assert torch.equal(a, b), name


def test_loading_a_checkpoint_leaves_torch_init_as_it_was(tmp_path: Path) -> None:
    """Networks built to receive a checkpoint skip random initialisation; torch's own init
    functions are restored afterwards, also when building fails."""
    from vosbench.checkpoints import _initialisation_skipped

    before = torch.nn.init.kaiming_normal_
    with pytest.raises(RuntimeError), _initialisation_skipped():
        assert torch.nn.init.kaiming_normal_ is not before
        raise RuntimeError
    assert torch.nn.init.kaiming_normal_ is before
    weight = torch.nn.Linear(4, 4).weight
    assert weight.abs().sum() > 0  # drawn as usual again


def test_cuda_fp32_computes_without_tf32_and_restores_the_settings() -> None:
    """fp32 on an Ampere or later GPU is TF32 for cuDNN's convolutions unless turned off; the
    flags are the backends' own, so this runs without a GPU."""
    from vosbench.system.devices import exact_fp32

    conv, matmul = torch.backends.cudnn.conv, torch.backends.cuda.matmul
    before = (conv.fp32_precision, matmul.fp32_precision)
    with exact_fp32("cuda:0"):
        assert (conv.fp32_precision, matmul.fp32_precision) == ("ieee", "ieee")
    assert (conv.fp32_precision, matmul.fp32_precision) == before
    with exact_fp32("cpu"):
        assert (conv.fp32_precision, matmul.fp32_precision) == before


# torch's float kernels that take MKL's vector maths (VML) for long tensors: their bits differ
# between an Intel and an AMD CPU under every MKL_CBWR branch (measured on torch 2.14.1 between
# the Intel Xeon and QEMU's emulated EPYC-Rome; benchmarks/probe_kernels.py, docs/reproducibility.md)
VENDOR_DEPENDENT_OPS = {
    "aten::sqrt", "aten::_foreach_sqrt", "aten::acos", "aten::asin", "aten::atan", "aten::log10"
}  # fmt: skip


@pytest.mark.parametrize("network", ["sitvos", "stm"])
def test_training_takes_no_kernel_whose_bits_follow_the_cpu_vendor(network: str, tmp_path: Path) -> None:
    """Two training iterations (forward, loss, backward, Adam) call none of the vendor-dependent
    kernels: the for-each Adam's square roots were one, and made the trained quick rows differ
    between the two machine kinds."""
    from sitvos.training.config import SITVOSTrainConfig
    from vosbench.demo_data.coco import write_coco_demo
    from vosbench.sampling import ClipOptions, CocoClips
    from vosbench.training.trainer import train

    coco = write_coco_demo(tmp_path / "coco")
    clips = CocoClips(coco, coco / "annotations" / "instances_train2017.json", ClipOptions(size=64), seed=0)
    config = SITVOSTrainConfig(
        stage="pretrain", model=network, iterations=2, batch_size=2, size=64, workers=0,
        backbone="mobilenetv2", backbone_init="random", width=0.25, precision="fp32",
        checkpoint_every=2, log_every=1,
    )  # fmt: skip
    with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as profile:
        train(config, clips, tmp_path / "run", progress=False)
    called = {event.key for event in profile.key_averages()}
    assert not called & VENDOR_DEPENDENT_OPS, sorted(called & VENDOR_DEPENDENT_OPS)
    assert "aten::_fused_adam_" in called  # the profile saw the optimizer step


@pytest.mark.parametrize("network", ["sitvos", "stm"])
def test_inference_takes_no_kernel_whose_bits_follow_the_cpu_vendor(network: str) -> None:
    """A few frames of SITVOS's and STM's inference (encoding, memory, decoding, aggregation)
    call none of the vendor-dependent kernels either: the runs' masks are the same on both
    machine kinds when the weights are."""
    import numpy as np

    from vosbench.methods import GivenMasks, VideoInfo, create_method

    method = create_method(network, {"init": "random", "size": "64"}, device="cpu")
    labels = np.zeros((64, 112), np.uint8)
    labels[10:30, 10:40], labels[35:60, 50:90] = 1, 2
    frames = [np.random.default_rng(t).integers(0, 255, (64, 112, 3), dtype=np.uint8) for t in range(4)]
    with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as profile:
        method.start_video(VideoInfo("video", (64, 112), len(frames), (1, 2)))
        for t, frame in enumerate(frames):
            method.step(frame, GivenMasks(labels, (1, 2)) if t == 0 else None)
    called = {event.key for event in profile.key_averages()}
    assert not called & VENDOR_DEPENDENT_OPS, sorted(called & VENDOR_DEPENDENT_OPS)
    assert "aten::convolution" in called  # the profile saw the network


def test_pinned_scales_compute_convolutions_without_onednn() -> None:
    """oneDNN picks convolution kernels by processor even under its ISA cap; a pinned scale
    computes without it, records so, and a state computed with it does not match the pins."""
    from vosbench.system.devices import without_onednn

    before = torch.backends.mkldnn.enabled
    with without_onednn(True):
        assert not torch.backends.mkldnn.enabled
        state = numeric_state()
    assert torch.backends.mkldnn.enabled == before
    with without_onednn(False):
        assert torch.backends.mkldnn.enabled == before
    assert state["onednn"] is False
    pins = Numerics(threads=torch.get_num_threads(), isa="avx2")
    matching = {**state, "aten_capability": "avx2", "onednn_max_isa": "AVX2", "mkl_cbwr": "COMPATIBLE"}
    matching["numpy_disabled"] = ISAS["avx2"][3]
    assert state_matches(pins, matching)
    assert not state_matches(pins, {**matching, "onednn": True})
