"""The example plugin under examples/, installed as a user would, is found and runs."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from builders import ellipse_masks, write_davis2017

REPO = Path(__file__).resolve().parent.parent
PLUGIN = REPO / "examples" / "vosbench-example-plugin"


def test_installed_example_plugin_is_listed_and_runs(tmp_path: Path) -> None:
    target = tmp_path / "site"
    source = tmp_path / "plugin"  # a copy: building writes build/ and egg-info next to the sources
    shutil.copytree(PLUGIN, source, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    install = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation"]
    done = subprocess.run(
        [*install, "--target", str(target), str(source)], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    env = {**os.environ, "PYTHONPATH": str(target)}
    vosbench = [sys.executable, "-m", "vosbench"]
    listed = subprocess.run([*vosbench, "methods"], env=env, capture_output=True, text=True, timeout=120)
    assert listed.returncode == 0, listed.stderr
    assert "colour-band: example plugin" in listed.stdout
    assert "band (int, default 15)" in listed.stdout

    root = write_davis2017(tmp_path / "DAVIS", {"s": ellipse_masks(5, (40, 60), 2, seed=4)})
    out = tmp_path / "out"
    run = [*vosbench, "run", "--method", "colour-band", "--set", "band=8", "--dataset", "davis2017"]
    ran = subprocess.run(
        [*run, "--root", str(root), "--out", str(out), "--quiet"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert ran.returncode == 0, ran.stderr[-2000:]
    record = json.loads((out / "run.json").read_text())
    assert record["method"] == "colour-band" and record["options"] == {"band": 8}
    assert len(list((out / "s").glob("*.png"))) == 5
