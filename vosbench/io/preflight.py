"""Checks of the paths a command will write, made before any work starts.

A command that would fail on its output path after minutes of scoring, inference or
training fails at once instead, with one line naming the path and what was expected.
"""

from __future__ import annotations

import os
from pathlib import Path

from vosbench.errors import VosbenchError


def _blocker(folder: Path) -> str | None:
    """Why nothing can be written in ``folder`` (to be created if missing), or ``None``."""
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        return f"{existing} is a file, not a folder"
    if not os.access(existing, os.W_OK | os.X_OK):
        return f"{existing} is not writable"
    return None


def writable_dir(path: str | os.PathLike[str], what: str = "the output folder") -> Path:
    """``path`` is a folder that exists or can be created, and can be written into."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise VosbenchError(f"{path}: {what} must be a folder, but a file is there")
    blocker = _blocker(path)
    if blocker:
        raise VosbenchError(f"{path}: cannot write {what}: {blocker}")
    return path


def writable_file(path: str | os.PathLike[str], what: str = "the output file") -> Path:
    """``path`` is not a folder, and its folder exists or can be created and written into."""
    path = Path(path)
    if path.is_dir():
        raise VosbenchError(f"{path}: {what} is a folder here; expected a file (or nothing)")
    blocker = _blocker(path.parent)
    if blocker:
        raise VosbenchError(f"{path}: cannot write {what}: {blocker}")
    return path


def writable_files(folder: str | os.PathLike[str], names: list[str], what: str = "the output folder") -> None:
    """``folder`` can take the files ``names`` (none of them is a folder there)."""
    writable_dir(folder, what)
    for name in names:
        writable_file(Path(folder) / name, name)
