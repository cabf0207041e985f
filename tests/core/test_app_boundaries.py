"""App boundaries: no app imports another app's views or private (`_`) names.

An app's views are its HTTP surface, and a name with a leading underscore is its own
business; what apps share lives in the shared domain module (`dudao.core`) or in the owning
app's public services and queries. Every module under `dudao/` is parsed (nothing is
imported), so the test is fast and also catches imports inside functions.
"""

import ast
from dataclasses import dataclass
from pathlib import Path

import dudao

PACKAGE = Path(dudao.__file__).resolve().parent


@dataclass(frozen=True)
class Violation:
    module: str
    line: int
    what: str

    def __str__(self):
        return f"{self.module}:{self.line}: {self.what}"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _app_of(module: str) -> str | None:
    """`dudao.visits.services` → "visits"; top-level modules (`dudao.urls`) have no app."""
    parts = module.split(".")
    if parts[0] != "dudao" or len(parts) < 2:
        return None
    return parts[1] if (PACKAGE / parts[1]).is_dir() else None


def _resolve(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    """The absolute module an `import from` reads, relative imports included."""
    if not node.level:
        return node.module or ""
    base = module.split(".")
    if not is_package:
        base = base[:-1]
    if node.level > 1:
        base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _is_views(module: str) -> bool:
    parts = module.split(".")
    return len(parts) >= 3 and parts[2] == "views"


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def violations_in(path: Path, source: str | None = None) -> list[Violation]:
    module = _module_name(path)
    app = _app_of(module)
    if app is None:
        return []
    source = path.read_text(encoding="utf-8") if source is None else source
    tree = ast.parse(source, filename=str(path))
    found = []

    def foreign(target: str) -> bool:
        other = _app_of(target)
        return other is not None and other != app

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                target = alias.name
                if not foreign(target):
                    continue
                if _is_views(target):
                    found.append(Violation(module, node.lineno, f"imports {target}"))
                elif any(_private(part) for part in target.split(".")[2:]):
                    found.append(Violation(module, node.lineno, f"imports private {target}"))
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(module, path.name == "__init__.py", node)
            if not foreign(target):
                continue
            if _is_views(target):
                found.append(Violation(module, node.lineno, f"imports from {target}"))
                continue
            if any(_private(part) for part in target.split(".")[2:]):
                found.append(Violation(module, node.lineno, f"imports from private {target}"))
                continue
            for alias in node.names:
                full = f"{target}.{alias.name}"
                if alias.name == "views" or _is_views(full):
                    found.append(Violation(module, node.lineno, f"imports {full}"))
                elif _private(alias.name):
                    found.append(Violation(module, node.lineno, f"imports private {full}"))
    found.extend(_private_attributes(tree, module, app, path.name == "__init__.py"))
    return found


def _is_module(dotted: str) -> bool:
    parts = dotted.split(".")
    if parts[0] != "dudao" or len(parts) < 2:
        return False
    path = PACKAGE.joinpath(*parts[1:])
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _dotted(node: ast.AST) -> str | None:
    """ "a.b.c" for the expression `a.b.c`, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def _private_attributes(tree: ast.AST, module: str, app: str, is_package: bool) -> list:
    """A private name reached through another app's module: `audit._plain(...)` after
    `from dudao.audit import services as audit`, or `dudao.audit.services._plain(...)`.
    (Private attributes of imported classes, such as `Model._meta`, are not names of the
    app and are allowed.)"""
    modules = {}  # local name -> the dudao module it is bound to
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            target = _resolve(module, is_package, node)
            for alias in node.names:
                if _is_module(f"{target}.{alias.name}"):
                    modules[alias.asname or alias.name] = f"{target}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    modules[alias.asname] = alias.name
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Attribute) and _private(node.attr)):
            continue
        base = _dotted(node.value)
        if base is None:
            continue
        first, _sep, rest = base.partition(".")
        if first in modules:
            base = modules[first] + ("." + rest if rest else "")
        if _is_module(base) and _app_of(base) not in (None, app):
            found.append(Violation(module, node.lineno, f"uses private {base}.{node.attr}"))
    return found


def all_violations() -> list[Violation]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        found.extend(violations_in(path))
    return found


def test_no_app_imports_another_apps_views_or_private_names():
    found = all_violations()
    assert not found, "Imports across app boundaries:\n" + "\n".join(map(str, found))


def test_every_module_is_checked():
    """The walk covers every app (a typo in PACKAGE would make the test pass vacuously)."""
    apps = {_app_of(_module_name(path)) for path in PACKAGE.rglob("*.py")}
    assert {"visits", "rectification", "imports", "audit", "core", "signboards"} <= apps


def _check(module_path: str, source: str) -> list[str]:
    return [v.what for v in violations_in(PACKAGE / module_path, source)]


def test_the_check_catches_each_kind_of_crossing():
    assert _check("reports/x.py", "from dudao.visits.views import _file_response\n") == [
        "imports from dudao.visits.views"
    ]
    assert _check("reports/x.py", "from dudao.visits import views\n") == [
        "imports dudao.visits.views"
    ]
    assert _check("reports/x.py", "import dudao.visits.views\n") == ["imports dudao.visits.views"]
    assert _check("reports/x.py", "from dudao.audit.services import _plain\n") == [
        "imports private dudao.audit.services._plain"
    ]
    assert _check(
        "reports/x.py", "from dudao.audit import services as audit\naudit._plain(1)\n"
    ) == ["uses private dudao.audit.services._plain"]
    assert _check(
        "reports/x.py", "import dudao.audit.services\ndudao.audit.services._plain(1)\n"
    ) == ["uses private dudao.audit.services._plain"]
    assert _check("reports/sub/x.py", "from ...visits.views import home\n") == [
        "imports from dudao.visits.views"
    ]
    assert _check("reports/x.py", "def f():\n    from dudao.core.views import home\n") == [
        "imports from dudao.core.views"
    ]


def test_the_check_allows_what_is_public_or_ones_own():
    allowed = [
        "from dudao.visits.services import create_visit\n",
        "from dudao.visits import queries\n",
        "from .views import _helper\n",
        "from dudao.reports.views import _helper\n",
        "from . import _private_helper\n",
        "from dudao.core.files import file_response\n",
        "from django.utils.translation import gettext as _\n",
        "from dudao.audit import services as audit\naudit.record(1)\n",
        "from dudao.audit.models import AuditEntry\nAuditEntry._meta\n",
    ]
    for source in allowed:
        assert _check("reports/x.py", source) == [], source
