"""Every write on indicator frameworks (指标体系): new drafts, copies, revisions, the indicator
tree of a draft, publishing and retiring, the spreadsheet import (docs/architecture.md §3);
and `spec_of`, a stored revision as the framework engine's `FrameworkSpec` (what rounds score).

Who: the office admin of the framework's office, for its own frameworks only; the platform
(SYSTEM) loads the built-ins (`dudao.evaluations.shipped`). A built-in (no office) is never
edited: an office copies it (`copy_framework`) and edits the copy.

Revisions. A framework is a line of revisions sharing `(office, key)`. Only a draft is edited;
`publish` freezes it (a round keeps the revision it started with) and `new_revision` copies a
published or retired revision into a draft with the next revision number of the same key,
`based_on` the revision it came from. At most one draft per line.

The tree. Indicators of a draft have a parent (none for the first level), a code unique in the
framework, and `position`, the depth-first order of the whole tree (a parent before its
sub-indicators, siblings in their order), and `depth` (0: the first level), both kept by every
write here. `total_max` is the sum of the first level's maxima, kept in step too. A draft may be
incomplete while it is edited; publishing checks the whole tree with the framework engine
(`dudao.evaluations.engine.framework`: maxima that add up, known parents, no cycle, a method
on every leaf, levels, formulas, veto items), the very check of the offline command and of the
spreadsheet import, and refuses with each problem and its indicator's code.

Optimistic locking: the framework's own form sends the `version` it showed; an indicator's form
sends its `stamp` (a digest of what it showed). A stale form is refused with StaleObject.
"""

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import F, Max, QuerySet, Sum
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dudao.audit import services as audit
from dudao.core import revisions
from dudao.core.errors import DomainError

from .engine import EngineError, FrameworkInvalid, FrameworkSpec, IndicatorSpec, parse_levels
from .engine.framework import plain
from .framework_workflow import FRAMEWORK_WORKFLOW
from .models import Framework, Indicator, TargetKind

Status = Framework.Status
CODE_MAX = 40  # Indicator.code
TITLE_MAX = 300  # Indicator.title
FORMULA_MAX = 300  # Indicator.formula
SCORE_MAX = Decimal("9999999.99")  # SCORE_DIGITS: 9 digits, 2 decimals
INDICATOR_FIELDS = (
    "code",
    "title",
    "max_score",
    "method",
    "levels",
    "formula",
    "guide",
    "evidence",
)


# ---- the stored tree as the engine's framework ----------------------------------------------


def levels_of(stored) -> tuple[tuple[str, Decimal], ...]:
    """Stored levels ([["A", "1"], ["B", "0.8"]]) as the engine's ((label, share), ...)."""
    return tuple((str(label), Decimal(str(share))) for label, share in stored or ())


def stored_levels(levels: Iterable[tuple[str, Decimal]]) -> list[list[str]]:
    """The engine's levels as stored: [["A", "1"], ["B", "0.8"]] (plain numbers as text)."""
    return [[str(label), plain(Decimal(share))] for label, share in levels]


def specs_of(framework, rows=None) -> list[IndicatorSpec]:
    """The indicators of a stored revision in their order, unchecked (a draft may be
    incomplete). `rows` are its indicators if already read (in position order). Any model
    class: the app's or a migration's."""
    if rows is None:
        rows = list(framework.indicators.order_by("position"))
    codes = {row.pk: row.code for row in rows}
    return [
        IndicatorSpec(
            code=row.code,
            parent=codes.get(row.parent_id) if row.parent_id else None,
            title=row.title,
            max_score=row.max_score,
            method=row.method or "",
            levels=levels_of(row.levels),
            guide=row.guide or "",
            evidence=row.evidence or "",
            formula=row.formula or "",
        )
        for row in rows
    ]


def spec_of(framework, rows=None) -> FrameworkSpec:
    """A stored revision as the engine's checked `FrameworkSpec` (what rounds score against;
    `dudao.evaluations.engine.scoring` takes it). FrameworkInvalid when its tree is not valid
    (only a draft can be: a published revision passed this check)."""
    return FrameworkSpec(tuple(specs_of(framework, rows)))


def publish_problems(framework, rows=None) -> list[str]:
    """Why a revision cannot be published (empty: it can): every problem the framework engine
    finds in its tree, each naming its indicator's code."""
    try:
        spec_of(framework, rows)
    except FrameworkInvalid as invalid:
        return [str(error) for error in invalid.errors]
    return []


def require_publishable(framework) -> None:
    revisions.require_no_problems(publish_problems(framework))


def create_rows(indicator_model, framework, specs: Iterable[IndicatorSpec]) -> list:
    """Store `specs` (parents known among them) as `framework`'s indicators in depth-first
    order, siblings in the order given, with their positions and depths; a bulk insert per
    level of the tree. Returns the rows in order. Any model class: the app's or a
    migration's."""
    specs = list(specs)
    children: dict[str | None, list[IndicatorSpec]] = {}
    for spec in specs:
        children.setdefault(spec.parent or None, []).append(spec)
    ordered: list[tuple[IndicatorSpec, int]] = []
    stack = [(spec, 0) for spec in reversed(children.get(None, []))]
    while stack:
        spec, depth = stack.pop()
        ordered.append((spec, depth))
        stack.extend((kid, depth + 1) for kid in reversed(children.get(spec.code, [])))
    by_depth: dict[int, list[tuple[int, IndicatorSpec]]] = {}
    for position, (spec, depth) in enumerate(ordered, start=1):
        by_depth.setdefault(depth, []).append((position, spec))
    made: dict[str, object] = {}
    for depth in sorted(by_depth):
        rows = [
            indicator_model(
                framework=framework,
                parent=made[spec.parent] if spec.parent else None,
                position=position,
                depth=depth,
                code=spec.code,
                title=spec.title,
                max_score=spec.max_score,
                method=spec.method,
                levels=stored_levels(spec.levels),
                formula=spec.formula,
                guide=spec.guide,
                evidence=spec.evidence,
            )
            for position, spec in by_depth[depth]
        ]
        indicator_model.objects.bulk_create(rows)
        made.update((row.code, row) for row in rows)
    return [made[spec.code] for spec, _depth in ordered]


# ---- validators (public: the forms and the importer reuse them) ------------------------------


def clean_indicator_values(values: dict) -> dict:
    """An indicator's values in normal form: every key of INDICATOR_FIELDS, texts stripped,
    the method in lower case, the maximum a Decimal when it reads as one (else the text, which
    `indicator_problems` reports), levels as written ("A:1,B:0.8", read by
    `indicator_problems`) or as (label, share) pairs."""
    clean = {
        key: str(values.get(key) or "").strip()
        for key in ("code", "title", "formula", "guide", "evidence")
    }
    clean["method"] = str(values.get("method") or "").strip().casefold()
    number = values.get("max_score")
    if isinstance(number, (int, float)) and not isinstance(number, bool):
        number = str(number)
    if isinstance(number, str):
        text = number.strip()
        try:
            number = Decimal(text) if text else None
        except InvalidOperation:
            number = text  # `indicator_problems` reports it
    clean["max_score"] = number
    levels = values.get("levels") or ()
    clean["levels"] = levels.strip() if isinstance(levels, str) else tuple(levels)
    return clean


def indicator_limits(spec: IndicatorSpec) -> list[tuple[str, str]]:
    """What the database holds of an indicator beyond the engine's rules: the lengths of its
    code, title and formula and the size of its maximum, as (field, message)."""
    problems = []
    if len(spec.code) > CODE_MAX:
        problems.append(
            ("code", _("A code has at most %(count)s characters.") % {"count": CODE_MAX})
        )
    if len(spec.title) > TITLE_MAX:
        problems.append(
            ("title", _("A title has at most %(count)s characters.") % {"count": TITLE_MAX})
        )
    if len(spec.formula) > FORMULA_MAX:
        problems.append(
            ("formula", _("A formula has at most %(count)s characters.") % {"count": FORMULA_MAX})
        )
    number = spec.max_score
    if isinstance(number, Decimal) and number.is_finite() and abs(number) > SCORE_MAX:
        problems.append(
            ("max_score", _("The maximum score is at most %(max)s.") % {"max": plain(SCORE_MAX)})
        )
    return problems


# Errors of a whole tree that say nothing about one indicator alone: a leaf needs a method
# only once it has no sub-indicators, and a tree of one is not empty.
TREE_ONLY = {"no_method", "empty"}


def indicator_problems(values: dict) -> list[tuple[str, str]]:
    """Every problem of one indicator's values (after `clean_indicator_values`), as (field,
    message): a code and a title; the engine's rules for one indicator (the maximum a number
    of at most two decimals; a known method; levels for the levels method and only for it; a
    formula for the formula method that the engine accepts; a veto item's maximum 0 and a
    scored leaf's above 0); and `indicator_limits`. Where it sits in the tree is checked when
    the framework is published."""
    problems = []
    if not values["code"]:
        problems.append(("code", _("Give the indicator a code.")))
    if not values["title"]:
        problems.append(("title", _("Give the indicator a title.")))
    levels = values["levels"]
    if isinstance(levels, str):
        try:
            levels = parse_levels(levels) if levels else ()
        except EngineError as error:
            problems.append(("levels", error.message))
            levels = None
    max_score = values["max_score"]
    if max_score is None:
        problems.append(("max_score", _("Give the maximum score.")))
    spec = IndicatorSpec(
        code=values["code"] or "?",
        parent=None,
        title=values["title"],
        max_score=max_score if max_score is not None else Decimal(0),
        method=values["method"],
        levels=levels or (),
        formula=values["formula"],
    )
    try:
        FrameworkSpec((spec,))
    except FrameworkInvalid as invalid:
        for error in invalid.errors:
            if error.code in TREE_ONLY or (levels is None and error.column == "levels"):
                continue
            if max_score is None and error.column == "max_score":
                continue
            problems.append((error.column or "code", error.message))
    return problems + indicator_limits(spec)


def _indicator_values(values: dict) -> dict:
    """The checked values of one indicator, ready for the model; DomainError on the first
    problem (on its field)."""
    clean = clean_indicator_values(values)
    problems = indicator_problems(clean)
    if problems:
        field, message = problems[0]
        raise DomainError(message, field=field)
    levels = clean["levels"]
    if isinstance(levels, str):
        levels = parse_levels(levels) if levels else ()
    clean["levels"] = stored_levels(levels)
    return clean


stamp = revisions.stamp  # a digest of what a form showed of an indicator


# ---- frameworks ---------------------------------------------------------------------------------


def _touch(framework: Framework) -> None:
    """After a change of a draft's indicators: its `total_max` (the first level's maxima) and
    `updated_at`."""
    total = framework.indicators.filter(parent__isnull=True).aggregate(total=Sum("max_score"))
    framework.total_max = total["total"] or Decimal(0)
    framework.save(update_fields=["total_max", "updated_at"])


def _copy_indicators(source: Framework, target: Framework) -> None:
    create_rows(Indicator, target, specs_of(source))
    _touch(target)


def _not_in_use(framework: Framework) -> None:
    if framework.rounds.exists():
        raise DomainError(_("A round uses this framework: it cannot be deleted."))


# Locking, the editable-draft guard, copies and revisions (dudao.core.revisions).
REVISIONS = revisions.Revisions(
    Framework,
    wording=revisions.Wording(
        builtin=gettext_lazy("Built-in frameworks are not edited: copy one first."),
        other_office=gettext_lazy("This framework belongs to another office."),
        published=gettext_lazy(
            "A published framework is never changed: make a new revision to edit it."
        ),
        stale=gettext_lazy("Someone else changed this framework; reload it and try again."),
        draft_exists=gettext_lazy(
            "Revision %(revision)s of this framework is a draft already: edit that one."
        ),
        key_taken=gettext_lazy("Your office already has a framework with this key."),
    ),
    header_fields=("kind", "description", "source", "total_max"),
    copy_children=_copy_indicators,
    children=("indicators",),
    default_key="framework",
    normalise_key=slugify,
    in_use=_not_in_use,
    workflow=FRAMEWORK_WORKFLOW,
)


def _check_header(values: dict) -> None:
    title = values["title"]
    if not title:
        raise DomainError(_("Give the framework a title."), field="title")
    if len(title) > 200:
        raise DomainError(
            _("A title has at most %(count)s characters.") % {"count": 200}, field="title"
        )
    if values["kind"] not in TargetKind.values:
        raise DomainError(_("Choose what the framework scores."), field="kind")


@transaction.atomic
def create_framework(
    actor,
    *,
    title,
    kind=TargetKind.SCHOOL,
    key="",
    description="",
    source="",
    request_key=None,
) -> Framework:
    """A new empty draft of the actor's office. With the form's one-time `request_key`, a
    second submission returns the first draft (dudao.core.idempotency)."""
    REVISIONS.require_creator(actor)
    values = {
        "title": (title or "").strip(),
        "kind": kind,
        "description": (description or "").strip(),
        "source": (source or "").strip()[:300],
    }
    _check_header(values)
    return REVISIONS.create(
        actor, action="evaluations.create_framework", request_key=request_key, key=key, **values
    )


@transaction.atomic
def update_framework(
    actor, framework, *, expected_version, title, kind, description="", source=""
) -> Framework:
    """A draft's title, what it scores, description and source (依据)."""
    return REVISIONS.update(
        actor,
        framework,
        expected_version=expected_version,
        check=_check_header,
        title=(title or "").strip(),
        kind=kind,
        description=(description or "").strip(),
        source=(source or "").strip()[:300],
    )


# A new draft line in the actor's office with every indicator of `source` (a built-in or one of
# the office's own revisions), `based_on` it. A built-in's copy keeps the built-in's key (the
# office's own version of it) unless the office has it already; then, as for a copy of the
# office's own framework, the key gets a number ("school_1000_points-2").
copy_framework = REVISIONS.copy
# A draft with the next revision number of the same line, copied from a published or retired
# revision of the office's own. Built-ins are copied instead.
new_revision = REVISIONS.new_revision
# Discard a draft (never used: rounds run published revisions only).
delete_draft = REVISIONS.delete_draft
# Draft → published, once the framework engine accepts the whole tree (the workflow's guard);
# sets `published_at` and `total_max`.
publish = REVISIONS.publish
# Published → retired: kept for the rounds that ran it, offered for nothing new.
retire = REVISIONS.retire


# ---- the indicators of a draft ------------------------------------------------------------------


def layout(rows, order=None) -> list[tuple[object, int]]:
    """The indicators `rows` in depth-first order with their depth (0: the first level):
    siblings by `order` ({pk: sort key}; default their position)."""
    order = order or {}
    children: dict = {}
    for row in rows:
        children.setdefault(row.parent_id, []).append(row)
    for kids in children.values():
        kids.sort(key=lambda row: (order.get(row.pk, row.position), row.pk))
    result = []
    stack = [(row, 0) for row in reversed(children.get(None, []))]
    while stack:
        row, depth = stack.pop()
        result.append((row, depth))
        stack.extend((kid, depth + 1) for kid in reversed(children.get(row.pk, [])))
    return result


def _renumber(framework: Framework, order=None) -> None:
    """Positions 1..n in depth-first order and each indicator's depth. Positions are unique
    (checked row by row), so rows first move above every current one."""
    rows = list(framework.indicators.all())
    ordered = layout(rows, order)
    if all(
        row.position == number and row.depth == depth
        for number, (row, depth) in enumerate(ordered, start=1)
    ):
        return
    top = max(row.position for row in rows)
    rows = [row for row, _depth in ordered]
    for number, row in enumerate(rows, start=1):
        row.position = top + number
    Indicator.objects.bulk_update(rows, ["position"])
    for number, (row, depth) in enumerate(ordered, start=1):
        row.position, row.depth = number, depth
    Indicator.objects.bulk_update(rows, ["position", "depth"])


def _next_position(framework: Framework) -> int:
    return (framework.indicators.aggregate(top=Max("position"))["top"] or 0) + 1


def _parent_in(framework: Framework, parent) -> Indicator | None:
    """The indicator `parent` (an Indicator, a pk or None) of this framework."""
    if parent in (None, ""):
        return None
    pk = parent.pk if isinstance(parent, Indicator) else parent
    found = framework.indicators.filter(pk=pk).first()
    if found is None:
        raise DomainError(_("Choose a parent indicator of this framework."), field="parent")
    return found


def _check_code(framework: Framework, code: str, exclude_pk=None) -> None:
    if framework.indicators.filter(code=code).exclude(pk=exclude_pk).exists():
        raise DomainError(_("The code %(code)s is used already.") % {"code": code}, field="code")


def _indicator(indicator) -> Indicator:
    pk = indicator.pk if isinstance(indicator, Indicator) else indicator
    return Indicator.objects.select_for_update().get(pk=pk)


@transaction.atomic
def add_indicator(actor, framework, *, parent=None, **values) -> Indicator:
    """A new indicator of a draft, the last under `parent` (None: the first level). `values`:
    code, title, max_score, method ("" for an indicator with sub-indicators), levels ("A:1,
    B:0.8" or pairs), formula, guide, evidence."""
    framework = REVISIONS.editable(actor, framework)
    parent = _parent_in(framework, parent)
    clean = _indicator_values(values)
    _check_code(framework, clean["code"])
    indicator = Indicator.objects.create(
        framework=framework,
        parent=parent,
        position=_next_position(framework),
        depth=parent.depth + 1 if parent else 0,
        **clean,
    )
    _renumber(framework)
    indicator.refresh_from_db()
    _touch(framework)
    audit.record_create(actor, indicator)
    return indicator


def _subtree_pks(framework: Framework, indicator: Indicator) -> set:
    rows = list(framework.indicators.values_list("pk", "parent_id"))
    children: dict = {}
    for pk, parent_id in rows:
        children.setdefault(parent_id, []).append(pk)
    found, stack = set(), [indicator.pk]
    while stack:
        pk = stack.pop()
        found.add(pk)
        stack.extend(children.get(pk, []))
    return found


UNCHANGED = object()


@transaction.atomic
def update_indicator(
    actor, indicator, *, expected_stamp="", parent=UNCHANGED, **values
) -> Indicator:
    """An indicator of a draft: its values and, with `parent`, its place (the last under its
    new parent; never under itself or its own sub-indicators)."""
    framework = REVISIONS.editable(actor, indicator.framework_id)
    indicator = _indicator(indicator)
    revisions.check_stamp(indicator, expected_stamp)
    clean = _indicator_values(values)
    _check_code(framework, clean["code"], exclude_pk=indicator.pk)
    before = audit.snapshot(indicator)
    if parent is not UNCHANGED:
        parent = _parent_in(framework, parent)
        if parent is not None and parent.pk in _subtree_pks(framework, indicator):
            raise DomainError(
                _("An indicator cannot be placed under itself or its own sub-indicators."),
                field="parent",
            )
        if (parent.pk if parent else None) != indicator.parent_id:
            indicator.parent = parent
            indicator.position = _next_position(framework)  # the last of its new siblings
    for key, value in clean.items():
        setattr(indicator, key, value)
    indicator.save()
    _renumber(framework)
    indicator.refresh_from_db()
    _touch(framework)
    audit.record_update(actor, indicator, before)
    return indicator


@transaction.atomic
def delete_indicator(actor, indicator) -> int:
    """Delete an indicator of a draft with its sub-indicators; the number deleted."""
    framework = REVISIONS.editable(actor, indicator.framework_id)
    indicator = _indicator(indicator)
    subtree = _subtree_pks(framework, indicator)
    audit.record(
        actor,
        audit.Action.DELETE,
        indicator,
        {"before": audit.snapshot(indicator), "with_sub_indicators": len(subtree) - 1},
    )
    Indicator.objects.filter(pk__in=subtree).delete()
    _renumber(framework)
    _touch(framework)
    return len(subtree)


@transaction.atomic
def move_indicator(actor, indicator, *, up: bool) -> None:
    """Move an indicator (with its sub-indicators) up or down among its siblings."""
    framework = REVISIONS.editable(actor, indicator.framework_id)
    indicator = _indicator(indicator)
    siblings = list(
        framework.indicators.filter(parent_id=indicator.parent_id).order_by("position", "pk")
    )
    index = next(i for i, row in enumerate(siblings) if row.pk == indicator.pk)
    other = index - 1 if up else index + 1
    if 0 <= other < len(siblings):
        siblings[index], siblings[other] = siblings[other], siblings[index]
        _renumber(framework, order={row.pk: number for number, row in enumerate(siblings)})
        framework.save(update_fields=["updated_at"])


@transaction.atomic
def replace_indicators(actor, framework, spec: FrameworkSpec) -> dict:
    """Replace every indicator of a draft with those of `spec` (checked by the engine: the
    spreadsheet import), in its depth-first order; {"created": count}."""
    framework = REVISIONS.editable(actor, framework)
    for indicator in spec:
        problems = indicator_limits(indicator)
        if problems:
            field, message = problems[0]
            raise DomainError(
                _("Indicator %(code)s: %(message)s")
                % {"code": indicator.code[:CODE_MAX], "message": message},
                field=field,
            )
    before = framework.indicators.count()
    framework.indicators.all().delete()
    rows = create_rows(Indicator, framework, spec)
    _touch(framework)
    audit.record(actor, audit.Action.UPDATE, framework, {"indicators": [before, len(rows)]})
    return {"created": len(rows)}


# ---- reading (from a scope: `scoping.frameworks_for(user)`) -----------------------------------


def newest_revisions(queryset: QuerySet, *, status: str | None = None) -> QuerySet:
    """The newest revision of each line (a built-in's key, or an office's key) in `queryset`;
    with `status`, the newest of that status."""
    return revisions.newest_revisions(queryset, status=status)


def usable(queryset: QuerySet, kind: str | None = None) -> QuerySet:
    """What a new round may run: the newest published revision of each line in `queryset` (a
    scope: the built-ins and the office's own), of `kind` if given, the office's own first, by
    title. A round keeps the revision it started with."""
    qs = newest_revisions(queryset, status=Status.PUBLISHED)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by(F("office_id").asc(nulls_last=True), "title")


def revisions_of(queryset: QuerySet, framework: Framework) -> QuerySet:
    """Every revision of `framework`'s line visible in `queryset`, newest first."""
    return revisions.revisions_of(queryset, framework)


# ---- the spreadsheet import --------------------------------------------------------------------

IMPORT_KIND = "framework"


def import_preview(actor, framework, upload):
    """Store and check a spreadsheet (XLSX, or CSV as the offline command reads it) for a draft
    of the actor's office: an imports.ImportJob of kind "framework" with the preview or every
    error (row and column)."""
    from dudao.imports import services as imports

    return REVISIONS.import_preview(
        actor, framework, upload, imports=imports, kind=IMPORT_KIND, param="framework"
    )


def import_confirm(actor, job) -> dict | None:
    """Apply a previewed import (all or nothing); the counts, or None while it runs in the
    background. DomainError when it cannot be applied."""
    from dudao.imports import services as imports

    return revisions.confirm_import(actor, job, imports=imports)


__all__ = [
    "IMPORT_KIND",
    "add_indicator",
    "clean_indicator_values",
    "copy_framework",
    "create_framework",
    "create_rows",
    "delete_draft",
    "delete_indicator",
    "import_confirm",
    "import_preview",
    "indicator_limits",
    "indicator_problems",
    "layout",
    "move_indicator",
    "new_revision",
    "newest_revisions",
    "publish",
    "publish_problems",
    "replace_indicators",
    "require_publishable",
    "retire",
    "revisions_of",
    "spec_of",
    "specs_of",
    "stamp",
    "update_framework",
    "update_indicator",
    "usable",
]
