"""The committed reports are what the committed code computes.

The README promises that the main job (`vosbench reproduce`: quick mode, demo data)
reproduces the committed J&F values on any machine. Rerunning all of it takes minutes, so this
reruns two rows of it through the same command and compares them with
`reports/measured/*/demo-quick.json`: a trained SITVOS row (data generation, training,
inference, scoring) and a baseline row. A change to any of those that moves a number fails
here until the reports are regenerated (`vosbench reproduce --rerun`) and committed with it.

The rows are computed by `vosbench reproduce` in a new process, as a user's command computes
them: the numeric settings it pins (:mod:`vosbench.numerics`) are read by each library once,
when it first computes, so a pytest process that has computed already could not pin them, and
what earlier tests did would decide the verdict. A new process gives the same verdict alone,
in the suite and under ``-n 2``.

The small-scale rows on the real DAVIS 2016 val take CPU hours to recompute, so for them this
checks what can be checked in seconds: the committed masks score as their row says, and the
manual (docs/reproduce.md) states the paper's orderings as the regenerated tables do.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
EXPERIMENTS = REPO / "reports" / "experiments"
REGENERATE = "stale reports: regenerate them with `vosbench reproduce --rerun` and commit reports/"
GUARDED = {"table3": "Main training only", "table1": "First-frame copy"}


def _one_row_spec(table: str, label: str, folder: Path) -> Path:
    """``folder/<table>.toml``: the committed spec of ``table`` with only the row ``label``, its
    paper file named by absolute path (the copy lies elsewhere)."""
    import tomllib

    spec = tomllib.loads((EXPERIMENTS / f"{table}.toml").read_text())
    rows = [r for r in spec["rows"] if r["label"] == label]
    assert rows, f"{table} has no row {label!r}"
    lines = [
        f"title = {json.dumps(spec['title'])}",
        f"paper = {json.dumps(str((EXPERIMENTS / spec['paper']).resolve()))}",
        f"paper_key = {json.dumps(spec['paper_key'])}",
        f"columns = {json.dumps(spec['columns'])}",
        f"fps_dataset = {json.dumps(spec['fps_dataset'])}",
        "[[rows]]",
        *(f"{k} = {_toml(v)}" for k, v in rows[0].items()),
    ]
    path = folder / f"{table}.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def _toml(value: object) -> str:
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + " }"
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value)


@pytest.fixture(scope="module")
def recomputed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The reports folder of one `vosbench reproduce` process that computed the guarded rows."""
    root = tmp_path_factory.mktemp("committed")
    experiments = root / "experiments"
    experiments.mkdir()
    shutil.copy(EXPERIMENTS / "recipes.toml", experiments / "recipes.toml")
    specs = [str(_one_row_spec(table, label, experiments)) for table, label in GUARDED.items()]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    command = [sys.executable, "-m", "vosbench", "reproduce", *specs, "--quiet"]
    command += [
        "--experiments",
        str(experiments),
        "--reports",
        str(root / "reports"),
        "--work",
        str(root / "work"),
    ]
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return root / "reports"


@pytest.mark.parametrize(("table", "label"), list(GUARDED.items()))
def test_committed_demo_rows_are_what_the_code_computes(recomputed: Path, table: str, label: str) -> None:
    committed = json.loads((REPO / "reports" / "measured" / table / "demo-quick.json").read_text())
    expected = next(r for r in committed["rows"] if r["label"] == label)
    computed = json.loads((recomputed / "measured" / table / "demo-quick.json").read_text())
    (row,) = computed["rows"]
    for dataset in ("davis2016", "davis2017"):
        assert row["values"][f"{dataset}_jf"] == pytest.approx(
            expected["values"][f"{dataset}_jf"], abs=1e-9
        ), f"{table} {label!r} on demo {dataset}: {REGENERATE}"
        assert row["per_object"][dataset] == pytest.approx(expected["per_object"][dataset], abs=1e-9), (
            REGENERATE
        )


def test_committed_demo_rows_record_the_pinned_numerics(recomputed: Path) -> None:
    """Every committed quick row names the numeric settings it was computed under, and they are
    the ones the quick scale pins (what makes the rows the same on any x86-64 machine)."""
    from vosbench.numerics import state_matches
    from vosbench.reproduce.recipes import load_recipes

    numerics = load_recipes(EXPERIMENTS / "recipes.toml").scale("quick").numerics
    assert numerics.pinned
    for path in sorted((REPO / "reports" / "measured").glob("table*/demo-quick.json")):
        for row in json.loads(path.read_text())["rows"]:
            for dataset, state in row["numerics"].items():
                assert state_matches(numerics, state), (path.name, row["label"], dataset, state)
    for table in GUARDED:
        (row,) = json.loads((recomputed / "measured" / table / "demo-quick.json").read_text())["rows"]
        assert all(state_matches(numerics, s) for s in row["numerics"].values()), row["numerics"]


SMALL_SOURCE = "davis2016, small-scale, MobileNetV2"  # the small-scale rows' marker in the tables
# every kept run of the small scale (Table 1's SITVOS and STM rows keep their masks)
SMALL_MASKS = sorted(
    p for p in (REPO / "reports" / "results").glob("davis2016-small-davis2016-*") if p.is_dir()
)


def test_the_small_scale_keeps_sitvos_masks() -> None:
    assert "davis2016-small-davis2016-sitvos" in [p.name for p in SMALL_MASKS]


@pytest.mark.parametrize("folder", SMALL_MASKS, ids=lambda p: p.name)
def test_committed_small_scale_masks_score_as_their_table_row(folder: Path, davis2016_root: Path) -> None:
    """The kept masks of a small-scale run give, on the real DAVIS 2016 val, the per-object
    J&F its table row records (three sequences, to keep the test short)."""
    from vosbench.evaluation import evaluate

    source = json.loads((folder / "source.json").read_text())
    committed = json.loads(
        (REPO / "reports" / "measured" / source["table"] / "davis2016-small.json").read_text()
    )
    row = next(r for r in committed["rows"] if r["label"] == source["row"])
    expected = row["per_object"]["davis2016"]
    sequences = sorted({key.rsplit("_", 1)[0] for key in expected})[:3]
    result = evaluate(
        "davis2016", davis2016_root, folder, split="val", sequences=sequences, workers=1, progress=False
    )
    scored = {o.key: o.jf for o in result.objects}
    assert len(scored) == len(sequences)
    assert scored == pytest.approx({k: expected[k] for k in scored}, abs=1e-12), REGENERATE
    assert source["scores"]["davis2016_jf"] == row["values"]["davis2016_jf"]


def _cells(line: str) -> list[str]:
    """The cells of a Markdown table line, stripped."""
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def _ordering_cells(table_md: str, source: str) -> dict[str, str]:
    """ordering -> the verdict cell of ``source`` in a table's "The paper's orderings" section."""
    lines = table_md.split("## The paper's orderings", 1)[1].splitlines()
    header = next(line for line in lines if line.startswith("| ordering |"))
    column = _cells(header).index(f"`{source}`")
    cells = {}
    for line in lines:
        parts = _cells(line)
        if line.startswith("| ") and not line.startswith("| ordering |") and len(parts) > column:
            cells[parts[0]] = parts[column]
    return cells


def _verdict_lines(table: str) -> list[str]:
    """A table's verdicts on the small-scale rows as the manual and the README state them:
    ``- {ordering}: {verdict}``."""
    cells = _ordering_cells((REPO / "reports" / "tables" / f"{table}.md").read_text(), SMALL_SOURCE)
    return [f"- {ordering}: {verdict}" for ordering, verdict in cells.items()]


@pytest.mark.parametrize("table", ["table3", "table4"])
def test_the_manual_states_the_small_scale_orderings_as_the_tables_do(table: str) -> None:
    """The manual's (docs/reproduce.md) statement of which paper orderings hold at small scale
    is the tables' own verdicts, so a regenerated table that changes one fails here until the
    manual follows."""
    lines = _verdict_lines(table)
    manual = (REPO / "docs" / "reproduce.md").read_text()
    assert len(lines) == 4
    for line in lines:
        assert line in manual, (table, line)


def _small_rows(table: str) -> dict[str, dict[str, str]]:
    """label -> header -> cell, for the small-scale rows of a table's Markdown (bold removed)."""
    lines = (REPO / "reports" / "tables" / f"{table}.md").read_text().splitlines()
    header = _cells(next(x for x in lines if x.startswith("| Method |")))
    rows = {}
    for line in lines:
        cells = [cell.strip("*") for cell in _cells(line)]
        if line.startswith("| **") and len(cells) == len(header) and cells[-1].startswith(SMALL_SOURCE):
            rows[cells[0]] = dict(zip(header, cells, strict=True))
    return rows


def test_the_manual_lists_every_small_scale_run_as_the_tables_print_it() -> None:
    """docs/reproduce.md's table of small-scale rows ("Table N, label | J&F | FPS") holds each
    run of Tables 1, 3 and 4 once (rows that share a run, e.g. Table 1's SITVOS and Table 3's
    full training, count once), with the tables' own J&F and FPS cells."""
    manual = (REPO / "docs" / "reproduce.md").read_text()
    listed = {}
    for line in manual.splitlines():
        cells = _cells(line)
        if line.startswith("| Table ") and len(cells) == 3:
            number, label = cells[0].removeprefix("Table ").split(", ", 1)
            listed[(f"table{number}", label)] = cells[1:]
    runs: dict[str, list[tuple[str, str]]] = {}
    for table in ("table1", "table3", "table4"):
        measured = json.loads((REPO / "reports" / "measured" / table / "davis2016-small.json").read_text())
        for row in measured["rows"]:
            runs.setdefault(row["runs"]["davis2016"], []).append((table, row["label"]))
    for run, rows in runs.items():
        named = [row for row in rows if row in listed]
        assert len(named) == 1, f"docs/reproduce.md should list run {run} once, as one of {rows}: {named}"
    for (table, label), (jf, fps) in listed.items():
        row = _small_rows(table)[label]
        assert (jf, fps) == (row["DAVIS16 J&F"], row["FPS"]), (table, label)


def test_the_readme_states_the_small_scale_orderings_as_the_tables_do() -> None:
    """Every ordering the README states ("- A > B: DAVIS16 J&F: verdict") is a table's own
    verdict on the small-scale rows, and it states Table 3's."""
    verdicts = {line: table for table in ("table3", "table4") for line in _verdict_lines(table)}
    stated = [line for line in (REPO / "README.md").read_text().splitlines() if ": DAVIS16 J&F: " in line]
    assert stated, "the README states no small-scale ordering"
    for line in stated:
        assert line in verdicts, f"README line is not a table's verdict: {line}"
    assert sum(verdicts[line] == "table3" for line in stated) == 4


def test_the_readme_compare_example_prints_what_the_readme_shows(
    tmp_path: Path, davis2016_root: Path
) -> None:
    """The README's `vosbench compare` on the committed small-scale masks prints what the
    README shows (apart from the lines naming the files it wrote)."""
    readme = (REPO / "README.md").read_text()
    block = re.search(r"<!-- compare-example -->\n```bash\n(.*?)```\n\n```text\n(.*?)```", readme, re.S)
    assert block, "README.md: no <!-- compare-example --> block followed by its output"
    command = [line for line in block.group(1).splitlines() if not line.startswith("#")]
    args = " ".join(command).replace("\\", " ").split()
    assert args[0] == ".venv/bin/vosbench"
    args[args.index("--root") + 1] = str(davis2016_root)
    args[args.index("--out") + 1] = str(tmp_path / "out")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    done = subprocess.run(
        [sys.executable, "-m", "vosbench", *args[1:]], cwd=REPO, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr

    def shown(text: str) -> list[str]:
        return [line.rstrip() for line in text.splitlines() if line.strip() and not line.startswith("wrote")]

    assert shown(done.stdout) == shown(block.group(2))
