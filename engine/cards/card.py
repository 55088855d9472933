"""The card structure, and how one is read from an artifact directory whatever its metrics.json holds."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

from engine.config import models_dir
from engine.training_config import APPLIED_FILE, read_log

NO_LOG = "No training log shipped: this artifact was trained before training wrote one"


@dataclass
class Table:
    """A titled table as records (one dict a row), with the command that measured it."""
    title: str
    rows: list[dict]
    note: str = ""
    command: str = ""


@dataclass
class Card:
    key: str                      # the directory under models/
    title: str
    purpose: str = ""             # what it does in the product
    trust: list[str] = field(default_factory=list)       # how far to trust it, in sentences read from metrics
    trained_on: list[str] = field(default_factory=list)
    command: str = ""             # what wrote the artifact
    evaluations: list[Table] = field(default_factory=list)
    calibration: Table | None = None
    reliability: dict[str, list[dict]] | None = None    # feature -> bins (confidence, coverage_90, mean_abs_error)
    curve: list[dict] | None = None                     # train_log.jsonl records
    curve_note: str = NO_LOG
    applied_config: dict | None = None                  # train_config.json
    notes: list[str] = field(default_factory=list)      # what is missing or could not be read


def read_json(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def number(value, digits: int = 3):
    """A metric for display: rounded floats, None for missing or non-finite values."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        return round(float(value), digits) if math.isfinite(value) else None
    return value


def interval(ci) -> str:
    """'[low, high]' from a {low, high} dict or a [low, high] list; '' where there is none."""
    if isinstance(ci, dict):
        ci = [ci.get("low"), ci.get("high")]
    if isinstance(ci, (list, tuple)) and len(ci) == 2 and all(isinstance(v, (int, float)) for v in ci):
        return f"[{ci[0]:.3f}, {ci[1]:.3f}]"
    return ""


def generic(card: Card, metrics: dict) -> Card:
    """Any metrics.json: its top-level figures as one table (the fallback for a schema no builder knows)."""
    # Numbers and words in separate columns: one column of both would not convert to a typed table.
    rows = [{"figure": k, "value": number(v)} if isinstance(v, (int, float)) else {"figure": k, "text": v}
            for k, v in metrics.items() if isinstance(v, (int, float, str))]
    if rows:
        card.evaluations.append(Table("Figures in metrics.json", rows))
    return card


def build_card(key: str, directory: Path | None = None) -> Card:
    """The card of models/<key>; a schema the builder does not expect falls back to the generic card."""
    from engine.cards.builders import BUILDERS, TITLES

    directory = Path(directory) if directory else models_dir() / key
    card = Card(key=key, title=TITLES.get(key, key.replace("_", " ").capitalize()))
    metrics = read_json(directory / "metrics.json")
    config = read_json(directory / "config.json") or {}
    card.curve = read_log(directory)
    card.applied_config = read_json(directory / APPLIED_FILE)
    if metrics is None and key != "catalog":
        card.notes.append(f"models/{key}/metrics.json is missing or unreadable: no evaluation to show.")
        return card
    builder = BUILDERS.get(key)
    try:
        return builder(card, metrics or {}, config) if builder else generic(card, metrics)
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as exc:
        fallback = Card(key=key, title=card.title, curve=card.curve, applied_config=card.applied_config)
        fallback.notes.append(f"metrics.json has a shape this card does not know ({type(exc).__name__}: {exc}); "
                              "its top-level figures are shown as they are.")
        return generic(fallback, metrics or {})


def model_cards(root: Path | None = None) -> list[Card]:
    """A card for every shipped model directory that has a metrics.json, plus the catalog; known ones first."""
    from engine.cards.builders import ORDER

    root = Path(root) if root else models_dir()
    present = {p.name for p in root.iterdir() if p.is_dir() and ((p / "metrics.json").exists() or p.name == "catalog")}
    keys = [k for k in ORDER if k in present] + sorted(present - set(ORDER))
    return [build_card(k, root / k) for k in keys]
