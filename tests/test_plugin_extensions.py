"""The example plugin extends vosbench beyond methods: a dataset and a trainable network,
installed as a user would, are found by every command, trained, run, scored and tabled."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from builders import ellipse_masks

from vosbench.io.images import write_image
from vosbench.io.masks import write_mask

REPO = Path(__file__).resolve().parent.parent
PLUGIN = REPO / "examples" / "vosbench-example-plugin"


@pytest.fixture(scope="module")
def plugin_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The example plugin pip-installed into its own folder, on PYTHONPATH."""
    base = tmp_path_factory.mktemp("plugin")
    source = base / "plugin"  # a copy: building writes build/ and egg-info next to the sources
    shutil.copytree(PLUGIN, source, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    install = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation"]
    done = subprocess.run(
        [*install, "--target", str(base / "site"), str(source)], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return {**os.environ, "PYTHONPATH": str(base / "site")}


def vosbench(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "vosbench", *args], env=env, capture_output=True, text=True, timeout=600
    )


def write_example_bench(root: Path, splits: dict[str, dict[str, list[np.ndarray]]]) -> Path:
    """An example-bench root: videos/, masks/ and splits/<split>.txt (frames textured, so a
    network has colour to follow)."""
    rng = np.random.default_rng(0)
    for split, sequences in splits.items():
        for name, masks in sequences.items():
            for t, mask in enumerate(masks):
                write_mask(root / "masks" / name / f"{t:05d}.png", mask)
                image = rng.integers(0, 60, (*mask.shape, 3)).astype(np.uint8)
                image[mask > 0] += (150 + 40 * mask[mask > 0, None]).astype(np.uint8)
                write_image(root / "videos" / name / f"{t:05d}.jpg", image)
        (root / "splits").mkdir(parents=True, exist_ok=True)
        (root / "splits" / f"{split}.txt").write_text("\n".join(sequences) + "\n")
    return root


def test_plugin_dataset_and_network_are_listed(plugin_env: dict[str, str]) -> None:
    datasets = vosbench(plugin_env, "datasets")
    assert datasets.returncode == 0, datasets.stderr
    assert "example-bench: example plugin" in datasets.stdout
    assert "davis2017" in datasets.stdout  # vosbench's own register the same way
    networks = vosbench(plugin_env, "networks")
    assert networks.returncode == 0, networks.stderr
    assert "tiny-propagator: example plugin" in networks.stdout
    assert "sitvos" in networks.stdout and "stm" in networks.stdout


def test_plugin_dataset_is_run_and_scored_by_name(plugin_env: dict[str, str], tmp_path: Path) -> None:
    root = write_example_bench(tmp_path / "bench", {"val": {"a": ellipse_masks(5, (40, 60), 2, seed=1)}})
    out = tmp_path / "out"
    ran = vosbench(plugin_env, "run", "--method", "first-frame-copy", "--dataset", "example-bench")
    assert ran.returncode == 2 and "--root" in ran.stderr  # the dataset is a valid choice
    ran = vosbench(
        plugin_env, "run", "--method", "first-frame-copy", "--dataset", "example-bench",
        "--root", str(root), "--out", str(out), "--quiet",
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr[-2000:]
    run = json.loads((out / "run.json").read_text())
    assert run["dataset"] == "example-bench" and run["split"] == "val"  # its own default split
    evaluated = vosbench(
        plugin_env, "evaluate", "--dataset", "example-bench", "--root", str(root),
        "--results", str(out), "--out", str(tmp_path / "scores"), "--quiet",
    )  # fmt: skip
    assert evaluated.returncode == 0, evaluated.stderr[-2000:]
    scores = json.loads((tmp_path / "scores" / "results.json").read_text())
    # scored with the DAVIS rules: frames 1..3 of 5, both objects; the run scored the same
    assert scores["global"] == pytest.approx(run["scores"])
    objects = scores["sequences"]["a"]
    assert sorted(objects) == ["1", "2"]
    assert all(o["frames"] == ["00001", "00002", "00003"] for o in objects.values())
    # a bad root names the file it expected
    bad = vosbench(
        plugin_env, "run", "--method", "first-frame-copy", "--dataset", "example-bench",
        "--root", str(tmp_path), "--out", str(tmp_path / "x"),
    )  # fmt: skip
    assert bad.returncode == 2 and "splits/val.txt" in bad.stderr


def test_plugin_protocol_is_listed_and_scores_its_dataset(plugin_env: dict[str, str], tmp_path: Path) -> None:
    listed = vosbench(plugin_env, "protocols")
    assert listed.returncode == 0, listed.stderr
    assert "example-iou: example plugin" in listed.stdout and "davis:" in listed.stdout
    masks = ellipse_masks(5, (40, 60), 2, seed=1)
    root = write_example_bench(tmp_path / "bench", {"val": {"a": masks}})
    results = tmp_path / "results"
    for t, mask in enumerate(masks):
        write_mask(results / "a" / f"{t:05d}.png", np.roll(mask, 1, axis=1))
    evaluated = vosbench(
        plugin_env, "evaluate", "--dataset", "example-bench-iou", "--root", str(root),
        "--results", str(results), "--out", str(tmp_path / "scores"), "--quiet",
    )  # fmt: skip
    assert evaluated.returncode == 0, evaluated.stderr[-2000:]
    header = (tmp_path / "scores" / "global_results-val.csv").read_text().splitlines()[0]
    assert header == "J-Mean,J-Recall"  # the protocol's columns
    scores = json.loads((tmp_path / "scores" / "results.json").read_text())
    assert scores["protocol"] == "example-iou"
    # every frame after the first, the last included (DAVIS's rules would stop at 00003)
    assert all(o["frames"] == ["00001", "00002", "00003", "00004"] for o in scores["sequences"]["a"].values())


def test_plugin_network_trains_runs_and_fills_a_table(plugin_env: dict[str, str], tmp_path: Path) -> None:
    sequences = {f"v{i}": ellipse_masks(6, (48, 64), 1 + i % 2, seed=i) for i in range(3)}
    root = write_example_bench(tmp_path / "bench", {"train": sequences, "val": {"w": sequences["v0"]}})
    out = tmp_path / "train"
    trained = vosbench(
        plugin_env, "train", "--model", "tiny-propagator", "--stage", "main", "--davis-root", str(root),
        "--davis-dataset", "example-bench", "--iterations", "3", "--batch-size", "2", "--size", "48",
        "--frames", "2", "--workers", "0", "--lr", "1e-3", "--set", "clip_grad=5", "--log-every", "1",
        "--out", str(out), "--quiet",
    )  # fmt: skip
    assert trained.returncode == 0, trained.stderr[-2000:]
    config = json.loads((out / "config.json").read_text())
    assert config["model"] == "tiny-propagator" and config["clip_grad"] == 5.0
    assert "backbone" not in config  # the memory networks' settings are theirs only
    rows = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert [r["iteration"] for r in rows] == [1, 2, 3] and all(np.isfinite(r["loss"]) for r in rows)
    # a memory network's flag is refused for a network without that setting
    refused = vosbench(
        plugin_env, "train", "--model", "tiny-propagator", "--stage", "main", "--davis-root", str(root),
        "--davis-dataset", "example-bench", "--backbone", "mobilenetv2", "--out", str(tmp_path / "no"),
    )  # fmt: skip
    assert refused.returncode == 2 and "backbone" in refused.stderr
    # training on the dataset's evaluation split is refused, by its spec
    refused = vosbench(
        plugin_env, "train", "--model", "tiny-propagator", "--stage", "main", "--davis-root", str(root),
        "--davis-dataset", "example-bench", "--davis-split", "val", "--out", str(tmp_path / "no"),
    )  # fmt: skip
    assert refused.returncode == 2 and "evaluation split" in refused.stderr

    ran = vosbench(
        plugin_env, "run", "--method", "tiny-propagator", "--set", f"checkpoint={out / 'last.pth'}",
        "--dataset", "example-bench", "--root", str(root), "--out", str(tmp_path / "run"), "--quiet",
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr[-2000:]
    run = json.loads((tmp_path / "run" / "run.json").read_text())
    assert 0.0 <= run["scores"]["J&F-Mean"] <= 1.0

    # a reproduce table with a row for the plugin network, trained by its recipe
    experiments = tmp_path / "experiments"
    experiments.mkdir()
    (experiments / "recipes.toml").write_text(
        '[tiny]\nstages = ["main"]\n'
        'train = { model = "tiny-propagator", iterations = 2, size = 32, batch_size = 1, frames = 2, '
        "workers = 0 }\n\n"
        '[scales.quick]\ntrain = { backbone_init = "random" }\ndemo = { frames = 6, size = [64, 96] }\n'
    )
    (experiments / "paper.csv").write_text("method,davis2017_jf\nSITVOS,83.5\n")
    (experiments / "tableT.toml").write_text(
        'title = "Table T"\npaper = "paper.csv"\npaper_key = "method"\ncolumns = ["davis2017_jf"]\n\n'
        '[[rows]]\nlabel = "Tiny propagator"\nmethod = "tiny-propagator"\nrecipe = "tiny"\n'
    )
    reports = tmp_path / "reports"
    made = vosbench(
        plugin_env, "reproduce", "tableT", "--experiments", str(experiments), "--reports", str(reports),
        "--work", str(tmp_path / "work"), "--quick", "--quiet",
    )  # fmt: skip
    assert made.returncode == 0, made.stderr[-2000:]
    with (reports / "tables" / "tableT.csv").open() as f:
        table = list(csv.DictReader(f))
    row = next(r for r in table if r["method"] == "Tiny propagator" and r["source"] != "paper")
    assert 0.0 <= float(row["davis2017_jf"]) <= 100.0
    trained_stage = next(p for p in (tmp_path / "work" / "train").iterdir() if p.is_dir())  # not its .lock
    assert json.loads((trained_stage / "config.json").read_text())["model"] == "tiny-propagator"
