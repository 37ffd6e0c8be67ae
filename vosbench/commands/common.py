"""What every command module shares."""

from __future__ import annotations

import argparse
import inspect


def arguments_of(target: object, args: argparse.Namespace, **given: object) -> dict[str, object]:
    """The keyword arguments of ``target`` (a function or dataclass) that the parsed arguments
    hold under the same name, then ``given``."""
    names = inspect.signature(target).parameters  # type: ignore[arg-type]
    return {**{k: v for k, v in vars(args).items() if k in names}, **given}
