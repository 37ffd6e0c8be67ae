"""Validation during training: a held-out split scored by `vosbench run`'s public API.

Never the split results are reported on: the training command validates on videos held out
of the training split (``--holdout``) or on a split the user names.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from vosbench.runner.run import RunOptions, run_method


@dataclass(frozen=True)
class Validation:
    """A held-out split, scored by running a network's method on a checkpoint.

    An instance is the trainer's validation callback: ``validation(checkpoint, scratch)``
    runs ``method`` with ``settings`` and the checkpoint into ``scratch`` (each call replaces
    the last) and returns the benchmark's headline score (J&F for DAVIS).
    """

    dataset: str
    root: Path
    split: str
    sequences: tuple[str, ...] | None = None
    settings: tuple[tuple[str, str], ...] = ()  # method options of the runs, e.g. (("size", "240"),)
    method: str = ""  # set by :meth:`for_network`
    device: str = "cpu"

    def for_network(self, method: str, settings: dict[str, object], device: str) -> Validation:
        """This split, run with ``method`` and its options from the training settings added."""
        merged = {**dict(self.settings), **{k: str(v) for k, v in settings.items()}}
        return replace(self, settings=tuple(sorted(merged.items())), method=method, device=device)

    def __call__(self, checkpoint: Path, scratch: Path) -> float:
        options = RunOptions(
            dataset=self.dataset,
            root=self.root,
            out=scratch,
            split=self.split,
            device=self.device,
            sequences=self.sequences,
            overwrite=True,  # the trainer's own scratch folder: each validation replaces the last
            progress=False,
        )
        outcome = run_method(self.method, {**dict(self.settings), "checkpoint": str(checkpoint)}, options)
        assert outcome is not None and outcome.result is not None
        return outcome.result.headline[1]


@dataclass(frozen=True)
class Validations:
    """Several held-out sets scored at each validation, each into its own scratch folder.

    Returns ``{name: score}``; the first set's score is the headline (the one that picks
    ``best.pth``), e.g. ``held-out`` DAVIS train videos, then ``synthetic`` COCO val clips.
    """

    named: tuple[tuple[str, Callable[[Path, Path], float]], ...]

    def __call__(self, checkpoint: Path, scratch: Path) -> dict[str, float]:
        return {name: validate(checkpoint, scratch / name) for name, validate in self.named}


def validations(*named: tuple[str, Callable[[Path, Path], float] | None]) -> Validations | None:
    """The sets of ``named`` that are given (``None`` ones left out); ``None`` when none is."""
    given = tuple((name, v) for name, v in named if v is not None)
    return Validations(given) if given else None
