"""Model cards: what each shipped model was trained on, how it did against simple baselines on real data,
its calibration and its training curve, read from the artifact's own files (metrics.json, config.json,
train_config.json, train_log.jsonl) so the card never disagrees with the measurement.

    from engine.cards import model_cards
    for card in model_cards(): ...
"""

from engine.cards.card import Card, Table, build_card, model_cards  # noqa: F401
