"""Error bars and paired comparisons: intervals over sequences, the sign-flip test against a
brute-force enumeration, `vosbench compare` on constructed results (a clear difference, a
null one, mismatched objects)."""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path

import numpy as np
import pytest
from builders import write_davis2017, write_results
from hypothesis import example, given, settings
from hypothesis import strategies as st

from vosbench.cli import main
from vosbench.errors import VosbenchError
from vosbench.evaluation.uncertainty import TIE, compare, score_interval, sequence_of

scores_strategy = st.dictionaries(
    st.tuples(st.sampled_from([f"seq{i}" for i in range(8)]), st.integers(1, 3)).map(
        lambda t: f"{t[0]}_{t[1]}"
    ),
    st.floats(0, 1),
    min_size=1,
    max_size=20,
)


def _per_sequence(n_sequences: int, objects: int, rng: np.random.Generator, shift: float = 0.0):
    return {
        f"v{s}_{o}": float(np.clip(rng.normal(0.6, 0.15) + shift, 0, 1))
        for s in range(n_sequences)
        for o in range(1, objects + 1)
    }


@settings(max_examples=40, deadline=None)
@given(scores_strategy)
def test_the_interval_holds_the_mean(scores: dict[str, float]) -> None:
    interval = score_interval(scores, resamples=999)
    mean = float(np.mean(list(scores.values())))
    if len({sequence_of(k) for k in scores}) < 2:
        assert math.isnan(interval.low)
    else:
        assert interval.low - 1e-9 <= mean <= interval.high + 1e-9


@settings(max_examples=40, deadline=None)
@given(scores_strategy)
def test_the_interval_lies_between_the_videos_means(scores: dict[str, float]) -> None:
    """Any resample's mean over objects is a weighted mean of the videos' means."""
    interval = score_interval(scores, resamples=999)
    videos: dict[str, list[float]] = {}
    for key, value in scores.items():
        videos.setdefault(sequence_of(key), []).append(value)
    means = [float(np.mean(v)) for v in videos.values()]
    if not math.isnan(interval.low):
        assert min(means) - 1e-9 <= interval.low <= interval.high <= max(means) + 1e-9


def test_objects_of_one_video_are_resampled_together() -> None:
    """Ten copies of each video's object are no more evidence than one: a per-object bootstrap
    would narrow the interval about three times."""
    rng = np.random.default_rng(0)
    one = _per_sequence(12, 1, rng)
    ten = {f"{k.rsplit('_', 1)[0]}_{o}": v for k, v in one.items() for o in range(1, 11)}
    a, b = score_interval(one), score_interval(ten)
    assert (b.low, b.high) == pytest.approx((a.low, a.high), abs=1e-9)
    assert a.sequences == b.sequences == 12


def _exact_sign_flip_p(sums: list[float]) -> float:
    """Two-sided p of the mean over all 2^n sign flips (the observed one included)."""
    observed = abs(sum(sums))
    flips = [
        abs(sum(s * x for s, x in zip(signs, sums, strict=True)))
        for signs in itertools.product((1, -1), repeat=len(sums))
    ]
    return sum(f >= observed - 1e-12 for f in flips) / len(flips)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(-0.5, 0.5), min_size=2, max_size=9))
@example([-0.5, -1.3820770972515874e-14])  # a difference of float noise is a tie
@example([0.5, 1e-12])  # at the tie threshold: what counts is the difference the scores give
def test_the_p_value_is_the_exact_sign_flip_test(differences: list[float]) -> None:
    b = {f"v{i}_1": 0.5 for i in range(len(differences))}
    a = {f"v{i}_1": 0.5 + d for i, d in enumerate(differences)}
    result = compare(a, b)
    # the differences as the scores give them (0.5 + d - 0.5 is not d), those under TIE ties:
    # [0.5, 1e-12] is one real difference and a tie (1e-12 comes back as 0.99998e-12)
    given = [a[k] - b[k] for k in a]
    untied = [x if abs(x) >= TIE else 0.0 for x in given]
    assert result.p_value == pytest.approx(_exact_sign_flip_p(untied), abs=1e-9)
    # no p-value below the bound the report quotes; all of one sign reaches it
    assert result.p_value >= result.smallest_p() - 1e-12
    if all(x > 0 for x in untied) or all(x < 0 for x in untied):
        assert result.smallest_p() == pytest.approx(_exact_sign_flip_p(untied), abs=1e-12)


def test_a_clear_difference_holds_and_a_null_one_is_not_resolved() -> None:
    rng = np.random.default_rng(1)
    base = _per_sequence(20, 2, rng)
    better = {k: min(1.0, v + 0.05 + rng.normal(0, 0.01)) for k, v in base.items()}
    noise = {k: float(np.clip(v + rng.normal(0, 0.01), 0, 1)) for k, v in base.items()}
    clear = compare(better, base)
    assert clear.verdict() == "holds" and clear.p_value < 0.01
    assert compare(base, better).verdict() == "fails"
    null = compare(noise, base)
    assert null.verdict() == "not resolved at 95%" and null.p_value > 0.05
    assert null.interval.low < 0 < null.interval.high


def test_mismatched_objects_are_refused() -> None:
    with pytest.raises(VosbenchError, match="do not cover the same objects: 1 only in A"):
        compare({"v0_1": 0.5, "v0_2": 0.5}, {"v0_1": 0.4}, what=("A", "B"))


# -- vosbench compare ---------------------------------------------------------------------------


def _video(shape: tuple[int, int], frames: int, offset: int) -> list[np.ndarray]:
    out = []
    for t in range(frames):
        mask = np.zeros(shape, np.uint8)
        mask[8 + offset : 28 + offset, 10 + 2 * t : 34 + 2 * t] = 1
        mask[34:46, 40:60] = 2
        out.append(mask)
    return out


def _dataset(tmp_path: Path, n: int = 12) -> tuple[Path, dict[str, list[np.ndarray]]]:
    truth = {f"video{i:02d}": _video((48, 64), 4, 0) for i in range(n)}
    return write_davis2017(tmp_path / "davis", truth), truth


def _shifted(truth: dict[str, list[np.ndarray]], by: dict[str, int]) -> dict[str, list[np.ndarray]]:
    """Each video's object 1 moved down ``by[video]`` pixels from frame 1 on (worse masks)."""
    out = {}
    for name, masks in truth.items():
        moved = [masks[0]]
        for mask in masks[1:]:
            m = mask.copy()
            m[m == 1] = 0
            m[8 + by[name] : 28 + by[name], :][mask[8:28, :] == 1] = 1
            moved.append(m)
        out[name] = moved
    return out


def test_compare_finds_a_clear_difference_and_writes_its_report(tmp_path: Path, capsys) -> None:
    root, truth = _dataset(tmp_path)
    good = write_results(tmp_path / "good", _shifted(truth, {n: 1 for n in truth}))
    bad = write_results(tmp_path / "bad", _shifted(truth, {n: 4 + i % 3 for i, n in enumerate(truth)}))
    out = tmp_path / "cmp"
    args = [
        "compare",
        str(good),
        str(bad),
        "--dataset",
        "davis2017",
        "--root",
        str(root),
        "--out",
        str(out),
        "--quiet",
    ]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "A > B: holds" in printed and "can be resolved" not in printed
    report = json.loads((out / "comparison.json").read_text())
    assert report["verdict"] == "holds" and report["objects"] == 24 and report["sequences"] == 12
    assert report["smallest_p_value"] == 2 / 2**12
    assert report["interval"]["low"] > 0 and report["p_value"] < 0.01
    assert (out / "comparison.png").stat().st_size > 0
    # the same comparison from the results.json files evaluate writes
    for name in ("good", "bad"):
        assert (
            main(
                [
                    "evaluate",
                    "--dataset",
                    "davis2017",
                    "--root",
                    str(root),
                    "--results",
                    str(tmp_path / name),
                    "--quiet",
                ]
            )
            == 0
        )
    assert (
        main(["compare", str(tmp_path / "good" / "results.json"), str(tmp_path / "bad" / "results.json")])
        == 0
    )
    assert "A > B: holds" in capsys.readouterr().out


def test_compare_says_when_too_few_videos_can_resolve_nothing(tmp_path: Path, capsys) -> None:
    """On 3 videos a large, consistent difference is still unresolved (the sign-flip p-value
    cannot fall below 2/2**3); the report says so instead of leaving a puzzle."""
    root, truth = _dataset(tmp_path, n=3)
    good = write_results(tmp_path / "good", _shifted(truth, {n: 1 for n in truth}))
    bad = write_results(tmp_path / "bad", _shifted(truth, {n: 6 for n in truth}))
    out = tmp_path / "cmp"
    common = ["--dataset", "davis2017", "--root", str(root), "--quiet", "--out", str(out)]
    assert main(["compare", str(good), str(bad), *common]) == 0
    printed = capsys.readouterr().out
    assert "A > B: not resolved at 95%" in printed and "p=0.250" in printed
    assert "with 3 sequences no sign-flip p-value can fall below 0.25" in printed
    assert "compare on 6 or more videos" in printed
    report = json.loads((out / "comparison.json").read_text())
    assert report["smallest_p_value"] == 0.25 and report["interval"]["low"] > 0


def test_compare_does_not_claim_a_null_difference(tmp_path: Path, capsys) -> None:
    root, truth = _dataset(tmp_path)
    shifts = {n: 2 + i % 3 for i, n in enumerate(truth)}
    a = write_results(tmp_path / "a", _shifted(truth, shifts))
    swapped = {n: shifts[m] for n, m in zip(truth, list(truth)[1:] + list(truth)[:1], strict=True)}
    b = write_results(tmp_path / "b", _shifted(truth, swapped))  # the same errors, other videos
    assert main(["compare", str(a), str(b), "--dataset", "davis2017", "--root", str(root), "--quiet"]) == 0
    assert "A > B: not resolved at 95%" in capsys.readouterr().out


def test_compare_says_what_made_each_side_where_its_folder_says(tmp_path: Path, capsys) -> None:
    """A folder `vosbench reproduce` kept names its table row and set (source.json); one that
    `vosbench run` wrote names its method (run.json); a bare folder is named by its path alone."""
    root, truth = _dataset(tmp_path)
    kept = write_results(tmp_path / "kept", truth)
    source = {"table": "table1", "row": "SITVOS", "scale": "davis2016, small-scale, MobileNetV2"}
    (kept / "source.json").write_text(json.dumps(source))
    ran = write_results(tmp_path / "ran", truth)
    (ran / "run.json").write_text(json.dumps({"method": "flow-propagation", "options": {}}))
    bare = write_results(tmp_path / "bare", truth)
    out = tmp_path / "cmp"
    common = ["--dataset", "davis2017", "--root", str(root), "--quiet"]
    assert main(["compare", str(kept), str(ran), *common, "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert f"{kept} (table1 row 'SITVOS', davis2016, small-scale, MobileNetV2)" in printed
    assert f"{ran} (vosbench run --method flow-propagation)" in printed
    report = json.loads((out / "comparison.json").read_text())
    assert report["a_about"].startswith("table1 row 'SITVOS'") and report["b_about"].endswith(
        "flow-propagation"
    )
    assert main(["compare", str(bare), str(kept), *common]) == 0
    assert f"  {bare}\n" in capsys.readouterr().out


def test_compare_refuses_results_of_other_objects(tmp_path: Path, capsys) -> None:
    root, truth = _dataset(tmp_path)
    a = write_results(tmp_path / "a", truth)
    assert (
        main(["evaluate", "--dataset", "davis2017", "--root", str(root), "--results", str(a), "--quiet"]) == 0
    )
    document = json.loads((a / "results.json").read_text())
    del document["sequences"]["video03"]
    fewer = tmp_path / "fewer.json"
    fewer.write_text(json.dumps(document))
    out = tmp_path / "cmp"
    assert main(["compare", str(a / "results.json"), str(fewer), "--out", str(out)]) == 2
    error = capsys.readouterr().err
    assert "do not cover the same objects: 2 only in" in error and "video03_1" in error
    assert len(error.strip().splitlines()) == 1
    assert not out.exists()


def test_compare_refuses_a_missing_side_before_scoring_the_other(tmp_path: Path, capsys, monkeypatch) -> None:
    import vosbench.evaluation

    root, truth = _dataset(tmp_path, n=2)
    a = write_results(tmp_path / "a", truth)
    scored = []
    monkeypatch.setattr(vosbench.evaluation, "evaluate", lambda *args, **kwargs: scored.append(args))
    common = ["--dataset", "davis2017", "--root", str(root), "--quiet"]
    assert main(["compare", str(a), str(tmp_path / "absent"), *common]) == 2
    assert f"{tmp_path / 'absent'}: not found" in capsys.readouterr().err
    assert main(["compare", str(a), str(a)]) == 2  # folders are scored here: --dataset, --root
    assert "give --dataset and --root" in capsys.readouterr().err
    assert scored == []


def test_compare_on_youtube_vos_says_what_it_averages_and_each_sides_g(tmp_path: Path, capsys) -> None:
    """YouTube-VOS's G averages seen and unseen categories, so the mean of the objects' J&F that
    the paired test compares is not G: the report names what it compares and gives each G."""
    import shutil

    from vosbench.demo_data import make_demo_data
    from vosbench.evaluation import evaluate

    make_demo_data(tmp_path / "demo", n_frames=6, size=(64, 96))
    root = tmp_path / "demo" / "YouTube"
    a = tmp_path / "a"
    args = ["--dataset", "youtube2019", "--root", str(root), "--quiet"]
    assert main(["run", "--method", "first-frame-copy", *args, "--out", str(a)]) == 0
    b = Path(shutil.copytree(a, tmp_path / "b"))
    video = sorted(p for p in b.iterdir() if p.is_dir())[0]
    for mask in sorted(video.glob("*.png"))[1:]:  # one video's later masks emptied
        write_results(b, {video.name: [np.zeros((64, 96), np.uint8)]}, frames=[int(mask.stem)])
    capsys.readouterr()
    assert main(["compare", str(a), str(b), *args]) == 0
    printed = capsys.readouterr().out
    assert "mean per-object J&F in percent" in printed
    for side in (a, b):
        g = 100 * evaluate("youtube2019", root, side, split="valid").global_metrics["G"]
        assert f"{side} (vosbench run --method first-frame-copy; its G {g:.1f})" in printed
