"""`vosbench convert-weights`: another code base's weights as a vosbench checkpoint.

A network's spec names the layouts it converts from (``converters``); the converted
checkpoint records the network and its config, so `vosbench run --method NAME --set
checkpoint=OUT.pth` needs no other option. Files are read with ``weights_only=True``, and
every key the conversion cannot place is an error naming it: nothing is dropped silently.
"""

from __future__ import annotations

from pathlib import Path

from vosbench.checkpoints import load_state_dict, load_weights, save_checkpoint
from vosbench.errors import VosbenchError
from vosbench.io.preflight import writable_file
from vosbench.networks import NetworkSpec, network_names, network_spec


def converter_names() -> dict[str, str]:
    """Every layout a registered network converts from -> that network's name."""
    return {source: name for name in network_names() for source in network_spec(name).converters}


def _network_for(source: str) -> NetworkSpec:
    known = converter_names()
    if source not in known:
        listed = ", ".join(sorted(known)) or "(none)"
        raise VosbenchError(f"--from {source}: no registered network converts it; known: {listed}")
    return network_spec(known[source])


def convert_weights(source: str, weights: Path, out: Path) -> str:
    """Convert the state dict in ``weights`` (layout ``source``) into a checkpoint at ``out``;
    returns a line saying what was written."""
    spec = _network_for(source)
    writable_file(out, "OUT")
    state = load_state_dict(weights, f"{source} state dict")
    try:
        config, converted = spec.converters[source](state)
    except ValueError as exc:
        raise VosbenchError(f"{weights}: {exc}") from None
    model = spec.network(config)
    load_weights(model, converted, weights, spec.name)  # every missing, unexpected or misshapen key named
    extra = {"converted_from": source, "source_file": str(weights)}
    save_checkpoint(out, model, config, extra, architecture=spec.name)
    return (
        f"wrote {out}: {spec.name} ({len(converted)} tensors from {len(state)} in {weights}); "
        f"run it with --method {spec.method} --set checkpoint={out}"
    )
