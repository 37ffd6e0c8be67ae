"""Reading the TOML files of `vosbench reproduce`: every key checked, every error naming its file."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from vosbench.errors import VosbenchError


class SpecError(VosbenchError):
    """A spec file that does not say what it must."""


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except FileNotFoundError:
        raise SpecError(f"{path}: no such spec file") from None
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"{path}: not valid TOML ({exc})") from None


def _check_keys(path: Path, where: str, table: Any, required: set[str], optional: set[str]) -> None:
    if not isinstance(table, dict):
        raise SpecError(f"{path}: {where or 'the file'} must be a table")
    for key in table:
        if key not in required | optional:
            allowed = ", ".join(sorted(required | optional))
            raise SpecError(
                f"{path}: {where + '.' if where else ''}{key}: unknown key; expected one of {allowed}"
            )
    for key in sorted(required - set(table)):
        raise SpecError(f"{path}: {where + '.' if where else ''}{key}: missing")


def _typed(path: Path, where: str, value: Any, kind: type | tuple[type, ...], what: str) -> Any:
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise SpecError(f"{path}: {where}: expected {what}, got {value!r}")
    return value
