"""Typed method options from ``--set key=value`` strings, validated against a dataclass."""

from __future__ import annotations

import dataclasses
import typing
from typing import Any, Literal, get_args, get_origin

from vosbench.errors import VosbenchError


@dataclasses.dataclass(frozen=True)
class OptionInfo:
    """One option as ``vosbench methods`` lists it."""

    name: str
    type: str
    default: Any
    help: str


def describe_options(options_class: type) -> list[OptionInfo]:
    """The options of a method's ``Options`` dataclass: name, type, default, help."""
    hints = typing.get_type_hints(options_class)
    return [
        OptionInfo(f.name, _type_name(hints[f.name]), f.default, f.metadata.get("help", ""))
        for f in dataclasses.fields(options_class)
    ]


def _type_name(annotation: Any) -> str:
    if get_origin(annotation) is Literal:
        return "|".join(_choice(a) for a in get_args(annotation))
    return getattr(annotation, "__name__", str(annotation))


def _choice(value: Any) -> str:
    """A choice as typed after ``--set key=``: the empty one shown as '' (not as nothing)."""
    return "''" if value == "" else str(value)


def _convert(method: str, name: str, annotation: Any, text: str) -> Any:
    origin = get_origin(annotation)
    if origin is Literal:
        choices = get_args(annotation)
        for choice in choices:
            if str(choice) == text:
                return choice
        raise VosbenchError(
            f"{method}: option {name}={text!r}: expected one of {', '.join(map(_choice, choices))}"
        )
    if annotation is bool:
        lowered = text.lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off"):
            return False
        raise VosbenchError(f"{method}: option {name}={text!r}: expected true or false")
    if annotation in (int, float, str):
        try:
            return annotation(text)
        except ValueError:
            raise VosbenchError(f"{method}: option {name}={text!r}: expected {annotation.__name__}") from None
    raise VosbenchError(f"{method}: option {name} has a type ({annotation}) that cannot be set from text")


def parse_settings(settings: list[str] | None) -> dict[str, str]:
    """``["k=v", ...]`` to a dict; a malformed item is an error."""
    parsed: dict[str, str] = {}
    for item in settings or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise VosbenchError(f"--set {item!r}: expected key=value")
        parsed[key.strip()] = value.strip()
    return parsed


def build_options(
    method: str, options_class: type, values: dict[str, Any], invalid: str = "invalid options: "
) -> Any:
    """An ``options_class`` instance from text (or already typed) values, validated; errors
    start with ``method`` (what the values are for) and, for a value its class refuses, ``invalid``."""
    hints = typing.get_type_hints(options_class)
    fields = {f.name for f in dataclasses.fields(options_class)}
    unknown = sorted(set(values) - fields)
    if unknown:
        valid = ", ".join(sorted(fields)) or "(none)"
        raise VosbenchError(f"{method}: unknown option {unknown[0]!r}; valid options: {valid}")
    typed = {k: _convert(method, k, hints[k], v) if isinstance(v, str) else v for k, v in values.items()}
    try:
        return options_class(**typed)
    except (TypeError, ValueError) as exc:
        raise VosbenchError(f"{method}: {invalid}{exc}") from None
