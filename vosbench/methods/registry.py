"""The method registry: names to :class:`~vosbench.methods.base.Method` classes.

Methods come from Python entry points of the group ``vosbench.methods`` (bundled methods
declare theirs in vosbench's pyproject.toml, exactly as an external package would), plus
any registered in-process with :func:`register`.
"""

from __future__ import annotations

from importlib.metadata import EntryPoint, distributions
from typing import Any

from vosbench.errors import VosbenchError
from vosbench.methods.base import Method
from vosbench.methods.options import build_options

GROUP = "vosbench.methods"
_registered: dict[str, type[Method]] = {}


def register(name: str, method: type[Method]) -> None:
    """Register a method class under ``name`` in this process (tests, notebooks)."""
    _registered[name] = method


def _entry_points() -> dict[str, EntryPoint]:
    # Every distribution on the path, not importlib's de-duplicated view: a stale
    # vosbench.egg-info in the working directory would otherwise hide the installed one.
    found: dict[str, EntryPoint] = {}
    for dist in distributions():
        for ep in dist.entry_points.select(group=GROUP):
            found.setdefault(ep.name, ep)
    return found


def method_names() -> list[str]:
    """Every available method name, sorted."""
    return sorted(set(_entry_points()) | set(_registered))


def method_class(name: str) -> type[Method]:
    """The class of method ``name``; an unknown name lists the available ones."""
    if name in _registered:
        return _registered[name]
    points = _entry_points()
    if name not in points:
        raise VosbenchError(f"unknown method {name!r}; available: {', '.join(method_names()) or '(none)'}")
    try:
        loaded = points[name].load()
    except Exception as exc:
        raise VosbenchError(
            f"method {name!r}: its entry point {points[name].value} failed to load ({exc})"
        ) from None
    if not (isinstance(loaded, type) and issubclass(loaded, Method)):
        raise VosbenchError(
            f"method {name!r}: {points[name].value} is not a vosbench.methods.Method subclass"
        )
    return loaded


def create_method(name: str, settings: dict[str, Any] | None = None, device: str = "cpu") -> Method:
    """An instance of method ``name`` with validated options on ``device``."""
    cls = method_class(name)
    options = build_options(name, cls.Options, settings or {})
    return cls(options, device=device)
