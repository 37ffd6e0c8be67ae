"""`vosbench reproduce`: which data and scale the arguments mean, then the tables."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

from vosbench.errors import VosbenchError
from vosbench.io.preflight import writable_dir
from vosbench.reproduce.data import parse_data
from vosbench.reproduce.pipeline import ReproduceOptions, reproduce
from vosbench.reproduce.recipes import choose_scale
from vosbench.system.devices import check_device


def reproduce_tables(
    tables: list[str],
    data: list[str] | None,
    scale: str | None,
    quick: bool | None,
    options: ReproduceOptions,
) -> None:
    """Check the folders and arguments, regenerate ``tables`` and say what was written."""
    check_device(options.device)
    writable_dir(options.reports, "--reports")
    writable_dir(options.work, "--work")
    data = data or ["demo"]
    demo = data == ["demo"]
    if "demo" in data and not demo:
        raise VosbenchError("--data demo cannot be combined with dataset paths")
    chosen = choose_scale(scale, quick, demo)
    start = time.perf_counter()
    sources = None if demo else parse_data(data)  # None: reproduce generates the demo data
    options = replace(options, scale=chosen)
    written = reproduce(tables, sources, options)
    print(
        f"wrote {len(written)} files under {options.reports} in {time.perf_counter() - start:.0f} s; "
        f"index: {Path(options.reports) / 'README.md'}"
    )
