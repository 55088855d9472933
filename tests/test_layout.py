"""The layout is the architecture: wings import only downward, serving never imports training,
the engine never imports streamlit, pages never import torch, faiss or sqlite. Read from the source
with `ast`, so a violating import fails here even if no test runs that code path."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ENGINE = ROOT / "engine"
ROOT_MODULES_MAX = 12

# Higher number = higher wing. The shared root is 0; wings of one level never import each other.
LEVELS = {"catalog": 1, "library": 2, "predictor": 2, "recs": 3, "explore": 3, "lyrics": 3, "listening": 3,
          "pipeline": 4, "cards": 4, "cli": 5}
TRAINING_SUFFIXES = ("train", "fit", "evaluate", "build", "datasets", "interactions")  # read datasets or fit weights


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def engine_modules() -> dict[str, Path]:
    return {module_name(p): p for p in ENGINE.rglob("*.py")}


def imports_of(path: Path) -> set[str]:
    """Every module named by an import statement anywhere in the file (function bodies included)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def wing(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in LEVELS) else None


def level(module: str) -> int:
    w = wing(module)
    return LEVELS[w] if w else 0


def is_training(module: str) -> bool:
    return module.rsplit(".", 1)[-1] in TRAINING_SUFFIXES


def internal_imports(module: str, modules: dict[str, Path]) -> set[str]:
    return {name for name in imports_of(modules[module]) if name in modules and name != module}


def test_every_module_of_the_engine_sits_in_a_known_wing_or_the_small_root():
    modules = engine_modules()
    root = sorted(m for m in modules if m.count(".") == 1 and m.split(".")[1] not in LEVELS)
    assert len(root) <= ROOT_MODULES_MAX, root
    unknown = {m.split(".")[1] for m in modules if m.count(".") >= 2} - set(LEVELS)
    assert not unknown, f"wings not in the layering table: {unknown}"


def test_wings_import_only_lower_wings_and_the_root():
    modules = engine_modules()
    wrong = []
    for module in modules:
        for target in internal_imports(module, modules):
            same_wing = wing(target) is not None and wing(target) == wing(module)
            if same_wing or module == "engine.__main__" or level(target) == 0 == level(module):
                continue
            # Evaluation may read a sibling wing's files (the predictor's evaluation reads Exportify samples
            # through the library's importer); serving code may only look down.
            sideways_ok = is_training(module) and level(target) == level(module)
            if level(target) > level(module) or (level(target) == level(module) and not sideways_ok):
                wrong.append(f"{module} -> {target}")
    assert not wrong, "imports that go up or sideways:\n" + "\n".join(sorted(wrong))


def test_no_cycle_between_wings():
    modules = engine_modules()
    edges = {(wing(m), wing(t)) for m in modules for t in internal_imports(m, modules)
             if wing(m) and wing(t) and wing(m) != wing(t)}
    assert not [(a, b) for a, b in edges if (b, a) in edges], sorted(edges)


def test_serving_never_reaches_a_training_module():
    modules = engine_modules()
    serving = [m for m in modules if wing(m) not in (None, "cli") and not is_training(m)]
    leaks = []
    for start in serving:
        seen, todo = set(), [start]
        while todo:
            current = todo.pop()
            for target in internal_imports(current, modules):
                if target in seen:
                    continue
                seen.add(target)
                if is_training(target):
                    leaks.append(f"{start} -> ... -> {current} -> {target}")
                else:
                    todo.append(target)
    assert not leaks, "serving code that reaches training code:\n" + "\n".join(sorted(leaks))


@pytest.mark.parametrize("folder, banned", [
    ("engine", {"streamlit"}),
    ("pages", {"torch", "faiss", "sqlite3", "sqlite_utils"}),
])
def test_forbidden_packages(folder, banned):
    found = []
    for path in (ROOT / folder).rglob("*.py"):
        for name in imports_of(path):
            if name.split(".")[0] in banned:
                found.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not found, found


def test_the_checker_sees_a_violation(tmp_path):
    """The rules above are not vacuous: an upward import in a fake engine file is caught."""
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from engine.recs.recommend import Recommender\n")
    assert "engine.recs.recommend" in imports_of(bad)
    assert level("engine.recs.recommend") > level("engine.library.store")
    assert is_training("engine.predictor.train") and not is_training("engine.predictor.bundle")
