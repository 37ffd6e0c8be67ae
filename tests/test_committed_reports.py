"""The committed reports are what the committed code computes.

The README promises that the main job (`vosbench reproduce`: quick mode, demo data)
reproduces the committed J&F values. Rerunning all of it takes minutes, so this reruns two
rows of it through the same pipeline and compares them with `reports/measured/*/demo-quick.json`:
a trained SITVOS row (data generation, training, inference, scoring) and a baseline row.
A change to any of those that moves a number fails here until the reports are regenerated
(`vosbench reproduce --rerun`) and committed with it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vosbench.devices import torch_threads
from vosbench.reproduce.data import scaled_demo
from vosbench.reproduce.execute import Context, run_row
from vosbench.reproduce.spec import load_recipes, load_spec

REPO = Path(__file__).resolve().parent.parent
EXPERIMENTS = REPO / "reports" / "experiments"
REGENERATE = "stale reports: regenerate them with `vosbench reproduce --rerun` and commit reports/"


@pytest.mark.parametrize(
    ("table", "label"), [("table3", "Main training only"), ("table1", "First-frame copy")]
)
def test_committed_demo_rows_are_what_the_code_computes(tmp_path: Path, table: str, label: str) -> None:
    recipes = load_recipes(EXPERIMENTS / "recipes.toml")
    spec = load_spec(EXPERIMENTS / f"{table}.toml", recipes)
    row = next(r for r in spec.rows if r.label == label)
    committed = json.loads((REPO / "reports" / "measured" / table / "demo-quick.json").read_text())
    expected = next(r for r in committed["rows"] if r["label"] == label)
    assert recipes.quick is not None and recipes.quick.threads == 2  # as `reproduce --quick` computes
    with torch_threads(recipes.quick.threads):
        ctx = Context(tmp_path, scaled_demo(tmp_path, recipes.quick), recipes, recipes.quick, progress=False)
        records = {d: run_row(row, d, ctx) for d in ("davis2016", "davis2017")}
    for dataset, record in records.items():
        assert record.scores["J&F-Mean"] == pytest.approx(expected["values"][f"{dataset}_jf"], abs=1e-9), (
            f"{table} {label!r} on demo {dataset}: {REGENERATE}"
        )
        assert record.per_object == pytest.approx(expected["per_object"][dataset], abs=1e-9), REGENERATE
