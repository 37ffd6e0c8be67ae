"""The method registry: names to :class:`~vosbench.methods.base.Method` classes.

Methods come from Python entry points of the group ``vosbench.methods`` (bundled methods
declare theirs in vosbench's pyproject.toml, exactly as an external package would), plus
any registered in-process with :func:`register`.
"""

from __future__ import annotations

from typing import Any

from vosbench.methods.base import Method
from vosbench.methods.options import build_options
from vosbench.registry import Registry

GROUP = "vosbench.methods"
METHODS: Registry[type[Method]] = Registry(
    GROUP,
    "method",
    lambda obj: isinstance(obj, type) and issubclass(obj, Method),
    "a vosbench.methods.Method subclass",
)


def register(name: str, method: type[Method]) -> None:
    """Register a method class under ``name`` in this process (tests, notebooks)."""
    METHODS.register(name, method)


def method_names() -> list[str]:
    """Every available method name, sorted."""
    return METHODS.names()


def method_class(name: str) -> type[Method]:
    """The class of method ``name``; an unknown name lists the available ones."""
    return METHODS.get(name)


def create_method(name: str, settings: dict[str, Any] | Any = None, device: str = "cpu") -> Method:
    """An instance of method ``name`` on ``device``, with ``settings`` validated into its options
    (text or typed values), or given as an instance of its ``Options`` already."""
    cls = method_class(name)
    if isinstance(settings, cls.Options):
        return cls(settings, device=device)
    return cls(build_options(name, cls.Options, settings or {}), device=device)


def method_catalogue() -> str:
    """`vosbench methods`: every method with its options, their types, defaults and help."""
    from vosbench.methods.options import describe_options

    lines = []
    names, broken = METHODS.available()
    for name in names:
        cls = method_class(name)
        lines.append(f"{name}: {cls.description or cls.__doc__ or ''}".rstrip())
        for option in describe_options(cls.Options):
            help_text = f"  {option.help}" if option.help else ""
            lines.append(f"    {option.name} ({option.type}, default {option.default!r}){help_text}")
    return "\n".join(lines + [f"(not loaded) {line}" for line in broken])
