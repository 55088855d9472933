"""The card structure and its formatting helpers (what every builder writes into; reads no artifact itself)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path


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
    comparison: list[dict] | None = None                # the one chart for a listener: {name, value, ours}
    comparison_label: str = ""                          # what the chart's value is, in words


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
