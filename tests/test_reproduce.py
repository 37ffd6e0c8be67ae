"""`vosbench reproduce`: spec parsing (every bad key named), caching by input keys, table
formatting, and small end-to-end runs on generated demo data."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import shutil
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from vosbench.cli import main
from vosbench.errors import VosbenchError
from vosbench.evaluation import evaluate
from vosbench.evaluation.uncertainty import compare, score_interval
from vosbench.methods import method_class
from vosbench.reproduce.columns import format_value
from vosbench.reproduce.data import demo_sources, parse_data
from vosbench.reproduce.execute import Context, check_row, input_key, run_row, train_recipe
from vosbench.reproduce.pipeline import ReproduceOptions, reproduce
from vosbench.reproduce.recipes import load_recipes
from vosbench.reproduce.spec import SpecError, load_spec
from vosbench.reproduce.tables import (
    MeasuredRow,
    MeasuredSet,
    ordering_scores,
    render_csv,
    render_markdown,
    render_tex,
    table_lines,
)

REPO = Path(__file__).resolve().parent.parent
EXPERIMENTS = REPO / "reports" / "experiments"

PAPER_CSV = "method,online_finetuning,youtube_training,davis2016_jf,davis2017_jf,fps,fps_gpu\n"
PAPER_CSV += "A&B,1,0,80.2,60.3,0.22,RTX 2080 Ti\nSITVOS,0,1,90.5,83.5,11.8,RTX 2080 Ti\n"

RECIPES = """
[tiny]
stages = ["main"]
train = { iterations = 2, size = 32, batch_size = 1, workers = 0, backbone_init = "random", frames = 2 }

[scales.quick]
options = { sitvos = { size = 48 } }
demo = { frames = 6, size = [64, 96] }
"""

SPEC = """
title = "Table T: a test"
paper = "paper.csv"
paper_key = "method"
columns = ["davis2016_jf", "davis2017_jf", "fps"]
fps_dataset = "davis2017"

[[rows]]
label = "First-frame copy"
method = "first-frame-copy"

[[rows]]
label = "Mine"
paper_row = "SITVOS"
method = "flow-propagation"
options = { flow_scale = 0.25 }
masks = true
"""


def _experiments(tmp_path: Path, spec: str = SPEC, recipes: str = RECIPES) -> Path:
    folder = tmp_path / "experiments"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "recipes.toml").write_text(recipes)
    (folder / "paper.csv").write_text(PAPER_CSV)
    (folder / "tableT.toml").write_text(spec)
    return folder


# -- the committed specs ----------------------------------------------------------------------


def test_committed_specs_load_and_name_runnable_methods(tmp_path: Path) -> None:
    recipes = load_recipes(EXPERIMENTS / "recipes.toml")
    assert set(recipes.recipes) >= {"full", "pretrain-only", "main-only", "full-no-fim", "full-stm"}
    assert recipes.recipes["full-no-fim"].train == {"fim": False}
    specs = {p.stem: load_spec(p, recipes) for p in sorted(EXPERIMENTS.glob("table*.toml"))}
    assert sorted(specs) == ["table1", "table2", "table3", "table4"]
    for spec in specs.values():
        assert spec.paper.is_file()
        for row in spec.rows:
            check_row(row, recipes.quick)  # the method exists and its options parse
    # Table 4's rows are the five memory strategies; Table 3's the training stages and FIM off
    assert [r.options.get("memory") for r in specs["table4"].rows] == [
        "first",
        "previous",
        "first-previous",
        "every",
        "fixed",
    ]
    table3 = {r.label: r for r in specs["table3"].rows}
    assert table3["Pre-training only"].recipe == "pretrain-only"
    assert table3["Main training only"].recipe == "main-only"
    assert table3["Full training"].recipe == table3["SITVOS with FIM"].recipe == "full"
    assert (table3["STM"].method, table3["STM"].recipe) == ("stm", "full-stm")
    assert (
        table3["SITVOS w/o FIM"].recipe == "full-no-fim" and table3["SITVOS w/o FIM"].options["fim"] is False
    )
    # training noise: main-only with seeds 0, 1 and 2, the recipes otherwise the same
    assert [table3[label].recipe for label in specs["table3"].seeds] == [
        "main-only",
        "main-only-seed1",
        "main-only-seed2",
    ]
    assert [
        recipes.recipes[r].train.get("seed", 0) for r in ("main-only", "main-only-seed1", "main-only-seed2")
    ] == [0, 1, 2]
    assert specs["table3"].rows[-1].label == "SITVOS with FIM"  # the paper's own, drawn last
    # the paper's claims, as the specs encode them, hold on the paper's own numbers
    for name in ("table3", "table4"):
        paper = ordering_scores(specs[name], [])["paper"]
        assert len(specs[name].orderings) == 4
        for ordering in specs[name].orderings:
            for column in ("davis2016_jf", "davis2017_jf"):
                assert ordering.verdict(paper, column).startswith("holds ("), (name, ordering.text, column)
    assert specs["table2"].datasets == ("youtube2018",)
    assert specs["table1"].datasets == ("davis2016", "davis2017")


# -- bad specs ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (SPEC.replace('method = "first-frame-copy"\n', 'methd = "x"\n', 1), r"rows\[0\]\.methd: unknown key"),
        (SPEC.replace("options = {", "optoins = {"), r"rows\[1\]\.optoins: unknown key"),
        (SPEC.replace('"fps"]', '"fps", "jf"]'), r"columns\[3\]: unknown column 'jf'"),
        (SPEC.replace('fps_dataset = "davis2017"', ""), "fps_dataset: expected one of"),
        (SPEC.replace('title = "Table T: a test"', ""), "title: missing"),
        (SPEC + 'colour = "red"\n', r"rows\[1\]\.colour: unknown key"),
        ("colour = 1\n" + SPEC, r"colour: unknown key"),
        (SPEC.replace('paper_row = "SITVOS"', 'recipe = "ful"'), r"rows\[1\]\.recipe: unknown recipe 'ful'"),
        (
            SPEC.replace('paper_row = "SITVOS"', 'recipe = "tiny"\ncheckpoint = "w.pth"'),
            r"rows\[1\]: give a recipe or a checkpoint",
        ),
        (SPEC.replace('label = "Mine"', 'label = "First-frame copy"'), "used twice"),
        (SPEC.replace("[[rows]]", "[[rows]", 1), "not valid TOML"),
        (SPEC.replace('label = "Mine"', "label = 3"), r"rows\[1\]\.label: expected text"),
        (SPEC.replace("masks = true", 'masks = "yes"'), r"rows\[1\]\.masks: expected true or false"),
        ('orderings = ["Mine beats First-frame copy"]\n' + SPEC, r'orderings\[0\]: expected "ROW > ROW"'),
        ('orderings = ["Mine > Theirs"]\n' + SPEC, r"orderings\[0\]: no row is labelled 'Theirs'"),
        (SPEC.replace('paper = "paper.csv"', 'paper = "papr.csv"'), r"paper: .*papr\.csv not found"),
    ],
)
def test_bad_spec_names_the_bad_key(tmp_path: Path, spec: str, message: str) -> None:
    folder = _experiments(tmp_path, spec)
    recipes = load_recipes(folder / "recipes.toml")
    with pytest.raises(SpecError, match=message) as caught:
        load_spec(folder / "tableT.toml", recipes)
    assert str(folder / "tableT.toml") in str(caught.value)


@pytest.mark.parametrize(
    ("recipes", "message"),
    [
        (RECIPES.replace("iterations = 2", "iteratons = 2"), r"tiny\.train\.iteratons: unknown key"),
        (RECIPES.replace('stages = ["main"]', 'stages = ["fine-tune"]'), r"tiny\.stages: expected a list"),
        (RECIPES.replace('stages = ["main"]', ""), r"tiny\.stages: missing"),
        (RECIPES.replace("size = [64, 96]", "size = [64]"), r"scales\.quick\.demo\.size"),
        (RECIPES.replace("demo = {", "demos = {"), r"scales\.quick\.demos: unknown key"),
        (
            RECIPES.replace("[scales.quick]", "[scales.quick]\nthreads = -1"),
            r"scales\.quick\.threads: expected 0",
        ),
        (
            RECIPES.replace("[scales.quick]", '[scales.quick]\nthreads = "2"'),
            r"scales\.quick\.threads: expected a",
        ),
        (
            RECIPES.replace("[scales.quick]", "[scales.quick]\nsynthetic_clips = -1"),
            r"scales\.quick\.synthetic_clips: expected 1 or more",
        ),
    ],
)
def test_bad_recipes_name_the_bad_key(tmp_path: Path, recipes: str, message: str) -> None:
    folder = _experiments(tmp_path, recipes=recipes)
    with pytest.raises(SpecError, match=message):
        load_recipes(folder / "recipes.toml")


def test_a_scale_sets_how_many_synthetic_clips_pretraining_validates_on(tmp_path: Path, tiny_demo) -> None:
    from vosbench.reproduce.execute import stage_config, stage_data, stage_roots
    from vosbench.training.coco_validation import SYNTHETIC_CLIPS

    recipes_text = RECIPES.replace('stages = ["main"]', 'stages = ["pretrain"]')
    for setting, clips in (("", SYNTHETIC_CLIPS), ("synthetic_clips = 3\n", 3)):
        text = recipes_text.replace("[scales.quick]\n", f"[scales.quick]\n{setting}")
        recipes = load_recipes(_experiments(tmp_path / str(clips), recipes=text) / "recipes.toml")
        config = stage_config(recipes.recipes["tiny"], "pretrain", "", recipes.quick)
        roots = stage_roots("pretrain", tiny_demo)
        assert stage_data("pretrain", config, tiny_demo, recipes.quick, roots).val_coco_clips == clips


def test_a_stages_key_holds_what_its_validation_reads(
    tmp_path: Path, tiny_demo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cached stage is reused only with the same validation, since its curves and held-out
    columns come from it: the synthetic clips' count and the validation runs' options key it,
    a row's other options do not."""
    from vosbench.reproduce import execute

    keys: dict[str, str] = {}
    recipes_text = RECIPES.replace('stages = ["main"]', 'stages = ["pretrain"]')
    variants = {
        "as is": recipes_text,
        "again": recipes_text,
        "3 synthetic clips": recipes_text.replace(
            "[scales.quick]\n", "[scales.quick]\nsynthetic_clips = 3\n"
        ),
        "validation size": recipes_text.replace("sitvos = { size = 48 }", "sitvos = { size = 40 }"),
        "another method's options": recipes_text.replace(
            "{ size = 48 } }", "{ size = 48 }, stm = { size = 40 } }"
        ),
    }
    for name, text in variants.items():
        recipes = load_recipes(_experiments(tmp_path / name, recipes=text) / "recipes.toml")
        ctx = Context(tmp_path / "work", tiny_demo, recipes, recipes.quick, progress=False)
        monkeypatch.setattr(execute, "_train_stage", lambda *args: None)  # keys only: nothing trains
        keys[name] = train_recipe(recipes.recipes["tiny"], ctx)[1]
    assert keys["again"] == keys["as is"] == keys["another method's options"]
    assert len({keys["as is"], keys["3 synthetic clips"], keys["validation size"]}) == 3


def test_missing_paper_csv_fails_before_any_row_runs(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    folder = _experiments(tmp_path)
    (folder / "paper.csv").unlink()
    reports, work = tmp_path / "reports", tmp_path / "work"
    args = [
        "reproduce",
        "tableT",
        "--experiments",
        str(folder),
        "--reports",
        str(reports),
        "--work",
        str(work),
    ]
    assert main([*args, "--quiet"]) == 2
    assert "paper.csv not found" in capsys.readouterr().err
    assert not work.exists() and not (reports / "measured").exists()


@pytest.mark.parametrize(
    ("recipes", "message"),
    [
        (
            RECIPES.replace("frames = 2 }", 'frames = 2, backbone_weights = "nowhere.pt" }'),
            r"recipe 'tiny': backbone_weights: nowhere\.pt not found",
        ),
        (
            RECIPES.replace("size = 32", "size = 30"),
            r"recipe 'tiny', stage main: size must be a multiple of 16",
        ),
    ],
)
def test_bad_recipe_settings_fail_before_any_work(tmp_path: Path, recipes: str, message: str) -> None:
    spec = SPEC.replace(
        'method = "flow-propagation"\noptions = { flow_scale = 0.25 }', 'method = "sitvos"\nrecipe = "tiny"'
    )
    folder = _experiments(tmp_path, spec, recipes)
    work = tmp_path / "work"
    with pytest.raises(VosbenchError, match=message):
        reproduce(["tableT"], None, ReproduceOptions(folder, tmp_path / "reports", work, progress=False))
    assert not work.exists()  # not even the demo data


def test_bad_method_option_fails_before_any_work(tmp_path: Path) -> None:
    folder = _experiments(tmp_path, SPEC.replace("flow_scale = 0.25", "flow_scal = 0.25"))
    sources = demo_sources(tmp_path / "work", 6, (64, 96))
    options = ReproduceOptions(folder, tmp_path / "reports", tmp_path / "work", progress=False)
    with pytest.raises(VosbenchError, match="unknown option 'flow_scal'"):
        reproduce(["tableT"], sources, options)
    assert not (tmp_path / "work" / "runs").exists()


def test_a_scale_fixes_the_thread_count_for_its_steps_only() -> None:
    import torch

    from vosbench.system.devices import torch_threads

    before = torch.get_num_threads()
    with torch_threads(1):
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == before
    with torch_threads(0):  # 0: the library's own setting
        assert torch.get_num_threads() == before
    assert load_recipes(EXPERIMENTS / "recipes.toml").scales["quick"].threads == 2


def test_data_arguments() -> None:
    with pytest.raises(VosbenchError, match="expected demo or NAME=PATH"):
        parse_data(["davis=/tmp"])
    with pytest.raises(VosbenchError, match="does not exist"):
        parse_data(["davis2016=/nonexistent/davis"])
    with pytest.raises(VosbenchError, match="coco-ann=FILE needs coco=ROOT"):
        parse_data(["davis2016=/tmp", "coco-ann=/tmp"])
    sources = parse_data(["davis2016=/tmp"])
    assert sources.tag == "davis2016" and sources.main_training() == ("davis2016", Path("/tmp"), None)


# -- formatting ---------------------------------------------------------------------------------


def test_values_are_rounded_as_in_the_paper() -> None:
    assert format_value("davis2016_jf", 0.83449) == "83.4"
    assert format_value("davis2016_jf", 0.8355) == "83.5"
    assert format_value("g", 1.0) == "100.0"
    assert format_value("fps", 11.84) == "11.8"
    assert format_value("fps", 0.224) == "0.22"
    assert format_value("fps", 4061.3) == "4061"
    assert format_value("davis2017_jf", None) == "-"


def _measured(tag: str = "demo") -> MeasuredSet:
    rows = [
        MeasuredRow(
            "Mine & co", "sitvos", "SITVOS", {"davis2016_jf": 0.5, "davis2017_jf": None, "fps": 2.5}, "CPU"
        ),
        MeasuredRow(
            "Baseline_1", "x", None, {"davis2016_jf": 0.25, "davis2017_jf": 0.125, "fps": 300.0}, "CPU"
        ),
    ]
    return MeasuredSet(
        "tableT",
        tag,
        "demo data",
        "quick",
        "abc1234",
        "2026-01-01T00:00:00+00:00",
        "vosbench reproduce",
        rows,
    )


def test_measured_rows_sit_beside_their_paper_rows(tmp_path: Path) -> None:
    folder = _experiments(tmp_path)
    spec = load_spec(folder / "tableT.toml", load_recipes(folder / "recipes.toml"))
    lines = table_lines(spec, [_measured()])
    assert [(ln.name, ln.source) for ln in lines] == [
        ("A&B (OL)", "paper"),
        ("SITVOS†", "paper"),
        ("Mine & co", "demo, quick"),  # right after the paper row it names
        ("Baseline_1", "demo, quick"),  # no paper row: at the end
    ]
    md = render_markdown(spec, lines, [_measured()])
    assert "| SITVOS† | 90.5 | 83.5 | 11.8 | RTX 2080 Ti | paper |" in md
    assert "| **Mine & co** | **50.0** | - | **2.5** | CPU | demo, quick, `abc1234` |" in md
    assert "| **Baseline_1** | **25.0** | **12.5** | **300** | CPU | demo, quick, `abc1234` |" in md
    assert "commit `abc1234`" in md
    tex = render_tex(spec, lines)
    assert r"\textbf{Mine \& co} & 50.0 & - & 2.5 & CPU & demo, quick \\" in tex
    assert r"SITVOS$^\dagger$ & 90.5 & 83.5 & 11.8 & RTX 2080 Ti & paper \\" in tex
    assert r"Baseline\_1" in tex
    rows = list(csv.DictReader(io.StringIO(render_csv(spec, lines))))
    assert rows[2]["method"] == "Mine & co" and float(rows[2]["davis2016_jf"]) == 50.0
    assert rows[2]["davis2017_jf"] == "" and rows[2]["commit"] == "abc1234"
    assert rows[0]["davis2016_jf"] == "80.2" and rows[0]["source"] == "paper"


def test_orderings_without_per_object_scores_are_checked_on_the_values_as_printed(tmp_path: Path) -> None:
    claims = 'orderings = ["Mine > First-frame copy", "First-frame copy >= Mine"]\n'
    folder = _experiments(tmp_path, claims + SPEC)
    spec = load_spec(folder / "tableT.toml", load_recipes(folder / "recipes.toml"))
    rows = [  # on DAVIS 2016 both print as 30.0
        MeasuredRow(
            "First-frame copy", "first-frame-copy", None, {"davis2016_jf": 0.30049, "davis2017_jf": 0.25}, ""
        ),
        MeasuredRow("Mine", "flow-propagation", "SITVOS", {"davis2016_jf": 0.3004, "davis2017_jf": 0.5}, ""),
    ]
    measured = dataclasses.replace(_measured(), rows=rows)
    md = render_markdown(spec, table_lines(spec, [measured]), [measured])
    assert "| ordering | `paper` | `demo, quick` |" in md
    # the paper has no first-frame copy row: no verdict
    untested = ", no per-object davis201{} scores to test"
    assert (
        f"| Mine > First-frame copy | - | DAVIS16 J&F: fails (30.0 > 30.0{untested.format(6)}); "
        f"DAVIS17 J&F: holds (50.0 > 25.0{untested.format(7)}) |" in md
    )
    assert (
        f"| First-frame copy >= Mine | - | DAVIS16 J&F: holds (30.0 >= 30.0{untested.format(6)}); "
        f"DAVIS17 J&F: fails (25.0 >= 50.0{untested.format(7)}) |" in md
    )
    assert "orderings" not in render_markdown(
        dataclasses.replace(spec, orderings=()), table_lines(spec, [measured]), [measured]
    )


def test_measured_orderings_are_paired_tests_and_cells_carry_intervals(tmp_path: Path) -> None:
    """Per-object scores: each J&F cell gets its bootstrap interval, and an ordering is judged
    by the paired comparison over the same objects (a clear gain holds, a gain of one video in
    twelve is not resolved), whatever the printed values say."""
    claims = 'orderings = ["Mine > First-frame copy"]\n'
    folder = _experiments(tmp_path, claims + SPEC)
    spec = load_spec(folder / "tableT.toml", load_recipes(folder / "recipes.toml"))
    rng = np.random.default_rng(0)
    base = {f"v{i}_1": float(rng.uniform(0.3, 0.7)) for i in range(12)}
    clear = {k: v + 0.05 + float(rng.uniform(0, 0.01)) for k, v in base.items()}
    one = {k: v + (0.6 if k == "v0_1" else 0.0) for k, v in base.items()}  # +5.0 on average

    def row(
        label: str, paper: str | None, scores16: dict[str, float], scores17: dict[str, float]
    ) -> MeasuredRow:
        values = {
            "davis2016_jf": float(np.mean(list(scores16.values()))),
            "davis2017_jf": float(np.mean(list(scores17.values()))),
        }
        return MeasuredRow(
            label, "m", paper, values, "", per_object={"davis2016": scores16, "davis2017": scores17}
        )

    measured = dataclasses.replace(
        _measured(), rows=[row("First-frame copy", None, base, base), row("Mine", "SITVOS", clear, one)]
    )
    md = render_markdown(spec, table_lines(spec, [measured]), [measured])
    verdicts = next(line for line in md.splitlines() if line.startswith("| Mine > First-frame copy |"))
    expected16 = compare(clear, base)
    assert f"DAVIS16 J&F: holds ({expected16.summary()})" in verdicts
    assert "DAVIS17 J&F: not resolved at 95% (+5.0 [" in verdicts
    interval = score_interval(clear)
    mine = next(line for line in md.splitlines() if line.startswith("| **Mine**"))
    assert f"**{100 * np.mean(list(clear.values())):.1f} {interval.percent()}**" in mine
    csv_rows = list(csv.DictReader(io.StringIO(render_csv(spec, table_lines(spec, [measured])))))
    mine_csv = next(r for r in csv_rows if r["method"] == "Mine")
    assert float(mine_csv["davis2016_jf_low"]) == pytest.approx(100 * interval.low)


def test_seed_spread_is_shown_and_orderings_are_read_against_it(tmp_path: Path) -> None:
    extra = '\n[[rows]]\nlabel = "Mine, seed 1"\nmethod = "flow-propagation"\n'
    spec_text = 'orderings = ["Mine > First-frame copy"]\nseeds = ["Mine", "Mine, seed 1"]\n' + SPEC + extra
    folder = _experiments(tmp_path, spec_text)
    spec = load_spec(folder / "tableT.toml", load_recipes(folder / "recipes.toml"))
    base = {f"v{i}_1": 0.4 + 0.02 * i for i in range(12)}
    mine = {k: v + 0.01 for k, v in base.items()}  # +1.0 on every video: resolved
    seed1 = {k: v + 0.04 for k, v in base.items()}  # another seed scores 3 points higher

    def row(label: str, scores: dict[str, float]) -> MeasuredRow:
        value = float(np.mean(list(scores.values())))
        return MeasuredRow(label, "m", None, {"davis2016_jf": value}, "", per_object={"davis2016": scores})

    rows = [row("First-frame copy", base), row("Mine", mine), row("Mine, seed 1", seed1)]
    measured = dataclasses.replace(_measured(), rows=rows)
    md = render_markdown(spec, table_lines(spec, [measured]), [measured])
    assert "## Training noise" in md
    mean = 100 * float(np.mean(list(base.values())))
    assert f"| `demo, quick` | DAVIS16 J&F | {mean + 1:.1f}, {mean + 4:.1f} | 3.0 | 2.1 |" in md
    verdicts = next(line for line in md.splitlines() if line.startswith("| Mine > First-frame copy |"))
    assert "DAVIS16 J&F: holds (+1.0 [1.0, 1.0], p<0.001; within the seed spread of 3.0)" in verdicts


# -- caching and end to end ---------------------------------------------------------------------


def test_input_key_is_stable_and_sensitive() -> None:
    a = {"method": "m", "options": {"x": "1", "y": "2"}, "root": "/r"}
    b = {"root": "/r", "options": {"y": "2", "x": "1"}, "method": "m"}
    assert input_key(a) == input_key(b)
    assert input_key(a) != input_key({**a, "options": {"x": "1", "y": "3"}})
    assert input_key(a) != input_key({**a, "root": "/s"})


@pytest.fixture
def tiny_demo(tmp_path: Path):
    return demo_sources(tmp_path / "work", 6, (64, 96))


def test_reproduce_writes_tables_scores_match_evaluate_and_reruns_are_cached(
    tmp_path: Path, tiny_demo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    folder = _experiments(tmp_path)
    reports = tmp_path / "reports"
    options = ReproduceOptions(
        folder, reports, tmp_path / "work", scale="quick", progress=False, command="test"
    )
    written = reproduce(["tableT"], tiny_demo, options)
    assert reports / "tables" / "tableT.md" in written
    measured = json.loads((reports / "measured" / "tableT" / "demo-quick.json").read_text())
    rows = {r["label"]: r for r in measured["rows"]}
    # the table's numbers are what `vosbench evaluate` gives on the run's masks
    for dataset in ("davis2016", "davis2017"):
        run = Path(rows["Mine"]["runs"][dataset])
        result = evaluate(dataset, tiny_demo.roots[dataset], run, split="val", workers=1, progress=False)
        assert rows["Mine"]["values"][f"{dataset}_jf"] == result.global_metrics["J&F-Mean"]
    assert rows["Mine"]["values"]["fps"] > 0
    table = (reports / "tables" / "tableT.md").read_text()
    assert f"**{format_value('davis2016_jf', rows['Mine']['values']['davis2016_jf'])} [" in table
    for figure in (
        "tableT-jf-fps-davis2016.png",
        "tableT-jf-fps-davis2017.png",
        "tableT-demo-quick-davis2017-sequences.png",
    ):
        assert Image.open(reports / "figures" / figure).format == "PNG"
    gifs = sorted((reports / "figures" / "overlays").glob("*.gif"))
    assert len(gifs) == 3 and Image.open(gifs[0]).n_frames == 6
    assert "tables/tableT.md" in (reports / "README.md").read_text()
    # the row marked `masks = true` keeps its masks, which score as the table says
    for dataset in ("davis2016", "davis2017"):
        kept = reports / "results" / f"demo-quick-{dataset}-mine"
        run = Path(rows["Mine"]["runs"][dataset])
        assert sorted(p.relative_to(kept) for p in kept.glob("*/*.png")) == sorted(
            p.relative_to(run) for p in run.glob("*/*.png")
        )
        result = evaluate(dataset, tiny_demo.roots[dataset], kept, split="val", workers=1, progress=False)
        assert rows["Mine"]["values"][f"{dataset}_jf"] == result.global_metrics["J&F-Mean"]
        source = json.loads((kept / "source.json").read_text())
        assert (source["row"], source["dataset"], source["scores"][f"{dataset}_jf"]) == (
            "Mine",
            dataset,
            rows["Mine"]["values"][f"{dataset}_jf"],
        )
    assert not (reports / "results" / "demo-quick-davis2016-first-frame-copy").exists()
    assert not (reports / "measured" / "training").exists()  # no row trained

    # a rerun runs nothing; a changed option reruns only that row
    import vosbench.runner.run as runner

    calls: list[tuple[str, object]] = []
    real = runner.run_method
    monkeypatch.setattr(runner, "run_method", lambda m, s, o: calls.append((m, s)) or real(m, s, o))
    capsys.readouterr()
    reproduce(["tableT"], tiny_demo, options)
    assert calls == []
    said = capsys.readouterr().out
    # each reused step says so, where it is, and how to compute it again
    assert said.count("cached in") == 4 and said.count("--rerun") == 4
    assert f"run flow-propagation (flow_scale=0.25) on davis2017: cached in {tmp_path / 'work'}" in said
    reproduce(["tableT"], tiny_demo, dataclasses.replace(options, rerun=True))
    assert len(calls) == 4  # every step again, once (davis2016 and davis2017 share no run)
    calls.clear()
    (folder / "tableT.toml").write_text(SPEC.replace("flow_scale = 0.25", "flow_scale = 0.5"))
    reproduce(["tableT"], tiny_demo, options)
    # davis2016 and davis2017, with the options TOML typed, validated once into the method's own
    flow = method_class("flow-propagation").Options(flow_scale=0.5)
    assert calls == [("flow-propagation", flow)] * 2


def _first_row_run(tmp_path: Path, sources) -> tuple:
    """The test spec's first row run on the demo DAVIS 2017: (spec, context, its record)."""
    folder = _experiments(tmp_path)
    recipes = load_recipes(folder / "recipes.toml")
    spec = load_spec(folder / "tableT.toml", recipes)
    ctx = Context(tmp_path / "work", sources, recipes, recipes.scale("paper"), progress=False)
    return spec, ctx, run_row(spec.rows[0], "davis2017", ctx)


def test_a_results_folder_is_a_row_of_the_table(tmp_path: Path, tiny_demo) -> None:
    """Masks made by any code, named by a row instead of a method: scored on the datasets it
    has, placed in the table and its orderings, marked as scored from that folder, no FPS."""
    import shutil

    theirs = tmp_path / "their-masks"
    shutil.copytree(tiny_demo.roots["davis2016"] / "Annotations" / "480p", theirs)  # perfect masks
    spec = SPEC + f'\n[[rows]]\nlabel = "Theirs"\nresults = {{ davis2016 = "{theirs}" }}\n'
    folder = _experiments(tmp_path, 'orderings = ["Theirs > Mine"]\n' + spec)
    reports = tmp_path / "reports"
    options = ReproduceOptions(
        folder, reports, tmp_path / "work", scale="quick", progress=False, command="test"
    )
    reproduce(["tableT"], tiny_demo, options)
    measured = json.loads((reports / "measured" / "tableT" / "demo-quick.json").read_text())
    row = {r["label"]: r for r in measured["rows"]}["Theirs"]
    expected = evaluate("davis2016", tiny_demo.roots["davis2016"], theirs, split="val", workers=1)
    assert row["values"] == {
        "davis2016_jf": expected.global_metrics["J&F-Mean"],
        "davis2017_jf": None,
        "fps": None,
    }
    assert row["values"]["davis2016_jf"] == 1.0
    table = (reports / "tables" / "tableT.md").read_text()
    line = next(x for x in table.splitlines() if x.startswith("| **Theirs**"))
    assert f"scored from {theirs} (davis2016)" in line and "| - | - |" in line
    assert "| Theirs > Mine | - | DAVIS16 J&F: not resolved at 95% (+" in table  # 3 videos resolve nothing


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            'label = "X"\nresults = { davis2016 = "f" }\nmethod = "m"',
            r"rows\[2\]\.results: a row of results folders",
        ),
        ('label = "X"\nresults = { davis9 = "f" }', r"rows\[2\]\.results\.davis9: expected one of"),
        ('label = "X"', r"rows\[2\]: give a method to run or results"),
    ],
)
def test_bad_results_rows_are_refused(tmp_path: Path, row: str, message: str) -> None:
    folder = _experiments(tmp_path, SPEC + "\n[[rows]]\n" + row + "\n")
    with pytest.raises(SpecError, match=message):
        load_spec(folder / "tableT.toml", load_recipes(folder / "recipes.toml"))


def test_interrupted_run_resumes(tmp_path: Path, tiny_demo, monkeypatch: pytest.MonkeyPatch) -> None:
    spec, ctx, record = _first_row_run(tmp_path, tiny_demo)
    run = Path(record.folder)
    # as if killed after the first video: the marker and one video's record are gone
    (run / "row.json").unlink()
    first = sorted((run / ".vosbench" / "videos").glob("*.json"))[0]
    first.unlink()
    kept = {p: p.stat().st_mtime_ns for p in (run / ".vosbench" / "videos").glob("*.json")}
    again = run_row(spec.rows[0], "davis2017", ctx)
    assert again.scores == record.scores
    assert all(p.stat().st_mtime_ns == t for p, t in kept.items())  # finished videos not rerun
    assert first.is_file()


HOLD = """
import fcntl, sys, time
handle = open(sys.argv[1], "a")
fcntl.flock(handle, fcntl.LOCK_EX)
print("held", flush=True)
time.sleep(120)
"""


def test_a_step_another_process_is_computing_is_waited_for_then_reused(
    tmp_path: Path, tiny_demo, capsys: pytest.CaptureFixture
) -> None:
    spec, ctx, first = _first_row_run(tmp_path, tiny_demo)
    run = Path(first.folder)
    # another process (another `reproduce` on the same --work) holds the step
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(run.parent / f"{run.name}.lock")], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        capsys.readouterr()
        found: list = []
        waiter = threading.Thread(target=lambda: found.append(run_row(spec.rows[0], "davis2017", ctx)))
        waiter.start()
        waiter.join(2.0)
        assert waiter.is_alive() and not found  # it waits while the other holds the step
    finally:
        holder.kill()
        holder.wait()
    waiter.join(60)
    assert found == [first]  # then takes it from the cache
    assert f"waiting for another process computing {run}" in capsys.readouterr().out


def test_recipe_trains_once_and_its_checkpoint_runs(tmp_path: Path, tiny_demo) -> None:
    spec_text = SPEC.replace(
        'method = "flow-propagation"\noptions = { flow_scale = 0.25 }', 'method = "sitvos"\nrecipe = "tiny"'
    )
    folder = _experiments(tmp_path, spec_text)
    recipes = load_recipes(folder / "recipes.toml")
    spec = load_spec(folder / "tableT.toml", recipes)
    assert (spec.rows[1].method, spec.rows[1].recipe) == ("sitvos", "tiny")
    ctx = Context(tmp_path / "work", tiny_demo, recipes, recipes.quick, progress=False)
    checkpoint, key = train_recipe(recipes.recipes["tiny"], ctx)
    assert checkpoint.is_file() and (checkpoint.parent / "done.json").is_file()
    assert not (checkpoint.parent / "state.pt").exists()  # a finished stage never resumes
    stamp = checkpoint.stat().st_mtime_ns
    assert ctx.trained == {"tiny": (checkpoint.parent,)}  # what the training report reads
    assert train_recipe(recipes.recipes["tiny"], ctx) == (checkpoint, key)
    assert checkpoint.stat().st_mtime_ns == stamp  # cached, not retrained
    record = run_row(spec.rows[1], "davis2017", ctx)
    assert record.options == {"size": "48"} and 0.0 <= record.scores["J&F-Mean"] <= 1.0
    assert record.conditions.startswith("fp32, torch ")  # the FPS names its precision and threads
    # one training path: `vosbench train` told the recipe's settings gives the same weights
    import torch

    from vosbench.checkpoints import load_checkpoint
    from vosbench.cli import main

    out = tmp_path / "cli"
    args = ["train", "--stage", "main", "--davis-root", str(tiny_demo.roots["davis2017"]), "--out", str(out)]
    args += ["--youtube-root", str(tiny_demo.roots["youtube2018"])]  # the demo's main training mixes both
    args += ["--iterations", "2", "--size", "32", "--batch-size", "1", "--workers", "0", "--frames", "2"]
    assert main([*args, "--backbone-init", "random", "--quiet"]) == 0
    ours, theirs = load_checkpoint(out / "last.pth")["model"], load_checkpoint(checkpoint)["model"]
    assert ours.keys() == theirs.keys()
    assert all(torch.equal(ours[k], theirs[k]) for k in ours)


def test_cli_reproduce_on_demo_skips_nothing_it_can_run(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    spec = SPEC.replace('["davis2016_jf", "davis2017_jf", "fps"]', '["g", "j_seen"]').replace(
        'fps_dataset = "davis2017"', ""
    )
    folder = _experiments(tmp_path, spec)
    (folder / "paper.csv").write_text("method,g,j_seen\nSITVOS,81.3,79.9\n")
    code = main(
        ["reproduce", "tableT", "--experiments", str(folder), "--reports", str(tmp_path / "r"),
         "--work", str(tmp_path / "w"), "--quiet"]
    )  # fmt: skip
    assert code == 0
    lines = (tmp_path / "r" / "tables" / "tableT.csv").read_text().splitlines()
    assert lines[0] == "method,source,g,j_seen,fps_hardware,commit"
    assert [ln.split(",")[0] for ln in lines[1:]] == ["SITVOS", "Mine", "First-frame copy"]
    shutil.rmtree(tmp_path / "w")
    work = tmp_path / "w2"
    assert main(["reproduce", "table9", "--experiments", str(folder), "--work", str(work)]) == 2
    assert not work.exists()  # a bad table name stops before any data is generated
    bad = _experiments(tmp_path / "bad", SPEC.replace("options = {", "options = {frobnicate = 1, "))
    capsys.readouterr()
    assert main(["reproduce", "tableT", "--experiments", str(bad), "--work", str(work)]) == 2
    assert "frobnicate" in capsys.readouterr().err
    assert not work.exists()  # so does an option the method does not have


def test_demo_youtube_layout_has_seen_and_unseen_objects(tiny_demo) -> None:
    from vosbench.datasets import load_videos

    videos = load_videos("youtube2018", tiny_demo.roots["youtube2018"], "valid")
    categories = {o.category for v in videos for o in v.objects}
    assert categories & {"kite", "hare", "boat"} and categories & {"yak", "emu"}
    result = evaluate(
        "youtube2018",
        tiny_demo.roots["youtube2018"],
        tiny_demo.roots["youtube2018"] / "valid" / "Annotations",
        split="valid",
        workers=1,
        progress=False,
    )
    assert result.global_metrics["G"] == 1.0
    davis16 = load_videos("davis2016", tiny_demo.roots["davis2016"], "val")
    assert all(len(v.resolve_objects()) == 1 for v in davis16)
    assert len(davis16) == 3


def test_commit_label_says_whether_the_code_differs(tmp_path: Path) -> None:
    import subprocess

    from vosbench.system.provenance import git_commit

    assert git_commit(tmp_path) == "unknown"  # not a git checkout
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-C", str(tmp_path)]
    subprocess.run([*git, "init", "-q"], check=True)
    (tmp_path / "vosbench").mkdir()
    (tmp_path / "vosbench" / "code.py").write_text("x = 1\n")
    (tmp_path / "README.md").write_text("text\n")
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "c"], check=True)
    head = subprocess.run(
        [*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    assert git_commit(tmp_path / "vosbench") == head
    (tmp_path / "README.md").write_text("more text\n")  # documentation is not code
    assert git_commit(tmp_path / "vosbench") == head
    (tmp_path / "vosbench" / "code.py").write_text("x = 2\n")
    assert git_commit(tmp_path / "vosbench") == head + "+changes"


def test_a_split_only_its_server_scores_becomes_a_zip_then_the_servers_numbers(
    tmp_path: Path, tiny_demo
) -> None:
    from vosbench.reproduce.data import DataSources

    # the demo's YouTube-VOS root with its valid split as the real one: each object's first mask only
    root = tmp_path / "ytvos"
    shutil.copytree(tiny_demo.roots["youtube2018"], root)
    meta = json.loads((root / "valid" / "meta.json").read_text())["videos"]
    for video, entry in meta.items():
        firsts = {obj["frames"][0] for obj in entry["objects"].values()}
        for mask in (root / "valid" / "Annotations" / video).iterdir():
            if mask.stem not in firsts:
                mask.unlink()
    spec = SPEC.replace('["davis2016_jf", "davis2017_jf", "fps"]', '["g", "j_seen"]').replace(
        'fps_dataset = "davis2017"', ""
    )
    folder = _experiments(tmp_path, spec)
    (folder / "paper.csv").write_text("method,g,j_seen\nSITVOS,81.3,79.9\n")
    sources = DataSources("youtube", "YouTube-VOS 2018 (first masks only)", {"youtube2018": root})
    reports = tmp_path / "reports"
    options = ReproduceOptions(folder, reports, tmp_path / "work", scale="quick", progress=False, command="t")
    reproduce(["tableT"], sources, options)
    table = (reports / "tables" / "tableT.md").read_text()
    row = next(line for line in table.splitlines() if line.startswith("| **First-frame copy**"))
    assert row.count("awaiting server") == 2 and "submission.zip" in row
    measured = json.loads((reports / "measured" / "tableT" / "youtube-quick.json").read_text())
    copy = next(r for r in measured["rows"] if r["label"] == "First-frame copy")
    zip_path = Path(copy["server"]["youtube2018"]["zip"])
    with zipfile.ZipFile(zip_path) as archive:  # the layout the server takes, every scored frame
        names = archive.namelist()
    assert names and all(n.startswith("Annotations/") for n in names)
    # the server's numbers, put where the line said, come into the table with their source
    key = Path(copy["runs"]["youtube2018"]).name
    (reports / "server").mkdir()
    server_csv = reports / "server" / f"{key}.csv"
    server_csv.write_text("G,J-Seen,source\n71.5,70.4,CodaLab submission 42, 2026-12-03\n")
    with pytest.raises(VosbenchError, match="expected a header"):  # a source with a comma is quoted
        reproduce(["tableT"], sources, options)
    server_csv.write_text('G,J-Seen,source\n71.5,70.4,"CodaLab submission 42, 2026-12-03"\n')
    reproduce(["tableT"], sources, options)
    row = next(
        line
        for line in (reports / "tables" / "tableT.md").read_text().splitlines()
        if line.startswith("| **First-frame copy**")
    )
    assert "**71.5**" in row and "**70.4**" in row
    assert "scored by the server (CodaLab submission 42, 2026-12-03)" in row


def test_the_example_table_of_your_own_masks_runs_as_documented(
    tmp_path: Path, davis2016_root: Path, monkeypatch, capsys
) -> None:
    """examples/my-masks-table.toml, run by the command its header gives, with "my-masks" being
    a copy of the committed small-scale SITVOS masks: both rows score alike, the ordering is not
    resolved, and the committed reports are left alone."""
    repo = Path(__file__).resolve().parent.parent
    committed = repo / "reports" / "results" / "davis2016-small-davis2016-sitvos"
    example = repo / "examples" / "my-masks-table.toml"
    spec = load_spec(example, load_recipes(repo / "reports" / "experiments" / "recipes.toml"))
    assert [r.results for r in spec.rows] == [
        {"davis2016": "my-masks"},
        {"davis2016": str(committed.relative_to(repo))},
    ]
    work = tmp_path / "checkout"  # where the reader runs: their masks beside the repository's folders
    shutil.copytree(committed, work / "my-masks")
    (work / "reports" / "results").mkdir(parents=True)
    (work / "reports" / "results" / committed.name).symlink_to(committed)
    (work / "reports" / "experiments").symlink_to(repo / "reports" / "experiments")
    monkeypatch.chdir(work)
    argv = ["reproduce", str(example), "--data", f"davis2016={davis2016_root}"]
    assert main([*argv, "--reports", "my-reports", "--work", str(tmp_path / "cache"), "--quiet"]) == 0
    table = (work / "my-reports" / "tables" / "my-masks-table.md").read_text()
    mine = next(x for x in table.splitlines() if x.startswith("| **Mine**"))
    theirs = next(x for x in table.splitlines() if x.startswith("| **SITVOS, small-scale**"))
    assert mine.split("|")[2:5] == theirs.split("|")[2:5]  # the same masks, the same J&F, J, F
    assert "| Mine > SITVOS, small-scale | - | DAVIS16 J&F: not resolved at 95% (+0.0" in table
    assert not (repo / "reports" / "tables" / "my-masks-table.md").exists()
