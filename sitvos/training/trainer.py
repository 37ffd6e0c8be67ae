"""The resumable trainer: single process or DistributedDataParallel under torchrun.

Everything a restart needs is in ``RUN_DIR/state.pt`` (model, optimizer, scheduler, the
iteration reached), written atomically every ``checkpoint_every`` iterations and at the
end. Clips are a pure function of (seed, global position), and each iteration reads the
positions ``[i * G, (i + 1) * G)`` with ``G`` the global batch, so a resumed run sees exactly
the clips an uninterrupted run would have: same data order, same weights.
"""

from __future__ import annotations

import json
import math
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from torch.utils.data import DataLoader, Dataset, Sampler, default_collate

from sitvos.network_method import bf16_autocast
from sitvos.training.calibration import calibrate_frozen_norms
from sitvos.training.config import TrainConfig
from sitvos.training.loss import ClipLoss
from sitvos.weights import load_model, save_checkpoint
from vosbench.errors import VosbenchError
from vosbench.io.atomic import atomic_path, write_atomic, write_bytes_atomic
from vosbench.progress import progress_bar
from vosbench.runner.distributed import World, finish, init_world
from vosbench.runner.provenance import hardware, hardware_label
from vosbench.sampling.clip import to_model
from vosbench.visual.plots import pyplot, save_figure


@dataclass(frozen=True)
class Validation:
    """A held-out split scored with `vosbench run` (never the split results are reported on)."""

    dataset: str
    root: Path
    split: str
    sequences: tuple[str, ...] | None = None
    settings: tuple[tuple[str, str], ...] = ()  # method options of the runs, e.g. (("size", "240"),)


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

    def __getitem__(self, position: int):
        return self.clips[position]


def poly(iterations: int, power: float):
    return lambda i: max(0.0, 1.0 - i / iterations) ** power


def _loss_curve(rows: list[dict], path: Path) -> None:
    fig, ax = pyplot().subplots(figsize=(6, 3.5), dpi=120)
    ax.plot([r["iteration"] for r in rows], [r["loss"] for r in rows], lw=1)
    ax.set_xlabel("iteration")
    ax.set_ylabel("cross-entropy")
    ax.set_title("SITVOS training loss")
    ax.grid(alpha=0.3)
    save_figure(fig, path)


def _validate(checkpoint: Path, validation: Validation, out: Path, device: str, config: TrainConfig) -> float:
    from vosbench.runner.run import RunOptions, run_method

    options = RunOptions(
        dataset=validation.dataset,
        root=validation.root,
        out=out,
        split=validation.split,
        device=device,
        sequences=validation.sequences,
        overwrite=True,  # the trainer's own scratch folder: each validation replaces the last
        progress=False,
    )
    settings: dict[str, object] = {**dict(validation.settings), "checkpoint": str(checkpoint)}
    if config.model == "sitvos":
        settings["fim"] = config.fim
    outcome = run_method(config.model, settings, options)
    assert outcome is not None and outcome.result is not None
    return outcome.result.headline[1]


def train(
    config: TrainConfig,
    clips: Dataset,
    out: str | Path,
    device: str = "cpu",
    resume: bool = False,
    validation: Validation | None = None,
    progress: bool = True,
) -> dict:
    """Train; returns a summary (iterations, final loss, validation scores) on rank 0."""
    out = Path(out)
    world = init_world(device)
    if world.size > 1 and device.startswith("cuda"):
        device = f"cuda:{world.local_rank}"
    torch.manual_seed(config.seed)
    model = load_model(
        config.init_checkpoint,
        config.fim,
        config.backbone_init,
        config.model,
        "" if config.init_checkpoint else config.backbone,
        "" if config.init_checkpoint else config.backbone_weights,
    )
    model = model.to(device).train()
    if device.startswith("cuda"):
        model = model.to(memory_format=torch.channels_last)
    net: torch.nn.Module = ClipLoss(model)
    state_path = out / "state.pt"
    resuming = resume and state_path.is_file()
    random_start = config.backbone_init == "random" and not config.backbone_weights
    if not config.init_checkpoint and random_start and not resuming:
        # The same first clips on every rank, so every process calibrates alike.
        first = to_model(default_collate([clips[i % len(clips)] for i in range(config.batch_size)]), device)
        calibrate_frozen_norms(model, lambda: net(**first))
    if world.size > 1:
        net = torch.nn.parallel.DistributedDataParallel(net, find_unused_parameters=True)
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.Adam(params, lr=config.lr)
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
    elif world.is_main:
        out.mkdir(parents=True, exist_ok=True)
        for stale in ("metrics.jsonl", "validation.jsonl"):
            (out / stale).unlink(missing_ok=True)
    if world.is_main:
        write_atomic(out / "config.json", json.dumps(asdict(config), indent=1))

    total_positions = config.iterations * config.batch_size * world.size
    context = None
    if config.workers > 0:
        import multiprocessing

        context = multiprocessing.get_context("forkserver")
    loader = DataLoader(
        Positions(clips, total_positions),
        batch_sampler=PositionBatches(start, config.iterations, config.batch_size, world),
        num_workers=config.workers,
        multiprocessing_context=context,
        pin_memory=device.startswith("cuda"),
    )
    use_bf16 = bf16_autocast(config.precision, device)
    autocast = torch.autocast(device_type=torch.device(device).type, dtype=torch.bfloat16, enabled=use_bf16)
    bar = progress_bar(
        total=config.iterations,
        initial=start,
        unit="it",
        desc=f"train {config.stage}",
        enabled=progress and world.is_main,
    )
    if validation is not None and world.is_main and start == 0:
        _save(out, model, optimizer, scheduler, 0, config, world)  # the untrained model, for comparison
        _record_validation(out, validation, device, 0, config)
    last_loss = math.nan
    if device.startswith("cuda"):
        torch.cuda.reset_peak_memory_stats(device)
    began = tick = time.perf_counter()
    validating = 0.0  # seconds spent validating inside the loop: not training throughput
    iteration = start
    with bar:
        for batch in loader:
            data = to_model(batch, device)
            with autocast:
                loss = net(data["images"], data["masks"], data["labels"], data["n_objects"])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, config.clip_grad)
            optimizer.step()
            scheduler.step()
            iteration += 1
            last_loss = float(loss.detach())
            bar.update(1)
            bar.set_postfix(loss=f"{last_loss:.4f}")
            if world.is_main and (iteration % config.log_every == 0 or iteration == config.iterations):
                now = time.perf_counter()
                row = {
                    "iteration": iteration,
                    "loss": last_loss,
                    "lr": scheduler.get_last_lr()[0],
                    "seconds": now - tick,
                }
                with open(out / "metrics.jsonl", "a", encoding="utf-8") as log:
                    log.write(json.dumps(row) + "\n")
                tick = now
            validate_now = (
                validation is not None
                and config.validate_every > 0
                and iteration % config.validate_every == 0
                and iteration != config.iterations
            )
            if iteration % config.checkpoint_every == 0 or iteration == config.iterations or validate_now:
                _save(out, model, optimizer, scheduler, iteration, config, world)  # validation reads it
            if validate_now and world.is_main:
                assert validation is not None
                validation_began = time.perf_counter()
                _record_validation(out, validation, device, iteration, config)
                validating += time.perf_counter() - validation_began
    seconds = time.perf_counter() - began - validating
    summary: dict = {
        "iterations": iteration,
        "final_loss": last_loss,
        "device": hardware_label(hardware(device)),
        "processes": world.size,
        "train_seconds": seconds,  # this process's iterations, with data loading and checkpoints
        "iterations_per_second": (iteration - start) / seconds
        if seconds > 0 and iteration > start
        else math.nan,
        **_peak_memory(device),
    }
    if world.is_main:
        rows = (
            [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
            if (out / "metrics.jsonl").is_file()
            else []
        )
        _write_csv(rows, out / "metrics.csv")
        if rows:
            _loss_curve(rows, out / "loss_curve.png")
        if validation is not None:
            summary["validation"] = _record_validation(out, validation, device, iteration, config)
        write_atomic(out / "summary.json", json.dumps(summary, indent=1))
    finish(world)
    return summary


def _peak_memory(device: str) -> dict[str, object]:
    """Peak memory of this process: allocated GPU memory on CUDA, resident set size on CPU."""
    if device.startswith("cuda"):
        return {"peak_memory_mb": torch.cuda.max_memory_allocated(device) / 2**20, "peak_memory_of": "GPU"}
    try:
        import resource
    except ImportError:  # Windows
        return {"peak_memory_mb": math.nan, "peak_memory_of": "process RSS (not measured here)"}
    unit = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, kilobytes on Linux
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * unit
    return {"peak_memory_mb": rss / 2**20, "peak_memory_of": "process RSS"}


def _save(out: Path, model, optimizer, scheduler, iteration: int, config: TrainConfig, world: World) -> None:
    if not world.is_main:
        return
    state = {
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict(),
        "scheduler": scheduler.state_dict(),
        "iteration": iteration,
        "config": asdict(config),
    }
    with atomic_path(out / "state.pt") as tmp:
        torch.save(state, tmp)
    save_checkpoint(out / "last.pth", model, model.config, {"iteration": iteration, "stage": config.stage})


def _record_validation(
    out: Path, validation: Validation, device: str, iteration: int, config: TrainConfig
) -> float:
    score = _validate(out / "last.pth", validation, out / "validation", device, config)
    history = out / "validation.jsonl"
    previous = (
        [json.loads(line)["score"] for line in history.read_text().splitlines()] if history.is_file() else []
    )
    with open(history, "a", encoding="utf-8") as log:
        log.write(json.dumps({"iteration": iteration, "score": score}) + "\n")
    if not previous or score > max(previous):
        write_bytes_atomic(out / "best.pth", (out / "last.pth").read_bytes())
    return score


def _write_csv(rows: list[dict], path: Path) -> None:
    if not rows:
        return
    keys = list(rows[0])
    lines = [",".join(keys)] + [",".join(repr(r[k]) for k in keys) for r in rows]
    write_atomic(path, "\n".join(lines) + "\n")
