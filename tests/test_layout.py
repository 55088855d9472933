"""The layout is the architecture: wings import only downward, serving never imports training,
the engine never imports streamlit, pages never import torch, faiss or sqlite; engine < dashboard < pages,
and no module of the three reaches itself again through its imports. Read from the source with `ast`,
so a violating import fails here even if no test runs that code path.

Every rule is a function of a module map ({dotted name: file}), so `test_the_checkers_see_violations`
can run the same rules over a small tree with known faults."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ROOT_MODULES_MAX = 12

# Higher number = higher wing. The shared root is 0; wings of one level never import each other.
LEVELS = {"catalog": 1, "library": 2, "predictor": 2, "recs": 3, "explore": 3, "lyrics": 3, "listening": 3,
          "pipeline": 4, "cards": 4, "cli": 5}
TRAINING_SUFFIXES = ("train", "fit", "evaluate", "build", "datasets", "interactions")  # read datasets or fit weights

# Which of the project's folders each may import from; anything that is not a project folder is a library.
MAY_IMPORT = {"engine": {"engine"}, "dashboard": {"dashboard", "engine"}, "pages": {"dashboard", "engine"}}


# --- reading the imports ------------------------------------------------------------------------------
def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def source_modules(root: Path = ROOT, folders=tuple(MAY_IMPORT)) -> dict[str, Path]:
    return {module_name(p, root): p for folder in folders for p in sorted((root / folder).rglob("*.py"))}


def engine_modules(root: Path = ROOT) -> dict[str, Path]:
    return source_modules(root, ("engine",))


def package_of(module: str, path: Path) -> str:
    """The package a relative import in this file starts from."""
    return module if path.name == "__init__.py" else module.rpartition(".")[0]


def imports_of(path: Path, package: str = "") -> set[str]:
    """Every module named by an import statement anywhere in the file (function bodies included),
    relative ones resolved against `package`. `from a import b` names a and a.b (b may be a module)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".") if package else []
                parts = parts[:len(parts) - (node.level - 1)] + ([node.module] if node.module else [])
                base = ".".join(parts)
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names - {""}


def internal_imports(module: str, modules: dict[str, Path]) -> set[str]:
    """The modules of the map this one imports (a package's __init__ counts only when it is named)."""
    path = modules[module]
    return {name for name in imports_of(path, package_of(module, path)) if name in modules and name != module}


# --- the engine's wings --------------------------------------------------------------------------------
def wing(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in LEVELS) else None


def level(module: str) -> int:
    w = wing(module)
    return LEVELS[w] if w else 0


def is_training(module: str) -> bool:
    return module.rsplit(".", 1)[-1] in TRAINING_SUFFIXES


def wing_violations(modules: dict[str, Path]) -> list[str]:
    """Engine imports that go up a wing, or sideways outside training."""
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
    return sorted(wrong)


def wing_cycles(modules: dict[str, Path]) -> list[tuple[str, str]]:
    edges = {(wing(m), wing(t)) for m in modules for t in internal_imports(m, modules)
             if wing(m) and wing(t) and wing(m) != wing(t)}
    return sorted((a, b) for a, b in edges if (b, a) in edges)


def training_leaks(modules: dict[str, Path]) -> list[str]:
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
    return sorted(leaks)


# --- all three folders ----------------------------------------------------------------------------------
def folder_violations(modules: dict[str, Path], root: Path = ROOT) -> list[str]:
    """Imports of a project folder the importer may not use (engine < dashboard < pages; pages never
    import each other). Anything that is not a folder of the project is a library and allowed."""
    project = {p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith(".") and any(p.rglob("*.py"))}
    wrong = set()
    for module, path in modules.items():
        own = module.split(".")[0]
        named = {_as_module(name, modules) for name in imports_of(path, package_of(module, path))}
        for name in named - {n.rpartition(".")[0] for n in named}:  # `from pages import home`: pages.home only
            top = name.split(".")[0]
            if top in project and top not in MAY_IMPORT[own] or (own == top == "pages" and name != module):
                wrong.add(f"{module} -> {name}")
    return sorted(wrong)


def _as_module(name: str, modules: dict[str, Path]) -> str:
    """The longest part of an imported name that is a module of the map ('pages.home.st' -> 'pages.home')."""
    parts = name.split(".")
    return next((".".join(parts[:n]) for n in range(len(parts), 0, -1) if ".".join(parts[:n]) in modules), name)


def import_cycles(modules: dict[str, Path]) -> list[str]:
    """One cycle ('a -> b -> a') for each group of modules that import each other, directly or not."""
    graph = {m: sorted(internal_imports(m, modules)) for m in modules}
    index, low, stack, on_stack, groups = {}, {}, [], set(), []

    def visit(node):  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group, member = set(), None
            while member != node:  # the node and everything above it on the stack: one group
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
            if len(group) > 1:
                groups.append(group)

    for node in graph:
        if node not in index:
            visit(node)
    return sorted(_one_cycle(graph, group) for group in groups)


def _one_cycle(graph: dict[str, list[str]], group: set[str]) -> str:
    """The shortest way from the group's first module back to itself, inside the group."""
    start = min(group)
    paths, todo = {start: [start]}, [start]
    while todo:
        current = todo.pop(0)
        for target in graph[current]:
            if target == start:
                return " -> ".join(paths[current] + [start])
            if target in group and target not in paths:
                paths[target] = paths[current] + [target]
                todo.append(target)
    raise AssertionError(f"no cycle through {start}")  # a strongly connected group always has one


# --- the rules over the real tree -----------------------------------------------------------------------
def test_every_module_of_the_engine_sits_in_a_known_wing_or_the_small_root():
    modules = engine_modules()
    root = sorted(m for m in modules if m.count(".") == 1 and m.split(".")[1] not in LEVELS)
    assert len(root) <= ROOT_MODULES_MAX, root
    unknown = {m.split(".")[1] for m in modules if m.count(".") >= 2} - set(LEVELS)
    assert not unknown, f"wings not in the layering table: {unknown}"


def test_wings_import_only_lower_wings_and_the_root():
    wrong = wing_violations(engine_modules())
    assert not wrong, "imports that go up or sideways:\n" + "\n".join(wrong)


def test_no_cycle_between_wings():
    assert not wing_cycles(engine_modules())


def test_serving_never_reaches_a_training_module():
    leaks = training_leaks(engine_modules())
    assert not leaks, "serving code that reaches training code:\n" + "\n".join(leaks)


def test_engine_dashboard_and_pages_import_only_downward():
    wrong = folder_violations(source_modules())
    assert not wrong, "imports across engine < dashboard < pages that go the wrong way:\n" + "\n".join(wrong)


def test_no_module_imports_itself_through_others():
    cycles = import_cycles(source_modules())
    assert not cycles, "import cycles (function-level imports count too):\n" + "\n".join(cycles)


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


# --- the rules are not vacuous -------------------------------------------------------------------------
FAULTY_TREE = {
    "engine/__init__.py": "",
    "engine/config.py": "",
    "engine/library/__init__.py": "",
    "engine/library/store.py": "def f():\n    from engine.recs.recommend import Recommender\n",  # a wing upward
    "engine/recs/__init__.py": "",
    "engine/recs/recommend.py": "from engine.recs import train\nimport engine.library\n",  # library <-> recs
    "engine/recs/train.py": "import torch\n",
    "engine/report.py": "import dashboard.ui\n",  # the engine reaching the dashboard
    "dashboard/__init__.py": "",
    "dashboard/ui.py": "from dashboard.panel import show\n",
    "dashboard/panel.py": "def show():\n    from . import ui\n",  # a cycle through a relative, late import
    "dashboard/formats.py": "import pandas as pd\nfrom pages import home\n",  # the dashboard reaching a page
    "dashboard/charts.py": "from dashboard import maps\n",  # a cycle of three
    "dashboard/maps.py": "import dashboard.legend\n",
    "dashboard/legend.py": "from .charts import colours\n",
    "pages/home.py": "from dashboard import ui\nfrom engine.config import FEATURES\nimport streamlit as st\n",
    "pages/map.py": "from pages.home import st\n",  # a page reaching another page
}


def test_the_checkers_see_violations(tmp_path):
    for name, text in FAULTY_TREE.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    modules = source_modules(tmp_path)
    engine = engine_modules(tmp_path)
    assert wing_violations(engine) == ["engine.library.store -> engine.recs.recommend"]
    assert training_leaks(engine) == ["engine.library.store -> ... -> engine.recs.recommend -> engine.recs.train",
                                      "engine.recs.recommend -> ... -> engine.recs.recommend -> engine.recs.train"]
    assert import_cycles(modules) == ["dashboard.charts -> dashboard.maps -> dashboard.legend -> dashboard.charts",
                                      "dashboard.panel -> dashboard.ui -> dashboard.panel"]
    assert wing_cycles(engine) == [("library", "recs"), ("recs", "library")]
    assert folder_violations(modules, tmp_path) == ["dashboard.formats -> pages.home", "engine.report -> dashboard.ui",
                                                    "pages.map -> pages.home"]
