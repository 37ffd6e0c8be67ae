"""`vosbench reproduce`: the paper's tables regenerated from experiment specs.

For each table spec (``reports/experiments/table*.toml``) every row is trained where its
recipe asks (``vosbench train``'s pipeline), run over each dataset its columns need
(``vosbench run``'s runner, which scores and profiles), and written beside the paper's
rows as ``reports/tables/<table>.{md,tex,csv}``, with figures under ``reports/figures/``,
the training stages' curves and minutes (:mod:`vosbench.reproduce.training`), the masks of
the rows marked ``masks = true`` under ``reports/results/`` and an index in
``reports/README.md``. Steps are cached by their inputs (see
:mod:`vosbench.reproduce.execute`), so a rerun does only what changed.
"""

from __future__ import annotations

from typing import Any

# The pipeline loads NumPy and torch; importing the package (its spec reader, for one) does not,
# so a command can pin the numeric settings first (vosbench.numerics).
_PIPELINE = ("ReproduceOptions", "reproduce", "spec_paths")
__all__ = list(_PIPELINE)


def __getattr__(name: str) -> Any:
    if name in _PIPELINE:
        from vosbench.reproduce import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module 'vosbench.reproduce' has no attribute {name!r}")
