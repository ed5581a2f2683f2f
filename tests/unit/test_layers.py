"""The shape of the code: one-way layers, no import cycle, no import hidden in a function.

An AST scan of every module under ``app/`` and the domain packages, no import executed. Each
failure names the module, the line and the rule, so the fix is where the message points.

The layers, from the top; a module imports its own layer and the ones below, never above:

- edge: the factory (``app``), ``api/``, ``console/``, ``cli/`` (the worker and the demo
  office included);
- web: what only requests need (``web/``: auth, idempotency, request guards, uploads,
  observability, problems — the HTTP half of the errors);
- jobs: batch work (``jobs/``);
- services: the use cases (``services/``);
- licences: everything about licences (``licences/``);
- domain: helpers the use cases share (``domain/``);
- integrations: storage, WeChat, the signer (``integrations/``);
- base: models, schemas, extensions, errors, config, the office clock, small utilities.

Below them all, the domain (``permits/``, ``workflows/``, ``pdf_templates/``) is plain Python:
what the law says, how a case moves, what a document looks like. It imports no Flask, no
SQLAlchemy and nothing of ``app``, so it can be read, tested and reused without a server.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from fnmatch import fnmatch
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app"
DOMAIN = tuple(ROOT / name for name in ("permits", "workflows", "pdf_templates"))
# Top-level packages the domain must not import (Flask's extensions included).
DOMAIN_FORBIDDEN = ("flask", "flask_*", "werkzeug", "sqlalchemy", "app")
MAX_LINES = 500

LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("edge", ("app", "app.api", "app.console", "app.cli")),
    ("web", ("app.web",)),
    ("jobs", ("app.jobs",)),
    ("services", ("app.services",)),
    ("licences", ("app.licences",)),
    ("domain", ("app.domain",)),
    ("integrations", ("app.integrations",)),
    (
        "base",
        ("app.models", "app.schemas", "app.extensions", "app.errors", "app.config")
        + (
            "app.timekeeping",
            "app.throttle",
            "app.spreadsheet",
            "app.file_types",
            "app.sql",
            "app.files",
            "app.crypto",
        ),
    ),
)
# The one import inside a function: matplotlib takes seconds to load, so only the command
# that draws the chart imports it (the API, the console and the worker never do).
FUNCTION_LEVEL_ALLOWED = {("app.cli.stats", "app.jobs.stats_chart")}
# Flask's per-request objects belong to the edge; below it a use case gets plain arguments.
REQUEST_OBJECTS = {"request", "session", "g"}
# ``transaction.commit`` reads the flag ``idempotency`` sets on ``g`` (a retried request's
# response is stored in the use case's own transaction); the rate limiter keys its counters
# by the client address it reads from ``request``.
REQUEST_OBJECTS_ALLOWED = {("app.domain.transaction", "g"), ("app.extensions", "request")}


@dataclass(frozen=True)
class Import:
    module: str  # the importing module
    line: int
    target: str  # the imported module (an app module, or the external name as written)
    names: tuple[str, ...]
    in_function: bool
    type_checking: bool

    @property
    def where(self) -> str:
        return f"{module_path(self.module)}:{self.line}"


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(APP.rglob("*.py"))}


@cache
def domain_modules() -> dict[str, Path]:
    return {module_name(path): path for package in DOMAIN for path in sorted(package.rglob("*.py"))}


def module_path(module: str) -> str:
    return str({**modules(), **domain_modules()}[module].relative_to(ROOT))


def _targets(
    module: str, node: ast.Import | ast.ImportFrom, known: dict[str, Path]
) -> list[tuple[str, tuple[str, ...]]]:
    if isinstance(node, ast.Import):
        return [(alias.name, ()) for alias in node.names]
    base = node.module or ""
    if node.level:
        package = module.split(".")
        if known[module].name != "__init__.py":
            package = package[:-1]
        package = package[: len(package) - node.level + 1]
        base = ".".join(package + ([base] if base else []))
    found = []
    for alias in node.names:
        submodule = f"{base}.{alias.name}"
        found.append((submodule, ()) if submodule in known else (base, (alias.name,)))
    return found


def _app_module(name: str) -> str | None:
    """The app module ``name`` lives in (``app.services.cases.take_action`` → its module)."""
    while name:
        if name in modules():
            return name
        name = name.rpartition(".")[0]
    return None


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _scan(
    module: str,
    node: ast.AST,
    known: dict[str, Path],
    in_function: bool,
    type_checking: bool,
    found: list[Import],
) -> None:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.Import | ast.ImportFrom):
            if not (isinstance(child, ast.ImportFrom) and child.module == "__future__"):
                found.extend(
                    Import(module, child.lineno, target, names, in_function, type_checking)
                    for target, names in _targets(module, child, known)
                )
            continue
        nested = in_function or isinstance(
            child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
        )
        checking = type_checking or (isinstance(child, ast.If) and _is_type_checking(child))
        _scan(module, child, known, nested, checking, found)


def _imports_of(known: dict[str, Path]) -> tuple[Import, ...]:
    found: list[Import] = []
    for module, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        _scan(module, tree, known, False, False, found)
    return tuple(found)


@cache
def imports() -> tuple[Import, ...]:
    return _imports_of(modules())


@cache
def domain_imports() -> tuple[Import, ...]:
    return _imports_of(domain_modules())


def layer_of(module: str) -> int:
    """The layer's rank, 0 at the top."""
    best: tuple[int, int] | None = None  # (length of the matching prefix, rank)
    for rank, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            matches = module == prefix or (prefix != "app" and module.startswith(prefix + "."))
            if matches and (best is None or len(prefix) > best[0]):
                best = (len(prefix), rank)
    assert best is not None, f"{module_path(module)}: {module} is in no layer of LAYERS"
    return best[1]


def _edges() -> dict[str, dict[str, Import]]:
    """module → imported app module → the first import of it (runtime imports only)."""
    graph: dict[str, dict[str, Import]] = {module: {} for module in modules()}
    for item in imports():
        target = _app_module(item.target)
        if target is None or target == item.module or item.type_checking:
            continue
        graph[item.module].setdefault(target, item)
    return graph


def _cycles(graph: dict[str, dict[str, Import]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    components.append(sorted(component))
    return components


def test_the_scan_sees_the_app():
    """The checks below are only as good as the scan: it finds the modules and their imports."""
    assert {"app", "app.services.cases", "app.domain.case_facts", "app.api"} <= set(modules())
    cases = {i.target for i in imports() if i.module == "app.services.cases"}
    assert {"app.domain.case_facts", "app.services.applications", "workflows.engine"} <= cases
    assert all(layer_of(module) is not None for module in modules())


def test_the_root_of_app_holds_only_the_factory_and_base_modules():
    """Every other layer is a folder, so a newcomer sees the layers in the tree."""
    base = len(LAYERS) - 1
    loose = [
        f"{module_path(module)}: {LAYERS[layer_of(module)][0]} module at the root of app/"
        for module, path in modules().items()
        if path.parent == APP and path.name != "__init__.py" and layer_of(module) != base
    ]
    assert not loose, "\n".join(loose)


def test_no_import_cycle_between_modules():
    graph = _edges()
    problems = []
    for component in _cycles(graph):
        members = set(component)
        hops = [
            f"    {edge.where} imports {target}"
            for module in component
            for target, edge in sorted(graph[module].items())
            if target in members
        ]
        problems.append("cycle between " + ", ".join(component) + ":\n" + "\n".join(hops))
    assert not problems, "\n".join(problems)


def test_no_import_inside_a_function():
    """Imports at the top of the module, where a reader (and a cycle check) sees them."""
    problems = [
        f"{item.where}: {item.module} imports {item.target} inside a function"
        for item in imports() + domain_imports()
        if item.in_function
        and (item.module, _app_module(item.target) or item.target) not in FUNCTION_LEVEL_ALLOWED
    ]
    assert not problems, "\n".join(problems)


def test_imports_point_down_the_layers():
    problems = set()
    for item in imports():
        target = _app_module(item.target)
        if target is None:
            continue
        source_rank, target_rank = layer_of(item.module), layer_of(target)
        if target_rank < source_rank:
            problems.add(
                f"{item.where}: {item.module} ({LAYERS[source_rank][0]}) imports "
                f"{target} ({LAYERS[target_rank][0]}), a layer above it"
            )
    assert not problems, "\n".join(sorted(problems))


def test_below_the_edge_no_module_reads_the_request():
    edge_layers = {rank for rank, (name, _) in enumerate(LAYERS) if name in ("edge", "web")}
    problems = [
        f"{item.where}: {item.module} imports flask.{name}; pass what it needs as an argument"
        for item in imports()
        if item.target == "flask" and layer_of(item.module) not in edge_layers
        for name in item.names
        if name in REQUEST_OBJECTS and (item.module, name) not in REQUEST_OBJECTS_ALLOWED
    ]
    assert not problems, "\n".join(problems)


def _forbidden_in_domain(items: tuple[Import, ...]) -> list[str]:
    problems = []
    for item in items:
        top = item.target.split(".")[0]
        if any(top == name or fnmatch(top, name) for name in DOMAIN_FORBIDDEN):
            problems.append(f"{item.where}: {item.module} imports {item.target}")
    return problems


def test_the_domain_imports_no_flask_sqlalchemy_or_app():
    """permits/, workflows/ and pdf_templates/ stay plain Python (type-only imports too: a
    domain annotation naming an app class is the same dependency)."""
    problems = _forbidden_in_domain(domain_imports())
    assert not problems, "\n".join(problems)


def _direct_commits(tree: ast.AST) -> list[int]:
    """Lines committing a database session (``db.session.commit()``, ``session.commit()``);
    the document store's ``store.commit(tmp, sha256)`` is a file rename, not a transaction."""
    lines = []
    for node in ast.walk(tree):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "commit"
        ):
            continue
        owner = node.func.value
        if (isinstance(owner, ast.Attribute) and owner.attr == "session") or (
            isinstance(owner, ast.Name) and owner.id == "session"
        ):
            lines.append(node.lineno)
    return lines


def test_services_commit_only_through_transaction_commit():
    """A use case ends with ``app.domain.transaction.commit``, which a request carrying an
    Idempotency-Key turns into a flush (the response is stored in the same transaction); a
    direct ``db.session.commit()`` would commit half of such a request."""
    problems = [
        f"{module_path(module)}:{line}: {module} commits directly; call transaction.commit()"
        for module, path in modules().items()
        if module.startswith("app.services.")
        for line in _direct_commits(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert not problems, "\n".join(problems)


def _error_classes() -> set[str]:
    tree = ast.parse((APP / "errors.py").read_text(encoding="utf-8"))
    return {node.name for node in tree.body if isinstance(node, ast.ClassDef)}


def test_below_the_edge_errors_carry_no_http_status():
    """Use cases raise domain errors (NotFound, Conflict, TooManyRequests …); which HTTP
    status each one answers is decided once, in app/errors.py."""
    edge_layers = {rank for rank, (name, _) in enumerate(LAYERS) if name in ("edge", "web")}
    errors = _error_classes()
    problems = []
    for module, path in modules().items():
        if module == "app.errors" or layer_of(module) in edge_layers:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in errors
                and any(keyword.arg == "status" for keyword in node.keywords)
            ):
                problems.append(
                    f"{module_path(module)}:{node.lineno}: {node.func.id}(status=…) in {module}"
                )
    assert not problems, "\n".join(problems)


def test_no_module_over_the_size_limit():
    problems = []
    for module, path in {**modules(), **domain_modules()}.items():
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_LINES:
            problems.append(f"{module_path(module)}: {lines} lines (limit {MAX_LINES})")
    assert not problems, "\n".join(problems)


def _class_bases(tree: ast.AST) -> dict[str, list[str]]:
    """Each class the module defines → the names of its bases (``ma.Schema`` → ``Schema``)."""
    found = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            found[node.name] = [
                base.attr if isinstance(base, ast.Attribute) else getattr(base, "id", "")
                for base in node.bases
            ]
    return found


def _schemas_outside(classes: dict[str, dict[str, list[str]]]) -> list[str]:
    """The marshmallow schemas (subclasses of ``Schema``, however deep) defined in a module
    outside ``app.schemas``; ``classes``: module → class → base names."""
    schemas = {"Schema"}
    while True:
        more = {
            name
            for defined in classes.values()
            for name, bases in defined.items()
            if name not in schemas and schemas.intersection(bases)
        }
        if not more:
            break
        schemas |= more
    return [
        f"{module_path(module)}: {name} is a schema outside app/schemas/"
        for module, defined in classes.items()
        if not (module == "app.schemas" or module.startswith("app.schemas."))
        for name in defined
        if name in schemas
    ]


def test_every_schema_lives_in_app_schemas():
    """One definition per resource: what an operation takes and answers is declared in
    ``app/schemas/``, where the blueprints, the services and the console all find it."""
    classes = {
        module: _class_bases(ast.parse(path.read_text(encoding="utf-8")))
        for module, path in modules().items()
    }
    problems = _schemas_outside(classes)
    assert not problems, "\n".join(problems)


def test_the_checks_catch_what_they_forbid():
    """A cycle, an upward import and a layer-less module are each reported."""
    assert _cycles({"a": {"b": None}, "b": {"a": None}, "c": {}}) == [["a", "b"]]  # type: ignore[dict-item]
    assert layer_of("app.services.cases") < layer_of("app.domain.case_facts")
    assert layer_of("app.api.licences") < layer_of("app.licences.documents")
    assert layer_of("app.timekeeping") == len(LAYERS) - 1
    flask_in_domain = Import("permits.identifiers", 3, "flask_sqlalchemy", (), False, False)
    app_in_domain = Import("workflows.engine", 4, "app.models", ("User",), False, True)
    plain = Import("permits.identifiers", 5, "yaml", (), False, False)
    assert len(_forbidden_in_domain((flask_in_domain, app_in_domain, plain))) == 2
    calls = "db.session.commit()\ncommit()\nstore.commit(tmp, sha)\n"
    assert _direct_commits(ast.parse(calls)) == [1]
    assert {"permits.catalogue", "workflows.engine", "pdf_templates.seal"} <= set(domain_modules())
    blueprint = {"Shape": ["Resource"], "Other": ["object"]}
    schemas = {"app.schemas.openapi": {"Resource": ["Schema"]}, "app.api.licences": blueprint}
    assert _schemas_outside(schemas) == [
        "app/api/licences.py: Shape is a schema outside app/schemas/"
    ]
