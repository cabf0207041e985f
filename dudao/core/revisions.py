"""Definitions kept in revisions: checklists (检查表), indicator frameworks (指标体系),
questionnaires (问卷), and the next module that keeps an editable definition the same way.

A definition is a *line* of revisions sharing `(office, key)`; an empty office is a built-in,
shipped with Dudao as data and read by every office, never edited (an office copies it). Only
a draft is edited. Publishing freezes a revision (what ran it keeps it); changing a published
revision means a new revision: a draft with the next number of the same line, `based_on` the
revision it came from. At most one draft per line. Retiring keeps a revision readable for
what ran it and offers it for nothing new. A copy starts a new line in the actor's office.

The pieces, each parameterised by the app's model and words:

- `RevisionedModel`, the abstract model (key, revision, title, description, source, status,
  based_on, who and when, version, both managers) and `revision_constraints(name)`, the
  unique (office, key, revision) and its built-in twin. The app adds `office` (its own
  `related_name`), the fields of its own (a checklist's purpose) and its children.
- `revision_workflow(...)`: draft → published → retired through `dudao.core.workflow`, by the
  office admin of an office's own revision or the platform (SYSTEM, loading the built-ins).
- `Revisions`, what the app's services call inside their own `@transaction.atomic`: the
  editable-draft guard (`editable`), create, header update, copy (with the app's hook that
  copies the children), new revision, delete, the publish check, `stamp` locks of children,
  the newest revision of each line and the revisions of one line, and the spreadsheet
  import of a draft's content.
- `RevisionScreens`, the view bodies that are the same in every app (copy, new revision,
  publish, retire, delete, the create and header forms, the detail's workflow context); the
  apps keep their own decorated views and URLs. `run_transition` and `confirm_delete` serve
  any object with a workflow (surveys use them too).
- Sections of children: `reposition`, `next_position`, `renumber_sections`, `copy_sections`,
  `default_code`, `swap` for definitions made of sections of items (checklists, questionnaires).

See docs/architecture.md §1 ("The revisions kernel").
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import SimpleNamespace

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import Exists, Max, OuterRef, Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from dudao.accounts.models import Role
from dudao.audit import services as audit

from . import guards, idempotency
from . import workflow as engine
from .errors import DomainError, NotPermitted, StaleObject
from .forms import apply_domain_error
from .models import ChoiceLabels
from .paging import is_htmx
from .permissions import office_admin_required
from .scopes import ScopedManager

SHOWN_PROBLEMS = 5
KEY_MAX = 60
TITLE_MAX = 200

# ---- the model ------------------------------------------------------------------------------


class RevisionStatus(models.TextChoices):
    DRAFT = "draft", gettext_lazy("Draft")  # being edited; not yet usable
    PUBLISHED = "published", gettext_lazy("Published")  # usable; never changed again
    RETIRED = "retired", gettext_lazy("Retired")  # kept for what ran it


class RevisionedModel(ChoiceLabels, models.Model):
    """One revision of a definition. The concrete model adds `office` (nullable: empty for a
    built-in), its own fields, and `Meta(RevisionedModel.Meta)` with `verbose_name` and
    `constraints = revision_constraints("<name>")`."""

    Status = RevisionStatus

    # One definition across its revisions ("shuangjian-wuxiang").
    key = models.SlugField(gettext_lazy("key"), max_length=KEY_MAX)
    revision = models.PositiveIntegerField(gettext_lazy("revision"), default=1)
    title = models.CharField(gettext_lazy("title"), max_length=TITLE_MAX)
    description = models.TextField(gettext_lazy("description"), blank=True)
    # The documents it was written from (依据), e.g. 教基〔2021〕… .
    source = models.CharField(gettext_lazy("source"), max_length=300, blank=True)
    status = models.CharField(
        gettext_lazy("status"),
        max_length=10,
        choices=RevisionStatus.choices,
        default=RevisionStatus.DRAFT,
    )
    based_on = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="copies",
        verbose_name=gettext_lazy("based on"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(gettext_lazy("published at"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    all_objects = models.Manager()  # Django's default manager (docs/architecture.md)
    objects = ScopedManager()  # refuses to run until a scope is chosen

    class Meta:
        abstract = True
        default_manager_name = "all_objects"
        ordering = ["title", "-revision", "pk"]

    def __str__(self):
        return f"{self.title} (v{self.revision})"

    @property
    def is_builtin(self) -> bool:
        return self.office_id is None

    @property
    def is_draft(self) -> bool:
        return self.status == RevisionStatus.DRAFT


def revision_constraints(name: str) -> list[models.UniqueConstraint]:
    """A revision number once per line: `<name>_revision_once` on (office, key, revision),
    and `builtin_<name>_revision_once` for the built-ins (NULL offices are distinct to a
    unique index, so they need their own)."""
    return [
        models.UniqueConstraint(fields=["office", "key", "revision"], name=f"{name}_revision_once"),
        models.UniqueConstraint(
            fields=["key", "revision"],
            condition=Q(office__isnull=True),
            name=f"builtin_{name}_revision_once",
        ),
    ]


# ---- the workflow ---------------------------------------------------------------------------

OFFICE, PLATFORM = "office_admin", "system"


def roles_of(actor, revision) -> set[str]:
    """The platform for every revision; the office admin for its office's own ones (never a
    built-in: offices copy those)."""
    if guards.is_system(actor):
        return {PLATFORM}
    if revision.office_id and guards.is_office_admin(actor, revision.office_id):
        return {OFFICE}
    return set()


def stamp_published(revision, step) -> None:
    """The publish effect every definition shares: when it was published."""
    revision.published_at = timezone.now()


def revision_transitions(actions) -> dict[tuple[str, str], str]:
    return {
        (RevisionStatus.DRAFT, actions.PUBLISH): RevisionStatus.PUBLISHED,
        (RevisionStatus.PUBLISHED, actions.RETIRE): RevisionStatus.RETIRED,
    }


def revision_rules(actions, *, guard, effect=stamp_published) -> dict[str, engine.Rule]:
    """publish: `guard` (the app's full check) then `effect`; retire: no condition. Both by
    the office admin of the revision's office or the platform."""
    who = frozenset({OFFICE, PLATFORM})
    return {
        actions.PUBLISH: engine.Rule(who, guard=guard, effect=effect),
        actions.RETIRE: engine.Rule(who),
    }


def revision_workflow(
    model, *, history_model, history_fk, actions, guard, effect=stamp_published
) -> engine.Workflow:
    """draft → published → retired for `model`; `actions` has PUBLISH and RETIRE with the
    app's labels, `guard(revision, step)` refuses an unpublishable revision."""
    return engine.Workflow(
        model=model,
        transitions=revision_transitions(actions),
        rules=revision_rules(actions, guard=guard, effect=effect),
        roles_of=roles_of,
        history_model=history_model,
        history_fk=history_fk,
        actions=actions,
    )


# ---- services -------------------------------------------------------------------------------


def stamp(obj) -> str:
    """A digest of what a form showed of a child row (an item, a section, an indicator): its
    optimistic lock, since children carry no version of their own."""
    data = json.dumps(audit.snapshot(obj), sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(data.encode()).hexdigest()[:16]


def check_stamp(obj, expected) -> None:
    if expected and expected != stamp(obj):
        raise StaleObject(_("Someone else changed this meanwhile; reload the page and try again."))


def require_no_problems(problems: list[str]) -> None:
    """Refuse with the first SHOWN_PROBLEMS problems (and how many more) when there are any."""
    if problems:
        shown = "; ".join(str(p) for p in problems[:SHOWN_PROBLEMS])
        if len(problems) > SHOWN_PROBLEMS:
            shown += _(" (and %(count)s more)") % {"count": len(problems) - SHOWN_PROBLEMS}
        raise DomainError(shown)


@dataclass(frozen=True)
class Wording:
    """The refusals in the app's words (lazy msgids, kept in the app so each keeps its own
    translation)."""

    builtin: str  # "Built-in checklists are not edited: copy one first."
    other_office: str  # "This checklist belongs to another office."
    published: str  # "A published checklist is never changed: make a new revision to edit it."
    stale: str  # "Someone else changed this checklist; reload it and try again."
    draft_exists: str  # "Revision %(revision)s of this checklist is a draft already: ..."
    key_taken: str = ""  # "Your office already has a checklist with this key."


def _no_children(source, target) -> None:
    return None


class Revisions:
    """The writes and reads every revisioned definition shares, for one model.

    `header_fields` are the model's own fields a copy and a new revision take from their
    source besides the title (a checklist's purpose, description and source);
    `copy_children(source, target)` copies the content (sections and items, an indicator
    tree); `children` are the related names a deleted draft loses first, in order;
    `normalise_key` turns a wanted key into a slug (frameworks) before it is made free;
    `in_use(draft)` refuses to delete a draft that something uses; `workflow` is the app's
    `revision_workflow`, for `publish` and `retire`.

    The writes (`copy`, `new_revision`, `delete_draft`, `publish`, `retire`) are services
    themselves, each in its own transaction: the app exposes them under its names
    (`copy_checklist = REVISIONS.copy`). `create` and `update` run inside the app's service,
    which checks its own fields."""

    def __init__(
        self,
        model,
        *,
        wording: Wording,
        header_fields: Iterable[str],
        copy_children: Callable = _no_children,
        children: Iterable[str] = (),
        default_key: str,
        normalise_key: Callable[[str], str] | None = None,
        in_use: Callable | None = None,
        workflow: engine.Workflow | None = None,
    ):
        self.model = model
        self.wording = wording
        self.header_fields = tuple(header_fields)
        self.copy_children = copy_children
        self.children = tuple(children)
        self.default_key = default_key
        self.normalise_key = normalise_key
        self.in_use = in_use
        self.workflow = workflow

    def rows(self) -> QuerySet:
        return self.model.objects.unscoped()

    # -- locking and guards

    def lock(self, revision):
        """The revision (an instance or a pk), locked for this transaction."""
        pk = revision.pk if isinstance(revision, self.model) else revision
        return self.rows().select_for_update().get(pk=pk)

    def require_own(self, actor, revision) -> None:
        """The office admin of the revision's office; never a built-in."""
        if revision.is_builtin:
            guards.require_role(actor, Role.OFFICE_ADMIN)  # who is told more than "not permitted"
            raise NotPermitted(str(self.wording.builtin))
        guards.require_office_admin(
            actor, revision.office_id, message=str(self.wording.other_office)
        )

    def require_readable(self, actor, source) -> None:
        """The source of a copy: a built-in or the actor's office's own."""
        if not source.is_builtin and source.office_id != getattr(actor, "office_id", None):
            raise NotPermitted(str(self.wording.other_office))

    def editable(self, actor, revision, expected_version=None):
        """The locked draft the actor may edit (its office admin), else a refusal: only a
        draft is editable, and with `expected_version` only the version the form showed."""
        revision = self.lock(revision)
        self.require_own(actor, revision)
        if revision.status != RevisionStatus.DRAFT:
            raise DomainError(str(self.wording.published))
        if expected_version is not None and int(expected_version) != revision.version:
            raise StaleObject(str(self.wording.stale))
        return revision

    # -- keys and numbers

    def free_key(self, office_id, wanted: str) -> str:
        """`wanted`, or `wanted-2`, `wanted-3`… when the office has it already."""
        if self.normalise_key is not None:
            wanted = (self.normalise_key(wanted) or self.default_key)[:KEY_MAX]
        taken = set(
            self.rows()
            .filter(office_id=office_id, key__startswith=wanted[: KEY_MAX - 4])
            .values_list("key", flat=True)
        )
        if wanted not in taken:
            return wanted
        number = 2
        while True:
            candidate = f"{wanted[: KEY_MAX - 1 - len(str(number))]}-{number}"
            if candidate not in taken:
                return candidate
            number += 1

    def line(self, revision) -> QuerySet:
        """Every revision of `revision`'s line (unscoped)."""
        return self.rows().filter(office_id=revision.office_id, key=revision.key)

    def next_revision(self, revision) -> int:
        return (self.line(revision).aggregate(top=Max("revision"))["top"] or 0) + 1

    def header_of(self, source) -> dict:
        return {name: getattr(source, name) for name in self.header_fields}

    # -- writes

    def require_creator(self, actor) -> None:
        """Who may create or copy: a person, office admin of their own office."""
        guards.require_person(actor)
        guards.require_office_admin(actor, actor.office_id)

    def create(self, actor, *, action: str, request_key=None, key="", **values):
        """A new empty draft (revision 1) of the actor's office with `values` (checked by the
        app after `require_creator`). With the form's one-time `request_key`, a second
        submission returns the first draft (`action` names it, "checklists.create_checklist")."""

        def make():
            revision = self.rows().create(
                office_id=actor.office_id,
                key=self.free_key(actor.office_id, (key or "").strip() or self.default_key),
                revision=1,
                created_by=actor,
                **values,
            )
            audit.record_create(actor, revision)
            return revision

        return idempotency.once(actor, request_key, action, make, lambda pk: self.rows().get(pk=pk))

    def update(self, actor, revision, *, expected_version, check=None, **values):
        """A draft's own fields (title, description…): the editable guard, `check(values)`
        (the app's, raising DomainError), a new version and an audit row."""
        revision = self.editable(actor, revision, expected_version)
        if check is not None:
            check(values)
        before = audit.snapshot(revision)
        for name, value in values.items():
            setattr(revision, name, value)
        revision.version += 1
        revision.save()
        audit.record_update(actor, revision, before)
        return revision

    @transaction.atomic
    def copy(self, actor, source, *, title="", key=""):
        """A new draft line in the actor's office, revision 1, `based_on` `source` (a built-in
        or the office's own revision), with its children. Its key: `key` if given (refused when
        the office has it), else the source's (the office's own version of a built-in), made
        free with a number when the office has it already."""
        self.require_creator(actor)
        source = self.rows().get(pk=source.pk)
        self.require_readable(actor, source)
        wanted = (key or "").strip() or source.key
        if key and self.rows().filter(office_id=actor.office_id, key=wanted).exists():
            raise DomainError(str(self.wording.key_taken), field="key")
        copy = self.rows().create(
            office_id=actor.office_id,
            key=self.free_key(actor.office_id, wanted),
            revision=1,
            title=((title or "").strip() or source.title)[:TITLE_MAX],
            based_on=source,
            created_by=actor,
            **self.header_of(source),
        )
        self.copy_children(source, copy)
        audit.record_create(actor, copy)
        return copy

    @transaction.atomic
    def new_revision(self, actor, revision):
        """A draft with the next revision number of the same line, copied from `revision` (a
        published or retired revision of the office's own); refused while the line has a
        draft. Built-ins are copied instead."""
        source = self.lock(revision)
        self.require_own(actor, source)
        guards.require_person(actor)
        draft = self.line(source).filter(status=RevisionStatus.DRAFT).first()
        if draft is not None:
            raise DomainError(self.wording.draft_exists % {"revision": draft.revision})
        draft = self.rows().create(
            office_id=source.office_id,
            key=source.key,
            revision=self.next_revision(source),
            title=source.title,
            based_on=source,
            created_by=actor,
            **self.header_of(source),
        )
        self.copy_children(source, draft)
        audit.record_create(actor, draft)
        return draft

    @transaction.atomic
    def delete_draft(self, actor, revision) -> None:
        """Discard a draft with its children (never used: only published revisions run);
        `in_use` may refuse first."""
        revision = self.editable(actor, revision)
        if self.in_use is not None:
            self.in_use(revision)
        audit.record_delete(actor, revision)
        for name in self.children:
            getattr(revision, name).all().delete()
        revision.delete()

    def publish(self, actor, revision, *, expected_version=None):
        """Draft → published, after the app's full check (the workflow's guard)."""
        actions = self.workflow.actions
        return engine.transition(
            self.workflow, revision, actions.PUBLISH, actor, expected_version=expected_version
        )

    def retire(self, actor, revision, *, expected_version=None):
        """Published → retired: kept for what ran it, offered for nothing new."""
        actions = self.workflow.actions
        return engine.transition(
            self.workflow, revision, actions.RETIRE, actor, expected_version=expected_version
        )

    # -- the spreadsheet import of a draft's content

    def import_preview(self, actor, revision, upload, *, imports, kind: str, param: str):
        """Store and check a spreadsheet for a draft of the actor's office: an ImportJob of
        `kind` (params {param: pk}) with the preview or every error. `imports` is
        `dudao.imports.services`, passed by the app (core imports no app)."""
        from django.core.files.base import ContentFile, File

        with transaction.atomic():
            revision = self.editable(actor, revision)
        if not isinstance(upload, File):
            upload = ContentFile(upload.read(), name="import.xlsx")
        return imports.create_job(actor, revision.office, kind, upload, params={param: revision.pk})


# ---- reads (from a scope) --------------------------------------------------------------------


def newest_revisions(queryset: QuerySet, *, status: str | None = None) -> QuerySet:
    """The newest revision of each line (a built-in's key, or an office's key) in `queryset`
    (a scope of a revisioned model); with `status`, the newest of that status."""
    newer = queryset.model.objects.unscoped().filter(
        key=OuterRef("key"), revision__gt=OuterRef("revision")
    )
    if status:
        queryset, newer = queryset.filter(status=status), newer.filter(status=status)
    return queryset.filter(
        (Q(office__isnull=True) & ~Exists(newer.filter(office__isnull=True)))
        | (Q(office__isnull=False) & ~Exists(newer.filter(office=OuterRef("office"))))
    )


def revisions_of(queryset: QuerySet, revision) -> QuerySet:
    """Every revision of `revision`'s line visible in `queryset`, newest first."""
    return queryset.filter(office_id=revision.office_id, key=revision.key).order_by("-revision")


def confirm_import(actor, job, *, imports) -> dict | None:
    """Apply a previewed import (all or nothing); the counts, or None while it runs in the
    background. DomainError when it cannot be applied. `imports` is
    `dudao.imports.services`, passed by the app (core imports no app)."""
    guards.require_office_admin(
        actor, job.office_id, message=_("This import belongs to another office.")
    )
    if not imports.confirm_job(actor, job):
        raise DomainError(_("Only a checked import without errors can be applied."))
    job.refresh_from_db()
    if job.status == job.Status.APPLYING:
        return None
    if job.status != job.Status.DONE:
        problems = job.errors[:3]
        raise DomainError(
            "; ".join(
                _("Row %(row)s: %(error)s") % {"row": e["row"], "error": e["message"]}
                for e in problems
            )
            or job.file_error
            or _("Only a checked import without errors can be applied.")
        )
    return dict(job.summary)


# ---- sections of items (checklists, questionnaires) -----------------------------------------


def next_position(queryset) -> int:
    return (queryset.aggregate(top=Max("position"))["top"] or 0) + 1


def reposition(model, rows: list) -> None:
    """Give `rows` the positions 1..n in their list order (positions are unique, checked row
    by row: the rows first move above every current one)."""
    if not rows:
        return
    top = max(row.position for row in rows)
    for offset in (top, 0):
        for number, row in enumerate(rows, start=1):
            row.position = number + offset
        model.objects.bulk_update(rows, ["position"])


def renumber_sections(revision, *, section_model, item_model, items: str) -> None:
    """Sections 1..n in their order; their children (`items`, the related name on the
    revision) 1..n in section order, then their own."""
    sections = list(revision.sections.order_by("position", "pk"))
    reposition(section_model, sections)
    order = {s.pk: s.position for s in sections}
    rows = sorted(
        getattr(revision, items).all(),
        key=lambda row: (order[row.section_id], row.position, row.pk),
    )
    reposition(item_model, rows)


def copy_sections(source, target, *, section_model, item_model, fk: str, items: str, fields):
    """Copy `source`'s sections and their children (`items`, the related name; `fields`, the
    children's own fields) into `target`; `fk` names the revision on both models."""
    sections = {}
    for section in source.sections.order_by("position"):
        sections[section.pk] = section_model.objects.create(
            **{fk: target}, position=section.position, title=section.title
        )
    item_model.objects.bulk_create(
        item_model(
            **{fk: target},
            section=sections[row.section_id],
            position=row.position,
            **{name: getattr(row, name) for name in fields},
        )
        for row in getattr(source, items).order_by("position")
    )


def default_code(revision, section, *, items: str) -> str:
    """The next free code "<section>.<n>" for a new child of `section`."""
    taken = set(getattr(revision, items).values_list("code", flat=True))
    number = getattr(section, items).count() + 1
    while f"{section.position}.{number}" in taken:
        number += 1
    return f"{section.position}.{number}"


def reorder(model, rows: list, *, above: int) -> None:
    """Give `rows` (children of one section, in their new order) the positions they held
    between them; `above` is above every position of the revision (positions are unique)."""
    positions = sorted(row.position for row in rows)
    for number, row in enumerate(rows):
        row.position = above + number
    model.objects.bulk_update(rows, ["position"])
    for row, number in zip(rows, positions, strict=True):
        row.position = number
    model.objects.bulk_update(rows, ["position"])


def swap(rows: list, pk, *, up: bool) -> list | None:
    """`rows` with the row `pk` moved one place up or down, or None at either end."""
    index = next(i for i, row in enumerate(rows) if row.pk == pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(rows):
        return None
    rows = list(rows)
    rows[index], rows[other] = rows[other], rows[index]
    return rows


class Sections:
    """The writes on the sections of a draft and their children (a checklist's items, a
    questionnaire's questions), each a service in its own transaction that the app exposes
    under its names (`add_item = SECTIONS.add_item`).

    `fk` names the revision on the section and the child models ("template"), `items` the
    children's related name on both the revision and the section ("items"); `clean(values)`
    returns a child's checked values (DomainError on the first problem) and `touch(revision)`
    records that the draft changed."""

    def __init__(self, revisions: Revisions, *, section_model, item_model, fk, items, clean, touch):
        self.revisions = revisions
        self.section_model = section_model
        self.item_model = item_model
        self.fk = fk
        self.items = items
        self.clean = clean
        self.touch = touch

    def _draft_of(self, actor, row):
        return self.revisions.editable(actor, getattr(row, f"{self.fk}_id"))

    def lock_section(self, section):
        pk = section.pk if isinstance(section, self.section_model) else section
        return self.section_model.objects.select_for_update().get(pk=pk)

    def lock_item(self, item):
        pk = item.pk if isinstance(item, self.item_model) else item
        return self.item_model.objects.select_for_update().get(pk=pk)

    def renumber(self, revision) -> None:
        renumber_sections(
            revision, section_model=self.section_model, item_model=self.item_model, items=self.items
        )

    @staticmethod
    def section_title(title) -> str:
        title = (title or "").strip()
        if not title:
            raise DomainError(_("Give the section a title."), field="title")
        return title[:TITLE_MAX]

    def check_code(self, revision, code, exclude_pk=None) -> None:
        if getattr(revision, self.items).filter(code=code).exclude(pk=exclude_pk).exists():
            raise DomainError(
                _("The code %(code)s is used already.") % {"code": code}, field="code"
            )

    @transaction.atomic
    def add_section(self, actor, revision, *, title):
        """A new section at the end of a draft."""
        revision = self.revisions.editable(actor, revision)
        section = self.section_model.objects.create(
            **{self.fk: revision},
            position=next_position(revision.sections.all()),
            title=self.section_title(title),
        )
        self.touch(revision)
        audit.record_create(actor, section)
        return section

    @transaction.atomic
    def update_section(self, actor, section, *, title, expected_stamp=""):
        """A section's title (`expected_stamp`: what the form showed)."""
        revision = self._draft_of(actor, section)
        section = self.lock_section(section)
        check_stamp(section, expected_stamp)
        title = self.section_title(title)
        before = audit.snapshot(section)
        section.title = title
        section.save()
        self.touch(revision)
        audit.record_update(actor, section, before)
        return section

    @transaction.atomic
    def delete_section(self, actor, section) -> None:
        """Delete a section of a draft with its children."""
        revision = self._draft_of(actor, section)
        section = self.lock_section(section)
        audit.record_delete(actor, section)
        getattr(section, self.items).all().delete()
        section.delete()
        self.renumber(revision)
        self.touch(revision)

    @transaction.atomic
    def move_section(self, actor, section, *, up: bool) -> None:
        """Move a section (with its children) up or down."""
        revision = self._draft_of(actor, section)
        sections = swap(list(revision.sections.order_by("position")), section.pk, up=up)
        if sections is not None:
            reposition(self.section_model, sections)
            self.renumber(revision)
            self.touch(revision)

    @transaction.atomic
    def add_item(self, actor, section, **values):
        """A new child at the end of `section` of a draft (a code like 2.3 when none is
        given)."""
        revision = self._draft_of(actor, section)
        section = self.lock_section(section)
        clean = self.clean(values)
        clean["code"] = clean["code"] or default_code(revision, section, items=self.items)
        self.check_code(revision, clean["code"])
        item = self.item_model.objects.create(
            **{self.fk: revision},
            section=section,
            position=next_position(getattr(revision, self.items).all()),
            **clean,
        )
        self.renumber(revision)
        item.refresh_from_db()
        self.touch(revision)
        audit.record_create(actor, item)
        return item

    @transaction.atomic
    def update_item(self, actor, item, *, expected_stamp="", **values):
        """A child's values (`expected_stamp`: what the form showed); an empty code keeps the
        one it has."""
        revision = self._draft_of(actor, item)
        item = self.lock_item(item)
        check_stamp(item, expected_stamp)
        clean = self.clean(values)
        clean["code"] = clean["code"] or item.code
        self.check_code(revision, clean["code"], exclude_pk=item.pk)
        before = audit.snapshot(item)
        for name, value in clean.items():
            setattr(item, name, value)
        item.save()
        item.refresh_from_db()
        self.touch(revision)
        audit.record_update(actor, item, before)
        return item

    @transaction.atomic
    def delete_item(self, actor, item) -> None:
        revision = self._draft_of(actor, item)
        item = self.lock_item(item)
        audit.record_delete(actor, item)
        item.delete()
        self.renumber(revision)
        self.touch(revision)

    @transaction.atomic
    def move_item(self, actor, item, *, up: bool) -> None:
        """Move a child up or down within its section."""
        revision = self._draft_of(actor, item)
        item = self.lock_item(item)
        children = getattr(revision, self.items)
        siblings = list(children.filter(section_id=item.section_id).order_by("position"))
        siblings = swap(siblings, item.pk, up=up)
        if siblings is not None:
            reorder(self.item_model, siblings, above=next_position(children.all()))
            self.touch(revision)


# ---- views ----------------------------------------------------------------------------------


def is_admin_of(user, revision) -> bool:
    """The office admin of the revision's own office (the editor's and the writes' screens)."""
    return (
        user.role == Role.OFFICE_ADMIN
        and bool(user.office_id)
        and revision.office_id == user.office_id
    )


def can_copy(user) -> bool:
    return user.role == Role.OFFICE_ADMIN and bool(user.office_id) and not user.is_superuser


def run_transition(request, obj, service, done_message, back):
    """A workflow step from a button: `service(user, obj, expected_version=...)`, its refusal
    or `done_message` as a message, and `back`."""
    try:
        service(request.user, obj, expected_version=request.POST.get("version") or None)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done_message)
    return back


def confirm_delete(request, obj, service, *, back, done):
    """A delete that needs its confirmation box ticked: `service(user, obj)`; `back` on a
    refusal, `done` (after "The draft is deleted.") otherwise."""
    if not request.POST.get("confirm"):
        messages.error(request, _("Tick the box to confirm the deletion."))
        return back
    try:
        service(request.user, obj)
    except DomainError as error:
        messages.error(request, str(error))
        return back
    messages.success(request, _("The draft is deleted."))
    return done


class RevisionScreens:
    """The view bodies every revisioned definition shares. The app keeps its views (the
    decorators, the URLs) and calls these with its own services:

    `get_for(user, pk)` fetches in scope (404 otherwise); `detail`, `edit` and `list` are
    URL names; `workflow` is the app's `revision_workflow`; `published` is the refusal shown
    when the editor is opened on a published revision."""

    def __init__(self, *, get_for, detail: str, edit: str, list: str, workflow, published: str):
        self.get_for = get_for
        self.detail_url = detail
        self.edit_url = edit
        self.list_url = list
        self.workflow = workflow
        self.published = published

    def back(self, revision):
        return redirect(self.detail_url, pk=revision.pk)

    def to_editor(self, revision, request=None):
        """The editor; an htmx request is sent there whole (HX-Redirect), so a refusal's
        message shows instead of a page swapped into a button."""
        pk = getattr(revision, "pk", revision)
        if request is not None and is_htmx(request):
            response = HttpResponse("")
            response["HX-Redirect"] = reverse(self.edit_url, args=[pk])
            return response
        return redirect(self.edit_url, pk=pk)

    def require_draft_of(self, user, revision) -> None:
        """The editor's forms are for the office admin's own drafts only (403 otherwise; the
        services refuse the writes anyway)."""
        if not is_admin_of(user, revision) or revision.status != RevisionStatus.DRAFT:
            raise PermissionDenied

    def editor_refusal(self, request, revision):
        """None when the user may open the editor on `revision`; else 403 (not the office's
        admin) or back to the revision's page with `published`."""
        if not is_admin_of(request.user, revision):
            raise PermissionDenied
        if revision.status != RevisionStatus.DRAFT:
            messages.error(request, str(self.published))
            return self.back(revision)
        return None

    def detail_context(self, request, revision, *, visible, problems, copy_form) -> dict:
        """What every revision's page shows beside its content: its revisions, its history,
        the buttons the user may press, and (for its admin, on a draft) why it cannot be
        published yet (`problems()`)."""
        actions = engine.allowed_actions(self.workflow, revision, request.user)
        admin = is_admin_of(request.user, revision)
        return {
            "revisions": revisions_of(visible, revision),
            "events": [
                (event, self.workflow.action_label(event.action))
                for event in revision.events.order_by("at", "pk")
            ],
            "can_publish": self.workflow.actions.PUBLISH in actions,
            "can_retire": self.workflow.actions.RETIRE in actions,
            "problems": problems() if admin and revision.status == RevisionStatus.DRAFT else [],
            "is_admin": admin,
            "can_copy": can_copy(request.user),
            "copy_form": copy_form,
        }

    def create(self, request, *, form_class, fields, service, template):
        """The create form: `service(user, **fields, request_key=...)`, then the editor."""
        form = form_class(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                revision = service(
                    request.user,
                    **{name: data[name] for name in fields},
                    request_key=data["request_key"],
                )
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                return self.to_editor(revision)
        return render(request, template, {"form": form})

    def edit_header(self, request, revision, *, form_class, fields, service, render_editor):
        """The draft's own form (title…) on the editor page: `service(user, revision,
        expected_version=..., **fields)`, "Saved." and the editor again, or
        `render_editor(form)` with the form and its errors."""
        refusal = self.editor_refusal(request, revision)
        if refusal is not None:
            return refusal
        initial = {"expected_version": revision.version}
        initial.update({name: getattr(revision, name) for name in fields})
        form = form_class(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                service(
                    request.user,
                    revision,
                    expected_version=data["expected_version"],
                    **{name: data[name] for name in fields},
                )
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                messages.success(request, _("Saved."))
                return self.to_editor(revision)
        return render_editor(form)

    def copy(self, request, pk, *, service, copy_form):
        source = self.get_for(request.user, pk)
        form = copy_form(request.POST)
        title = form.cleaned_data["title"] if form.is_valid() else ""
        try:
            copy = service(request.user, source, title=title)
        except DomainError as error:
            messages.error(request, str(error))
            return self.back(source)
        messages.success(
            request, _("Copied into a draft of your office: edit it, then publish it.")
        )
        return self.to_editor(copy)

    def new_revision(self, request, pk, *, service):
        revision = self.get_for(request.user, pk)
        try:
            draft = service(request.user, revision)
        except DomainError as error:
            messages.error(request, str(error))
            return self.back(revision)
        messages.success(
            request, _("Revision %(revision)s is a draft now.") % {"revision": draft.revision}
        )
        return self.to_editor(draft)

    def transition(self, request, pk, service, done_message):
        revision = self.get_for(request.user, pk)
        return run_transition(request, revision, service, done_message, self.back(revision))

    def delete(self, request, pk, *, service):
        revision = self.get_for(request.user, pk)
        return confirm_delete(
            request, revision, service, back=self.back(revision), done=redirect(self.list_url)
        )

    def write_views(
        self, *, copy, copy_form, new_revision, publish, published, retire, retired, delete
    ) -> SimpleNamespace:
        """The five buttons of a revision's page as views for the app's URLs (office admin,
        POST): `copy`, `new_revision`, `publish`, `retire` and `delete`, each calling the
        app's service of that name; `published` and `retired` are the app's messages."""

        def button(body):
            return office_admin_required(require_POST(body))

        return SimpleNamespace(
            copy=button(
                lambda request, pk: self.copy(request, pk, service=copy, copy_form=copy_form)
            ),
            new_revision=button(
                lambda request, pk: self.new_revision(request, pk, service=new_revision)
            ),
            publish=button(lambda request, pk: self.transition(request, pk, publish, published)),
            retire=button(lambda request, pk: self.transition(request, pk, retire, retired)),
            delete=button(lambda request, pk: self.delete(request, pk, service=delete)),
        )
