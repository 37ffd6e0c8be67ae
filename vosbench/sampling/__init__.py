"""Training clip samplers: real videos (main training) and COCO synthetic clips (pre-training).

Both are ``torch.utils.data.Dataset`` s that return the same dictionary (see
:func:`vosbench.sampling.clip.clip_tensors`), deterministic for a seed, index and epoch, and
cheap enough that two DataLoader workers keep a GPU fed.
"""

from vosbench.sampling.clip import ClipOptions, to_model
from vosbench.sampling.coco_clips import CocoClips
from vosbench.sampling.loader import clip_loader
from vosbench.sampling.mixture import MixedClips
from vosbench.sampling.video_clips import VideoClips

__all__ = ["ClipOptions", "CocoClips", "MixedClips", "VideoClips", "clip_loader", "to_model"]
