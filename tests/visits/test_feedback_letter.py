"""The visit's written feedback to the school (书面反馈意见书, issue 11 §1): DOCX and PDF from
the visit page through the one exporter, signature lines for the inspector and the school's
head, the next visit's plan, and the date it was issued (counted by reports)."""

import datetime
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from dudao.reports import exporter, feedback
from dudao.visits import services
from dudao.visits.models import Visit, VisitEvent
from tests.reports.helpers import body, docx_tables, docx_text


@pytest.fixture
def visit(world):
    deadline = timezone.localdate() + datetime.timedelta(days=14)
    return services.submit_visit(
        world.inspector_user,
        uuid.uuid4(),
        school=world.school,
        visited_at=timezone.now(),
        methods=["campus_walk", "class_visit"],
        minimums=["class_attended"],
        feedback="学校整体管理规范，课堂秩序良好。\n请完善食堂留样记录。",
        next_visit_plan="下月中旬回访，查看食堂留样整改情况。",
        areas=[
            {"area": 1, "status": "fine", "note": "制度健全"},
            {
                "area": 7,
                "status": "problem",
                "note": "食堂留样记录不全",
                "finding": {"deadline_kind": "by_date", "deadline": deadline},
            },
            {
                "area": 6,
                "status": "problem",
                "note": "消防通道堆放杂物",
                "finding": {"deadline_kind": "on_the_spot"},
            },
        ],
    )


def test_docx_names_the_school_findings_plan_and_signatures(world, client, visit):
    client.force_login(world.school_user)  # the letter is addressed to the school
    response = client.get(reverse("reports:visit_feedback_docx", args=[visit.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == exporter.CONTENT_TYPES["docx"]
    content = body(response)
    text = docx_text(content)
    assert exporter.build(feedback.KIND, world.school_user, visit.pk).title in text
    assert "湖滨小学：" in text
    assert "张督学" in text
    assert "下月中旬回访，查看食堂留样整改情况。" in text
    assert "请完善食堂留样记录。" in text
    assert world.office.name in text
    assert "督学签字" in text and "学校负责人签字" in text
    items, problems = docx_tables(content)
    assert len(items) == 1 + 8  # header + the eight items
    assert items[7][2] == "发现问题"
    assert [row[2] for row in problems[1:]] == ["消防通道堆放杂物", "食堂留样记录不全"]
    assert problems[1][3] == "立行立改"


def test_pdf(world, client, visit):
    client.force_login(world.inspector_user)
    response = client.get(reverse("reports:visit_feedback_pdf", args=[visit.pk]))
    if response.status_code == 503:
        pytest.skip("no CJK font for WeasyPrint")
    assert response.status_code == 200
    content = body(response)
    assert content.startswith(b"%PDF")


def test_no_findings_says_so(world, visit):
    plain = services.submit_visit(
        world.inspector_user, uuid.uuid4(), school=world.school, visited_at=timezone.now()
    )
    report = exporter.build(feedback.KIND, world.inspector_user, plain.pk)
    assert report.figures["findings"] == 0
    texts = [p for s in report.sections for p in s.paragraphs]
    with_findings = exporter.build(feedback.KIND, world.inspector_user, visit.pk)
    assert with_findings.figures["findings"] == 2
    with translation.override("zh-hans"):
        none_found = gettext("No problems were found in this visit.")
    assert none_found in texts


def test_issue_records_the_date_once(world, client, visit):
    client.force_login(world.inspector_user)
    url = reverse("visits:feedback_issue", args=[visit.pk])
    assert client.post(url).status_code == 302
    visit.refresh_from_db()
    first = visit.feedback_issued_at
    assert first is not None
    assert client.post(url).status_code == 302
    visit.refresh_from_db()
    assert visit.feedback_issued_at == first
    assert VisitEvent.objects.filter(visit=visit, action="feedback_issued").count() == 1
    page = client.get(reverse("visits:detail", args=[visit.pk])).content.decode()
    assert reverse("reports:visit_feedback_docx", args=[visit.pk]) in page
    assert 'data-testid="feedback-issue"' not in page  # issued already
    # counted: submitted visits with a letter issued
    assert Visit.objects.unscoped().filter(feedback_issued_at__isnull=False).count() == 1


def test_a_draft_has_no_letter(world):
    draft = services.save_draft(world.inspector_user, world.school, uuid.uuid4())
    from dudao.core.errors import DomainError

    with pytest.raises(DomainError):
        services.issue_feedback_letter(world.inspector_user, draft)
    from django.http import Http404

    with pytest.raises(Http404):
        exporter.build(feedback.KIND, world.inspector_user, draft.pk)


def test_only_the_recorder_or_the_office_issues(world, visit):
    from dudao.core.errors import NotPermitted

    personas = world.personas()
    for actor in (personas["school"], personas["other_admin"], personas["zone_leader"]):
        with pytest.raises(NotPermitted):
            services.issue_feedback_letter(actor, visit)
    visit.refresh_from_db()
    assert visit.feedback_issued_at is None
    services.issue_feedback_letter(world.admin, visit)


def test_renders_on_a4_in_libreoffice_with_the_signature_block_on_one_page(
    world, client, visit, tmp_path
):
    from tests.libreoffice import rendered, squeezed

    client.force_login(world.admin)
    content = body(client.get(reverse("reports:visit_feedback_docx", args=[visit.pk])))
    result = rendered(content, tmp_path, "feedback")
    assert result.is_a4_portrait
    assert result.pages <= 2
    text = squeezed(result.text)
    title = squeezed(exporter.build(feedback.KIND, world.admin, visit.pk).title)
    for needle in (title, "湖滨小学：", "消防通道堆放杂物", "下月中旬回访"):
        assert needle in text
    pages = result.text.split("\f")
    block = [
        i
        for i, page in enumerate(pages)
        for needle in ("督学签字", "学校负责人签字", world.office.name[-6:])
        if needle in squeezed(page)
    ]
    assert len(block) == 3 and len(set(block)) == 1, block  # the block is not split
    last = squeezed(pages[block[0]])
    assert last.index("督学签字") < last.index("学校负责人签字")
    # both date blanks on the signature lines
    assert last.count("日期：") >= 2
