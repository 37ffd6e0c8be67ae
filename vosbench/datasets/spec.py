"""What vosbench knows about a dataset, in one place: :class:`DatasetSpec`.

A dataset registers one spec (entry-point group ``vosbench.datasets``; DAVIS, YouTube-VOS
and the folder layout register theirs like any plugin). Everything that differs between
datasets is a field here, so no code outside a dataset's own module asks for it by name:
its loader, default split, the splits that carry ground truth on the scored frames and the
ones never to train on, the scoring protocol, and the layout of a submission zip.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from vosbench.datasets.base import Video
from vosbench.registry import Registry

# Loads a split: (root, split, resolution) -> videos.
Loader = Callable[[Path, str, str], list[Video]]


@dataclass(frozen=True)
class SubmissionLayout:
    """How a benchmark server wants a results zip: ``<prefix><video>/<frame>.png``."""

    prefix: str = ""
    default_split: str = "valid"  # the split `vosbench submit` packs unless told otherwise


@dataclass(frozen=True)
class DatasetSpec:
    """One dataset: how to load it and how its benchmark scores and takes results.

    ``protocol`` names a registered scoring protocol (:mod:`vosbench.evaluation.protocols`:
    ``davis``, ``youtube``, ``mosev2``, ... or a plugin's); ``None`` means nothing to score (a
    user's own videos).
    ``merge_objects`` scores every id above 0 as one object (DAVIS 2016).
    """

    name: str
    description: str
    load: Loader
    default_split: str
    splits: tuple[str, ...] = ()  # the splits it has; () for any (a folder has none)
    scored_splits: tuple[str, ...] = ()  # ground truth on every frame the benchmark scores
    evaluation_splits: tuple[str, ...] = ()  # results are reported on these: never train on them
    protocol: str | None = None
    merge_objects: bool = False
    submission: SubmissionLayout | None = None

    def split_or_default(self, split: str | None) -> str:
        """``split``, or this dataset's default when none is given."""
        return split or self.default_split

    def videos(self, root: str | Path, split: str | None = None, resolution: str = "480p") -> list[Video]:
        """The videos of ``split`` (default: :attr:`default_split`) at ``root``."""
        return self.load(Path(root), self.split_or_default(split), resolution)


DATASETS: Registry[DatasetSpec] = Registry(
    "vosbench.datasets", "dataset", lambda obj: isinstance(obj, DatasetSpec), "a vosbench DatasetSpec"
)


# In this process (tests, notebooks); a package registers through its entry point.
register_dataset = DATASETS.add
dataset_spec = DATASETS.get  # the spec of a dataset name; an unknown name lists the known ones
dataset_names = DATASETS.names  # every registered dataset, sorted


def scored_dataset_names() -> list[str]:
    """The datasets with a scoring protocol (what `vosbench evaluate` takes)."""
    return [n for n in dataset_names() if dataset_spec(n).protocol is not None]


def submittable_dataset_names() -> list[str]:
    """The datasets whose benchmark server takes a zip (what `vosbench submit` takes)."""
    return [n for n in dataset_names() if dataset_spec(n).submission is not None]


def dataset_catalogue() -> str:
    """`vosbench datasets`: every dataset with its splits, scoring and submission layout."""
    lines = []
    names, broken = DATASETS.available()
    for name in names:
        spec = dataset_spec(name)
        lines.append(f"{name}: {spec.description}")
        splits = ", ".join(spec.splits) or "(none)"
        scored = f"scored by the {spec.protocol} protocol" if spec.protocol else "not scored"
        lines.append(f"    splits {splits}; default {spec.default_split or '(none)'}; {scored}")
        if spec.submission is not None:
            lines.append(
                f"    submit: {spec.submission.prefix}<video>/<frame>.png, default split "
                f"{spec.submission.default_split}"
            )
    return "\n".join(lines + [f"(not loaded) {line}" for line in broken])
