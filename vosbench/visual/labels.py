"""Point labels placed apart: each label beside its point where it overlaps no other label,
no point and no legend, joined to its point by a thin line when it had to move away.

A greedy search in display pixels, in a fixed order over a fixed set of candidate positions:
the same figure on every run and machine, in milliseconds (adjustText's force simulation,
used before, took seconds per figure).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from matplotlib.lines import Line2D
from matplotlib.transforms import Bbox

POINT_RADIUS = 5.0  # pixels kept clear around every point
GAP = 3.0  # pixels between a point and a label set right beside it
# distances (pixels) from the point at which a label is tried, nearest first
RADII = (0.0, 8.0, 16.0, 26.0, 38.0, 52.0, 70.0, 92.0, 120.0, 155.0)
# directions tried at each distance: right, left, above, below, then the diagonals
DIRECTIONS = ((1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (-1, 1), (1, -1), (-1, -1))
# the farthest a label of the nearest ring (beside, above, below or diagonal) is from its point
NEAREST = (POINT_RADIUS + GAP) * 2**0.5 + 0.5
LEADER = {"color": "0.5", "linewidth": 0.5, "zorder": 3.5}


def place_labels(ax: Any, texts: list, points: list[tuple[float, float]]) -> None:
    """Move each text of ``texts`` (one per point of ``points``, in data coordinates) to a free
    spot near its point, inside the axes; deterministic. The axes' limits are frozen first,
    since the positions are found in pixels."""
    fig = ax.figure
    ax.set_xlim(*ax.get_xlim())
    ax.set_ylim(*ax.get_ylim())
    for text in texts:
        text.set_in_layout(False)  # placed inside the axes: they must not shrink the layout
    fig.tight_layout()  # the layout the figure is saved with: the pixels the search uses
    renderer = fig.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    centres = [tuple(ax.transData.transform(p)) for p in points]
    taken = [_around(x, y, POINT_RADIUS) for x, y in centres]
    legend = ax.get_legend()
    if legend is not None:
        taken.append(legend.get_window_extent(renderer))
    for text, (x, y) in zip(texts, centres, strict=True):
        text.set_horizontalalignment("left")
        text.set_verticalalignment("bottom")
        extent = text.get_window_extent(renderer)
        box = _best_box(x, y, extent.width, extent.height, frame, taken)
        taken.append(box)
        text.set_position(ax.transData.inverted().transform((box.x0, box.y0)))
        if _distance((x, y), box) > NEAREST:  # moved beyond the nearest ring of candidates
            _leader(ax, (x, y), box)


def _around(x: float, y: float, r: float) -> Bbox:
    return Bbox.from_extents(x - r, y - r, x + r, y + r)


def _candidates(x: float, y: float, w: float, h: float) -> Iterator[tuple[float, float]]:
    """Lower-left corners of a ``w`` x ``h`` box near (``x``, ``y``), nearest first."""
    for radius in RADII:
        for dx, dy in DIRECTIONS:
            yield _start(x, dx, radius, w), _start(y, dy, radius, h)


def _start(centre: float, direction: int, radius: float, size: float) -> float:
    """Where a box of ``size`` starts on one axis: its near edge ``radius`` beyond the point's
    clear zone on the ``direction`` side, or centred on the point (direction 0)."""
    if direction > 0:
        return centre + GAP + POINT_RADIUS + radius
    if direction < 0:
        return centre - GAP - POINT_RADIUS - radius - size
    return centre - size / 2


def _best_box(x: float, y: float, w: float, h: float, frame: Bbox, taken: list[Bbox]) -> Bbox:
    """The first candidate inside ``frame`` that overlaps nothing in ``taken``; else the one
    overlapping least."""
    best, best_overlap = None, float("inf")
    for left, bottom in _candidates(x, y, w, h):
        box = Bbox.from_bounds(left, bottom, w, h)
        if not (frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1):
            continue
        overlap = sum(_overlap_area(box, other) for other in taken)
        if overlap == 0.0:
            return box
        if overlap < best_overlap:
            best, best_overlap = box, overlap
    return best if best is not None else Bbox.from_bounds(x + GAP + POINT_RADIUS, y - h / 2, w, h)


def _distance(point: tuple[float, float], box: Bbox) -> float:
    """Pixels from ``point`` to the nearest point of ``box`` (0 inside it)."""
    dx = max(box.x0 - point[0], 0.0, point[0] - box.x1)
    dy = max(box.y0 - point[1], 0.0, point[1] - box.y1)
    return (dx * dx + dy * dy) ** 0.5


def _overlap_area(a: Bbox, b: Bbox) -> float:
    width = min(a.x1, b.x1) - max(a.x0, b.x0)
    height = min(a.y1, b.y1) - max(a.y0, b.y0)
    return width * height if width > 0 and height > 0 else 0.0


def _leader(ax: Any, point: tuple[float, float], box: Bbox) -> None:
    """A thin line from the point to the nearest point of the label's box, in pixels made data
    coordinates; added as an artist so that it leaves the axes' limits alone."""
    end = (min(max(point[0], box.x0), box.x1), min(max(point[1], box.y0), box.y1))
    (x0, y0), (x1, y1) = ax.transData.inverted().transform([point, end])
    ax.add_artist(Line2D([x0, x1], [y0, y1], transform=ax.transData, **LEADER))
