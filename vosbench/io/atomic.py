"""Atomic file writes: a reader sees the old file or the complete new one, never a part.

The temporary file is created private (``mkstemp``); before it replaces the target it is
given the permissions an ordinary ``open()`` would (0666 less the umask), since results
are made to be shared.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO


def current_umask() -> int:
    """The process's umask, read without changing it (``/proc``), else by setting it back."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)  # no /proc: a set-and-restore (not thread-safe, hence the fallback only)
    os.umask(mask)
    return mask


def new_file_mode() -> int:
    """The mode ``open(path, "w")`` gives a new file: 0666 less the umask."""
    return 0o666 & ~current_umask()


def _staged(target: Path) -> Path:
    """A new, empty temporary file beside ``target`` (its folder created if missing)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp" + target.suffix, dir=target.parent)
    os.close(fd)
    return Path(name)


def _publish(tmp: Path, target: Path) -> None:
    """Give ``tmp`` the permissions ``open()`` would and move it over ``target`` atomically."""
    os.chmod(tmp, new_file_mode())
    os.replace(tmp, target)


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it replaces ``path`` atomically.

    On an exception the temporary file is removed and ``path`` is left untouched.
    """
    target = Path(path)
    tmp = _staged(target)
    try:
        yield tmp
        _publish(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_atomic(
    path: str | os.PathLike[str], writer: Callable[[IO[str]], None] | str, encoding: str = "utf-8"
) -> None:
    """Write text to ``path`` atomically, from a string or a function that writes to a file."""
    with atomic_path(path) as tmp, open(tmp, "w", encoding=encoding, newline="") as handle:
        if isinstance(writer, str):
            handle.write(writer)
        else:
            writer(handle)


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes) -> None:
    """Write bytes to ``path`` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def write_all_atomic(contents: dict[Path, str], encoding: str = "utf-8") -> None:
    """Write several text files so that either all are replaced or none is: every file is
    written to a temporary beside it first, and only then are they moved into place."""
    staged: list[tuple[Path, Path]] = []
    try:
        for target, text in contents.items():
            staged.append((_staged(target), target))
            staged[-1][0].write_text(text, encoding=encoding, newline="")
        for target in contents:
            if target.is_dir():
                raise IsADirectoryError(f"{target}: a folder is where the file must go")
        for tmp, target in staged:
            _publish(tmp, target)
    finally:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)


@contextlib.contextmanager
def atomic_folder(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a new, empty temporary folder beside ``path``; on success it takes the place of
    ``path`` (whatever was there is removed), so a reader never sees a half-written folder.

    On an exception the temporary folder is removed and ``path`` is left untouched.
    """
    import shutil

    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    try:
        yield tmp
        os.chmod(tmp, 0o777 & ~current_umask())
        old = None
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=target.parent))
            os.replace(target, old / target.name)
        os.replace(tmp, target)
        if old is not None:
            shutil.rmtree(old)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


@contextlib.contextmanager
def exclusive(path: str | os.PathLike[str], waiting: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold an exclusive lock on the file ``path`` (created if missing) while the block runs,
    so that processes sharing a folder do not compute the same thing into it at once.

    If another process holds it, ``waiting`` is called once and the lock is waited for. The
    lock goes with the process: one that dies holds nothing. Without ``fcntl`` (Windows) the
    block runs unlocked.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if waiting is not None:
                waiting()
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
