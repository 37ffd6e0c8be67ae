"""The resumable trainer of every registered network: one process, or DistributedDataParallel
under torchrun.

Everything a restart needs is in ``RUN_DIR/state.pt`` (model, optimizer, scheduler, the
iteration reached), written atomically every ``checkpoint_every`` iterations and at the
end. Clips are a pure function of (seed, global position), and each iteration reads the
positions ``[i * G, (i + 1) * G)`` with ``G`` the global batch, so a resumed run sees exactly
the clips an uninterrupted run would have: same data order, same weights. The log files
(``metrics.jsonl``, ``validation.jsonl``) are cut back to the resumed iteration, so a
resumed run's curves are those of an uninterrupted one.
"""

from __future__ import annotations

import contextlib
import json
import math
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch
from torch.utils.data import Dataset, Sampler, default_collate

from vosbench.checkpoints import save_checkpoint
from vosbench.errors import VosbenchError
from vosbench.io.atomic import atomic_path, write_atomic, write_bytes_atomic
from vosbench.io.jsonlines import append_json_line, read_json_lines, write_json_lines
from vosbench.networks import NetworkSpec, network_spec
from vosbench.sampling.clip import to_model
from vosbench.sampling.loader import clip_loader
from vosbench.system.devices import bf16_autocast, exact_fp32, is_cuda
from vosbench.system.distributed import World, finish, init_world
from vosbench.system.progress import progress_bar
from vosbench.system.provenance import hardware, hardware_label
from vosbench.training.config import TrainConfig
from vosbench.visual.plots import pyplot, save_figure

# A held-out split's score of a checkpoint: (checkpoint, scratch folder) -> score, or
# several sets' scores by name, the first being the headline (validation.Validations).
Validator = Callable[[Path, Path], float | dict[str, float]]
LOGS = ("metrics.jsonl", "validation.jsonl")


class PositionBatches(Sampler[list[int]]):
    """This rank's share of the global batch of each iteration, from ``start`` on."""

    def __init__(self, start: int, iterations: int, batch: int, world: World) -> None:
        self.start, self.iterations, self.batch, self.world = start, iterations, batch, world

    def __iter__(self) -> Iterator[list[int]]:
        global_batch = self.batch * self.world.size
        for i in range(self.start, self.iterations):
            first = i * global_batch + self.world.rank * self.batch
            yield list(range(first, first + self.batch))

    def __len__(self) -> int:
        return self.iterations - self.start


class Positions(Dataset):
    """A dataset indexed by global position (clips are a function of it, modulo its length)."""

    def __init__(self, clips: Dataset, length: int) -> None:
        self.clips, self.length = clips, length

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, position: int) -> Any:
        return self.clips[position]


def poly(iterations: int, power: float) -> Callable[[int], float]:
    return lambda i: max(0.0, 1.0 - i / iterations) ** power


@dataclass
class Session:
    """One training process's state: the network, its loss, the optimiser and where it is."""

    spec: NetworkSpec
    config: TrainConfig
    out: Path
    device: str
    world: World
    model: torch.nn.Module
    net: torch.nn.Module  # the loss module (wrapped by DDP under torchrun)
    optimizer: torch.optim.Optimizer
    scheduler: torch.optim.lr_scheduler.LambdaLR
    start: int

    def save(self, iteration: int, resumable: bool = True) -> None:
        """state.pt (to resume; not where ``resumable`` is False) and last.pth (a checkpoint),
        on rank 0."""
        if not self.world.is_main:
            return
        extra = {"iteration": iteration, "stage": self.config.stage}
        save_checkpoint(self.out / "last.pth", self.model, self.model.config, extra, self.spec.name)
        if not resumable:
            return
        state = {
            "model": self.model.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "scheduler": self.scheduler.state_dict(),
            "iteration": iteration,
            "config": asdict(self.config),
        }
        with atomic_path(self.out / "state.pt") as tmp:
            torch.save(state, tmp)


def train(
    config: TrainConfig,
    clips: Dataset,
    out: str | Path,
    device: str = "cpu",
    resume: bool = False,
    validate: Validator | None = None,
    progress: bool = True,
) -> dict:
    """Train network ``config.model``; returns a summary (iterations, final loss, validation
    score) on rank 0."""
    session = _setup(network_spec(config.model), config, clips, Path(out), device, resume)
    if validate is not None and session.world.is_main and _validation_missing(session):
        # at 0 the untrained network, for comparison (resuming from nothing is starting afresh,
        # so no state.pt, three times the weights' size, for it); later, the validation an
        # interrupted run was killed in: its state was saved just before, so the resumed
        # loop starts past it
        session.save(session.start, resumable=False)
        _record_validation(session.out, validate, session.start)
    last_loss, seconds, iteration = _loop(session, clips, validate, progress)
    return _summary(session, validate, last_loss, seconds, iteration)


def _setup(
    spec: NetworkSpec, config: TrainConfig, clips: Dataset, out: Path, device: str, resume: bool
) -> Session:
    """The network, its loss and optimiser: fresh, or as ``state.pt`` left them."""
    world = init_world(device)
    if world.size > 1 and is_cuda(device):
        device = f"cuda:{world.local_rank}"
    torch.manual_seed(config.seed)
    model = spec.build(config).to(device).train()
    if is_cuda(device):
        model = model.to(memory_format=torch.channels_last)
    net: torch.nn.Module = spec.loss(model)
    state_path = out / "state.pt"
    resuming = resume and state_path.is_file()
    if spec.prepare is not None and not resuming:

        def first_batch_loss() -> object:
            # The same first clips on every rank, so every process prepares alike.
            batch = default_collate([clips[i % len(clips)] for i in range(config.batch_size)])
            return net(**to_model(batch, device))

        spec.prepare(model, config, first_batch_loss)
    if world.size > 1:
        net = torch.nn.parallel.DistributedDataParallel(net, find_unused_parameters=True)
    params = [p for p in model.parameters() if p.requires_grad]
    # Fused: the for-each Adam takes its square roots from MKL's vector maths, whose bits
    # differ between an Intel and an AMD CPU under any MKL_CBWR branch; the fused kernel is
    # torch's own (docs/reproducibility.md).
    optimizer = torch.optim.Adam(params, lr=config.lr, fused=True)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, poly(config.iterations, config.power))
    start = 0
    if resuming:
        state = torch.load(state_path, map_location="cpu", weights_only=True)
        if state["config"] != asdict(config):
            changed = sorted(k for k, v in asdict(config).items() if state["config"].get(k) != v)
            raise VosbenchError(f"{state_path}: --resume with different settings ({', '.join(changed)})")
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        start = int(state["iteration"])
    if world.is_main:
        out.mkdir(parents=True, exist_ok=True)
        for log in LOGS:
            _cut_log(out / log, start)
        write_atomic(out / "config.json", json.dumps(asdict(config), indent=1))
    return Session(spec, config, out, device, world, model, net, optimizer, scheduler, start)


def _validation_missing(session: Session) -> bool:
    """Whether a validation is due at the iteration the session starts from (0, or one of every
    ``validate_every`` before the last, which the summary validates) and not in its log."""
    start, config = session.start, session.config
    due = start == 0 or (
        config.validate_every > 0 and start % config.validate_every == 0 and start < config.iterations
    )
    return due and all(row["iteration"] != start for row in read_json_lines(session.out / "validation.jsonl"))


def _cut_log(path: Path, start: int) -> None:
    """Keep a log's rows up to iteration ``start`` (all of them gone for a fresh run): rows an
    interrupted run wrote after its last checkpoint are written again when it resumes."""
    if not path.is_file():
        return
    if start == 0:
        path.unlink()
        return
    # Rewritten even when nothing is cut: that also drops a torn last row, which the reader skips.
    write_json_lines(path, [row for row in read_json_lines(path) if row["iteration"] <= start])


def _loop(
    session: Session, clips: Dataset, validate: Validator | None, progress: bool
) -> tuple[float, float, int]:
    """Iterations ``start..iterations``: (last loss, training seconds, last iteration)."""
    config, world, device = session.config, session.world, session.device
    loader = clip_loader(
        Positions(clips, config.iterations * config.batch_size * world.size),
        workers=config.workers,
        device=device,
        persistent=False,
        batch_sampler=PositionBatches(session.start, config.iterations, config.batch_size, world),
    )
    use_bf16 = bf16_autocast(config.precision, device)
    autocast = torch.autocast(device_type=torch.device(device).type, dtype=torch.bfloat16, enabled=use_bf16)
    bar = progress_bar(
        total=config.iterations,
        initial=session.start,
        unit="it",
        desc=f"train {config.stage}",
        enabled=progress and world.is_main,
    )
    params = [p for p in session.model.parameters() if p.requires_grad]
    last_loss = math.nan
    if is_cuda(device):
        torch.cuda.reset_peak_memory_stats(device)
    began = tick = time.perf_counter()
    validating = 0.0  # seconds spent validating inside the loop: not training throughput
    iteration = session.start
    exact = exact_fp32(device) if not use_bf16 else contextlib.nullcontext()  # fp32: no TF32 on CUDA
    with bar, exact:
        for batch in loader:
            data = to_model(batch, device)
            with autocast:
                loss = session.net(data["images"], data["masks"], data["labels"], data["n_objects"])
            session.optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, config.clip_grad)
            session.optimizer.step()
            session.scheduler.step()
            iteration += 1
            last_loss = float(loss.detach())
            bar.update(1)
            bar.set_postfix(loss=f"{last_loss:.4f}")
            tick = _log(session, iteration, last_loss, tick)
            validating += _checkpoint_and_validate(session, validate, iteration)
    return last_loss, time.perf_counter() - began - validating, iteration


def _log(session: Session, iteration: int, loss: float, tick: float) -> float:
    """A row of ``metrics.jsonl`` every ``log_every`` iterations (rank 0); returns the time the
    next interval counts from."""
    config = session.config
    if not session.world.is_main or (iteration % config.log_every and iteration != config.iterations):
        return tick
    now = time.perf_counter()
    row = {
        "iteration": iteration,
        "loss": loss,
        "lr": session.scheduler.get_last_lr()[0],
        "seconds": now - tick,
    }
    append_json_line(session.out / "metrics.jsonl", row)
    return now


def _checkpoint_and_validate(session: Session, validate: Validator | None, iteration: int) -> float:
    """Save every ``checkpoint_every`` iterations, at the end and before a validation (which
    reads the checkpoint); validate every ``validate_every`` (the last one comes after the
    loop). Returns the seconds spent validating, which are not training time."""
    config = session.config
    validate_now = (
        validate is not None
        and config.validate_every > 0
        and iteration % config.validate_every == 0
        and iteration != config.iterations
    )
    if iteration % config.checkpoint_every == 0 or iteration == config.iterations or validate_now:
        session.save(iteration)
    if not (validate_now and session.world.is_main):
        return 0.0
    assert validate is not None
    began = time.perf_counter()
    _record_validation(session.out, validate, iteration)
    return time.perf_counter() - began


def _summary(
    session: Session, validate: Validator | None, last_loss: float, seconds: float, iteration: int
) -> dict:
    """summary.json, metrics.csv and the loss curve (rank 0), after a last validation."""
    start, out, device = session.start, session.out, session.device
    summary: dict = {
        "iterations": iteration,
        "final_loss": last_loss,
        "device": hardware_label(hardware(device)),
        "processes": session.world.size,
        "train_seconds": seconds,  # this process's iterations, with data loading and checkpoints
        "iterations_per_second": (iteration - start) / seconds
        if seconds > 0 and iteration > start
        else math.nan,
        **_peak_memory(device),
    }
    if session.world.is_main:
        rows = read_json_lines(out / "metrics.jsonl")
        _write_csv(rows, out / "metrics.csv")
        if rows:
            _loss_curve(rows, out / "loss_curve.png", session.spec.name)
        if validate is not None:
            row = _record_validation(out, validate, iteration)
            summary["validation"] = row["score"]
            if "scores" in row:
                summary["validation_scores"] = row["scores"]
        write_atomic(out / "summary.json", json.dumps(summary, indent=1))
    finish(session.world)
    return summary


def _peak_memory(device: str) -> dict[str, object]:
    """Peak memory of this process: allocated GPU memory on CUDA, resident set size on CPU."""
    if is_cuda(device):
        return {"peak_memory_mb": torch.cuda.max_memory_allocated(device) / 2**20, "peak_memory_of": "GPU"}
    try:
        import resource
    except ImportError:  # Windows
        return {"peak_memory_mb": math.nan, "peak_memory_of": "process RSS (not measured here)"}
    unit = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, kilobytes on Linux
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * unit
    return {"peak_memory_mb": rss / 2**20, "peak_memory_of": "process RSS"}


def _record_validation(out: Path, validate: Validator, iteration: int) -> dict[str, Any]:
    """Score ``last.pth``, append the row to ``validation.jsonl`` (``score``: the headline;
    ``scores``: every set's, when several), keep the best headline's checkpoint as ``best.pth``."""
    scored = validate(out / "last.pth", out / "validation")
    row: dict[str, Any] = {"iteration": iteration}
    if isinstance(scored, dict):
        score = next(iter(scored.values()))
        row.update(score=score, scores=scored)
    else:
        score = row["score"] = scored
    history = out / "validation.jsonl"
    previous = [r["score"] for r in read_json_lines(history)]
    append_json_line(history, row)
    if not previous or score > max(previous):
        write_bytes_atomic(out / "best.pth", (out / "last.pth").read_bytes())
    return row


def _loss_curve(rows: list[dict], path: Path, network: str) -> None:
    fig, ax = pyplot().subplots(figsize=(6, 3.5), dpi=120)
    ax.plot([r["iteration"] for r in rows], [r["loss"] for r in rows], lw=1)
    ax.set_xlabel("iteration")
    ax.set_ylabel("loss")
    ax.set_title(f"{network} training loss")
    ax.grid(alpha=0.3)
    save_figure(fig, path)


def _write_csv(rows: list[dict], path: Path) -> None:
    if not rows:
        return
    keys = list(rows[0])
    lines = [",".join(keys)] + [",".join(repr(r[k]) for k in keys) for r in rows]
    write_atomic(path, "\n".join(lines) + "\n")
