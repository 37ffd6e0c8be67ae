"""The columns a table can hold: which dataset each comes from and which number it is.

Column names are the ones of ``reports/paper/table*.csv``, so measured rows and the paper's
rows line up.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    """A table column: ``metric`` of the run on ``dataset`` (``fps``: the profiler's FPS)."""

    name: str
    header: str
    dataset: str | None  # None: FPS, from the run on the spec's fps_dataset
    metric: str
    tex: str = ""


COLUMNS: dict[str, Column] = {
    c.name: c
    for c in (
        Column(
            "davis2016_jf",
            "DAVIS16 J&F",
            "davis2016",
            "J&F-Mean",
            r"16 $\mathcal{J}\&\mathcal{F}$",
        ),
        Column("davis2016_j", "DAVIS16 J", "davis2016", "J-Mean", r"16 $\mathcal{J}$"),
        Column("davis2016_f", "DAVIS16 F", "davis2016", "F-Mean", r"16 $\mathcal{F}$"),
        Column("davis2017_jf", "DAVIS17 J&F", "davis2017", "J&F-Mean", r"17 $\mathcal{J}\&\mathcal{F}$"),
        Column("davis2017_j", "DAVIS17 J", "davis2017", "J-Mean", r"17 $\mathcal{J}$"),
        Column("davis2017_f", "DAVIS17 F", "davis2017", "F-Mean", r"17 $\mathcal{F}$"),
        Column("g", "G", "youtube2018", "G", r"$\mathcal{G}$"),
        Column("j_seen", "J seen", "youtube2018", "J-Seen", r"$\mathcal{J}_s$"),
        Column("j_unseen", "J unseen", "youtube2018", "J-Unseen", r"$\mathcal{J}_u$"),
        Column("f_seen", "F seen", "youtube2018", "F-Seen", r"$\mathcal{F}_s$"),
        Column("f_unseen", "F unseen", "youtube2018", "F-Unseen", r"$\mathcal{F}_u$"),
        Column("fps", "FPS", None, "fps", "FPS"),
    )
}


def format_value(column: str, value: float | None) -> str:
    """The paper's rounding: percentages with one decimal; FPS with one (two below 1)."""
    if value is None:
        return "-"
    if column == "fps":
        return f"{value:.0f}" if value >= 100 else f"{value:.1f}" if value >= 1 else f"{value:.2f}"
    return f"{100 * value:.1f}"
