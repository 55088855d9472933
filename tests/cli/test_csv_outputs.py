"""Every CSV the CLI writes goes through engine.csvfiles: a title that starts with '=' (or + - @) is
written as text a spreadsheet will not run, in `import --output`, `predict --output` and `recommend --output`."""

import csv
import io

import pandas as pd
import pytest
from test_cli import run_cli

from engine.csvfiles import write_csv

FORMULAS = ["=HYPERLINK(\"https://evil.example\",\"win\")", "+SUM(A1:A9)", "@cmd", "-1+2"]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """An artist/title CSV of real songs plus tracks whose titles and artists are formulas."""
    rows = [("Dreams", "Fleetwood Mac"), ("September", "Earth, Wind & Fire"), ("Billie Jean", "Michael Jackson")]
    rows += [(formula, "Formula Band") for formula in FORMULAS] + [("Plain Song", FORMULAS[0])]
    path = tmp_path_factory.mktemp("csv") / "library.csv"
    pd.DataFrame(rows, columns=["title", "artists"]).to_csv(path, index=False)
    return path


def cells(path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.count(b"\r\n") == raw.count(b"\n")  # the one writer's RFC 4180 line ends: every line
    return list(csv.reader(io.StringIO(raw.decode("utf-8"), newline="")))


def assert_no_formula(rows: list[list[str]]) -> None:
    for row in rows:
        for cell in row:
            if cell.startswith(("=", "+", "@", "\t", "\r")) or (cell.startswith("-") and not _number(cell)):
                raise AssertionError(f"a cell would run as a formula: {cell!r}")


def _number(cell: str) -> bool:
    try:
        float(cell)
        return True
    except ValueError:
        return False


def test_import_output_neutralises_formula_titles(hostile, tmp_path):
    out = tmp_path / "imported.csv"
    result = run_cli("import", str(hostile), "--output", str(out), home=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = cells(out)
    assert_no_formula(rows)
    titles = {row[rows[0].index("title")] for row in rows[1:]}
    assert {"'" + f for f in FORMULAS} <= titles and "Dreams" in titles


def test_predict_output_neutralises_formula_titles(hostile, tmp_path):
    out = tmp_path / "predicted.csv"
    result = run_cli("predict", "--input", str(hostile), "--output", str(out), "--offline", home=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = cells(out)
    assert_no_formula(rows)
    frame = pd.read_csv(out, keep_default_na=False)
    assert set(frame["title"]) >= {"'" + f for f in FORMULAS} and "'" + FORMULAS[0] in set(frame["artists"])
    assert frame["energy"].dtype.kind == "f"  # numbers stay numbers


def test_recommend_output_goes_through_the_same_writer(hostile, tmp_path):
    out = tmp_path / "recs.csv"
    result = run_cli("recommend", "--input", str(hostile), "--output", str(out), "-k", "10", home=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = cells(out)
    assert len(rows) == 11 and rows[0][:3] == ["rank", "track_id", "title"]
    assert_no_formula(rows)


def test_write_csv_to_a_stream_and_a_path_write_the_same_text(tmp_path):
    frame = pd.DataFrame({"title": ["=1+1", "ok"], "tempo": [-1.5, 120.0]})
    stream = io.StringIO()
    write_csv(frame, stream)
    write_csv(frame, tmp_path / "f.csv")
    assert stream.getvalue() == (tmp_path / "f.csv").read_bytes().decode() == "title,tempo\r\n'=1+1,-1.5\r\nok,120.0\r\n"


def test_a_column_named_like_a_formula_is_neutralised_in_the_header_too(tmp_path):
    """Issue 30 (4): cells were escaped but a listener's own column names came back as they were."""
    path = tmp_path / "columns.csv"
    pd.DataFrame({"title": ["Dreams"], "artists": ["Fleetwood Mac"], FORMULAS[0]: ["x"], "@cmd": ["y"]}).to_csv(path, index=False)
    out = tmp_path / "imported.csv"
    result = run_cli("import", str(path), "--output", str(out), home=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = cells(out)
    assert_no_formula(rows)
    assert {"'" + FORMULAS[0], "'@cmd"} <= set(rows[0]) and rows[1][rows[0].index("'@cmd")] == "y"
