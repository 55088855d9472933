"""Loading a saved ensemble artifact: the folder must be complete, and each member rebuilds from
the config the checkpoint carries (the predictor and the lyrics model share this)."""

from __future__ import annotations

import json
from pathlib import Path

import torch

from engine.errors import ModelNotFoundError


def read_checkpoint(path: Path, files: list[str], what: str, train_command: str) -> tuple[dict, dict]:
    """(config.json, weights.pt state) of a complete artifact folder; a clear error names what is missing."""
    missing = [f for f in files if not (path / f).exists()]
    if missing:
        raise ModelNotFoundError(f"{what} folder {path} is incomplete (missing {', '.join(missing)}). "
                                 f"Train it with `{train_command}`.")
    info = json.loads((path / "config.json").read_text())
    return info, torch.load(path / "weights.pt", weights_only=True)


def rebuild_members(states: list[dict], build) -> list[torch.nn.Module]:
    """One module per saved member state, built by `build()` and switched to eval mode."""
    members = []
    for state in states:
        module = build()
        module.load_state_dict(state)
        members.append(module.eval())
    return members
