"""Checkpoints of trainable networks: one format for every network, read safely.

A checkpoint is a ``torch.save`` of ``{"format", "architecture", "config", "model", ...}``:
the registered network's name, its config dataclass as a dict and its state dict, plus
whatever the trainer adds (iteration, stage). It is read with ``weights_only=True``:
tensors and plain containers, never code. The network's spec rebuilds it from ``config``.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any

import torch

from vosbench.errors import VosbenchError
from vosbench.io.atomic import atomic_path

CHECKPOINT_FORMAT = 1


def first_line(exc: BaseException) -> str:
    """An exception's first line (or its type), for one-line error messages."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def load_tensors(path: Path, what: str) -> Any:
    """``torch.load`` with ``weights_only=True`` (tensors and plain containers, never code); any
    failure is one line naming the file."""
    if not path.is_file():
        raise VosbenchError(f"{path}: {what} not found")
    if path.stat().st_size == 0:
        raise VosbenchError(f"{path}: an empty file, expected a {what}")
    looks = _not_torch(path)
    if looks:
        raise VosbenchError(f"{path}: not a torch file but {looks}; expected a {what}")
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        if "weights_only" in str(exc):  # torch refused objects other than tensors: say so briefly
            raise VosbenchError(f"{path}: not a weights-only {what}; vosbench loads only tensors") from None
        raise VosbenchError(f"{path}: not a readable {what} ({first_line(exc)})") from None
    except Exception as exc:
        raise VosbenchError(f"{path}: not a readable {what} ({first_line(exc)})") from None


def _not_torch(path: Path) -> str:
    """What a file that torch cannot have written looks like ("" for a zip archive or a pickle,
    the two forms ``torch.save`` writes): a failed browser download is an HTML page."""
    with path.open("rb") as f:
        head = f.read(512)
    if head.startswith(b"PK\x03\x04") or head[:1] == b"\x80":
        return ""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<!doctype html", b"<html", b"<head", b"<body")):
        return "an HTML page (a failed download? fetch the file itself, not the page that links to it)"
    if text.startswith((b"{", b"[")):
        return "a JSON or text file"
    if head.startswith(b"\x1f\x8b"):
        return "a gzip archive (unpack it first)"
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff")):
        return "an image"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return "a binary file of another kind"
    return "a text file"


def load_state_dict(path: Path, what: str) -> dict[str, torch.Tensor]:
    """A state dict saved by any code base (bare, or under ``"state_dict"``), its
    ``nn.DataParallel`` ``module.`` prefixes removed; anything else is one line naming the file."""
    state = load_tensors(path, what)
    if isinstance(state, dict) and isinstance(state.get("state_dict"), dict):
        state = state["state_dict"]
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise VosbenchError(f"{path}: expected a state dict (parameter name -> tensor)")
    return {k.removeprefix("module."): v for k, v in state.items()}


def save_checkpoint(
    path: str | Path,
    model: torch.nn.Module,
    config: Any,
    extra: dict | None = None,
    architecture: str | None = None,
) -> None:
    """Save a checkpoint (architecture, model config, state dict), atomically.

    ``architecture`` is the registered network's name (default: ``model.architecture``).
    """
    payload = {
        "format": CHECKPOINT_FORMAT,
        "architecture": architecture or model.architecture,
        "config": asdict(config),
        "model": model.state_dict(),
        **(extra or {}),
    }
    with atomic_path(path) as tmp:
        torch.save(payload, tmp)


def load_checkpoint(path: str | Path) -> dict:
    """Load a checkpoint safely (``weights_only=True``: tensors and plain containers only)."""
    path = Path(path)
    payload = load_tensors(path, "checkpoint")
    expected = f"expected a dict with format={CHECKPOINT_FORMAT}, architecture, config and model"
    if not isinstance(payload, dict) or payload.get("format") != CHECKPOINT_FORMAT:
        raise VosbenchError(f"{path}: not a vosbench checkpoint ({expected}; `vosbench train` writes them)")
    for key, kind in (("architecture", str), ("config", dict), ("model", dict)):
        if not isinstance(payload.get(key), kind):
            raise VosbenchError(f"{path}: no {key} in the checkpoint ({expected})")
    return payload


def state_problems(
    reference: dict[str, torch.Tensor], state: dict[str, Any], optional: tuple[str, ...] = ()
) -> list[str]:
    """What keeps ``state`` from loading into a network whose state dict is ``reference``: its
    missing, unexpected and misshapen tensors, a line per kind naming the first few."""
    missing = [k for k in reference if k not in state and not k.startswith(optional)]
    unexpected = [k for k in state if k not in reference]
    misshapen = [
        f"{k} {tuple(state[k].shape)} (expected {tuple(reference[k].shape)})"
        for k in state
        if k in reference and getattr(state[k], "shape", None) != reference[k].shape
    ]
    problems = []
    for name, keys in (("missing", missing), ("unexpected", unexpected), ("misshapen", misshapen)):
        if keys:
            problems.append(f"{len(keys)} {name}: {', '.join(keys[:4])}{', ...' if len(keys) > 4 else ''}")
    return problems


def load_weights(model: torch.nn.Module, state: dict[str, Any], path: str | Path, architecture: str) -> None:
    """Load ``state`` into ``model``, or fail naming every kind of mismatch (nothing dropped)."""
    problems = state_problems(model.state_dict(), state)
    if problems:
        raise VosbenchError(f"{path}: weights do not fit the {architecture} network: " + "; ".join(problems))
    model.load_state_dict(state)


def network_from_checkpoint(payload: dict, path: str | Path) -> torch.nn.Module:
    """The registered network a loaded checkpoint describes, with its weights."""
    from vosbench.networks import network_spec

    architecture = str(payload.get("architecture", ""))
    spec = network_spec(architecture)
    try:
        with _initialisation_skipped():
            model = spec.network(spec.config(**payload["config"]))
    except (TypeError, ValueError, VosbenchError) as exc:
        raise VosbenchError(f"{path}: config: {architecture}: {exc}") from None
    load_weights(model, payload["model"], path, architecture)  # every parameter and buffer, or an error
    return model


@contextmanager
def _initialisation_skipped() -> Iterator[None]:
    """Inside: ``torch.nn.init``'s functions leave tensors as they are.

    A network built only to receive a checkpoint's weights need not draw random ones first
    (a ResNet-50's took half a second, as long as a quick run's inference); :func:`load_weights`
    then overwrites every parameter and buffer, or fails naming what is missing."""
    names = [n for n in vars(torch.nn.init) if n.endswith("_") and not n.startswith("_")]
    saved = {n: getattr(torch.nn.init, n) for n in names}
    try:
        for name in names:
            setattr(torch.nn.init, name, _unchanged)
        yield
    finally:
        for name, function in saved.items():
            setattr(torch.nn.init, name, function)


def _unchanged(tensor: torch.Tensor, *args: Any, **kwargs: Any) -> torch.Tensor:
    return tensor
