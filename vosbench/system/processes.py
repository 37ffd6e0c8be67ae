"""Worker processes that are safe to start after OpenCV or BLAS have been used."""

from __future__ import annotations

import multiprocessing
from collections.abc import Sequence
from multiprocessing.context import BaseContext


def process_context(preload: Sequence[str] = ()) -> BaseContext:
    """A fork server's context (``spawn`` where there is none), never plain ``fork``.

    A process forked while OpenCV's (or BLAS's) thread pool is running can hang in the
    child; a fork server starts clean, imports ``preload`` once, then forks the workers.
    """
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        if preload:
            context.set_forkserver_preload(list(preload))
        return context
    return multiprocessing.get_context("spawn")
