"""The SITVOS network: pure tensors in, tensors out (no file access, no memory policy)."""

from sitvos.model.network import SITVOS, ModelConfig

__all__ = ["SITVOS", "ModelConfig"]
