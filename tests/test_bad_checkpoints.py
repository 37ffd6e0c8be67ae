"""Every bad checkpoint is named in one line, through the CLI, exit 2, nothing written: missing,
extra or misshapen tensors listed; unknown config fields; no config; pickles that
``weights_only`` loading refuses; files that are not checkpoints at all."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from builders import ellipse_masks, write_davis2017

from vosbench.checkpoints import CHECKPOINT_FORMAT, save_checkpoint
from vosbench.cli import main
from vosbench.methods import create_method


class NotATensor:
    """Any object: a pickle holding it is not weights-only."""


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> dict:
    source = create_method("stm", {"init": "random"})
    path = tmp_path_factory.mktemp("ckpt") / "stm.pth"
    save_checkpoint(path, source.model, source.model.config)
    return torch.load(path, weights_only=True)


def test_empty_and_truncated_files_are_named(good: dict, tmp_path: Path) -> None:
    from vosbench.checkpoints import load_checkpoint
    from vosbench.errors import VosbenchError

    empty = tmp_path / "empty.pth"
    empty.write_bytes(b"")
    with pytest.raises(VosbenchError, match=r"empty\.pth: an empty file, expected a checkpoint"):
        load_checkpoint(empty)
    whole = tmp_path / "whole.pth"
    torch.save(good, whole)
    cut = tmp_path / "cut.pth"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    with pytest.raises(VosbenchError, match=r"cut\.pth: not a readable checkpoint \(") as info:
        load_checkpoint(cut)
    assert "\n" not in str(info.value)


def _variants(good: dict) -> dict[str, tuple[object, str]]:
    model = dict(good["model"])
    first = next(iter(model))
    shrunk = {k: (v[:1] if k == "query_kv.key.weight" else v) for k, v in model.items()}
    return {
        "missing": (
            {**good, "model": {k: v for k, v in model.items() if k != first}},
            rf"1 missing: {first}",
        ),
        "extra": ({**good, "model": {**model, "head.weight": torch.zeros(2)}}, r"1 unexpected: head\.weight"),
        "misshapen": ({**good, "model": shrunk}, r"1 misshapen: query_kv\.key\.weight \(1, 1024, 3, 3\)"),
        "unknown field": ({**good, "config": {**good["config"], "heads": 8}}, r"config: .*heads"),
        "no config": ({k: v for k, v in good.items() if k != "config"}, r"no config in the checkpoint"),
        "not ours": ({"state_dict": model}, r"not a vosbench checkpoint"),
        "a pickle": (
            {"format": CHECKPOINT_FORMAT, "x": NotATensor()},
            "not a weights-only checkpoint; vosbench loads only tensors",
        ),
        "an empty list": ([], r"not a vosbench checkpoint"),
    }


@pytest.mark.parametrize(
    "case",
    ["missing", "extra", "misshapen", "unknown field", "no config", "not ours", "a pickle", "an empty list"],
)
def test_bad_checkpoint_is_one_line(
    case: str, good: dict, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    payload, message = _variants(good)[case]
    path = tmp_path / "bad.pth"
    torch.save(payload, path)
    root = write_davis2017(tmp_path / "DAVIS", {"a": ellipse_masks(3, (32, 32), 1, seed=0)})
    out = tmp_path / "out"
    args = ["run", "--method", "stm", "--set", f"checkpoint={path}", "--dataset", "davis2017"]
    assert main([*args, "--root", str(root), "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"vosbench: error: {path}: "), err
    assert "Traceback" not in err and "weights_only=False" not in err
    import re

    assert re.search(message, err), err
    assert not out.exists()


@pytest.mark.parametrize(
    ("content", "looks"),
    [
        (b"<!DOCTYPE html>\n<html><head><title>Dropbox</title>", r"an HTML page \(a failed download\?"),
        (b"\n  <html lang='en'>", r"an HTML page"),
        (b'{"model": "weights"}', r"a JSON or text file"),
        (b"version https://git-lfs.github.com/spec/v1\noid sha256:abc\n", r"a text file"),
        (b"\x1f\x8b\x08\x00rest", r"a gzip archive"),
        (b"\x89PNG\r\n\x1a\n", r"an image"),
    ],
)
def test_a_file_torch_never_wrote_says_what_it_looks_like(tmp_path: Path, content: bytes, looks: str) -> None:
    """A failed browser download of a weights link is a web page, not a "non-weights-only"
    checkpoint: the message says what the file is."""
    from vosbench.checkpoints import load_checkpoint
    from vosbench.errors import VosbenchError

    path = tmp_path / "weights.pth"
    path.write_bytes(content)
    with pytest.raises(VosbenchError, match=rf"weights\.pth: not a torch file but {looks}") as info:
        load_checkpoint(path)
    assert "weights-only" not in str(info.value) and "\n" not in str(info.value)
