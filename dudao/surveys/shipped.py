"""The built-in questionnaires (内置问卷): one JSON file per questionnaire in
`dudao/surveys/builtin/`, written in Chinese. Built-ins have no office, are published, and
every office reads them; offices copy them to edit (`questionnaire_services.copy_questionnaire`).

- 县域义务教育优质均衡发展社会认可度调查 (the acceptance of high-quality balance needs a social
  recognition of at least 85 %, 教督〔2017〕6号): a parents', a teachers' and a students'
  questionnaire on school conditions, teachers and teaching, fairness and burden;
- “双减”工作满意度调查（家长卷）: homework, after-school services, off-campus tutoring.

A file holds the questionnaire's `key`, `title`, `audience`, `description` (the introduction
respondents read), `source` and its `sections`, each a `title` and `questions` with the fields
of `Question` (`code`, `text`, `type`, `options`, `required`, `counts`, `satisfied`,
`ignored`, `help_text`).

Loading (`ensure_builtin_questionnaires`, also run by migration 0002) is idempotent: a key not
yet stored is created as revision 1; a key whose newest stored revision has the same content
as its file is left alone; a file that differs from it becomes the next revision (published,
`based_on` the one before). A stored revision is never changed, so surveys keep theirs.
"""

import json
from pathlib import Path

from django.db import transaction

BUILTIN_DIR = Path(__file__).resolve().parent / "builtin"

# The built-in keys (one per file), for other modules and the demo.
YOUZHI_PARENTS = "youzhi-junheng-jiazhang"  # 优质均衡社会认可度（家长卷）
YOUZHI_TEACHERS = "youzhi-junheng-jiaoshi"  # 优质均衡社会认可度（教师卷）
YOUZHI_STUDENTS = "youzhi-junheng-xuesheng"  # 优质均衡社会认可度（学生卷）
SHUANGJIAN_PARENTS = "shuangjian-jiazhang"  # “双减”满意度（家长卷）
BUILTIN_KEYS = (YOUZHI_PARENTS, YOUZHI_TEACHERS, YOUZHI_STUDENTS, SHUANGJIAN_PARENTS)

HEADER_FIELDS = ("title", "audience", "description", "source")
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


def builtin_files() -> list[Path]:
    return sorted(BUILTIN_DIR.glob("*.json"))


def read_builtins() -> list[dict]:
    """Every built-in file's data, in file-name order."""
    return [json.loads(path.read_text(encoding="utf-8")) for path in builtin_files()]


def canonical_question(values: dict) -> dict:
    """A question's fields in one form, whether read from a file or from a row."""
    counts = bool(values.get("counts"))
    return {
        "code": str(values.get("code") or ""),
        "text": str(values.get("text") or ""),
        "type": values.get("type") or "single",
        "options": [str(v) for v in values.get("options") or []],
        "required": True if counts else bool(values.get("required", True)),
        "counts": counts,
        "satisfied": [str(v) for v in values.get("satisfied") or []],
        "ignored": [str(v) for v in values.get("ignored") or []],
        "help_text": str(values.get("help_text") or ""),
    }


def canonical_data(data: dict) -> dict:
    return {
        **{key: data.get(key) or "" for key in HEADER_FIELDS},
        "sections": [
            {
                "title": s["title"],
                "questions": [canonical_question(q) for q in s.get("questions", [])],
            }
            for s in data.get("sections", [])
        ],
    }


def canonical_rows(questionnaire) -> dict:
    """The same form for a stored revision (any model class: the app's or a migration's)."""
    by_section = {}
    for question in questionnaire.questions.order_by("position"):
        values = {key: getattr(question, key) for key in QUESTION_FIELDS}
        by_section.setdefault(question.section_id, []).append(canonical_question(values))
    return {
        **{key: getattr(questionnaire, key) or "" for key in HEADER_FIELDS},
        "sections": [
            {"title": s.title, "questions": by_section.get(s.pk, [])}
            for s in questionnaire.sections.order_by("position")
        ],
    }


def sync(data_list, *, questionnaires, section_model, question_model, publish, created=None):
    """Create what `data_list` has and the stored built-ins lack (see the module docstring).
    `questionnaires` is a manager or queryset of the questionnaire model; `publish(q)`
    publishes a new revision (and may return it, fresh); `created(q)` is told of each new one
    first. Returns the new ones."""
    made = []
    for data in data_list:
        wanted = canonical_data(data)
        latest = (
            questionnaires.filter(office__isnull=True, key=data["key"])
            .order_by("-revision")
            .first()
        )
        if latest is not None and canonical_rows(latest) == wanted:
            continue
        questionnaire = questionnaires.create(
            office=None,
            key=data["key"],
            revision=latest.revision + 1 if latest else 1,
            based_on=latest,
            **{key: wanted[key] for key in HEADER_FIELDS},
        )
        position = 0
        rows = []
        for number, section_data in enumerate(wanted["sections"], start=1):
            section = section_model.objects.create(
                questionnaire=questionnaire, position=number, title=section_data["title"]
            )
            for values in section_data["questions"]:
                position += 1
                rows.append(
                    question_model(
                        questionnaire=questionnaire, section=section, position=position, **values
                    )
                )
        question_model.objects.bulk_create(rows)
        if created is not None:
            created(questionnaire)
        questionnaire = publish(questionnaire) or questionnaire
        made.append(questionnaire)
    return made


@transaction.atomic
def ensure_builtin_questionnaires() -> list:
    """Load the built-in questionnaires (idempotent; see the module docstring), as the
    platform: each new revision is published through the workflow, with its history and audit
    rows. Returns the revisions created now (none when everything is loaded already)."""
    from dudao.audit import services as audit
    from dudao.core.guards import SYSTEM

    from . import questionnaire_services
    from .models import Question, Questionnaire, Section

    return sync(
        read_builtins(),
        questionnaires=Questionnaire.objects.unscoped(),
        section_model=Section,
        question_model=Question,
        publish=lambda q: questionnaire_services.publish(SYSTEM, q),
        created=lambda q: audit.record_create(SYSTEM, q),
    )
