"""Only workflow code assigns a status (docs: dudao.core.workflow).

Every module under dudao/ is parsed with `ast`; outside the workflow modules (`workflow.py`:
the engine and each app's table) and the migrations, these are refused:

- `x.status = ...` (also in a tuple target, or augmented), `setattr(x, "status", ...)`
- `<queryset>.update(status=...)` (or `**{"status": ...}`)
- `"status"` in `update_fields=[...]` or in `bulk_update(objs, [...])`

so findings, visits and accountability cases (and the workflows to come) change status only
through `dudao.core.workflow.transition`, with its checks, history row and audit row.

A few models have a `status` that is not a workflow: the verdict on one supervision item
of a visit and the progress of background jobs. Those writes are listed in NOT_WORKFLOW, by
module and by the name the write starts from, with the reason.
"""

import ast
from pathlib import Path

import pytest

import dudao

ROOT = Path(dudao.__file__).resolve().parent
REPO = ROOT.parent
STATUS = "status"

# (module, name the written expression starts from) → why this status is not a workflow.
NOT_WORKFLOW = {
    ("dudao/visits/services.py", "check"): "AreaCheck.status: the verdict on one item",
    ("dudao/imports/services.py", "job"): "ImportJob.status: a background job's progress",
    ("dudao/imports/services.py", "ImportJob"): "ImportJob.status: a background job's progress",
    ("dudao/signboards/services.py", "batch"): "SignboardBatch.status: a PDF job's progress",
    ("dudao/signboards/services.py", "SignboardBatch"): "SignboardBatch.status: a PDF job",
    ("dudao/reports/services.py", "job"): "ExportJob.status: a background export's progress",
    ("dudao/reports/services.py", "ExportJob"): "ExportJob.status: a background export",
    ("dudao/webhooks/delivery.py", "delivery"): "Delivery.status: a robot message's progress",
}


def is_allowed_module(path: Path) -> bool:
    return path.name == "workflow.py" or "migrations" in path.parts


def root_name(node) -> str | None:
    """The name an expression starts from: `job` for `job.status`, `ImportJob` for
    `ImportJob.all_objects.filter(...).update(...)`."""
    while True:
        if isinstance(node, ast.Name):
            return node.id
        if isinstance(node, ast.Attribute | ast.Subscript):
            node = node.value
        elif isinstance(node, ast.Call):
            node = node.func
        else:
            return None


def _strings(node) -> set[str]:
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return {e.value for e in node.elts if isinstance(e, ast.Constant)}
    return set()


def _targets(node):
    if isinstance(node, ast.Tuple | ast.List):
        for element in node.elts:
            yield from _targets(element)
    elif isinstance(node, ast.Starred):
        yield from _targets(node.value)
    else:
        yield node


def status_writes(source: str) -> list[tuple[int, str | None, str]]:
    """(line, root name, what) for every status write in `source`."""
    found = []
    for node in ast.walk(ast.parse(source)):
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            for item in _targets(target):
                if isinstance(item, ast.Attribute) and item.attr == STATUS:
                    found.append((node.lineno, root_name(item.value), "assigns .status"))
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if (
            isinstance(func, ast.Name)
            and func.id == "setattr"
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and node.args[1].value == STATUS
        ):
            found.append((node.lineno, root_name(node.args[0]), "setattr status"))
        method = func.attr if isinstance(func, ast.Attribute) else None
        receiver = root_name(func.value) if isinstance(func, ast.Attribute) else None
        for keyword in node.keywords:
            if method == "update" and keyword.arg == STATUS:
                found.append((node.lineno, receiver, "update(status=...)"))
            if (
                method == "update"
                and keyword.arg is None
                and isinstance(keyword.value, ast.Dict)
                and any(
                    isinstance(k, ast.Constant) and k.value == STATUS for k in keyword.value.keys
                )
            ):
                found.append((node.lineno, receiver, "update(**{'status': ...})"))
            if (
                keyword.arg == "update_fields"
                or (method == "bulk_update" and keyword.arg == "fields")
            ) and STATUS in _strings(keyword.value):
                found.append((node.lineno, receiver, f"{STATUS!r} in {keyword.arg}"))
        if method == "bulk_update" and len(node.args) >= 2 and STATUS in _strings(node.args[1]):
            found.append((node.lineno, receiver, "'status' in bulk_update fields"))
    return found


def modules():
    return sorted(ROOT.rglob("*.py"))


def scan():
    """{(module, root name): [(line, what), ...]} outside the workflow modules."""
    writes = {}
    for path in modules():
        if is_allowed_module(path.relative_to(REPO)):
            continue
        module = path.relative_to(REPO).as_posix()
        for line, name, what in status_writes(path.read_text(encoding="utf-8")):
            writes.setdefault((module, name), []).append((line, what))
    return writes


def test_only_workflow_code_assigns_a_status():
    offending = [
        f"{module}:{line}: {name} {what}"
        for (module, name), lines in scan().items()
        if (module, name) not in NOT_WORKFLOW
        for line, what in lines
    ]
    assert not offending, (
        "Status changes go through dudao.core.workflow.transition (a workflow with its table, "
        "history and audit rows); if this status is not a workflow, add it to NOT_WORKFLOW "
        "with the reason:\n" + "\n".join(offending)
    )


def test_the_exceptions_are_still_needed():
    """An entry of NOT_WORKFLOW whose write has gone is removed, so the list stays short."""
    writes = scan()
    assert [key for key in NOT_WORKFLOW if key not in writes] == []


def test_the_scan_sees_the_workflow_modules():
    names = {p.relative_to(REPO).as_posix() for p in modules() if p.name == "workflow.py"}
    assert {
        "dudao/core/workflow.py",
        "dudao/rectification/workflow.py",
        "dudao/visits/workflow.py",
    } <= names
    assert len(modules()) > 50  # the whole package, not an empty glob


@pytest.mark.parametrize(
    "source",
    [
        "visit.status = 'submitted'",
        "self.visit.status = Visit.Status.SUBMITTED",
        "case.status += 'x'",
        "finding.status, finding.closed_at = 'closed', now",
        "setattr(finding, 'status', 'closed')",
        "Finding.all_objects.filter(pk=1).update(status='closed')",
        "qs.update(**{'status': 'closed'})",
        "finding.save(update_fields=['status', 'version'])",
        "Finding.all_objects.bulk_update(rows, ['status'])",
        "Finding.all_objects.bulk_update(rows, fields=('status',))",
    ],
)
def test_the_scan_catches(source):
    assert status_writes(source), source


@pytest.mark.parametrize(
    "source",
    [
        "status = visit.status",
        "if finding.status == 'open': pass",
        "Finding.all_objects.filter(status='open')",
        "Finding.all_objects.update(is_overdue=True)",
        "finding.save(update_fields=['deadline'])",
        "data = {'status': 'x'}",
    ],
)
def test_the_scan_lets_reads_pass(source):
    assert status_writes(source) == []
