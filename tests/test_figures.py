"""Figures a person reads: point labels that do not overlap, captions on every tile."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from vosbench.reproduce.recipes import load_recipes
from vosbench.reproduce.spec import load_spec
from vosbench.reproduce.tables import Line
from vosbench.visual.labels import place_labels
from vosbench.visual.overlay import caption, contact_sheet
from vosbench.visual.plots import pyplot

REPO = Path(__file__).resolve().parent.parent


def _overlaps(boxes) -> list[tuple[int, int]]:
    return [
        (i, j) for i in range(len(boxes)) for j in range(i + 1, len(boxes)) if boxes[i].overlaps(boxes[j])
    ]


def _paper_points() -> tuple[list[dict], list[tuple[float, float]]]:
    import csv

    with (REPO / "reports" / "paper" / "table1.csv").open() as f:
        rows = [r for r in csv.DictReader(f) if r["fps"] and r["davis2016_jf"]]
    return rows, [(float(r["fps"]), float(r["davis2016_jf"])) for r in rows]


def _placed(rows: list[dict], points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(9, 6), dpi=120)
    ax.set_xscale("log")
    ax.set_ylim(-5, 95)
    texts = [ax.text(x, y, r["method"], fontsize=7) for (x, y), r in zip(points, rows, strict=True)]
    place_labels(ax, texts, points)
    positions = [t.get_position() for t in texts]
    plt.close(fig)
    return positions


def test_label_placement_is_the_same_every_run() -> None:
    """A fixed number of steps, not a time limit: a busy machine draws the same figure."""
    rows, points = _paper_points()
    assert _placed(rows, points) == _placed(rows, points)


def test_crowded_labels_are_moved_apart() -> None:
    """The paper's Table 1 rows crowd at 80-90 J&F and 5-30 FPS; their labels must not overlap."""
    rows, points = _paper_points()
    assert len(rows) >= 10
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(9, 6), dpi=120)
    ax.scatter(*zip(*points, strict=True))
    ax.set_xscale("log")
    ax.set_ylim(-5, 95)  # measured rows near 0 J&F share the axis, as in the committed figures
    texts = [ax.text(x, y, r["method"], fontsize=7) for (x, y), r in zip(points, rows, strict=True)]
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    before = _overlaps([t.get_window_extent(renderer) for t in texts])
    assert before, "the test needs crowded labels to mean anything"
    place_labels(ax, texts, points)
    fig.canvas.draw()
    boxes = [t.get_window_extent(fig.canvas.get_renderer()) for t in texts]
    covered = [
        (i, j)
        for i, box in enumerate(boxes)
        for j, p in enumerate(points)
        if box.contains(*ax.transData.transform(p))
    ]
    plt.close(fig)
    assert _overlaps(boxes) == []
    assert covered == []  # no label hides a point, its own or another's


def test_a_label_with_room_sits_beside_its_point_and_a_moved_one_gets_a_leader() -> None:
    """Straight right of the point at the nearest ring, no line; a label pushed away by
    others, a line to its point. Above and below are as near as beside (a point's clear zone
    is round)."""
    from matplotlib.lines import Line2D

    from vosbench.visual.labels import GAP, POINT_RADIUS

    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6, 4), dpi=100)
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 10)
    alone = ax.text(5, 5, "alone", fontsize=7)
    place_labels(ax, [alone], [(5, 5)])
    renderer = fig.canvas.get_renderer()
    box = alone.get_window_extent(renderer)
    px, py = ax.transData.transform((5, 5))
    assert box.x0 - px == GAP + POINT_RADIUS and box.y0 <= py <= box.y1
    assert not [a for a in ax.get_children() if isinstance(a, Line2D)]
    plt.close(fig)

    # one point, many labels: the nearest ring holds those beside, above and below (the
    # diagonals touch the one above or below); the rest go further out, each with its line
    fig, ax = plt.subplots(figsize=(6, 4), dpi=100)
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 10)
    texts = [ax.text(5, 5, f"label {i}", fontsize=7) for i in range(8)]
    place_labels(ax, texts, [(5, 5)] * 8)
    boxes = [t.get_window_extent(fig.canvas.get_renderer()) for t in texts]
    lines = [a for a in ax.get_children() if isinstance(a, Line2D)]
    plt.close(fig)
    near = GAP + POINT_RADIUS
    gaps = sorted(round(max(b.x0 - px, px - b.x1, b.y0 - py, py - b.y1), 6) for b in boxes)
    assert gaps[:4] == [near] * 4  # right, left, above, below: all as near
    assert len(lines) == sum(g > near for g in gaps) > 0


def test_jf_fps_plot_of_the_committed_spec(tmp_path: Path) -> None:
    from vosbench.reproduce.figures import jf_fps_plot

    experiments = REPO / "reports" / "experiments"
    spec = load_spec(experiments / "table4.toml", load_recipes(experiments / "recipes.toml"))
    # five measured rows within a few J&F and FPS of each other, as the quick rows are
    lines = [
        Line(
            name, {}, {"fps": 6.0 + 0.3 * i, "davis2016_jf": 2.0 + 0.5 * i}, "", "demo, quick", measured=True
        )
        for i, name in enumerate(["First-only", "Previous-only", "First & previous", "Every 12", "Fixed 7"])
    ]
    path = jf_fps_plot(spec, lines, "davis2016_jf", tmp_path / "plot.png")
    assert path is not None and path.stat().st_size > 10_000


def test_tiles_carry_their_captions() -> None:
    tile = np.full((60, 80, 3), 200, np.uint8)
    captioned = caption(tile, "blackswan 00042")
    changed = np.any(captioned != tile, axis=2)
    ys, xs = np.nonzero(changed)
    assert changed.any() and ys.max() < 30 and xs.min() == 0  # in the top-left corner only
    sheet = contact_sheet([[tile, tile]], tile_height=60, captions=[["a 00000", "a 00010"]])
    plain = contact_sheet([[tile, tile]], tile_height=60)
    assert sheet.shape == plain.shape and np.any(sheet != plain)
