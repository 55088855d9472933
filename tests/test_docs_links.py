"""Every relative link and image in README.md and docs/**/*.md resolves: the file exists and, for a
`#anchor`, the target page has a heading with that GitHub slug."""
import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
# The pages other work writes into (the docs split's contract); the README links to each.
REQUIRED_PAGES = ["importing", "spotify", "online", "shared-server", "cli", "dashboard", "listening", "speed",
                  "layout", "README", "models/predictor", "models/recommender", "models/clusters-and-map",
                  "models/lyrics"]

LINK = re.compile(r"!?\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
FENCE = re.compile(r"^(```|~~~).*?^\1", re.S | re.M)
CODE_SPAN = re.compile(r"`[^`\n]*`")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.M)


def _prose(text: str) -> str:
    """The text with fenced blocks and code spans blanked: a link inside code is not a link."""
    return CODE_SPAN.sub("", FENCE.sub("", text))


def github_slug(heading: str) -> str:
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)   # a link in a heading slugs as its text
    text = re.sub(r"[^\w\- ]", "", text.lower())
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    seen: dict[str, int] = {}
    out = set()
    for heading in HEADING.findall(FENCE.sub("", page.read_text(encoding="utf-8"))):
        slug = github_slug(heading)
        n = seen.get(slug, 0)
        seen[slug] = n + 1
        out.add(slug if n == 0 else f"{slug}-{n}")
    return out


def relative_links(page: Path) -> list[str]:
    targets = LINK.findall(_prose(page.read_text(encoding="utf-8")))
    return [t for t in targets if not re.match(r"^[a-z][a-z0-9+.-]*:", t, re.I)]


def broken_links(page: Path) -> list[str]:
    broken = []
    for target in relative_links(page):
        path_part, _, anchor = target.partition("#")
        dest = (page.parent / path_part).resolve() if path_part else page
        if not dest.exists():
            broken.append(f"{target}: no such file")
        elif anchor and dest.suffix == ".md" and anchor not in anchors(dest):
            broken.append(f"{target}: no heading #{anchor} in {os.path.relpath(dest, page.parent)}")
    return broken


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_resolves(page):
    assert broken_links(page) == []


def test_the_readme_is_short_and_links_every_topic_page():
    readme = ROOT / "README.md"
    assert len(readme.read_text(encoding="utf-8").splitlines()) <= 150
    linked = {(readme.parent / t.partition("#")[0]).resolve() for t in relative_links(readme)}
    for name in REQUIRED_PAGES:
        page = ROOT / "docs" / f"{name}.md"
        assert page.exists(), page
        assert page.resolve() in linked, f"README.md does not link docs/{name}.md"


def test_the_checker_catches_a_broken_file_an_unknown_anchor_and_an_image(tmp_path):
    page = tmp_path / "page.md"
    (tmp_path / "other.md").write_text("# Other page\n\n## (d) 90% intervals, per set\n")
    page.write_text("[ok](other.md#d-90-intervals-per-set) [bad](other.md#nope) [gone](missing.md)\n"
                    "![img](shots/x.png) [web](https://example.com) `[code](nowhere.md)`\n"
                    "```\n[fenced](nowhere.md)\n```\n")
    assert broken_links(page) == ["other.md#nope: no heading #nope in other.md", "missing.md: no such file",
                                  "shots/x.png: no such file"]
