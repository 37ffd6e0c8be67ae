"""The memory-network kit: what SITVOS, STM and any other memory network share.

Networks: the ImageNet backbones (:mod:`memnet.backbone`), the refinement decoder
(:mod:`memnet.decoder`), soft aggregation (:mod:`memnet.aggregation`), padding
(:mod:`memnet.padding`) and config helpers (:mod:`memnet.variants`). Inference: the
per-frame steps (:mod:`memnet.frames`), which frames stay in memory (:mod:`memnet.memory`)
and the method base (:mod:`memnet.method`). Weights: backbones, checkpoints and the authors'
layouts (:mod:`memnet.weights`, :mod:`memnet.weight_layouts`, :mod:`memnet.renames`).
Training: the clip protocol (:mod:`memnet.protocol`), its loss, settings and registration
(:mod:`memnet.training`).

The kit carries no network's defaults: a network package (``sitvos/``, ``baselines/stm/``)
holds its own model, its method and its registration, and imports the kit, never another
network.
"""
