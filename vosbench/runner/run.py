"""`vosbench run`: a method over a dataset split, masks written, scored, timed.

For each video the frames are read ahead in a thread (decoding is not the method's time),
handed to the method in order with the masks of the objects given on each frame, and the
frames the benchmark needs are written as indexed PNGs, atomically, in a writer thread.
When a video is done its record (timings) is saved under ``OUT/.vosbench/``; with
``resume`` a video with a record and all its masks is not run again. Where the split has
ground truth, each video is scored as soon as it is written, with the same code as
``vosbench evaluate``, and the result files are the same.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from vosbench.datasets import Video, dataset_spec, load_videos, select_videos
from vosbench.errors import VosbenchError
from vosbench.evaluation import (
    EvaluationResult,
    SequenceScores,
    SequenceTask,
    result_names,
    score_video,
    scoring_tasks,
    summarize_scores,
)
from vosbench.io.preflight import writable_files
from vosbench.io.results import write_frame
from vosbench.methods import GivenMasks, Method, VideoInfo, create_method
from vosbench.runner.outputs import write_outputs
from vosbench.runner.profiler import Profiler, ProfileReport
from vosbench.runner.state import RunState, VideoRecord
from vosbench.system.distributed import World, broadcast_error, finish, gather, init_world, shard
from vosbench.system.progress import progress_bar

PREFETCH = 4


@dataclass(frozen=True)
class RunOptions:
    """Where to run and what to write."""

    dataset: str
    root: Path
    out: Path | None  # None: profile only, write nothing
    split: str | None = None
    resolution: str = "480p"
    device: str = "cpu"
    resume: bool = False
    overwrite: bool = False  # replace another run's results in ``out`` instead of refusing
    sequences: tuple[str, ...] | None = None
    score: bool | None = None  # None: where the split has ground truth
    warmup: int = 5
    max_frames: int | None = None  # stop after this many frames (profiling)
    progress: bool = True


@dataclass(frozen=True)
class RunResult:
    result: EvaluationResult | None
    profile: ProfileReport
    records: list[VideoRecord]


def has_ground_truth(dataset: str, split: str) -> bool:
    """Whether a split's annotations cover the frames the benchmark scores (its spec says)."""
    spec = dataset_spec(dataset)
    return spec.protocol is not None and split in spec.scored_splits


def _frames(video: Video, limit: int) -> Iterator[np.ndarray]:
    """The video's images, read up to PREFETCH ahead in a thread."""
    with ThreadPoolExecutor(1, thread_name_prefix="read") as pool:
        pending: list[Future[np.ndarray]] = []
        for index in range(limit):
            pending.append(pool.submit(video.read_frame, index))
            if len(pending) > PREFETCH:
                yield pending.pop(0).result()
        for future in pending:
            yield future.result()


def _given(video: Video, frame: str, ids: tuple[int, ...]) -> GivenMasks:
    labels = video.read_labels(frame)
    keep = np.isin(labels, ids)
    return GivenMasks(labels=np.where(keep, labels, 0).astype(np.uint8), ids=ids)


def _check_output(method_name: str, video: Video, frame: str, pred: object, max_id: int) -> np.ndarray:
    where = f"method {method_name!r}, video {video.name!r}, frame {frame}"
    if not isinstance(pred, np.ndarray) or pred.ndim != 2:
        raise VosbenchError(f"{where}: step() must return an (H, W) array, got {type(pred).__name__}")
    if pred.shape != video.size:
        raise VosbenchError(
            f"{where}: label map {pred.shape[1]}x{pred.shape[0]}, expected {video.size[1]}x{video.size[0]}"
        )
    if pred.dtype != np.uint8:
        if pred.size and (pred.min() < 0 or pred.max() > 255):
            raise VosbenchError(f"{where}: labels outside 0..255")
        pred = pred.astype(np.uint8)
    top = int(pred.max()) if pred.size else 0
    if top > max_id:
        raise VosbenchError(f"{where}: object id {top}, but the video's objects are 1..{max_id}")
    return pred


@dataclass
class _Plan:
    """What a run does: its videos (all of the split's, the chosen ones, this rank's), the
    method, the scoring tasks, the folder's state and the run's identity."""

    split: str
    all_videos: list
    videos: list
    mine: list
    method: Any
    tasks: dict[str, SequenceTask]
    state: RunState | None
    config: dict[str, Any]
    world: World


def run_method(method_name: str, settings: Any, options: RunOptions) -> RunResult | None:
    """Run a registered method with ``settings`` (its options as a dict, or an instance of its
    ``Options``); returns the result on rank 0 (``None`` on other ranks): plan, execute,
    gather, write."""
    plan = _plan(method_name, settings, options)
    profiler, records, scores = _execute(plan, method_name, options)
    gathered = gather((records, scores, profiler.seen), plan.world)
    if not plan.world.is_main:
        finish(plan.world)
        return None
    assert gathered is not None
    return _write(plan, method_name, options, profiler, gathered)


def _plan(method_name: str, settings: Any, options: RunOptions) -> _Plan:
    """The videos, method and scoring tasks of a run; its folder checked before any work."""
    split = dataset_spec(options.dataset).split_or_default(options.split)
    all_videos = load_videos(options.dataset, options.root, split, options.resolution)
    videos = select_videos(all_videos, options.sequences, options.root, split)
    method = create_method(method_name, settings, options.device)
    score = has_ground_truth(options.dataset, split) if options.score is None else options.score
    tasks: dict[str, SequenceTask] = {}
    if score and options.out is not None:
        tasks = scoring_tasks(options.dataset, options.root, videos)
    world = init_world(options.device)
    mine = [videos[i] for i in shard([len(v) for v in videos], world)]
    config = {
        "method": method_name,
        "options": asdict(method.options),
        "dataset": options.dataset,
        "root": str(options.root),
        "split": split,
        "resolution": options.resolution,
    }
    state = RunState(options.out, config) if options.out is not None else None

    def check_folder() -> None:
        if state is not None and world.is_main:
            writable_files(state.out, [*result_names(split), "run.json"], "the results folder")
            state.prepare(options.resume, options.overwrite)

    _together(check_folder, world)  # also: no rank writes before the folder is checked
    return _Plan(split, all_videos, videos, mine, method, tasks, state, config, world)


def _execute(
    plan: _Plan, method_name: str, options: RunOptions
) -> tuple[Profiler, list[VideoRecord], dict[str, SequenceScores]]:
    """This rank's videos, run (and scored as each finishes), timed by a profiler."""
    profiler = Profiler(options.device, options.warmup)
    if plan.world.is_main:
        profiler.watch()
    plan.method.attach_timer(profiler)
    records: list[VideoRecord] = []
    scores: dict[str, SequenceScores] = {}
    _together(
        lambda: _run_videos(
            plan.method,
            method_name,
            plan.mine,
            options,
            plan.state,
            profiler,
            plan.tasks,
            records,
            scores,
            plan.world,
        ),
        plan.world,
    )
    profiler.warn_if_busy()
    return profiler, records, scores


def _write(
    plan: _Plan, method_name: str, options: RunOptions, profiler: Profiler, gathered: list
) -> RunResult:
    """Rank 0: every rank's records and scores as one result, its files written."""
    all_records = [r for part, _, _ in gathered for r in part]
    all_scores = {k: v for _, part, _ in gathered for k, v in part.items()}
    computed = sum(seen for _, _, seen in gathered)  # frames this call ran the method on
    tasks = plan.tasks
    if plan.state is not None and options.sequences:
        # the folder's other videos of this run count too: the results describe every mask in it
        tasks = _add_finished(
            plan.state, options, plan.all_videos, plan.videos, tasks, all_records, all_scores
        )
    total = Profiler(options.device, warmup=0)
    for record in all_records:
        total.merge(record.times, record.stage_totals, record.warmup + len(record.times))
    # the frames' times come from the records (resumed videos too); load and GPU memory from this run
    report = replace(
        total.report(),
        load_before=profiler.load_before,
        others_busy=profiler.others_busy,
        peak_gpu_memory_mb=profiler.report().peak_gpu_memory_mb,
    )
    result = None
    if tasks and options.out is not None:
        result = summarize_scores([all_scores[name] for name in tasks], options.dataset, plan.split)
    if options.out is not None and not (
        options.resume and computed == 0 and (options.out / "run.json").is_file()
    ):
        write_outputs(
            options,
            method_name,
            plan.method,
            plan.split,
            plan.config,
            report,
            result,
            all_records,
            plan.world,
        )
    # else: a resume with nothing left to do; run.json keeps the profile and provenance of the
    # calls that ran the method (this call's load and time would stand beside their FPS)
    finish(plan.world)
    return RunResult(result=result, profile=report, records=all_records)


def _together(step: Callable[[], None], world: World) -> None:
    """Run ``step`` on every rank; a bad-input error on any rank stops all of them with it."""
    error = None
    try:
        step()
    except VosbenchError as exc:
        error = str(exc)
    error = broadcast_error(error, world)
    if error:
        finish(world)
        raise VosbenchError(error)


def _run_videos(
    method: Method,
    method_name: str,
    videos: list[Video],
    options: RunOptions,
    state: RunState | None,
    profiler: Profiler,
    tasks: dict[str, SequenceTask],
    records: list[VideoRecord],
    scores: dict[str, SequenceScores],
    world: World,
) -> None:
    total_frames = sum(len(v) for v in videos)
    if options.max_frames is not None:
        total_frames = min(total_frames, options.max_frames)
    position = world.rank * 2
    overall = progress_bar(
        total=total_frames,
        unit="frame",
        desc=f"{method_name}" + (f" [rank {world.rank}]" if world.size > 1 else ""),
        enabled=options.progress,
        position=position,
    )
    done = 0
    with overall, ThreadPoolExecutor(1, thread_name_prefix="write") as writer:
        for video in videos:
            if options.max_frames is not None and done >= options.max_frames:
                break
            record = state.load(video) if (state is not None and options.resume) else None
            if record is None:
                limit = (
                    len(video) if options.max_frames is None else min(len(video), options.max_frames - done)
                )
                record = _run_video(method, method_name, video, limit, options, profiler, writer, position)
                if state is not None and limit == len(video):
                    state.save(record)
            overall.update(record.frames)
            done += record.frames
            records.append(record)
            for name in video_tasks(tasks, video.name):
                scores[name] = score_video(options.dataset, tasks[name], options.out)
                overall.set_postfix_str(f"{name} {_video_score(scores[name])}")


def video_tasks(tasks: dict[str, SequenceTask], video: str) -> list[str]:
    """The scoring tasks of one video: the video itself, or one per object (``<video>/<object>``:
    protocols that score each object on its own masks, SA-V)."""
    return [name for name in tasks if name == video or name.startswith(f"{video}/")]


def _video_score(seq: SequenceScores) -> str:
    """A video's score for the progress bar: J&F, or J where the protocol scores no F (VOST)."""
    if np.isnan(seq.f).all():
        return f"J {100 * np.nanmean(seq.j):.1f}"
    return f"J&F {50 * (np.nanmean(seq.j) + np.nanmean(seq.f)):.1f}"


def _add_finished(
    state: RunState,
    options: RunOptions,
    all_videos: list[Video],
    selected: list[Video],
    tasks: dict[str, SequenceTask],
    records: list[VideoRecord],
    scores: dict[str, SequenceScores],
) -> dict[str, SequenceTask]:
    """Add the records (and scores) of the folder's videos this run finished in an earlier call;
    returns the tasks to summarise, in the dataset's order."""
    chosen = {v.name for v in selected}
    earlier = [(v, r) for v in all_videos if v.name not in chosen and (r := state.load(v)) is not None]
    records.extend(r for _, r in earlier)
    if tasks and earlier:
        for name, task in scoring_tasks(options.dataset, options.root, [v for v, _ in earlier]).items():
            tasks[name] = task
            scores[name] = score_video(options.dataset, task, state.out)
    order = {v.name: i for i, v in enumerate(all_videos)}
    return dict(sorted(tasks.items(), key=lambda item: order.get(item[0].split("/")[0], len(order))))


def _run_video(
    method: Method,
    method_name: str,
    video: Video,
    limit: int,
    options: RunOptions,
    profiler: Profiler,
    writer: ThreadPoolExecutor,
    position: int,
) -> VideoRecord:
    objects = video.resolve_objects()
    given = video.given_masks()
    max_id = max((o.id for o in objects), default=0)
    outputs = set(video.output_frames)
    timed_before, seen_before = len(profiler.times), profiler.seen
    stages_before = dict(profiler.stage_totals)
    method.start_video(VideoInfo(video.name, video.size, len(video), tuple(o.id for o in objects)))
    writes: list[Future[None]] = []
    bar = progress_bar(
        total=limit,
        unit="frame",
        desc=video.name,
        leave=False,
        enabled=options.progress,
        nested=True,
        position=position + 1,
    )
    with bar:
        for index, image in enumerate(_frames(video, limit)):
            frame = video.frames[index]
            masks = _given(video, frame, given[frame]) if frame in given else None
            with profiler.frame():
                pred = method.step(image, masks)
            pred = _check_output(method_name, video, frame, pred, max_id)
            if options.out is not None and frame in outputs:
                writes.append(
                    writer.submit(write_frame, options.out, video.name, frame, pred, video.object_folders)
                )
            bar.update(1)
    method.end_video()
    for w in writes:
        w.result()
    stage_totals = {k: v - stages_before.get(k, 0.0) for k, v in profiler.stage_totals.items()}
    times = profiler.times[timed_before:]
    return VideoRecord(
        name=video.name,
        frames=limit,
        written=len(writes),
        times=times,
        stage_totals=stage_totals,
        warmup=(profiler.seen - seen_before) - len(times),
    )
