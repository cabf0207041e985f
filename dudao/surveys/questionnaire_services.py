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

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dudao.core import revisions
from dudao.core.errors import DomainError

from .models import (
    COUNTING_TYPES,
    SCALE_VALUES,
    Audience,
    Question,
    Questionnaire,
    QuestionType,
    Section,
)
from .workflow import QUESTIONNAIRE_WORKFLOW

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
    revisions.require_no_problems(publish_problems(questionnaire))


stamp = revisions.stamp  # a digest of what a form showed of a question or a section


# ---- questionnaires -------------------------------------------------------------------------


def _copy_content(source: Questionnaire, target: Questionnaire) -> None:
    revisions.copy_sections(
        source,
        target,
        section_model=Section,
        item_model=Question,
        fk="questionnaire",
        items="questions",
        fields=QUESTION_FIELDS,
    )


# Locking, the editable-draft guard, copies and revisions (dudao.core.revisions).
REVISIONS = revisions.Revisions(
    Questionnaire,
    wording=revisions.Wording(
        builtin=gettext_lazy("Built-in questionnaires are not edited: copy one first."),
        other_office=gettext_lazy("This questionnaire belongs to another office."),
        published=gettext_lazy(
            "A published questionnaire is never changed: make a new revision to edit it."
        ),
        stale=gettext_lazy("Someone else changed this questionnaire; reload it and try again."),
        draft_exists=gettext_lazy(
            "Revision %(revision)s of this questionnaire is a draft already: edit that one."
        ),
    ),
    header_fields=("audience", "description", "source"),
    copy_children=_copy_content,
    children=("questions", "sections"),
    default_key="questionnaire",
    workflow=QUESTIONNAIRE_WORKFLOW,
)


def _touch(questionnaire: Questionnaire) -> None:
    questionnaire.save(update_fields=["updated_at"])


def _check_header(values: dict) -> None:
    if not values["title"]:
        raise DomainError(_("Give the questionnaire a title."), field="title")
    if values["audience"] not in Audience.values:
        raise DomainError(_("Choose who answers the questionnaire."), field="audience")


@transaction.atomic
def create_questionnaire(
    actor, *, title, audience=Audience.PARENTS, key="", description="", source="", request_key=None
) -> Questionnaire:
    """A new empty draft of the actor's office. With the form's one-time `request_key`, a
    second submission returns the first draft (dudao.core.idempotency)."""
    REVISIONS.require_creator(actor)
    values = {
        "title": (title or "").strip(),
        "audience": audience,
        "description": (description or "").strip(),
        "source": (source or "").strip(),
    }
    _check_header(values)
    return REVISIONS.create(
        actor, action="surveys.create_questionnaire", request_key=request_key, key=key, **values
    )


@transaction.atomic
def update_questionnaire(
    actor, questionnaire, *, expected_version, title, audience, description="", source=""
) -> Questionnaire:
    """A draft's title, audience, introduction and source (依据)."""
    return REVISIONS.update(
        actor,
        questionnaire,
        expected_version=expected_version,
        check=_check_header,
        title=(title or "").strip(),
        audience=audience,
        description=(description or "").strip(),
        source=(source or "").strip(),
    )


# A new draft line in the actor's office with every section and question of `source` (a built-in
# or the office's own revision).
copy_questionnaire = REVISIONS.copy
# A draft with the next revision number of the same line, copied from a published or retired
# revision of the office's own. Built-ins are copied instead.
new_revision = REVISIONS.new_revision
# Discard a draft (never used: surveys run published revisions only).
delete_draft = REVISIONS.delete_draft
# Draft → published, after every check of `publish_problems` (the workflow's guard).
publish = REVISIONS.publish
# Published → retired: kept for the surveys that ran it, offered for nothing new.
retire = REVISIONS.retire


# ---- sections and questions of a draft --------------------------------------------------------


def _question_values(values: dict) -> dict:
    clean = clean_question_values(values)
    problems = check_question(clean)
    if problems:
        field, message = problems[0]
        raise DomainError(message, field=field)
    return clean


# The writes on a draft's sections and questions (dudao.core.revisions.Sections).
SECTIONS = revisions.Sections(
    REVISIONS,
    section_model=Section,
    item_model=Question,
    fk="questionnaire",
    items="questions",
    clean=_question_values,
    touch=_touch,
)
add_section = SECTIONS.add_section
update_section = SECTIONS.update_section
delete_section = SECTIONS.delete_section  # with its questions
move_section = SECTIONS.move_section
add_question = SECTIONS.add_item  # at the end of its section; a code like 2.3 when none is given
update_question = SECTIONS.update_item
delete_question = SECTIONS.delete_item
move_question = SECTIONS.move_item  # up or down within its section
