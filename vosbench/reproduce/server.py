"""Rows on a split whose ground truth only its benchmark's server holds (YouTube-VOS valid,
DAVIS 2017 test-dev, MOSE valid, LVOS test): the checked zip the server takes, then the
server's numbers once someone has written them to ``reports/server/<run key>.csv``."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from vosbench.datasets import dataset_spec
from vosbench.errors import VosbenchError

if TYPE_CHECKING:
    from vosbench.reproduce.execute import Context, RunRecord


def submission_for_server(dataset: str, root: Path, split: str, folder: Path) -> dict[str, str]:
    """A run on a split whose ground truth only its server holds: the checked zip it takes."""
    from vosbench.submission import write_submission

    if dataset_spec(dataset).submission is None:
        raise VosbenchError(f"{dataset} at {root}: the {split} split has no ground truth here and no server")
    zip_path = folder / f"{dataset}-{split}-submission.zip"
    print(write_submission(dataset, root, split, folder, zip_path))
    return {"zip": str(zip_path), "status": "awaiting the server"}


def server_file(record: RunRecord, ctx: Context) -> Path | None:
    """Where the server's numbers for ``record``'s masks go: ``reports/server/<run key>.csv``."""
    return None if ctx.server is None else ctx.server / f"{record.key}.csv"


def with_server_scores(record: RunRecord, ctx: Context) -> RunRecord:
    """``record`` with the server's numbers where someone has put them in its server file (the
    columns the server prints, in percent, and ``source``: where they come from); else a line
    saying what to upload and where its numbers go."""
    path = server_file(record, ctx)
    if path is None or not path.is_file():
        print(f"awaiting the server: upload {record.server['zip']}; put its numbers in {path}")
        return record
    scores, source = read_server_scores(path, record.dataset)
    server = {**record.server, "status": "scored by the server", "source": source, "file": str(path)}
    return replace(record, scores=scores, server=server)


def read_server_scores(path: Path, dataset: str) -> tuple[dict[str, float], str]:
    """(the global columns the server printed, as fractions; their source) from a server file:
    a header of the dataset protocol's columns (any of them) and ``source``, and one row."""
    import csv

    from vosbench.evaluation.protocols import protocol_of

    columns = protocol_of(dataset).columns
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        row = rows[0]
        unknown = set(row) - set(columns) - {"source"}
        if len(rows) != 1 or unknown or not row.get("source"):
            raise ValueError(f"unknown columns {sorted(unknown)}" if unknown else "one row with a source")
        scores = {c: float(v) / 100 for c, v in row.items() if c != "source" and v not in ("", None)}
    except (OSError, ValueError, IndexError, KeyError) as exc:
        raise VosbenchError(
            f"{path}: expected a header of {', '.join(columns)} (any of them, as the server prints "
            f"them, in percent) and source, then one row ({exc})"
        ) from None
    return scores, row["source"]
