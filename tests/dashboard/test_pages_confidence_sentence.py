"""Coverage and Predictor say what a confidence means, in the figures measured on real libraries (issue 22)."""

from engine.predictor.meaning import typical_error
from tests.dashboard.test_dashboard_pages import home, metric, open_page  # noqa: F401 (home: the pages' own TUNESCOPE_HOME)


def test_coverage_says_what_80_percent_confidence_means():
    at = open_page("coverage.py", demo=True)
    sentence = next(c.value for c in at.caption if c.value.startswith("On real libraries"))
    assert f"80% confidence were off by about {100 * typical_error(0.8):.0f} points" in sentence


def test_predictor_says_what_its_overall_confidence_means():
    at = open_page("predictor.py")
    shown = float(metric(at, "Overall confidence").rstrip("%")) / 100
    sentence = next(c.value for c in at.caption if c.value.startswith("On real libraries"))
    assert f"off by about {100 * typical_error(shown):.0f} points" in sentence
