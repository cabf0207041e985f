"""The ledger's rows written in Python (dudao/rectification/templatetags/ledger_rows.py) are
the rows the template wrote (tests/rectification/ledger_rows_reference.html, the markup they
replaced), character for character, in both languages, with every text escaped."""

import datetime
from pathlib import Path

import pytest
from django.core.paginator import Paginator
from django.template import Context, Template
from django.utils import timezone, translation

from dudao.rectification.ledger import filtered_findings, page_ids, rows_by_id
from dudao.rectification.models import Escalation, FindingStatus, FollowUp, Response, Severity
from dudao.rectification.templatetags.ledger_rows import ledger_rows
from tests.factories_supervision import FindingFactory, at

REFERENCE = Path(__file__).with_name("ledger_rows_reference.html").read_text(encoding="utf-8")


@pytest.fixture
def tricky(world):
    today = timezone.localdate()
    plain = FindingFactory(school=world.school, inspector=world.inspector)
    FindingFactory(
        school=world.school,
        inspector=None,
        description='<script>alert("x")</script> & ' + "很长的问题描述" * 20,
        severity=Severity.SERIOUS,
        status=FindingStatus.URGED,
        urge_count=1,
        is_overdue=True,
        escalated_to=Escalation.CITY,
        needs_other_department=True,
        found_on=today - datetime.timedelta(days=40),
    )
    FindingFactory(school=world.zone_school, urge_count=3, status=FindingStatus.URGED)
    closed = FindingFactory(
        school=world.school,
        status=FindingStatus.CLOSED,
        deadline_kind="on_the_spot",
        # 23:30 UTC is the next morning in Beijing: the local day is shown.
        closed_at=timezone.make_aware(
            datetime.datetime.combine(today - datetime.timedelta(days=3), datetime.time(23, 30)),
            datetime.UTC,
        ),
    )
    Response.objects.create(finding=plain, text="已整改<b>完毕</b>" * 10)
    FollowUp.objects.create(
        finding=plain, checked_at=at(today - datetime.timedelta(days=1)), result="passed"
    )
    return closed


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("page_number", [1, 2])
def test_rows_are_the_templates_rows(world, tricky, language, page_number):
    _form, qs = filtered_findings(world.admin, {})
    page = Paginator(page_ids(qs), 3).page(page_number)
    page.object_list = rows_by_id(qs, page.object_list)
    assert page.object_list
    with translation.override(language):
        ours = ledger_rows(page)
        theirs = Template(REFERENCE).render(Context({"page": page}))
    assert ours == theirs
    assert "<script>" not in ours and "<b>" not in ours
    assert "None" not in ours
