"""Set-up shared by the report tests and the authorisation matrix rows: visits, findings and
notices are made through the services (they carry the real rules)."""

import datetime
import io
import uuid

from django.utils import timezone

from dudao.rectification import services
from dudao.visits import services as visit_services


def in_days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def make_visit(actor, school, when=None):
    return visit_services.submit_visit(
        actor,
        uuid.uuid4(),
        school=school,
        visited_at=when or timezone.now(),
        methods=["campus_walk"],
    )


def make_notice(world, *, actor=None, school=None, descriptions=("消防通道堆放杂物",)):
    """A notice issued by the inspector (default) for findings from a fresh visit."""
    actor = actor or world.inspector_user
    school = school or world.school
    visit = make_visit(actor, school)
    findings = [
        services.create_finding(
            actor,
            school=school,
            visit=visit,
            area=6,
            description=text,
            deadline_kind="by_date",
            deadline=in_days(14),
            required_action=f"立即清理：{text}",
        )
        for text in descriptions
    ]
    return services.issue_notice(
        actor,
        findings,
        expected_versions={f.pk: f.version for f in findings},
        deadline=in_days(10),
    )


def docx_text(content: bytes) -> str:
    """All the text of a Word file: paragraphs, then table cells."""
    from docx import Document

    document = Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def docx_tables(content: bytes) -> list[list[list[str]]]:
    from docx import Document

    document = Document(io.BytesIO(content))
    return [[[c.text for c in row.cells] for row in table.rows] for table in document.tables]


def body(response) -> bytes:
    return b"".join(response.streaming_content)
