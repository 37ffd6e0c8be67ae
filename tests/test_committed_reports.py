"""The committed reports are what the committed code computes.

The README promises that the main job (`vosbench reproduce`: quick mode, demo data)
reproduces the committed J&F values. Rerunning all of it takes minutes, so this reruns two
rows of it through the same pipeline and compares them with `reports/measured/*/demo-quick.json`:
a trained SITVOS row (data generation, training, inference, scoring) and a baseline row.
A change to any of those that moves a number fails here until the reports are regenerated
(`vosbench reproduce --rerun`) and committed with it.

The small-scale rows on the real DAVIS 2016 val take CPU hours to recompute, so for them this
checks what can be checked in seconds: the committed masks score as their row says, and the
README states the paper's orderings as the regenerated tables do.
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


SMALL_MASKS = REPO / "reports" / "results" / "davis2016-small-davis2016-sitvos"
SMALL_SOURCE = "davis2016, small-scale, MobileNetV2"  # the small-scale rows' marker in the tables


def test_committed_small_scale_masks_score_as_their_table_row(davis2016_root: Path) -> None:
    """The kept masks of the small-scale SITVOS run give, on the real DAVIS 2016 val, the
    per-object J&F its Table 1 row records (three sequences, to keep the test short)."""
    from vosbench.evaluation import evaluate

    committed = json.loads((REPO / "reports" / "measured" / "table1" / "davis2016-small.json").read_text())
    row = next(r for r in committed["rows"] if r["label"] == "SITVOS")
    expected = row["per_object"]["davis2016"]
    sequences = sorted({key.rsplit("_", 1)[0] for key in expected})[:3]
    result = evaluate(
        "davis2016", davis2016_root, SMALL_MASKS, split="val", sequences=sequences, workers=1, progress=False
    )
    scored = {o.key: o.jf for o in result.objects}
    assert len(scored) == len(sequences)
    assert scored == pytest.approx({k: expected[k] for k in scored}, abs=1e-12), REGENERATE
    source = json.loads((SMALL_MASKS / "source.json").read_text())
    assert source["scores"]["davis2016_jf"] == row["values"]["davis2016_jf"]


def _ordering_cells(table_md: str, source: str) -> dict[str, str]:
    """ordering -> the verdict cell of ``source`` in a table's "The paper's orderings" section."""
    lines = table_md.split("## The paper's orderings", 1)[1].splitlines()
    header = next(line for line in lines if line.startswith("| ordering |"))
    column = [cell.strip() for cell in header.strip("|").split("|")].index(f"`{source}`")
    cells = {}
    for line in lines:
        parts = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("| ") and not line.startswith("| ordering |") and len(parts) > column:
            cells[parts[0]] = parts[column]
    return cells


@pytest.mark.parametrize("table", ["table3", "table4"])
def test_readme_states_the_small_scale_orderings_as_the_tables_do(table: str) -> None:
    """The README's statement of which paper orderings hold at small scale is the tables' own
    verdicts, so a regenerated table that changes one fails here until the README follows."""
    cells = _ordering_cells((REPO / "reports" / "tables" / f"{table}.md").read_text(), SMALL_SOURCE)
    readme = (REPO / "README.md").read_text()
    assert len(cells) == 4
    for ordering, verdict in cells.items():
        assert f"- {ordering}: {verdict}" in readme, (table, ordering, verdict)
