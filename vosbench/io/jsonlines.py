"""JSON-lines logs (``metrics.jsonl``, ``validation.jsonl``): one JSON object per line, appended
as a run goes, so a killed run keeps every row it finished."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

from vosbench.io.atomic import write_atomic


def read_json_lines(path: Path) -> list[dict[str, Any]]:
    """The rows of a JSON-lines file in order: none for a missing file, blank lines skipped.

    A last line that does not parse is dropped: it is the row a process was appending when it
    was killed. A bad line anywhere else is damage, and raises ``json.JSONDecodeError``.
    """
    if not path.is_file():
        return []
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = [json.loads(line) for line in lines[:-1]]
    if lines:
        with contextlib.suppress(json.JSONDecodeError):
            rows.append(json.loads(lines[-1]))
    return rows


def append_json_line(path: Path, row: dict[str, Any]) -> None:
    """Append one row, in one write."""
    with open(path, "a", encoding="utf-8") as log:
        log.write(json.dumps(row) + "\n")


def write_json_lines(path: Path, rows: list[dict[str, Any]]) -> None:
    """Replace the file with ``rows``, atomically."""
    write_atomic(path, "".join(json.dumps(row) + "\n" for row in rows))
