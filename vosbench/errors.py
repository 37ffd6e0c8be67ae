"""The error type for bad input: the command line prints its message and exits with 2."""

from __future__ import annotations


class VosbenchError(Exception):
    """Bad input a user can fix: the message names the file and what was expected."""
