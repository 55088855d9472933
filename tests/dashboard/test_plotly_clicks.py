"""Clicks on Plotly charts, sent as the browser sends them: a point's numeric custom data arrives as a
typed-array row, which JSON turns into {"0": value}. A click on a Top-genres bar filters Library
coverage's track table (which, with its download, still renders); a lasso on the Map lists its tracks."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.chart_selection import custom_values
from tests.dashboard.test_dashboard_pages import _demo_frame, open_page


@pytest.fixture(scope="module", autouse=True)
def home(dashboard_home):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TUNESCOPE_HOME", str(dashboard_home))
        yield dashboard_home


def select_points(at: AppTest, chart_key: str, points: list[dict]) -> AppTest:
    """Rerun as if the listener had selected these points on the chart (the frontend's widget value)."""
    chart = next(c for c in at.get("plotly_chart") if chart_key in c.proto.id)
    states = at._tree.get_widget_states()
    state = states.widgets.add()
    state.id = chart.proto.id
    state.string_value = json.dumps({"selection": {
        "points": points, "point_indices": [p["point_index"] for p in points], "box": [], "lasso": []}})
    return at._run(widget_state=states)


def browser_point(index: int, custom: int, **extra) -> dict:
    return {"curve_number": 0, "point_number": index, "point_index": index, "customdata": {"0": custom}, **extra}


def test_clicking_a_top_genres_bar_filters_the_tracks_and_keeps_the_table_and_download():
    from engine.explore.genres import genre_table, in_genre

    at = open_page("coverage.py", demo=True)
    frame = _demo_frame()
    genres = genre_table(frame, "genre")
    rank = 1  # the second bar: a rank that is neither 0 nor the table's first row
    name = genres.iloc[rank]["name"]
    select_points(at, "genres_chart", [browser_point(rank, rank, y=name, x=int(genres.iloc[rank]["real"]))])
    assert not at.exception, at.exception
    members = in_genre(frame, "genre", name)
    assert any(f"the {int(members.sum()):,} tracks of the artist genre" in c.value for c in at.caption)
    table = at.dataframe[-1].value
    assert len(table) == min(100, int(members.sum())) and set(table["title"]) <= set(frame.loc[members, "title"])
    assert at.get("download_button")
    assert at.selectbox(key="genre_filter_box").value == f"genre:{name}"


def test_a_lasso_on_the_map_lists_the_selected_tracks():
    at = open_page("map.py", demo=True)
    frame = _demo_frame()
    rows = [3, 40, 200]
    select_points(at, "map_chart", [browser_point(i, row) for i, row in enumerate(rows)])
    assert not at.exception, at.exception
    selected = at.dataframe[-1].value
    assert sorted(selected["title"]) == sorted(frame["title"].iloc[rows])


def test_custom_values_reads_lists_typed_array_rows_and_skips_points_without_data():
    class Event:
        class selection:  # noqa: N801  (the shape st.plotly_chart returns)
            points = [{"customdata": [4, "x"]}, {"customdata": {"1": "y", "0": 5}}, {"x": 1}, {"customdata": 6}]

    assert custom_values(Event) == [4, 5, 6]
    assert custom_values(Event, 1) == ["x", "y"]
