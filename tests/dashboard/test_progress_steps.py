"""Issue 29 (12): the first run's progress bar is one bar for the whole enrichment that moves forward
with each step the engine reports, instead of sitting empty and emptying again at each new step."""

from dashboard.ui import STEPS, step_fraction

FIRST_RUN = [(0, 435, "loading the reference catalog (first time only)"),
             (0, 435, "matching 435 tracks against the reference catalog"),
             (0, 150, "loading the predictor and the text encoder (first time only)"),
             *[(d, 150, "predicting audio features for 150 tracks") for d in range(0, 151, 16)],
             (150, 150, "predicting audio features for 150 tracks"),
             *[(d, 100, "checking the intervals on 100 tracks with real values") for d in range(0, 101, 16)],
             (100, 100, "checking the intervals on 100 tracks with real values")]


def test_the_demos_first_run_reports_move_one_bar_forward_to_the_end():
    shown = [step_fraction(*step) for step in FIRST_RUN]
    assert None not in shown and shown == sorted(shown) and shown[-1] == 1.0
    assert len(set(shown)) > 15  # it moves along the way, not only at the ends
    assert shown[FIRST_RUN.index((0, 150, "predicting audio features for 150 tracks"))] > 0  # not empty at 20 s


def test_steps_tile_the_bar_and_unknown_steps_keep_its_place():
    assert STEPS[0][1] == 0.0 and STEPS[-1][2] == 1.0
    assert all(a[2] == b[1] for a, b in zip(STEPS, STEPS[1:]))
    assert step_fraction(3, 10, "something new") is None
    assert step_fraction(5, 0, "predicting audio features for 0 tracks") == STEPS[3][1]
