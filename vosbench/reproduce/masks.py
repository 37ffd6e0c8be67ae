"""A row's predicted masks kept with the reports (``reports/results/``), so anyone can score
them with ``vosbench evaluate`` or the official toolkit without training or running anything.

A row asks for it with ``masks = true`` in its table spec. The folder holds the run's masks in
the results-folder layout (:mod:`vosbench.io.results`) and ``source.json``, which says what
made them and what they scored.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from vosbench.io.atomic import atomic_folder
from vosbench.io.results import MASK_SUFFIX
from vosbench.reproduce.tables import MeasuredRow, MeasuredSet

SOURCE = "source.json"


def export_masks(measured: MeasuredSet, row: MeasuredRow, dataset: str, folder: Path) -> Path:
    """Copy the masks of ``row``'s run on ``dataset`` into ``folder`` (replaced whole)."""
    run = Path(row.runs[dataset])
    masks = sorted(run.glob(f"*/*{MASK_SUFFIX}"))
    if not masks:
        raise FileNotFoundError(f"{run}: the run of {row.label!r} on {dataset} holds no masks")
    with atomic_folder(folder) as tmp:
        for mask in masks:
            target = tmp / mask.parent.name / mask.name
            target.parent.mkdir(exist_ok=True)
            shutil.copyfile(mask, target)
        source = {
            "table": measured.table,
            "row": row.label,
            "method": row.method,
            "data": measured.data,
            "dataset": dataset,
            "scale": measured.marker,
            "scores": {k: v for k, v in row.values.items() if k.startswith(dataset)},
            "per_object": row.per_object.get(dataset, {}),
            "commit": row.commit,
            "command": measured.command,
            "score_with": f"vosbench evaluate --dataset {dataset} --root <{dataset} root> "
            "--results <this folder> --out <a folder for the scores>",
        }
        (tmp / SOURCE).write_text(json.dumps(source, indent=1) + "\n")
    return folder
