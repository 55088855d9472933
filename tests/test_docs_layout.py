"""docs/layout.md is drawn from the code: every engine and dashboard module, and every shipped model
folder, is named there, and nothing it names as a module is gone."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAYOUT = (ROOT / "docs" / "layout.md").read_text()
NAMED = set(re.findall(r"`([A-Za-z_][\w/.]*)`", LAYOUT))


def _named(stem: str, relative: str) -> bool:
    return stem in NAMED or relative in NAMED or f"{stem}.py" in NAMED


def test_every_module_is_on_the_layout_page():
    missing = []
    for folder in ("engine", "dashboard"):
        for path in (ROOT / folder).rglob("*.py"):
            if path.name in ("__init__.py", "__main__.py"):
                continue
            relative = str(path.relative_to(ROOT / folder).with_suffix(""))
            if not _named(path.stem, relative):
                missing.append(str(path.relative_to(ROOT)))
    assert not missing, f"docs/layout.md does not name: {missing}"


def test_every_model_folder_is_on_the_layout_page():
    folders = {p.name for p in (ROOT / "models").iterdir() if p.is_dir()}
    assert folders and not folders - NAMED, folders - NAMED


def test_the_layout_names_no_module_that_is_gone():
    stems = {p.stem for folder in ("engine", "dashboard") for p in (ROOT / folder).rglob("*.py")}
    stems |= {str(p.relative_to(ROOT / "engine").with_suffix("")) for p in (ROOT / "engine").rglob("*.py")}
    gone = [name for name in ("hybrid", "prepared", "rank_metrics", "songs", "run")
            if name in NAMED and name not in stems]
    assert not gone, gone
