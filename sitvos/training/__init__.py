"""Training SITVOS with vosbench's trainer: its settings and registration (the clip loss and
the rest are the memory-network kit's, :mod:`memnet.training`)."""

from sitvos.training.config import SITVOSTrainConfig

__all__ = ["SITVOSTrainConfig"]
