"""pyproject.toml describes the package as installed: every engine subpackage and the files it reads,
the `tunescope` command, dependencies pinned as requirements.txt pins them, pytest's settings."""

import ast
import fnmatch
import re
import subprocess
import sys
import tomllib
import warnings
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(lines) -> dict[str, str]:
    """{'scikit-learn': '1.9.1'} from 'scikit-learn==1.9.1' lines (comments and blanks skipped)."""
    found = {}
    for line in lines:
        line = line.split("#")[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"not pinned: {line!r}"
            found[normalized(name)] = version.strip()
    return found


def test_the_console_script_is_the_cli_and_prints_its_usage():
    target = PYPROJECT["project"]["scripts"]["tunescope"]
    module, _, function = target.partition(":")
    # What the installed `tunescope` wrapper does: sys.exit(main()) with the command line in sys.argv.
    script = (f"import importlib, sys; main = getattr(importlib.import_module({module!r}), {function!r}); "
              "assert callable(main); sys.argv = ['tunescope', '--help']; sys.exit(main())")
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage:")
    assert all(command in result.stdout for command in ("import", "predict", "recommend", "train"))


def test_python_dash_m_engine_runs_the_same_main():
    assert "from engine.cli.main import main" in (ROOT / "engine" / "__main__.py").read_text()
    assert PYPROJECT["project"]["scripts"]["tunescope"] == "engine.cli.main:main"


def test_the_package_list_covers_every_engine_subpackage():
    find = PYPROJECT["tool"]["setuptools"]["packages"]["find"]
    folders = {p.parent for p in (ROOT / "engine").rglob("*.py")}
    packages = {".".join(folder.relative_to(ROOT).parts) for folder in folders}
    # setuptools' find_packages takes a folder only with an __init__.py, and only if a pattern names it.
    assert all((folder / "__init__.py").is_file() for folder in folders), sorted(folders)
    included = {p for p in packages if any(fnmatch.fnmatchcase(p, pattern) for pattern in find["include"])
                and not any(fnmatch.fnmatchcase(p, pattern) for pattern in find.get("exclude", []))}
    assert included == packages and "engine.recs.ranker.tidytuesday" in included


def test_every_data_file_in_the_engine_is_package_data():
    patterns = PYPROJECT["tool"]["setuptools"]["package-data"]["engine"]
    data = [p.relative_to(ROOT / "engine") for p in (ROOT / "engine").rglob("*")
            if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts]
    # Today the engine keeps every setting in configs/ and every artifact in models/ (read beside a
    # checkout); a file added beside the code must be shipped with it.
    missing = [str(p) for p in data if not any(p.match(pattern) or fnmatch.fnmatch(str(p), pattern)
                                                for pattern in patterns)]
    assert not missing, f"files under engine/ no package-data pattern ships: {missing}"


def test_dependencies_are_pinned_as_requirements_txt_pins_them():
    required = pins((ROOT / "requirements.txt").read_text().splitlines())
    declared = pins(PYPROJECT["project"]["dependencies"] + PYPROJECT["project"]["optional-dependencies"]["test"])
    wrong = {name: (version, required.get(name)) for name, version in declared.items() if required.get(name) != version}
    assert not wrong, f"pyproject pins that differ from requirements.txt (pyproject, requirements): {wrong}"
    assert PYPROJECT["project"]["requires-python"] == ">=3.11"


def test_pytest_reads_its_settings_from_pyproject():
    assert not (ROOT / "pytest.ini").exists() and not (ROOT / "setup.cfg").exists()  # either would win over pyproject
    options = PYPROJECT["tool"]["pytest"]["ini_options"]
    assert options["testpaths"] == ["tests"] and "-m \"not slow\"" in options["addopts"]
    assert {m.split(":")[0] for m in options["markers"]} == {"slow", "e2e", "data"}


# pyproject's filterwarnings are in force inside every test: a warning attributed to one of our modules
# (a library warns with its caller's module) must raise, a library's own must only be shown.
@pytest.mark.parametrize("module", ["engine.listening.habits", "dashboard.ui", "pages.home", "__main__",
                                    "test_probe", "conftest", "fake_spotify"])
@pytest.mark.parametrize("category", [DeprecationWarning, FutureWarning])
def test_a_deprecation_our_code_causes_is_an_error(module, category):
    with warnings.catch_warnings(record=True), pytest.raises(category):
        warnings.warn_explicit("deprecated", category, "x.py", 1, module=module)


@pytest.mark.parametrize("module", ["pandas.core.frame", "streamlit.elements.arrow", "engineering"])
def test_a_librarys_own_deprecation_is_shown_not_raised(module):
    with warnings.catch_warnings(record=True) as seen:  # keeps the filters, records what is shown
        warnings.warn_explicit("deprecated", DeprecationWarning, "x.py", 1, module=module)
    assert [w.category for w in seen] == [DeprecationWarning]


def test_every_library_our_code_imports_is_a_dependency():
    declared = set(pins(PYPROJECT["project"]["dependencies"]))
    distributions = packages_distributions()  # import name -> the installed distributions that provide it
    missing = set()
    for folder in ("engine", "dashboard", "pages"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                names = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                         [node.module] if isinstance(node, ast.ImportFrom) and node.level == 0 else [])
                for top in {name.split(".")[0] for name in names}:
                    if top in sys.stdlib_module_names or top in ("engine", "dashboard", "pages"):
                        continue
                    if not declared & {normalized(d) for d in distributions.get(top, [top])}:
                        missing.add(f"{top} ({path.relative_to(ROOT)})")
    assert not missing, f"imported but not in pyproject's dependencies: {sorted(missing)}"
