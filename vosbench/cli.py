"""The `vosbench` command."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from vosbench import __version__
from vosbench.commands.data import _add_coco_clips, _add_demo, _add_listings, _add_make_demo_data
from vosbench.commands.reproducing import _add_reproduce
from vosbench.commands.running import _add_profile, _add_run, _add_submit
from vosbench.commands.scoring import _add_compare, _add_evaluate
from vosbench.commands.training import _add_convert_weights, _add_train
from vosbench.errors import VosbenchError

EXIT_BAD_INPUT = 2
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell tool killed by a closed pipe returns


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vosbench", description="Benchmark suite for semi-supervised video object segmentation."
    )
    parser.add_argument("--version", action="version", version=f"vosbench {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_evaluate(sub)
    _add_compare(sub)
    _add_demo(sub)
    _add_make_demo_data(sub)
    _add_coco_clips(sub)
    _add_listings(sub)
    _add_run(sub)
    _add_profile(sub)
    _add_submit(sub)
    _add_train(sub)
    _add_convert_weights(sub)
    _add_reproduce(sub)
    return parser


def _pin_numerics(argv: list[str]) -> None:
    """`reproduce` at a scale that promises the same values on any machine pins its numeric
    settings (:mod:`vosbench.numerics`) now, before building the parser loads NumPy: each
    library reads its own once. Arguments are checked later, by the full parser."""
    if argv[:1] != ["reproduce"] or {"-h", "--help"} & set(argv):
        return  # (asking for help computes nothing; the early parser would print it twice)
    from vosbench.numerics import pin
    from vosbench.reproduce.recipes import choose_scale, scale_numerics

    early = argparse.ArgumentParser(add_help=False, exit_on_error=False)
    _add_reproduce(early.add_subparsers(dest="command"))
    try:
        args, _ = early.parse_known_args(argv)
        data = args.data or ["demo"]
        scale = choose_scale(args.scale, args.quick, data == ["demo"])
        pin(scale_numerics(args.experiments / "recipes.toml", scale))
    except (argparse.ArgumentError, VosbenchError, SystemExit):
        return  # the full parser and the command report it


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; bad input prints one line and returns exit status 2."""
    _pin_numerics(list(sys.argv[1:] if argv is None else argv))
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        status = int(args.func(args))
        sys.stdout.flush()  # a closed pipe shows here, inside the try, not at interpreter exit
        return status
    except VosbenchError as exc:
        print(f"vosbench: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("vosbench: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader of stdout left (`vosbench evaluate ... | head`): stop quietly, as a shell
        # tool does, and send what Python flushes at exit nowhere
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE


if __name__ == "__main__":
    sys.exit(main())
