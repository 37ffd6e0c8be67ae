"""`vosbench evaluate --figures`: every object's score and the masks over the frames, for any
results layout (one indexed mask a frame, or one binary mask per object, as SA-V)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from vosbench.cli import main
from vosbench.datasets import load_videos
from vosbench.demo_data import make_demo_data
from vosbench.io.images import read_image
from vosbench.io.masks import read_mask
from vosbench.visual.results_figures import predicted_labels, spread

PNG = b"\x89PNG\r\n\x1a\n"


@given(n=st.integers(0, 200), k=st.integers(1, 12))
def test_spread_runs_from_the_first_to_the_last_evenly(n: int, k: int) -> None:
    picks = spread(n, k)
    assert len(picks) == min(n, k)
    assert picks == sorted(set(picks)) and all(0 <= i < n for i in picks)
    if picks:
        assert picks[0] == 0
    if k >= 2 and n >= 2:
        assert picks[-1] == n - 1
        gaps = np.diff(picks)
        assert gaps.max() - gaps.min() <= 1  # as even as whole frames allow


def test_evaluate_draws_its_figures_only_when_asked(tmp_path: Path, capsys) -> None:
    demo = make_demo_data(tmp_path / "demo", n_frames=6, size=(64, 96))
    run = tmp_path / "run"
    args = ["--dataset", "davis2017", "--root", str(demo.davis_root)]
    assert main(["run", "--method", "first-frame-copy", *args, "--out", str(run), "--quiet"]) == 0
    figures = ["per-object-val.png", "overlays-val.png"]
    assert main(["evaluate", *args, "--results", str(run), "--out", str(tmp_path / "plain"), "--quiet"]) == 0
    assert not any((tmp_path / "plain" / name).exists() for name in figures)
    out = tmp_path / "scores"
    assert main(["evaluate", *args, "--results", str(run), "--out", str(out), "--figures", "--quiet"]) == 0
    assert all((out / name).read_bytes().startswith(PNG) for name in figures)
    wrote = capsys.readouterr().out.splitlines()[-1]
    assert all(str(out / name) in wrote for name in figures)
    sheet = read_image(out / "overlays-val.png")
    videos = load_videos("davis2017", demo.davis_root, "val")
    assert sheet.shape[0] > 160 * len(videos)  # a row of tiles per video


def test_predicted_labels_read_per_object_masks_as_the_dataset_reads_its_own(tmp_path: Path) -> None:
    make_demo_data(tmp_path / "demo", n_frames=6, size=(64, 96), benchmarks=True)
    video = load_videos("sav", tmp_path / "demo" / "SA-V", "val")[0]
    frame = "00000"
    results = tmp_path / "results"
    for name, masks in video.object_masks.items():  # the dataset's own masks, which overlap here
        (results / video.name / name).mkdir(parents=True)
        shutil.copy(masks[frame], results / video.name / name / f"{frame}.png")
    overlap = sum((read_mask(m[frame]) > 0).astype(int) for m in video.object_masks.values()) > 1
    assert overlap.any()
    truth = video.read_labels(frame)  # a later object over an earlier one
    assert np.array_equal(predicted_labels(results, video, frame), truth)
    assert predicted_labels(results, video, video.frames[1]) is None


def test_run_draws_the_figures_and_overlays_alone_where_nothing_is_scored(tmp_path: Path, capsys) -> None:
    make_demo_data(tmp_path / "demo", n_frames=6, size=(64, 96), benchmarks=True)
    run = ["run", "--method", "first-frame-copy", "--quiet", "--figures"]
    davis = ["--dataset", "davis2017", "--root", str(tmp_path / "demo" / "DAVIS")]
    out = tmp_path / "davis"
    assert main([*run, *davis, "--out", str(out)]) == 0
    figures = ("per-object-val.png", "overlays-val.png")
    assert all((out / name).read_bytes().startswith(PNG) for name in figures)
    before = (out / "per-object-val.png").read_bytes()
    assert main([*run, *davis, "--out", str(out), "--resume"]) == 0  # the figures are not another run's files
    assert (out / "per-object-val.png").read_bytes() == before
    server = tmp_path / "lvos"  # a split the server scores: masks to look at, no scores
    lvos = ["--dataset", "lvos2", "--root", str(tmp_path / "demo" / "LVOS")]
    assert main([*run, *lvos, "--out", str(server)]) == 0
    assert (server / "overlays-valid.png").read_bytes().startswith(PNG)
    assert not (server / "per-object-valid.png").exists()
    assert f"figures: {server / 'overlays-valid.png'}" in capsys.readouterr().out


def test_the_ground_truth_outline_is_the_boundary_of_each_object() -> None:
    from vosbench.visual.overlay import WHITE, draw_outline

    labels = np.zeros((12, 12), np.uint8)
    labels[3:8, 2:6] = 1
    labels[3:8, 6:10] = 2  # touching objects: their shared edge is a boundary too
    image = np.full((12, 12, 3), 40, np.uint8)
    drawn = draw_outline(image, labels)
    white = (drawn == WHITE).all(axis=2)
    assert white[3, 2:10].all() and white[7, 2:10].all()  # top and bottom rows of both objects
    assert white[2, 2:10].all() and white[8, 2:10].all()  # and the background beside them
    assert white[5, 5] and white[5, 6]  # both sides of the shared edge
    assert not white[5, 3] and not white[5, 8] and not white[0, 0]  # insides and far background
    assert (drawn[~white] == 40).all()


def test_a_sheet_of_many_videos_shows_the_lowest_scoring_first(tmp_path: Path, monkeypatch) -> None:
    import vosbench.visual.results_figures as figures

    demo = make_demo_data(tmp_path / "demo", n_frames=6, size=(64, 96))
    videos = load_videos("davis2017", demo.davis_root, "val")
    results = tmp_path / "run"
    args = ["--dataset", "davis2017", "--root", str(demo.davis_root), "--out", str(results), "--quiet"]
    assert main(["run", "--method", "first-frame-copy", *args]) == 0
    shown = []
    monkeypatch.setattr(figures, "contact_sheet", lambda rows, captions: shown.extend(captions) or rows[0][0])
    scores = {v.name: float(i) for i, v in enumerate(reversed(videos))}  # the last video scores lowest
    figures.overlay_sheet(videos, results, tmp_path / "sheet.png", scores=scores, max_videos=2)
    assert [row[0].split(" (")[0] for row in shown] == [videos[-1].name, videos[-2].name]
    assert all(len(row) == 3 for row in shown)


def test_the_scores_figure_of_many_objects_stays_a_page_tall(tmp_path: Path) -> None:
    import dataclasses

    from vosbench.evaluation import evaluate
    from vosbench.visual.results_figures import LABELLED_OBJECTS, object_scores_figure

    demo = make_demo_data(tmp_path / "demo", n_frames=6, size=(64, 96))
    truth = demo.davis_root / "Annotations" / "480p"
    result = evaluate("davis2017", demo.davis_root, truth)
    many = dataclasses.replace(result, objects=result.objects * (LABELLED_OBJECTS // len(result.objects) + 1))
    assert len(many.objects) > LABELLED_OBJECTS
    tall = read_image(object_scores_figure(many, tmp_path / "many.png")).shape[0]
    few = read_image(object_scores_figure(result, tmp_path / "few.png")).shape[0]
    assert few < tall <= 6 * 110 + 1


def _titles_inside(monkeypatch) -> list[bool]:
    """Record, for every figure saved, whether each axes title lies within the PNG."""
    import vosbench.visual.plots as plots
    import vosbench.visual.results_figures as figures

    seen: list[bool] = []
    original = plots.save_figure

    def checked(fig, path):
        fig.tight_layout()
        renderer = fig.canvas.get_renderer()
        right = fig.get_figwidth() * fig.dpi
        for ax in fig.axes:
            box = ax.title.get_window_extent(renderer)
            seen.append(box.x0 >= 0 and box.x1 <= right)
        return original(fig, path)

    monkeypatch.setattr(plots, "save_figure", checked)
    monkeypatch.setattr(figures, "save_figure", checked)
    return seen


def test_long_titles_wrap_to_stay_inside_the_figures(tmp_path: Path, monkeypatch) -> None:
    import vosbench.visual.results_figures as figures
    from vosbench.evaluation import evaluate

    demo = make_demo_data(tmp_path / "demo", n_frames=6, size=(64, 96))
    truth = demo.davis_root / "Annotations" / "480p"
    # a results folder with a long path: both figures put it in their titles
    deep = tmp_path / ("a-results-folder-with-a-long-descriptive-name-" * 3) / "masks"
    shutil.copytree(truth, deep)
    seen = _titles_inside(monkeypatch)
    result = evaluate("davis2017", demo.davis_root, deep)
    figures.object_scores_figure(result, tmp_path / "scores.png", title=str(deep))
    args = ["--dataset", "davis2017", "--root", str(demo.davis_root), "--quiet"]
    assert main(["compare", str(deep), str(truth), *args, "--out", str(tmp_path / "cmp")]) == 0
    assert len(seen) == 2 and all(seen)
