"""What `vosbench reproduce` keeps of its training stages (curves, minutes, held-out J&F), and
the atomic folder that the kept masks are written through."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from vosbench.io.atomic import atomic_folder
from vosbench.reproduce.training import StageRecord, merge, record_training


def _stage(
    folder: Path, stage: str, metrics: list[dict], validation: list[dict], model: str = "sitvos"
) -> Path:
    folder.mkdir(parents=True)
    config = {
        "stage": stage,
        "model": model,
        "iterations": metrics[-1]["iteration"],
        "backbone": "mobilenetv2",
    }
    (folder / "config.json").write_text(json.dumps(config))
    (folder / "summary.json").write_text(json.dumps({"device": "Test CPU (2 cores)"}))
    (folder / "metrics.jsonl").write_text("".join(json.dumps(m) + "\n" for m in metrics))
    if validation:
        (folder / "validation.jsonl").write_text("".join(json.dumps(v) + "\n" for v in validation))
    return folder


def _metrics(seconds: list[float], every: int = 10) -> list[dict]:
    return [
        {"iteration": every * (i + 1), "loss": 1.0 / (i + 1), "lr": 1e-5, "seconds": s}
        for i, s in enumerate(seconds)
    ]


def test_stage_record_reads_minutes_median_pace_and_curves(tmp_path: Path) -> None:
    # an interval slowed by another process (90 s) moves the total, not the median pace
    folder = _stage(tmp_path / "k1", "main", _metrics([20.0, 30.0, 90.0]), [{"iteration": 0, "score": 0.5}])
    record = StageRecord.read(folder, ("full",))
    assert record.seconds == 140.0
    assert record.seconds_per_iteration == 3.0  # the median of 2, 3 and 9 s an iteration
    assert record.losses == ((10, 1.0), (20, 0.5), (30, 1.0 / 3))
    assert record.validation == ((0, 0.5),)
    assert (record.key, record.stage, record.network, record.backbone, record.iterations) == (
        "k1",
        "main",
        "sitvos",
        "mobilenetv2",
        30,
    )


def test_stage_record_keeps_the_last_row_of_an_iteration_logged_twice(tmp_path: Path) -> None:
    metrics = _metrics([10.0, 10.0, 10.0])
    metrics.insert(2, {"iteration": 10, "loss": 7.0, "lr": 1e-5, "seconds": 40.0})  # resumed at 0
    record = StageRecord.read(_stage(tmp_path / "k", "pretrain", metrics, []), ("full",))
    assert [i for i, _ in record.losses] == [10, 20, 30]
    assert record.losses[0] == (10, 7.0)
    assert record.seconds == 60.0


def _record(key: str, stage: str, recipes: tuple[str, ...]) -> StageRecord:
    return StageRecord(key, recipes, stage, "sitvos", "mobilenetv2", 10, ((10, 1.0),), (), 1.0, 0.1, "cpu")


def test_merge_replaces_a_recipes_stage_and_joins_a_shared_one() -> None:
    earlier = [_record("a", "pretrain", ("full", "pretrain-only")), _record("b", "main", ("full",))]
    # a later call trained only `full` again, with another pre-training (key c) but the same main
    new = [_record("c", "pretrain", ("full",)), _record("b", "main", ("full", "x"))]
    merged = {r.key: r.recipes for r in merge(earlier, new)}
    assert merged == {"a": ("pretrain-only",), "b": ("full", "x"), "c": ("full",)}
    # a stage whose every recipe was trained anew is dropped
    assert [
        r.key for r in merge([_record("a", "pretrain", ("full",))], [_record("c", "pretrain", ("full",))])
    ] == ["c"]


def test_record_training_writes_data_figure_and_table_and_merges_calls(tmp_path: Path) -> None:
    pre = _stage(tmp_path / "w" / "p1", "pretrain", _metrics([60.0] * 4), [{"iteration": 40, "score": 0.25}])
    main = _stage(
        tmp_path / "w" / "m1",
        "main",
        _metrics([30.0] * 4),
        [{"iteration": 0, "score": 0.25}, {"iteration": 40, "score": 0.625}],
    )
    reports = tmp_path / "reports"
    written = record_training({"full": (pre, main), "pretrain-only": (pre,)}, "d-small", reports)
    data, figure, table = written
    assert data == reports / "measured" / "training" / "d-small.json"
    assert Image.open(figure).format == "PNG" and figure.name == "training-d-small.png"
    text = table.read_text()
    assert "| full, pretrain-only | sitvos | mobilenetv2 | pretrain | 40 | 4.0 | 6.00 |" in text
    # held-out J&F: the last validation, the best in brackets
    assert "| full | sitvos | mobilenetv2 | main | 40 | 2.0 | 3.00 |" in text and "62.5 (62.5)" in text
    # a later call that trained only STM keeps the SITVOS stages beside it
    stm = _stage(tmp_path / "w" / "s1", "main", _metrics([5.0]), [], model="stm")
    record_training({"full-stm": (stm,)}, "d-small", reports)
    kept = json.loads(data.read_text())
    assert sorted((r["key"], tuple(r["recipes"])) for r in kept) == [
        ("m1", ("full",)),
        ("p1", ("full", "pretrain-only")),
        ("s1", ("full-stm",)),
    ]


def test_atomic_folder_replaces_whole_or_not_at_all(tmp_path: Path) -> None:
    target = tmp_path / "out"
    with atomic_folder(target) as tmp:
        (tmp / "a.png").write_text("1")
    assert sorted(p.name for p in target.iterdir()) == ["a.png"]
    with pytest.raises(RuntimeError), atomic_folder(target) as tmp:
        (tmp / "b.png").write_text("2")
        raise RuntimeError("stopped half way")
    assert sorted(p.name for p in target.iterdir()) == ["a.png"]  # the old folder, untouched
    with atomic_folder(target) as tmp:
        (tmp / "c.png").write_text("3")
    assert sorted(p.name for p in target.iterdir()) == ["c.png"]  # replaced whole, no a.png left
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no temporary folder left
