"""The shape of `bot/`: no import cycles, and settings read in one place only.

Both checks read the source with `ast`, so an import hidden inside a function (which
runs later, and so hides a cycle from Python's own import) counts like any other.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

BOT = Path(__file__).resolve().parents[2] / "bot"
CONFIG_MODULE = "bot.config"
COMPOSITION_ROOT = "bot.runtime"
# Only what starts the bot (channels, the command line) may call the root; everything
# the root builds or uses must never reach back into it.
MAY_IMPORT_THE_ROOT = ("bot.channels", "bot.cli")


def module_name(path: Path) -> str:
    """`bot/faq/matcher.py` -> `bot.faq.matcher`; a package's `__init__` is the package."""
    parts = path.relative_to(BOT.parent).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def bot_modules() -> dict[str, Path]:
    """Every module of the `bot` package, by dotted name."""
    return {module_name(path): path for path in sorted(BOT.rglob("*.py"))}


def _package_of(name: str, path: Path) -> str:
    return name if path.name == "__init__.py" else name.rpartition(".")[0]


def imported_modules(name: str, path: Path, known: set[str]) -> set[str]:
    """The `bot` modules `name` imports anywhere in its body (functions included)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = _package_of(name, path).split(".")
                anchor = ".".join(package[: len(package) - node.level + 1])
                base = f"{anchor}.{base}" if base else anchor
            # `from bot.x import y` imports the submodule bot.x.y when there is one.
            targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
        for target in targets:
            if target in known:
                found.add(target)
                # Importing bot.a.b runs bot/a/__init__.py first, unless bot.a is a
                # package this module itself lives in (then it is already running).
                parent = target.rpartition(".")[0]
                while parent:
                    if parent in known and not name.startswith(parent + "."):
                        found.add(parent)
                    parent = parent.rpartition(".")[0]
    found.discard(name)
    return found


def import_graph() -> dict[str, set[str]]:
    """Module -> the `bot` modules it imports."""
    modules = bot_modules()
    known = set(modules)
    return {name: imported_modules(name, path, known) for name, path in modules.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as [a, b, ..., a], or None when the graph has none."""
    state: dict[str, int] = {}  # 1: on the current path, 2: finished
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state:
                cycle = visit(nxt)
                if cycle is not None:
                    return cycle
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state:
            cycle = visit(start)
            if cycle is not None:
                return cycle
    return None


def test_the_cycle_finder_reports_a_cycle_by_name() -> None:
    graph = {"bot.a": {"bot.b"}, "bot.b": {"bot.c"}, "bot.c": {"bot.a"}, "bot.d": set()}
    assert find_cycle(graph) == ["bot.a", "bot.b", "bot.c", "bot.a"]
    assert find_cycle({"bot.a": {"bot.b"}, "bot.b": set()}) is None


def test_function_level_imports_count(tmp_path: Path) -> None:
    source = tmp_path / "mod.py"
    source.write_text("def f():\n    from bot.x import y\n    import bot.z\n")
    found = imported_modules("bot.mod", source, {"bot", "bot.x", "bot.x.y", "bot.z"})
    assert found == {"bot.x", "bot.x.y", "bot.z"}


def test_no_import_cycle_in_bot() -> None:
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle in bot/: " + " -> ".join(cycle or [])


def test_features_never_import_the_composition_root() -> None:
    graph = import_graph()
    offenders = sorted(
        name
        for name, imports in graph.items()
        if not name.startswith(MAY_IMPORT_THE_ROOT) and COMPOSITION_ROOT in imports
    )
    assert offenders == [], f"these modules import {COMPOSITION_ROOT}: {offenders}"


def test_the_content_toolkit_knows_no_feature() -> None:
    """bot/content reads YAML and reports problems; which file a feature owns, and what it
    becomes, is the feature's reader's business (the root hands the files to them)."""
    graph = import_graph()
    reaches = {
        f"{name} imports {target}"
        for name, imports in graph.items()
        if name.startswith("bot.content")
        for target in imports
        if target != "bot" and not target.startswith("bot.content")
    }
    assert reaches == set(), sorted(reaches)


def _environment_reads(tree: ast.AST) -> list[int]:
    """Lines that read the process environment (writes for a library are allowed)."""
    allowed: set[int] = set()  # ids of `os.environ` nodes that only write
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Subscript):
                    allowed.add(id(target.value))
        if (
            isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Call)
            and isinstance(node.value.func, ast.Attribute)
            and node.value.func.attr == "setdefault"
        ):
            allowed.add(id(node.value.func.value))
    lines: list[int] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in {"environ", "getenv", "environb"}:
            if id(node) not in allowed:
                lines.append(node.lineno)
        elif (
            isinstance(node, ast.ImportFrom)
            and node.module == "os"
            and any(alias.name in {"environ", "getenv"} for alias in node.names)
        ):
            lines.append(node.lineno)
    return sorted(lines)


def test_environment_read_finder_sees_reads_and_allows_writes() -> None:
    tree = ast.parse(
        "import os\nos.environ['A'] = '1'\nos.environ.setdefault('B', '2')\n"
        "x = os.environ.get('C')\ny = os.getenv('D')\nfrom os import environ\n"
    )
    assert _environment_reads(tree) == [4, 5, 6]


def test_only_config_reads_the_environment() -> None:
    readers = {
        f"{name} line {line}"
        for name, path in bot_modules().items()
        if name != CONFIG_MODULE
        for line in _environment_reads(ast.parse(path.read_text(encoding="utf-8")))
    }
    assert readers == set(), f"settings must be parsed in bot/config.py: {sorted(readers)}"


# What a start must not load before it needs it: `ims-bot run` checks its token before the
# runtime (database, matcher, safety models) is imported, and the runtime loads the web
# stack only to serve the console and Alembic only to migrate.
LOADED_ONLY_WHEN_USED = {
    "bot.channels.telegram.application": ("bot.runtime", "sqlalchemy", "numpy"),
    "bot.runtime": ("starlette", "uvicorn", "jinja2", "alembic", "fhir", "sentence_transformers"),
}


def test_starting_loads_heavy_parts_only_when_used() -> None:
    loaded = {}
    for module in LOADED_ONLY_WHEN_USED:
        probe = f"import sys, {module}; print(' '.join(sys.modules))"
        run = subprocess.run(
            [sys.executable, "-c", probe],
            capture_output=True,
            text=True,
            check=True,
            cwd=BOT.parent,
        )
        names = set(run.stdout.split())
        loaded[module] = names | {name.partition(".")[0] for name in names}
    early = {
        module: sorted(set(unwanted) & loaded[module])
        for module, unwanted in LOADED_ONLY_WHEN_USED.items()
    }
    assert early == {module: [] for module in LOADED_ONLY_WHEN_USED}
