"""Datasets and trainable networks register like methods; the core never imports its plugins."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from builders import ellipse_masks, write_davis2017

from vosbench.cli import main
from vosbench.datasets import DatasetSpec, dataset_names, dataset_spec, load_videos, register_dataset
from vosbench.datasets.davis import load_davis
from vosbench.datasets.spec import DATASETS
from vosbench.errors import VosbenchError
from vosbench.evaluation.protocols import protocol_spec
from vosbench.runner.run import RunOptions, has_ground_truth, run_method
from vosbench.training import TrainConfig, network_names, network_spec
from vosbench.training.data import training_clips

REPO = Path(__file__).resolve().parent.parent
IMPORT = re.compile(r"^\s*(?:from|import)\s+(\w+)", re.MULTILINE)


def _imported_packages(folder: Path) -> dict[str, set[str]]:
    return {str(p.relative_to(REPO)): set(IMPORT.findall(p.read_text())) for p in folder.rglob("*.py")}


# Imports flow one way: the harness knows no plugin, the memory-network kit knows no network,
# and a network package (SITVOS, STM) knows no other.
LAYERS = {
    "vosbench": {"memnet", "sitvos", "baselines"},
    "memnet": {"sitvos", "baselines"},
    "sitvos": {"baselines"},
    "baselines": {"sitvos"},
}


@pytest.mark.parametrize("package", sorted(LAYERS))
def test_imports_flow_one_way(package: str) -> None:
    wrong = {
        f: sorted(names & LAYERS[package])
        for f, names in _imported_packages(REPO / package).items()
        if names & LAYERS[package]
    }
    assert not wrong, f"{package} must not import these: {wrong}"


def test_core_loads_no_plugin_until_one_is_asked_for() -> None:
    # the command, the trainer and reproduce load no plugin until one is asked for
    code = (
        "import sys, vosbench.cli, vosbench.training.trainer, vosbench.reproduce.execute, "
        "vosbench.evaluation, vosbench.submission\n"
        "from vosbench.datasets import dataset_names, dataset_spec\n"
        "[dataset_spec(n) for n in dataset_names()]\n"
        "loaded = sorted({m.split('.')[0] for m in sys.modules} & {'memnet', 'sitvos', 'baselines'})\n"
        "print(','.join(loaded))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""
    # building the command line (every command does, `--help` too) lists the registries
    # without importing torch: start-up stays a fraction of a second
    code = "import sys, vosbench.cli\nvosbench.cli.build_parser()\nprint('torch' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


def test_bundled_datasets_and_networks_register_through_entry_points() -> None:
    assert {"davis2016", "davis2017", "youtube2018", "youtube2019", "folder"} <= set(dataset_names())
    for name in dataset_names():
        spec = dataset_spec(name)
        assert spec.name == name
        assert not spec.splits or spec.default_split in spec.splits
        assert set(spec.scored_splits) <= set(spec.splits)
    assert {"sitvos", "stm"} <= set(network_names())
    for name in ("sitvos", "stm"):
        spec = network_spec(name)
        assert spec.name == spec.method == name
        assert issubclass(spec.train_config, TrainConfig)


def test_unknown_names_list_the_registered_ones() -> None:
    with pytest.raises(VosbenchError, match=r"unknown dataset 'lasot'; available: .*davis2017"):
        load_videos("lasot", "/nowhere")
    with pytest.raises(VosbenchError, match=r"unknown protocol 'hota'; available: davis, lvos, .*youtube"):
        protocol_spec("hota")
    with pytest.raises(VosbenchError, match=r"unknown network 'aot'; available: .*sitvos"):
        network_spec("aot")


@pytest.fixture
def mini_dataset():
    """A dataset registered in this process only: DAVIS 2017's layout under another name,
    with val as its evaluation split."""
    spec = DatasetSpec(
        name="mini-bench",
        description="a test's own benchmark",
        load=lambda root, split, resolution: load_davis(root, 2017, split, resolution),
        default_split="val",
        splits=("train", "val"),
        scored_splits=("val",),
        evaluation_splits=("val",),
        protocol="davis",
    )
    register_dataset(spec)
    yield spec
    DATASETS.unregister(spec.name)


def test_a_registered_dataset_is_run_scored_listed_and_never_trained_on(
    mini_dataset: DatasetSpec, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    root = write_davis2017(tmp_path / "mini", {"s": ellipse_masks(5, (32, 48), 2, seed=3)})
    assert has_ground_truth("mini-bench", "val") and not has_ground_truth("mini-bench", "train")
    outcome = run_method(
        "first-frame-copy", {}, RunOptions(dataset="mini-bench", root=root, out=tmp_path / "o")
    )
    assert outcome is not None and outcome.result is not None  # scored by its spec's protocol
    assert outcome.result.split == "val"  # its own default split
    assert main(["datasets"]) == 0
    assert "mini-bench: a test's own benchmark" in capsys.readouterr().out
    with pytest.raises(VosbenchError, match="mini-bench val is an evaluation split"):
        training_clips(TrainConfig(size=32), davis_root=root, davis_dataset="mini-bench", davis_split="val")


def test_listing_commands_name_every_registered_entry(capsys: pytest.CaptureFixture) -> None:
    assert main(["networks"]) == 0
    out = capsys.readouterr().out
    assert "sitvos: SITVOS" in out and "stm: STM" in out
    assert "fim (bool, default True)" in out  # the network's own settings, beyond the common ones
    assert "iterations" not in out
    assert main(["datasets"]) == 0
    out = capsys.readouterr().out
    assert "submit: Annotations/<video>/<frame>.png, default split valid" in out
    assert "davis2017: DAVIS 2017" in out and "default split test-dev" in out


def _bad_plugins(site: Path) -> dict[str, str]:
    """A package on the path whose method fails to import, and another that registers a
    dataset under a name vosbench already has: the environment of a user with both."""
    info = site / "brokenplug-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: brokenplug\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(
        "[vosbench.methods]\nbroken = brokenplug:Method\n\n[vosbench.datasets]\ndavis2016 = brokenplug:SPEC\n"
    )
    (site / "brokenplug.py").write_text("raise ImportError('needs a library that is not installed')\n")
    return {**__import__("os").environ, "PYTHONPATH": str(site)}


def _vosbench(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "vosbench", *args], capture_output=True, text=True, env=env)


def test_a_broken_plugin_fails_only_when_used_and_a_duplicate_name_is_refused(tmp_path: Path) -> None:
    env = _bad_plugins(tmp_path / "site")
    assert _vosbench(["--help"], env).returncode == 0
    assert _vosbench(["run", "--help"], env).returncode == 0
    listed = _vosbench(["methods"], env)
    assert listed.returncode == 0
    assert "flow-propagation:" in listed.stdout  # the other methods are still there
    assert "(not loaded) method 'broken' of brokenplug: its entry point brokenplug:Method failed to load" in (
        listed.stdout
    )
    assert "ImportError: needs a library that is not installed" in listed.stdout
    root = write_davis2017(tmp_path / "davis", {"a": ellipse_masks(3, (32, 48), 1, 0)})
    out = tmp_path / "x"
    used = _vosbench(
        ["run", "--method", "broken", "--dataset", "davis2017", "--root", str(root), "--out", str(out)], env
    )
    assert used.returncode == 2 and not out.exists()
    assert len(used.stderr.strip().splitlines()) == 1 and "failed to load" in used.stderr
    twice = _vosbench(["evaluate", "--dataset", "davis2016", "--root", ".", "--results", "."], env)
    assert twice.returncode == 2
    assert "dataset 'davis2016' is registered twice, by vosbench (" in twice.stderr
    assert "and brokenplug (brokenplug:SPEC)" in twice.stderr
    # a name declared once still works beside them
    assert _vosbench(["datasets"], env).returncode == 0


def test_load_network_gives_any_checkpoints_network(tmp_path: Path) -> None:
    from builders import checkpoint_round_trip

    from vosbench.networks import load_network

    for name in ("sitvos", "stm"):
        path = checkpoint_round_trip(name, tmp_path, backbone="mobilenetv2")
        model = load_network(path)
        assert model.architecture == name and not model.training
