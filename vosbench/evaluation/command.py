"""`vosbench evaluate`: score a results folder, print the table, write the result files."""

from __future__ import annotations

import time
from pathlib import Path

from vosbench.datasets import default_split
from vosbench.errors import VosbenchError
from vosbench.evaluation import ScoringOptions, evaluate
from vosbench.evaluation.report import format_table, headline_line, result_names, write_results
from vosbench.io.preflight import writable_files


def evaluate_folder(
    dataset: str,
    root: Path,
    results: Path,
    split: str | None = None,
    out: Path | None = None,
    workers: int | None = None,
    resolution: str = "480p",
    exclude_void: bool = False,
    sequences: list[str] | None = None,
    protocol: str | None = None,
    figures: bool = False,
    quiet: bool = False,
) -> None:
    """Score ``results`` on ``dataset``'s split and write the result files to ``out`` (default:
    the results folder); prints the table (its header only with ``quiet``) and the headline.
    With ``figures``, also every object's score as a figure and the masks over the frames."""
    if workers is not None and workers < 1:
        raise VosbenchError(f"--workers must be at least 1, got {workers}")
    out_dir = out or results
    split_name = split or default_split(dataset)
    names = result_names(split_name)
    if figures:
        from vosbench.visual.results_figures import figure_names

        names += figure_names(split_name)
    writable_files(out_dir, names, "--out")
    start = time.perf_counter()
    result = evaluate(
        dataset,
        root,
        results,
        split=split,
        options=ScoringOptions(exclude_void=exclude_void),
        workers=workers,
        resolution=resolution,
        sequences=sequences,
        progress=not quiet,
        protocol=protocol,
    )
    seconds = time.perf_counter() - start
    extra = {"root": str(root), "results": str(results), "exclude_void": exclude_void}
    paths = write_results(result, out_dir, extra)
    table = format_table(result)
    print(table if not quiet else "\n".join(table.splitlines()[:3]))
    n_frames = sum(len(o.frames) for o in result.objects)
    print(f"\n{headline_line(result)}; {n_frames} object-frames scored in {seconds:.2f} s")
    if figures:
        from vosbench.visual.results_figures import draw_figures

        paths += draw_figures(dataset, root, results, out_dir, result.split, resolution, sequences, result)
    print("wrote " + ", ".join(str(p) for p in paths))
