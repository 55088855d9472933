"""How a card is read from an artifact directory, whatever its metrics.json holds (engine.cards.builders
knows each shipped model's; a schema it does not know falls back to the generic card)."""

from __future__ import annotations

from pathlib import Path

from engine.cards.builders import BUILDERS, ORDER, TITLES
from engine.cards.parts import Card, Table, generic, read_json  # noqa: F401  (Card, Table: the package's API)
from engine.config import models_dir
from engine.training_config import APPLIED_FILE, read_log


def build_card(key: str, directory: Path | None = None) -> Card:
    """The card of models/<key>; a schema the builder does not expect falls back to the generic card."""
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
    root = Path(root) if root else models_dir()
    present = {p.name for p in root.iterdir() if p.is_dir() and ((p / "metrics.json").exists() or p.name == "catalog")}
    keys = [k for k in ORDER if k in present] + sorted(present - set(ORDER))
    return [build_card(k, root / k) for k in keys]
