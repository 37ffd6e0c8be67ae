"""What a newcomer reads: help texts that say what the commands do, no stray files, progress
that stays readable in a log, and the conditions every CPU FPS was measured under."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from builders import ellipse_masks, write_davis2017

from vosbench.cli import build_parser, main
from vosbench.system.provenance import _own_jiffies, busy_machine, other_cores_busy

REPO = Path(__file__).resolve().parent.parent


def _help(command: str) -> str:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    return sub.choices[command].format_help() + " ".join(
        a.help or "" for a in sub._choices_actions if a.dest == command
    )


def test_help_texts_say_what_the_commands_do() -> None:
    assert "YouTube" in _help("make-demo-data")
    demo = _help("demo")
    assert "vosbench reproduce" in demo and "the main job on" not in demo
    train = _help("train")
    assert "STM" in train and "--model" in train
    assert "test-dev" in _help("submit")


def test_make_demo_data_names_every_folder_it_writes(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "demo"
    assert main(["make-demo-data", "--out", str(out), "--frames", "3", "--size", "32", "48"]) == 0
    printed = capsys.readouterr().out
    for folder in sorted(p.name for p in out.iterdir()):
        assert str(out / folder) in printed


@pytest.fixture
def davis_root(tmp_path: Path) -> Path:
    return write_davis2017(tmp_path / "DAVIS", {"a": ellipse_masks(8, (36, 48), 2, seed=1)})


def test_profile_writes_nothing_unless_asked(
    davis_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    args = ["profile", "--method", "first-frame-copy", "--dataset", "davis2017", "--root", str(davis_root)]
    assert main([*args, "--warmup", "1", "--quiet"]) == 0
    assert list(cwd.iterdir()) == []
    printed = capsys.readouterr().out
    assert "FPS over 7 frames" in printed and "threads" in printed and "load" in printed
    assert main([*args, "--warmup", "1", "--quiet", "--out", "p.json"]) == 0
    report = json.loads((cwd / "p.json").read_text())
    assert report["split"] == "val"  # the split actually profiled, not null
    profile = report["profile"]
    assert profile["threads"]["opencv"] >= 1 and profile["load_before"] >= 0
    assert profile["others_busy"] is not None and profile["others_busy"] >= 0


def test_run_records_threads_and_load_beside_its_fps(davis_root: Path, tmp_path: Path) -> None:
    out = tmp_path / "r"
    args = ["run", "--method", "first-frame-copy", "--dataset", "davis2017", "--root", str(davis_root)]
    assert main([*args, "--out", str(out), "--quiet"]) == 0
    profile = json.loads((out / "run.json").read_text())["profile"]
    assert profile["fps"] > 0 and profile["threads"] and profile["load_before"] is not None


SPIN = "import time\nend = time.time() + 3\nwhile time.time() < end: pass"


def test_other_processes_cpu_use_is_seen(tmp_path: Path) -> None:
    """A busy loop in an unrelated process shows up as about one core used by others."""
    pid_file = tmp_path / "pid"
    # started through a shell that exits: the spinner is not this process's descendant
    subprocess.run(["sh", "-c", f"{sys.executable} -c '{SPIN}' & echo $! > {pid_file}"], check=True)
    try:
        time.sleep(0.5)
        busy = other_cores_busy(0.5)
    finally:
        os.kill(int(pid_file.read_text()), signal.SIGKILL)
    assert busy is not None and 0.6 <= busy <= (os.cpu_count() or 1) + 0.01
    assert busy_machine(1.0, cores=2) and not busy_machine(0.3, cores=2) and busy_machine(4.0, cores=8)
    assert not busy_machine(None)


def test_own_workers_are_not_other_processes() -> None:
    """A data-loading worker (a child process) is vosbench's own work: counted as its own."""
    before = _own_jiffies()
    spinner = subprocess.Popen([sys.executable, "-c", SPIN])
    try:
        time.sleep(1.5)
        during = _own_jiffies()
    finally:
        spinner.kill()
        spinner.wait()
    assert before is not None and during is not None
    assert during - before >= 0.5 * os.sysconf("SC_CLK_TCK")  # the child's second of CPU time


def test_progress_in_a_log_has_no_cursor_movements(davis_root: Path, tmp_path: Path) -> None:
    log = tmp_path / "log.txt"
    cmd = [sys.executable, "-m", "vosbench", "run", "--method", "first-frame-copy", "--dataset", "davis2017"]
    cmd += ["--root", str(davis_root), "--out", str(tmp_path / "r")]
    with log.open("w") as stream:
        subprocess.run(cmd, stdout=stream, stderr=subprocess.STDOUT, check=True, cwd=REPO)
    text = log.read_text()
    assert "first-frame-copy" in text and "100%" in text  # the overall bar is there, as plain lines
    assert "\x1b[" not in text  # no cursor movement or line clearing


def test_a_reader_that_leaves_the_pipe_ends_the_command_quietly() -> None:
    """`vosbench datasets | head -1`: the command stops with 128 + SIGPIPE and no traceback."""
    done = subprocess.Popen(
        [sys.executable, "-m", "vosbench", "datasets"], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert done.stdout is not None and done.stderr is not None
    done.stdout.close()  # the reader is gone before anything is written
    error = done.stderr.read()
    assert done.wait() == 141 and error == b""
