"""JSON-lines logs: whole rows back in order; a row torn by a kill is dropped only at the end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vosbench.io.jsonlines import append_json_line, read_json_lines, write_json_lines

ROWS = st.lists(
    st.fixed_dictionaries(
        {"iteration": st.integers(0, 10**6), "loss": st.floats(allow_nan=False, allow_infinity=False)}
    ),
    max_size=8,
)


TORN = json.dumps({"iteration": 7, "loss": 0.5})


@given(rows=ROWS, cut=st.integers(1, len(TORN) - 1))
def test_rows_come_back_and_a_torn_last_row_is_dropped(tmp_path_factory, rows, cut) -> None:
    path = tmp_path_factory.mktemp("log") / "metrics.jsonl"
    for row in rows:
        append_json_line(path, row)
    assert read_json_lines(path) == rows
    with open(path, "a") as log:
        log.write(TORN[:cut])  # never a whole object: the closing brace is cut off
    assert read_json_lines(path) == rows
    write_json_lines(path, rows)
    assert [json.loads(line) for line in path.read_text().splitlines()] == rows


def test_a_missing_log_has_no_rows_and_damage_inside_raises(tmp_path: Path) -> None:
    assert read_json_lines(tmp_path / "absent.jsonl") == []
    path = tmp_path / "validation.jsonl"
    path.write_text('{"iteration": 0}\n{"iter\n{"iteration": 10}\n')
    with pytest.raises(json.JSONDecodeError):
        read_json_lines(path)
