"""Methods: the protocol, typed options and the entry-point registry."""

from vosbench.methods.base import GivenMasks, Method, NoOptions, VideoInfo
from vosbench.methods.registry import create_method, method_class, method_names, register

__all__ = [
    "GivenMasks",
    "Method",
    "NoOptions",
    "VideoInfo",
    "create_method",
    "method_class",
    "method_names",
    "register",
]
