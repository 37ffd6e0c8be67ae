"""reports/paper/*.csv hold exactly the paper's numbers: every row checked against its text."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from conftest import require

REPO = Path(__file__).resolve().parent.parent
PAPER = REPO.parent / "shared" / "paper" / "sitvos-aaai2022.md"
NUMERIC = {
    "table1.csv": [
        "davis2016_jf",
        "davis2016_j",
        "davis2016_f",
        "davis2017_jf",
        "davis2017_j",
        "davis2017_f",
        "fps",
    ],
    "table2.csv": ["g", "j_seen", "j_unseen", "f_seen", "f_unseen"],
    "table3.csv": ["davis2016_jf", "davis2017_jf", "fps"],
    "table4.csv": ["davis2016_jf", "davis2017_jf", "fps"],
}


def _rows(name: str) -> list[dict[str, str]]:
    with open(REPO / "reports" / "paper" / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _paper_line(lines: list[str], label: str, occurrence: int) -> list[str]:
    """The cells after the label of the ``occurrence``-th table line that starts with ``label``."""
    plain = [re.sub(r"<[^>]+>", "", line) for line in lines]
    matches = [line for line in plain if line.split("\t")[0].strip().startswith(label) and "\t" in line]
    cells = matches[occurrence].split("\t")[1:]
    return [c.strip() for c in cells if c.strip() not in ("✓", "✗")]


@pytest.fixture(scope="module")
def paper_lines() -> list[str]:
    require(PAPER.is_file(), "the paper's text", PAPER)
    return PAPER.read_text(encoding="utf-8").splitlines()


@pytest.mark.parametrize("name", sorted(NUMERIC))
def test_every_row_matches_the_paper(name: str, paper_lines: list[str]) -> None:
    key = (
        "method"
        if name in ("table1.csv", "table2.csv")
        else ("variant" if name == "table3.csv" else "memory")
    )
    occurrence = {"table1.csv": 0, "table2.csv": 1, "table3.csv": 0, "table4.csv": 0}[name]
    rows = _rows(name)
    assert rows
    for row in rows:
        label = row[key]
        # Table 3's STM row shares its label with Table 1's: take the last table's line.
        index = -1 if (name == "table3.csv" and label == "STM") else occurrence
        if name == "table2.csv" and label in ("PReMVOS", "OSVOS", "OnAVOS", "LCM", "RMNet"):
            index = -1
        cells = _paper_line(paper_lines, label, index)
        expected = [c if c != "-" else "" for c in cells][: len(NUMERIC[name])]
        assert [row[c] for c in NUMERIC[name]] == expected, label


def test_a_few_cells_by_hand() -> None:
    sitvos = next(r for r in _rows("table1.csv") if r["method"] == "SITVOS")
    assert (sitvos["davis2016_jf"], sitvos["davis2017_jf"], sitvos["fps"]) == ("90.5", "83.5", "11.8")
    assert next(r for r in _rows("table2.csv") if r["method"] == "SITVOS")["g"] == "81.3"
    assert next(r for r in _rows("table4.csv") if r["memory"] == "First-only")["davis2017_jf"] == "70.7"
