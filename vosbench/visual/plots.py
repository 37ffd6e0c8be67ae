"""Matplotlib without a display, and figures written atomically as PNG."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

from vosbench.io.atomic import atomic_path


def pyplot() -> Any:
    """``matplotlib.pyplot`` on the Agg backend (no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_figure(fig: Any, path: str | Path) -> Path:
    """Write ``fig`` to ``path`` as PNG, atomically, and close it."""
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png")
    pyplot().close(fig)
    return Path(path)


def set_wrapped_title(ax: Any, text: str, fontsize: float) -> None:
    """``text`` as the title of ``ax``, its lines wrapped until the title lies within the
    figure (long result paths and row labels would otherwise run off the PNG). Call it once
    the axes have their tick labels: the title centres over the axes where the layout puts them."""
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    right = fig.get_figwidth() * fig.dpi
    width = max(len(line) for line in text.split("\n"))
    while True:
        lines = [textwrap.fill(line, width, break_on_hyphens=False) for line in text.split("\n")]
        title = ax.set_title("\n".join(lines), fontsize=fontsize)
        fig.tight_layout()
        box = title.get_window_extent(renderer)
        if width <= 20 or (box.x0 >= 0 and box.x1 <= right):
            return
        width -= 4
