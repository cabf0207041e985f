"""Every write on questionnaires (问卷): copies, revisions, sections and questions of a draft,
publishing and retiring (docs/architecture.md §3).

Who: the office admin of the questionnaire's office, for its own questionnaires only; the
platform (SYSTEM) loads the built-ins (`dudao.surveys.shipped`). A built-in (no office) is
never edited: an office copies it (`copy_questionnaire`).

Revisions. A questionnaire is a line of revisions sharing `(office, key)`. Only a draft is
edited; `publish` freezes it (a survey keeps the revision it opened with, and the answers'
`satisfied` verdicts rest on it) and `new_revision` copies a published or retired revision
into a draft with the next revision number, `based_on` the revision it came from. At most one
draft per line.

Copies. `copy_questionnaire` starts a new line in the actor's office, revision 1, `based_on`
the source: a built-in's copy keeps the built-in's key unless the office has that key already;
then the key gets a number ("shuangjian-jiazhang-2").

Optimistic locking: the questionnaire's own form sends the `version` it showed; a question's
or a section's form sends its `stamp` (a digest of what it showed). A stale form is refused
with StaleObject.

What a question is (`check_question`): a single or multiple choice has 2 to 12 different
options; a scale is answered 1 to 5 and may name what 1 and 5 mean (two labels); a text has
no options. Only a single choice or a scale may count toward satisfaction; one that counts
names its satisfied answers (among its options, or "1"–"5") and may leave options out of the
rate (不了解), never a satisfied one; a question that counts is always required, so every
respondent answers every counting question (`dudao.surveys.results` relies on it).
"""

import hashlib
import json

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from dudao.accounts.models import Role
from dudao.audit import services as audit
from dudao.core import guards, idempotency
from dudao.core import workflow as engine
from dudao.core.errors import DomainError, NotPermitted, StaleObject

from .models import (
    COUNTING_TYPES,
    SCALE_VALUES,
    Audience,
    Question,
    Questionnaire,
    QuestionType,
    Section,
)
from .workflow import QUESTIONNAIRE_WORKFLOW, QuestionnaireAction

Status = Questionnaire.Status
CHOICE_TYPES = (QuestionType.SINGLE, QuestionType.MULTIPLE)
QUESTION_FIELDS = (
    "code",
    "text",
    "type",
    "options",
    "required",
    "counts",
    "satisfied",
    "ignored",
    "help_text",
)
MAX_OPTIONS = 12
OPTION_MAX = 100
SCALE_LABEL_MAX = 20
TEXT_MAX = 500
KEY_MAX = 60


# ---- validators (public: the forms and the built-ins' loader reuse them) ------------------


def _texts(values) -> list[str]:
    return [str(v).strip() for v in values or [] if str(v).strip()]


def clean_question_values(values: dict) -> dict:
    """A question's values with defaults and normal forms: every key of QUESTION_FIELDS,
    texts stripped, lists without blanks, a counting question required."""
    clean = {
        "code": str(values.get("code") or "").strip(),
        "text": str(values.get("text") or "").strip(),
        "type": values.get("type") or QuestionType.SINGLE,
        "options": _texts(values.get("options")),
        "required": bool(values.get("required", True)),
        "counts": bool(values.get("counts")),
        "satisfied": _texts(values.get("satisfied")),
        "ignored": _texts(values.get("ignored")),
        "help_text": str(values.get("help_text") or "").strip(),
    }
    if clean["counts"]:
        clean["required"] = True
    return clean


def check_question(values: dict) -> list[tuple[str, str]]:
    """Every problem of one question's values (after `clean_question_values`), as (field,
    message); see the module docstring for the rules."""
    problems = []
    kind = values["type"]
    if not values["text"]:
        problems.append(("text", _("Write the question's text.")))
    elif len(values["text"]) > TEXT_MAX:
        problems.append(
            ("text", _("A question has at most %(count)s characters.") % {"count": TEXT_MAX})
        )
    if len(values["code"]) > 20:
        problems.append(("code", _("A code has at most 20 characters.")))
    if len(values["help_text"]) > 300:
        problems.append(("help_text", _("A hint has at most 300 characters.")))
    if kind not in QuestionType.values:
        problems.append(("type", _("Unknown question type “%(value)s”.") % {"value": kind}))
        return problems
    options = values["options"]
    if kind in CHOICE_TYPES:
        if len(options) < 2:
            problems.append(("options", _("A choice needs at least two options.")))
        elif len(set(options)) != len(options):
            problems.append(("options", _("Each option may appear only once.")))
        elif len(options) > MAX_OPTIONS:
            problems.append(("options", _("At most %(count)s options.") % {"count": MAX_OPTIONS}))
        if any(len(option) > OPTION_MAX for option in options):
            problems.append(
                (
                    "options",
                    _("An option has at most %(count)s characters.") % {"count": OPTION_MAX},
                )
            )
    elif kind == QuestionType.SCALE:
        if options and (
            len(options) != 2 or any(len(label) > SCALE_LABEL_MAX for label in options)
        ):
            problems.append(
                ("options", _("A scale takes no options, or two short labels: what 1 and 5 mean."))
            )
    elif options:
        problems.append(("options", _("A free-text question has no options.")))
    satisfied, ignored = values["satisfied"], values["ignored"]
    if values["counts"]:
        if kind not in COUNTING_TYPES:
            problems.append(
                ("counts", _("Only a single choice or a scale counts toward satisfaction."))
            )
            return problems
        allowed = list(SCALE_VALUES) if kind == QuestionType.SCALE else options
        if not satisfied:
            problems.append(("satisfied", _("Name the answers that count as satisfied.")))
        unknown = [value for value in satisfied + ignored if value not in allowed]
        if unknown:
            problems.append(
                (
                    "satisfied",
                    _("These are not answers of the question: %(values)s.")
                    % {"values": "、".join(unknown)},
                )
            )
        if kind == QuestionType.SCALE and ignored:
            problems.append(("ignored", _("Every answer of a scale counts.")))
        if set(satisfied) & set(ignored):
            problems.append(("ignored", _("A satisfied answer cannot be left out of the rate.")))
    elif satisfied or ignored:
        problems.append(
            (
                "satisfied",
                _("Only a question that counts toward satisfaction has satisfied answers."),
            )
        )
    return problems


def publish_problems(questionnaire: Questionnaire) -> list[str]:
    """Why a revision cannot be published (empty: it can): at least one question, no empty
    section, every question valid (`check_question`) and every code once."""
    problems = []
    sections = list(questionnaire.sections.order_by("position"))
    questions = list(questionnaire.questions.order_by("position"))
    if not questions:
        problems.append(_("Add at least one question before publishing."))
    filled = {question.section_id for question in questions}
    for section in sections:
        if section.pk not in filled:
            problems.append(
                _("The section “%(title)s” has no questions.") % {"title": section.title}
            )
    seen = set()
    for question in questions:
        label = question.code or str(question.position)
        if not question.code:
            problems.append(_("Question %(code)s: give it a code.") % {"code": label})
        elif question.code in seen:
            problems.append(_("The code %(code)s is used twice.") % {"code": question.code})
        seen.add(question.code)
        values = clean_question_values({f: getattr(question, f) for f in QUESTION_FIELDS})
        for _field, message in check_question(values):
            problems.append(
                _("Question %(code)s: %(problem)s") % {"code": label, "problem": message}
            )
    return problems


def require_publishable(questionnaire: Questionnaire) -> None:
    problems = publish_problems(questionnaire)
    if problems:
        shown = "; ".join(problems[:5])
        if len(problems) > 5:
            shown += _(" (and %(count)s more)") % {"count": len(problems) - 5}
        raise DomainError(shown)


def stamp(obj) -> str:
    """A digest of what a form showed of a question or a section (its optimistic lock)."""
    data = json.dumps(audit.snapshot(obj), sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(data.encode()).hexdigest()[:16]


# ---- locking and guards ---------------------------------------------------------------------


def _lock(questionnaire) -> Questionnaire:
    pk = questionnaire.pk if isinstance(questionnaire, Questionnaire) else questionnaire
    return Questionnaire.objects.unscoped().select_for_update().get(pk=pk)


def _require_own(actor, questionnaire: Questionnaire) -> None:
    if questionnaire.is_builtin:
        guards.require_role(actor, Role.OFFICE_ADMIN)
        raise NotPermitted(_("Built-in questionnaires are not edited: copy one first."))
    guards.require_office_admin(
        actor, questionnaire.office_id, message=_("This questionnaire belongs to another office.")
    )


def _editable(actor, questionnaire, expected_version=None) -> Questionnaire:
    """The locked draft the actor may edit (its office admin), else a refusal."""
    questionnaire = _lock(questionnaire)
    _require_own(actor, questionnaire)
    if questionnaire.status != Status.DRAFT:
        raise DomainError(
            _("A published questionnaire is never changed: make a new revision to edit it.")
        )
    if expected_version is not None and int(expected_version) != questionnaire.version:
        raise StaleObject(_("Someone else changed this questionnaire; reload it and try again."))
    return questionnaire


def _touch(questionnaire: Questionnaire) -> None:
    questionnaire.save(update_fields=["updated_at"])


def _check_stamp(obj, expected) -> None:
    if expected and expected != stamp(obj):
        raise StaleObject(_("Someone else changed this meanwhile; reload the page and try again."))


# ---- questionnaires -------------------------------------------------------------------------


def _free_key(office_id, wanted: str) -> str:
    taken = set(
        Questionnaire.objects.unscoped()
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


def _check_header(title: str, audience: str) -> None:
    if not title:
        raise DomainError(_("Give the questionnaire a title."), field="title")
    if audience not in Audience.values:
        raise DomainError(_("Choose who answers the questionnaire."), field="audience")


@transaction.atomic
def create_questionnaire(
    actor, *, title, audience=Audience.PARENTS, key="", description="", source="", request_key=None
) -> Questionnaire:
    """A new empty draft of the actor's office. With the form's one-time `request_key`, a
    second submission returns the first draft (dudao.core.idempotency)."""
    guards.require_person(actor)
    guards.require_office_admin(actor, actor.office_id)
    title = (title or "").strip()
    _check_header(title, audience)

    def create():
        questionnaire = Questionnaire.objects.unscoped().create(
            office_id=actor.office_id,
            key=_free_key(actor.office_id, (key or "").strip() or "questionnaire"),
            revision=1,
            title=title,
            audience=audience,
            description=(description or "").strip(),
            source=(source or "").strip(),
            created_by=actor,
        )
        audit.record_create(actor, questionnaire)
        return questionnaire

    return idempotency.once(
        actor,
        request_key,
        "surveys.create_questionnaire",
        create,
        lambda pk: Questionnaire.objects.unscoped().get(pk=pk),
    )


@transaction.atomic
def update_questionnaire(
    actor, questionnaire, *, expected_version, title, audience, description="", source=""
) -> Questionnaire:
    """A draft's title, audience, introduction and source (依据)."""
    questionnaire = _editable(actor, questionnaire, expected_version)
    title = (title or "").strip()
    _check_header(title, audience)
    before = audit.snapshot(questionnaire)
    questionnaire.title, questionnaire.audience = title, audience
    questionnaire.description = (description or "").strip()
    questionnaire.source = (source or "").strip()
    questionnaire.version += 1
    questionnaire.save()
    audit.record_update(actor, questionnaire, before)
    return questionnaire


def _copy_content(source: Questionnaire, target: Questionnaire) -> None:
    sections = {}
    for section in source.sections.order_by("position"):
        sections[section.pk] = Section.objects.create(
            questionnaire=target, position=section.position, title=section.title
        )
    Question.objects.bulk_create(
        Question(
            questionnaire=target,
            section=sections[question.section_id],
            position=question.position,
            **{f: getattr(question, f) for f in QUESTION_FIELDS},
        )
        for question in source.questions.order_by("position")
    )


@transaction.atomic
def copy_questionnaire(actor, source, *, title="") -> Questionnaire:
    """A new draft line in the actor's office with every section and question of `source` (a
    built-in or the office's own revision)."""
    guards.require_person(actor)
    guards.require_office_admin(actor, actor.office_id)
    source = Questionnaire.objects.unscoped().get(pk=source.pk)
    if not source.is_builtin and source.office_id != actor.office_id:
        raise NotPermitted(_("This questionnaire belongs to another office."))
    copy = Questionnaire.objects.unscoped().create(
        office_id=actor.office_id,
        key=_free_key(actor.office_id, source.key),
        revision=1,
        title=(title or "").strip() or source.title,
        audience=source.audience,
        description=source.description,
        source=source.source,
        based_on=source,
        created_by=actor,
    )
    _copy_content(source, copy)
    audit.record_create(actor, copy)
    return copy


@transaction.atomic
def new_revision(actor, questionnaire) -> Questionnaire:
    """A draft with the next revision number of the same line, copied from `questionnaire`
    (a published or retired revision of the office's own). Built-ins are copied instead."""
    source = _lock(questionnaire)
    _require_own(actor, source)
    guards.require_person(actor)
    line = Questionnaire.objects.unscoped().filter(office_id=source.office_id, key=source.key)
    draft = line.filter(status=Status.DRAFT).first()
    if draft is not None:
        raise DomainError(
            _("Revision %(revision)s of this questionnaire is a draft already: edit that one.")
            % {"revision": draft.revision}
        )
    revision = (line.aggregate(top=Max("revision"))["top"] or 0) + 1
    draft = Questionnaire.objects.unscoped().create(
        office_id=source.office_id,
        key=source.key,
        revision=revision,
        title=source.title,
        audience=source.audience,
        description=source.description,
        source=source.source,
        based_on=source,
        created_by=actor,
    )
    _copy_content(source, draft)
    audit.record_create(actor, draft)
    return draft


@transaction.atomic
def delete_draft(actor, questionnaire) -> None:
    """Discard a draft (never used: surveys run published revisions only)."""
    questionnaire = _editable(actor, questionnaire)
    audit.record_delete(actor, questionnaire)
    questionnaire.questions.all().delete()
    questionnaire.sections.all().delete()
    questionnaire.delete()


def publish(actor, questionnaire, *, expected_version=None) -> Questionnaire:
    """Draft → published, after every check of `publish_problems` (the workflow's guard)."""
    return engine.transition(
        QUESTIONNAIRE_WORKFLOW,
        questionnaire,
        QuestionnaireAction.PUBLISH,
        actor,
        expected_version=expected_version,
    )


def retire(actor, questionnaire, *, expected_version=None) -> Questionnaire:
    """Published → retired: kept for the surveys that ran it, offered for nothing new."""
    return engine.transition(
        QUESTIONNAIRE_WORKFLOW,
        questionnaire,
        QuestionnaireAction.RETIRE,
        actor,
        expected_version=expected_version,
    )


# ---- sections and questions of a draft --------------------------------------------------------


def _reposition(model, rows: list) -> None:
    """Give `rows` the positions 1..n in their list order (positions are unique: the rows
    first move above every current one)."""
    if not rows:
        return
    top = max(row.position for row in rows)
    for offset in (top, 0):
        for number, row in enumerate(rows, start=1):
            row.position = number + offset
        model.objects.bulk_update(rows, ["position"])


def _renumber(questionnaire: Questionnaire) -> None:
    """Sections 1..n in their order; questions 1..n in section order, then their own."""
    sections = list(questionnaire.sections.order_by("position", "pk"))
    _reposition(Section, sections)
    order = {s.pk: s.position for s in sections}
    questions = sorted(
        questionnaire.questions.all(), key=lambda q: (order[q.section_id], q.position, q.pk)
    )
    _reposition(Question, questions)


def _next_position(queryset) -> int:
    return (queryset.aggregate(top=Max("position"))["top"] or 0) + 1


def _section_title(title) -> str:
    title = (title or "").strip()
    if not title:
        raise DomainError(_("Give the section a title."), field="title")
    return title[:200]


@transaction.atomic
def add_section(actor, questionnaire, *, title) -> Section:
    questionnaire = _editable(actor, questionnaire)
    section = Section.objects.create(
        questionnaire=questionnaire,
        position=_next_position(questionnaire.sections.all()),
        title=_section_title(title),
    )
    _touch(questionnaire)
    audit.record_create(actor, section)
    return section


def _section(section) -> Section:
    pk = section.pk if isinstance(section, Section) else section
    return Section.objects.select_for_update().get(pk=pk)


@transaction.atomic
def update_section(actor, section, *, title, expected_stamp="") -> Section:
    questionnaire = _editable(actor, section.questionnaire_id)
    section = _section(section)
    _check_stamp(section, expected_stamp)
    title = _section_title(title)
    before = audit.snapshot(section)
    section.title = title
    section.save()
    _touch(questionnaire)
    audit.record_update(actor, section, before)
    return section


@transaction.atomic
def delete_section(actor, section) -> None:
    """Delete a section of a draft with its questions."""
    questionnaire = _editable(actor, section.questionnaire_id)
    section = _section(section)
    audit.record_delete(actor, section)
    section.questions.all().delete()
    section.delete()
    _renumber(questionnaire)
    _touch(questionnaire)


@transaction.atomic
def move_section(actor, section, *, up: bool) -> None:
    questionnaire = _editable(actor, section.questionnaire_id)
    sections = list(questionnaire.sections.order_by("position"))
    index = next(i for i, s in enumerate(sections) if s.pk == section.pk)
    other = index - 1 if up else index + 1
    if 0 <= other < len(sections):
        sections[index], sections[other] = sections[other], sections[index]
        _reposition(Section, sections)
        _renumber(questionnaire)
        _touch(questionnaire)


def _question_values(values: dict) -> dict:
    clean = clean_question_values(values)
    problems = check_question(clean)
    if problems:
        field, message = problems[0]
        raise DomainError(message, field=field)
    return clean


def _default_code(questionnaire: Questionnaire, section: Section) -> str:
    taken = set(questionnaire.questions.values_list("code", flat=True))
    number = section.questions.count() + 1
    while f"{section.position}.{number}" in taken:
        number += 1
    return f"{section.position}.{number}"


def _check_code(questionnaire, code, exclude_pk=None) -> None:
    if questionnaire.questions.filter(code=code).exclude(pk=exclude_pk).exists():
        raise DomainError(_("The code %(code)s is used already.") % {"code": code}, field="code")


@transaction.atomic
def add_question(actor, section, **values) -> Question:
    """A new question at the end of `section` of a draft (a code like 2.3 when none is
    given)."""
    questionnaire = _editable(actor, section.questionnaire_id)
    section = _section(section)
    clean = _question_values(values)
    clean["code"] = clean["code"] or _default_code(questionnaire, section)
    _check_code(questionnaire, clean["code"])
    question = Question.objects.create(
        questionnaire=questionnaire,
        section=section,
        position=_next_position(questionnaire.questions.all()),
        **clean,
    )
    _renumber(questionnaire)
    question.refresh_from_db()
    _touch(questionnaire)
    audit.record_create(actor, question)
    return question


def _question(question) -> Question:
    pk = question.pk if isinstance(question, Question) else question
    return Question.objects.select_for_update().get(pk=pk)


@transaction.atomic
def update_question(actor, question, *, expected_stamp="", **values) -> Question:
    questionnaire = _editable(actor, question.questionnaire_id)
    question = _question(question)
    _check_stamp(question, expected_stamp)
    clean = _question_values(values)
    clean["code"] = clean["code"] or question.code
    _check_code(questionnaire, clean["code"], exclude_pk=question.pk)
    before = audit.snapshot(question)
    for key, value in clean.items():
        setattr(question, key, value)
    question.save()
    _touch(questionnaire)
    audit.record_update(actor, question, before)
    return question


@transaction.atomic
def delete_question(actor, question) -> None:
    questionnaire = _editable(actor, question.questionnaire_id)
    question = _question(question)
    audit.record_delete(actor, question)
    question.delete()
    _renumber(questionnaire)
    _touch(questionnaire)


@transaction.atomic
def move_question(actor, question, *, up: bool) -> None:
    """Move a question up or down within its section."""
    questionnaire = _editable(actor, question.questionnaire_id)
    question = _question(question)
    siblings = list(
        questionnaire.questions.filter(section_id=question.section_id).order_by("position")
    )
    index = next(i for i, s in enumerate(siblings) if s.pk == question.pk)
    other = index - 1 if up else index + 1
    if 0 <= other < len(siblings):
        positions = [row.position for row in siblings]
        siblings[index], siblings[other] = siblings[other], siblings[index]
        top = _next_position(questionnaire.questions.all())
        for offset, row in enumerate(siblings):
            row.position = top + offset
        Question.objects.bulk_update(siblings, ["position"])
        for row, number in zip(siblings, positions, strict=True):
            row.position = number
        Question.objects.bulk_update(siblings, ["position"])
        _touch(questionnaire)
