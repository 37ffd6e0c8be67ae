"""Running over several processes with torch.distributed (``torchrun --nproc-per-node N``).

Videos are sharded across ranks, longest first, each to the rank with the fewest frames so
far; every rank writes its own videos' masks; rank 0 gathers the per-video records and
writes the result files. Without torchrun's environment this is one process, rank 0.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from vosbench.system.devices import is_cuda


@dataclass(frozen=True)
class World:
    rank: int
    size: int
    local_rank: int

    @property
    def is_main(self) -> bool:
        return self.rank == 0


def init_world(device: str) -> World:
    """Join the process group torchrun set up (gloo on CPU, NCCL on CUDA); else one process."""
    size = int(os.environ.get("WORLD_SIZE", "1"))
    if size <= 1:
        return World(0, 1, 0)
    import torch.distributed as dist

    if not dist.is_initialized():
        dist.init_process_group(backend="nccl" if is_cuda(device) else "gloo")
    return World(dist.get_rank(), dist.get_world_size(), int(os.environ.get("LOCAL_RANK", "0")))


def shard(lengths: list[int], world: World) -> list[int]:
    """Indices of the items this rank handles: greedy balance of total length."""
    loads = [0] * world.size
    owner = [0] * len(lengths)
    for index in sorted(range(len(lengths)), key=lambda i: (-lengths[i], i)):
        rank = min(range(world.size), key=lambda r: (loads[r], r))
        owner[index] = rank
        loads[rank] += lengths[index]
    return [i for i in range(len(lengths)) if owner[i] == world.rank]


def gather(obj: Any, world: World) -> list[Any] | None:
    """Every rank's ``obj`` on rank 0 (``None`` elsewhere)."""
    if world.size == 1:
        return [obj]
    import torch.distributed as dist

    out: list[Any] | None = [None] * world.size if world.is_main else None
    dist.gather_object(obj, out, dst=0)
    return out


def broadcast_error(message: str | None, world: World) -> str | None:
    """The first rank's error message, on every rank (so all stop together)."""
    if world.size == 1:
        return message
    import torch.distributed as dist

    messages: list[str | None] = [None] * world.size
    dist.all_gather_object(messages, message)
    return next((m for m in messages if m), None)


def finish(world: World) -> None:
    if world.size > 1:
        import torch.distributed as dist

        dist.barrier()
        dist.destroy_process_group()
