"""User strings render as text, never as links or images; CSV downloads cannot run formulas (dashboard/safe.py).

A library whose titles, artists, album, genres, library name and file name are Markdown links, images,
HTML and formulas is imported through Home, then every page that shows it is rendered: each Markdown body
Streamlit would render (messages, captions, headers, metrics, button labels) and each Plotly figure is
checked for a link or an image."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from markdown_it import MarkdownIt
from streamlit.testing.v1 import AppTest

from dashboard.safe import WORD_JOINER, hover_safe, md
from engine.csvfiles import csv_text

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
LINK = "[win a prize](https://evil.example/x)"
IMAGE = "![pixel](https://evil.example/track.png)"
BARE = "http://evil.example www.evil.example"  # GFM autolinks both, escaped or not
HOSTILE = [LINK, IMAGE, "<a href='https://evil.example'>html</a>", "<https://evil.example/auto>",
           "www.evil.example", ":red[loud] $x^2$ # heading", "=HYPERLINK(\"https://evil.example\")",
           "see https://evil.example/a?b=1 now", "mail me@evil.example", "HTTP://EVIL.EXAMPLE"]
RENDERER = MarkdownIt("commonmark")
ACTIVE = re.compile(r"<a |<img |<h\d|<span|<code|<em>|<strong>")  # what a plain string must never become
# Streamlit renders Markdown with remark-gfm, which autolinks the *text* left after CommonMark (escapes
# resolved) with these patterns (mdast-util-gfm-autolink-literal): the Python renderer has no GFM, so the
# tests apply them to its text (not to code spans, which GFM leaves alone).
GFM_URL = re.compile(r"(https?://|www(?=\.))([-.\w]+)([^ \t\r\n]*)", re.IGNORECASE | re.ASCII)
GFM_EMAIL = re.compile(r"([-.\w+]+)@([-\w]+(?:\.[-\w]+)+)", re.ASCII)


def autolinks(markdown: str) -> list[str]:
    """What GFM would turn into links in this Markdown: tags, and bare URLs, www. names, e-mails in its text."""
    html = RENDERER.render(markdown)
    text = re.sub(r"<[^>]+>", " ", re.sub(r"<code>.*?</code>", " ", html)).replace("&amp;", "&").replace("&quot;", '"')
    return re.findall(r"<a [^>]*>|<img [^>]*>", html) + [m.group(0) for p in (GFM_URL, GFM_EMAIL)
                                                         for m in p.finditer(text)]


def test_bare_urls_and_addresses_are_autolinked_unless_md_neutralises_them():
    for text in [BARE, "see https://evil.example/a now", "me@evil.example", "WWW.EVIL.EXAMPLE"]:
        assert autolinks(text), text  # the check finds what GFM would link ...
        assert not autolinks(md(text)), (text, md(text))  # ... and md() leaves none of it


def test_md_leaves_every_hostile_string_as_the_same_text():
    for text in HOSTILE + ["**bold** _it_ `code` | a | b |", "line one\n- item"]:
        html = RENDERER.render(md(text))
        assert not ACTIVE.search(html), (text, html)
        plain = re.sub(r"<[^>]+>", "", html).replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"') \
            .replace("&amp;", "&").replace("\n", "")
        assert plain.replace(WORD_JOINER, "") == text.replace("\n", ""), (text, plain)


def test_hover_text_is_html_escaped_for_plotly():
    frame = hover_safe(pd.DataFrame({"title": ["<a href='x'>t</a>"], "tempo": [120.0]}), ["title", "missing"])
    assert frame.loc[0, "title"] == "&lt;a href=&#x27;x&#x27;&gt;t&lt;/a&gt;" and frame.loc[0, "tempo"] == 120.0


def test_csv_export_neutralises_formulas_and_keeps_numbers_numbers():
    frame = pd.DataFrame({"title": ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tTAB", "\rCR", "-3.5", "plain", None],
                          "tempo": [-1.5, 2, 3, 4, 5, 6, 7, 8, 9], "plays": range(9)})
    text = csv_text(frame)
    titles = [row[0] for row in csv.reader(io.StringIO(text, newline=""))][1:]
    assert titles[:6] == ["'=1+1", "'+SUM(A1)", "'-2+3", "'@cmd", "'\tTAB", "'\rCR"]
    back = pd.read_csv(io.StringIO(text), keep_default_na=False)
    assert list(back["title"][:4]) == ["'=1+1", "'+SUM(A1)", "'-2+3", "'@cmd"]
    assert titles[6:8] == ["-3.5", "plain"] and list(back["title"][6:8]) == ["-3.5", "plain"]  # a number written as text is no formula
    assert back["tempo"].tolist() == frame["tempo"].tolist() and back["tempo"].dtype.kind == "f"
    assert back["plays"].tolist() == list(range(9))
    assert frame.loc[0, "title"] == "=1+1"  # the library itself is untouched


@pytest.fixture(scope="module")
def hostile_app(dashboard_home):
    """Home after importing the hostile CSV into a library with a hostile name (a local run)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TUNESCOPE_HOME", str(dashboard_home))
        rows = [{"Track Name": f"{text} {i}" + f" {BARE}" * (i == 0), "Artist Name(s)": HOSTILE[(i + 1) % len(HOSTILE)],
                 "Album Name": IMAGE, "Genres": LINK, "Track Duration (ms)": 200000 + i}
                for i, text in enumerate(HOSTILE)]
        data = pd.DataFrame(rows).to_csv(index=False).encode()
        app = AppTest.from_file(APP, default_timeout=300).run()
        app.file_uploader[0].set_value([(f"{LINK}.csv", data, "text/csv")]).run()
        app.text_input(key="import_name").set_value(f"{IMAGE} {LINK} {BARE}").run()
        next(b for b in app.button if b.label.startswith("Import")).click().run()
        assert not app.exception, app.exception
        yield app


def rendered_markdown(app: AppTest) -> list[str]:
    """Every Markdown body in the page, as Streamlit hands it to the browser."""
    bodies = [e.value for kind in ("markdown", "caption", "info", "warning", "error", "success", "title",
                                   "subheader", "header") for e in getattr(app, kind)]
    bodies += [text for m in app.metric for text in (m.label, m.value)]
    bodies += [b.proto.label for kind in ("button", "download_button", "link_button") for b in app.get(kind)]
    return bodies


def assert_inert(app: AppTest, page: str) -> None:
    assert not app.exception, (page, app.exception)
    bodies = rendered_markdown(app)
    assert any("evil" in body for body in bodies) or page != "home", "the hostile names are not on the page"
    for body in bodies:
        assert not autolinks(body), (page, body)
    for chart in app.get("plotly_chart"):
        spec = json.dumps(json.loads(chart.proto.spec))
        assert "<a " not in spec and "<img" not in spec, page


def test_a_library_of_markdown_links_and_images_renders_them_as_text_on_every_page(hostile_app):
    app = hostile_app
    assert_inert(app, "home")
    library = next(m.value for m in app.markdown if m.value.startswith("**Library:** ")).removeprefix("**Library:** ")
    assert library == md(f"{IMAGE} {LINK} {BARE}")
    for page in ["coverage", "clusters", "map"]:
        app.switch_page(f"../pages/{page}.py").run()
        assert_inert(app, page)
        assert any("evil" in body for body in rendered_markdown(app)), page  # the caption names the library
    app.switch_page("../pages/recommendations.py").run()
    app.radio(key="recs_scope").set_value("a track").run()
    app.text_input(key="recs_track_q").set_value("win a prize").run()
    assert_inert(app, "recommendations")
    assert any(s.value == f"For {md(f'{LINK} 0 {BARE}')}" for s in app.subheader)  # the title, shown as text
    app.text_input(key="recs_track_q").set_value(LINK + " nothing").run()
    assert_inert(app, "recommendations")
    assert any(md(LINK) in i.value for i in app.info)


def test_the_spotify_error_parameter_renders_as_text(monkeypatch):
    monkeypatch.setenv("SPOTIFY_CLIENT_ID", "some-client")
    app = AppTest.from_file(APP, default_timeout=300)
    app.query_params["error"] = f"access_denied {IMAGE} {BARE}"
    app.run()
    assert_inert(app, "home")
    assert any(md(IMAGE) in w.value for w in app.warning) and "error" not in app.query_params


def test_counts_read_as_words_and_small_differences_never_read_minus_zero():
    """Issue 29 (13): "1 tracks", "1 playlists", "-0 BPM vs library"."""
    from dashboard.formats import count, signed

    assert [count(1, "track"), count(2345, "track"), count(0, "playlist"), count(1, "play")] == \
        ["1 track", "2,345 tracks", "0 playlists", "1 play"]
    assert [signed(-0.4, "BPM"), signed(12.6, "BPM"), signed(-3.2, "BPM"), signed(0.2)] == \
        ["±0 BPM", "+13 BPM", "-3 BPM", "±0"]
