"""The Models page cards from the shipped artifacts: no import circle inside engine.cards (function bodies
included), the ranker's figures and its one bootstrap, no card for the retired hybrid, and the catalog's
reference clusters described as what they are."""

import ast
import json
from pathlib import Path

from engine.cards import build_card, model_cards
from engine.cards.names import friendly
from engine.config import models_dir

CARDS = Path(__file__).resolve().parents[2] / "engine" / "cards"


def _card_imports(path: Path) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("engine.cards"):
            out.add(node.module)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith("engine.cards"))
    return out


def test_no_import_circle_inside_the_cards_even_through_function_level_imports():
    graph = {f"engine.cards.{p.stem}" if p.stem != "__init__" else "engine.cards": _card_imports(p)
             for p in CARDS.glob("*.py")}

    def reaches(start, goal, seen=()):
        return any(n == goal or (n not in seen and reaches(n, goal, (*seen, n))) for n in graph.get(start, ()))

    circles = [m for m in graph if m != "engine.cards" and reaches(m, m)]
    assert circles == [] and graph["engine.cards.parts"] == set()


def test_the_ranker_card_shows_the_stored_figures_and_names_its_bootstrap():
    real = json.loads((models_dir() / "ranker" / "metrics.json").read_text())["real_listeners"]
    card = build_card("ranker")
    assert card.notes == []
    ratio = real["ranker_vs_best_baseline_recall@50"]
    assert f"{ratio['ratio']:.2f}× [{ratio['interval_90'][0]:.3f}, {ratio['interval_90'][1]:.3f}]" in " ".join(card.trust)
    table = card.evaluations[0]
    assert "paired bootstrap over listeners" in table.note and f"{real['test_cut']:.0%}" in table.title
    ranker_row = next(r for r in table.rows if r["method"] == friendly("ranker"))
    assert ranker_row["recall@50"] == round(real["methods"]["ranker"]["recall@50"], 4)
    assert {r["method"] for r in table.rows} == {friendly(n) for n in real["methods"]}
    assert "cooccurrence" not in " ".join(map(str, [r["method"] for r in table.rows]) ) + " ".join(card.trust)


def test_the_recommender_chart_follows_whatever_methods_metrics_json_holds():
    """Issue 29 (11): metrics.json's methods change (new rules are being added); names a listener reads, and
    an unknown method still gets a bar under a readable name."""
    from engine.cards.ranker import comparison

    methods = {"ranker": {"recall@50": 0.04}, "cooccurrence": {"recall@50": 0.025},
               "lastfm_colistening": {"recall@50": 0.03}, "diversity_note": "not a method"}
    bars = comparison(methods)
    assert [b["name"] for b in bars] == ["learned ranker (the default)", "TidyTuesday playlist neighbours", "lastfm colistening"]
    assert [b["ours"] for b in bars] == [True, False, False]
    shipped = json.loads((models_dir() / "ranker" / "metrics.json").read_text())["real_listeners"]["methods"]
    assert len(build_card("ranker").comparison) == len(shipped)


def test_no_hybrid_card_and_the_clusters_are_the_catalogs_reference():
    cards = {c.key: c for c in model_cards()}
    assert "hybrid" not in cards and {"ranker", "two_tower", "clusters"} <= set(cards)
    assert "hybrid" not in cards["two_tower"].purpose + " ".join(cards["two_tower"].trust)
    purpose = cards["clusters"].purpose
    assert "reference clusters" in purpose and "python -m engine listening" in purpose
    assert "named clusters on the Clusters page" not in purpose
