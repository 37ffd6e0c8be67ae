"""How a memory network's config names its variant and narrows its widths."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

VARIANTS = ("paper", "official")


def check_variant(network: str, variant: str) -> str:
    """``variant`` if it is one of :data:`VARIANTS`: as the paper describes the network, or as
    the authors' released code evaluates it."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown {network} variant {variant!r}; expected one of {', '.join(VARIANTS)}")
    return variant


def narrowed(config: Any, width: float, widths: tuple[str, ...]) -> Any:
    """``config`` with its fields ``widths`` times ``width`` (at least 8; a 0, meaning none,
    stays 0). The backbones keep theirs. For CPU-minute checks of the pipeline, never for a
    paper's numbers."""
    changes = {name: max(8, round(getattr(config, name) * width)) for name in widths if getattr(config, name)}
    return replace(config, **changes)
