"""Progress bars (tqdm) that behave in a terminal and in a log file alike.

In a terminal every bar is drawn, nested ones on their own lines. When stderr is not a
terminal (a log, CI, ``nohup``), cursor movements would litter the file: nested bars are
not drawn at all, and the others are plain lines written at most every 30 seconds.
"""

from __future__ import annotations

import sys
from typing import Any

from tqdm import tqdm

LOG_INTERVAL_S = 30.0


def progress_bar(
    *, enabled: bool = True, nested: bool = False, position: int | None = None, **kwargs: Any
) -> tqdm:
    """A tqdm bar on stderr; ``nested`` bars (one per video inside a run) only in a terminal."""
    stream = kwargs.pop("file", sys.stderr)
    terminal = bool(getattr(stream, "isatty", lambda: False)())
    if not terminal:
        kwargs.setdefault("mininterval", LOG_INTERVAL_S)
        kwargs["ascii"] = True
        position = None  # positions move the cursor
    return tqdm(
        file=stream,
        disable=not enabled or (nested and not terminal),
        position=position,
        dynamic_ncols=terminal,
        **kwargs,
    )
