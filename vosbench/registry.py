"""Entry-point registries: how vosbench finds methods, datasets and trainable networks.

Each kind of plugin is one entry-point group (``vosbench.methods``, ``vosbench.datasets``,
``vosbench.networks``). vosbench's own datasets and networks, and the bundled SITVOS, STM
and baselines, declare theirs in pyproject.toml exactly as an external package would; a
test or a notebook can also register an object in-process. Entries load lazily: listing the
names imports nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import EntryPoint, distributions
from typing import Generic, TypeVar

from vosbench.errors import VosbenchError

T = TypeVar("T")


class Registry(Generic[T]):
    """Names to objects of one kind, from the entry-point group ``group`` and :meth:`register`."""

    def __init__(self, group: str, kind: str, accepts: Callable[[object], bool], expected: str) -> None:
        self.group, self.kind = group, kind
        self._accepts, self._expected = accepts, expected
        self._registered: dict[str, T] = {}
        self._loaded: dict[str, T] = {}

    def register(self, name: str, entry: T) -> None:
        """Register ``entry`` under ``name`` in this process (tests, notebooks)."""
        self._registered[name] = entry

    def add(self, entry: T) -> None:
        """Register ``entry`` under its own ``name`` attribute in this process."""
        self.register(entry.name, entry)  # type: ignore[attr-defined]

    def unregister(self, name: str) -> None:
        """Forget an in-process registration (entry points stay)."""
        self._registered.pop(name, None)

    def _entry_points(self) -> dict[str, list[tuple[str, EntryPoint]]]:
        """Each name's entry points, one per distinct target, with the distribution declaring it.

        Every distribution on the path, not importlib's de-duplicated view: a stale
        vosbench.egg-info in the working directory would otherwise hide the installed one (the
        same target declared twice is one registration, not a conflict)."""
        found: dict[str, list[tuple[str, EntryPoint]]] = {}
        for dist in distributions():
            for ep in dist.entry_points.select(group=self.group):
                points = found.setdefault(ep.name, [])
                if all(ep.value != other.value for _, other in points):
                    points.append((dist.metadata["Name"] or "?", ep))
        return found

    def names(self) -> list[str]:
        """Every available name, sorted (nothing is imported)."""
        return sorted(set(self._entry_points()) | set(self._registered))

    def get(self, name: str) -> T:
        """The entry ``name``; an unknown name lists the available ones, a name two packages
        declare names both, and one that fails to import says so (one line each)."""
        if name in self._registered:
            return self._registered[name]
        if name in self._loaded:
            return self._loaded[name]
        points = self._entry_points()
        if name not in points:
            raise VosbenchError(
                f"unknown {self.kind} {name!r}; available: {', '.join(self.names()) or '(none)'}"
            )
        if len(points[name]) > 1:
            sources = " and ".join(f"{dist} ({ep.value})" for dist, ep in points[name])
            raise VosbenchError(
                f"{self.kind} {name!r} is registered twice, by {sources}: uninstall one of them"
            )
        dist, point = points[name][0]
        try:
            loaded = point.load()
        except Exception as exc:
            raise VosbenchError(
                f"{self.kind} {name!r} of {dist}: its entry point {point.value} failed to load "
                f"({type(exc).__name__}: {exc})"
            ) from None
        if not self._accepts(loaded):
            raise VosbenchError(f"{self.kind} {name!r}: {point.value} is not {self._expected}")
        self._loaded[name] = loaded
        return loaded

    def available(self) -> tuple[list[str], list[str]]:
        """(names that load, one line per name that does not): what listings show, so one
        broken plugin never hides the others."""
        good, broken = [], []
        for name in self.names():
            try:
                self.get(name)
            except VosbenchError as exc:
                broken.append(str(exc))
            else:
                good.append(name)
        return good, broken
