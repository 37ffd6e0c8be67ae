"""A results folder's run state (``OUT/.vosbench``): which run made it, and its finished videos.

A folder holds the masks of one run, named by its *identity*: the method, its options, the
content of every file those options name (a checkpoint's hash, not its path), the dataset,
root, split and resolution. Each finished video's record carries that identity, and only
records of the current run's identity are trusted on resume, so one method's masks are
never reported under another's name. A folder that holds another run's results (or masks
no vosbench run wrote) is refused unless the caller asks to overwrite it; overwriting removes
that run's masks, records and result files first.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from vosbench.datasets import Video
from vosbench.errors import VosbenchError
from vosbench.io.atomic import write_atomic
from vosbench.io.results import frame_paths, holds_masks

STATE_DIR = ".vosbench"
RESULT_FILES = ("run.json", "results.json", "global_results-*.csv", "per-sequence_results-*.csv")


@dataclass
class VideoRecord:
    """One finished video: how many frames, their timings, and the run that made it."""

    name: str
    frames: int
    written: int
    times: list[float] = field(default_factory=list)
    stage_totals: dict[str, float] = field(default_factory=dict)
    warmup: int = 0
    run: str = ""  # the identity of the run that wrote the video's masks


def file_digest(path: Path) -> str:
    """sha256 of a file's content (what a checkpoint *is*, wherever it lies)."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def run_identity(config: dict[str, Any]) -> tuple[str, dict[str, str]]:
    """(identity, the digests of the files the options name) of a run's ``config``."""
    files = {
        name: file_digest(Path(value))
        for name, value in sorted(config.get("options", {}).items())
        if isinstance(value, str) and value and Path(value).is_file()
    }
    text = json.dumps({**config, "files": files}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16], files


def _differences(previous: dict, config: dict, files: dict[str, str]) -> list[str]:
    changed = [
        k for k in ("method", "dataset", "root", "split", "resolution") if previous.get(k) != config[k]
    ]
    old_options = previous.get("options", {})
    changed += [
        f"option {k}" for k in sorted(config["options"]) if old_options.get(k) != config["options"][k]
    ]
    old_files = previous.get("files", {})
    changed += [
        f"the file of {k}" for k in files if k in old_options and old_files.get(k) not in (None, files[k])
    ]
    return changed or ["the run that wrote it"]


class RunState:
    """``OUT/.vosbench`` for one run: checked (and the folder cleared if asked) before work."""

    def __init__(self, out: Path, config: dict[str, Any]) -> None:
        self.out = out
        self.dir = out / STATE_DIR
        self.config = config
        self.identity, self.files = run_identity(config)

    @property
    def config_path(self) -> Path:
        return self.dir / "config.json"

    def record_path(self, name: str) -> Path:
        return self.dir / "videos" / f"{name}.json"

    def previous(self) -> dict | None:
        """The state of the run that wrote the folder before, if any."""
        if not self.config_path.is_file():
            return None
        try:
            previous = json.loads(self.config_path.read_text())
        except (OSError, ValueError):
            raise VosbenchError(
                f"{self.config_path}: not a readable run state (expected JSON); remove it, "
                "or give --overwrite to start the folder afresh"
            ) from None
        if not isinstance(previous, dict):
            raise VosbenchError(f"{self.config_path}: not a run state (expected a JSON object)")
        return previous

    def foreign_masks(self) -> list[Path]:
        """Mask folders and result files in OUT that no vosbench run state accounts for."""
        if not self.out.is_dir():
            return []
        found = [p for pattern in RESULT_FILES for p in self.out.glob(pattern)]
        found += [p for p in self.out.iterdir() if p.is_dir() and p.name != STATE_DIR and holds_masks(p)]
        return sorted(found)

    def prepare(self, resume: bool, overwrite: bool) -> None:
        """Refuse a folder holding another run's results (with ``overwrite``: clear it first),
        then record this run's identity. The same run's folder is kept (``resume`` goes on)."""
        try:
            previous = self.previous()
        except VosbenchError:
            if not overwrite:
                raise
            previous = {}  # unreadable: another run's, as far as anyone can tell
        if previous is not None and previous.get("identity") == self.identity:
            pass  # this run's own folder
        elif previous is not None or self.foreign_masks():
            if not overwrite:
                raise self._refusal(previous, resume)
            self.clear()
        state = {"identity": self.identity, **self.config, "files": self.files}
        write_atomic(self.config_path, json.dumps(state, indent=1, default=str))

    def _refusal(self, previous: dict | None, resume: bool) -> VosbenchError:
        if previous is None:
            found = self.foreign_masks()[0].name
            return VosbenchError(
                f"{self.out}: holds masks or results no vosbench run wrote ({found}, ...); "
                "give --overwrite to replace them, or another --out folder"
            )
        changed = ", ".join(_differences(previous, self.config, self.files))
        verb = "--resume a run with" if resume else "write into"
        return VosbenchError(
            f"{self.out}: holds the results of another run (it differs in {changed}); cannot {verb} "
            "them: give --overwrite to replace them, or another --out folder"
        )

    def clear(self) -> None:
        """Remove every run's state, result files and mask folders (folders holding PNGs) from OUT."""
        for path in self.foreign_masks():
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink()
        if self.dir.exists():
            shutil.rmtree(self.dir)

    def load(self, video: Video) -> VideoRecord | None:
        """The video's record when this run finished it and every mask it needs is there."""
        path = self.record_path(video.name)
        if not path.is_file():
            return None
        try:
            record = VideoRecord(**json.loads(path.read_text()))
        except (OSError, ValueError, TypeError):
            raise VosbenchError(
                f"{path}: not a readable video record (expected the JSON a run writes); remove it to "
                "run the video again"
            ) from None
        if record.run != self.identity:
            return None
        paths = (
            p for f in video.output_frames for p in frame_paths(self.out, video.name, f, video.object_folders)
        )
        if not all(p.is_file() for p in paths):
            return None
        return record

    def save(self, record: VideoRecord) -> None:
        record.run = self.identity
        write_atomic(self.record_path(record.name), json.dumps(asdict(record)))
