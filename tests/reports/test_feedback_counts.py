"""The month-end reports count the written feedback letters (书面反馈意见书) issued to schools
in the month (issue 11 §4): in the inspector's monthly report and the office's summary, on
Beijing days, in the reader's scope."""

import datetime

from django.utils import translation

from dudao.reports import builders, exporter
from dudao.visits import services
from dudao.visits.models import Visit
from tests.clock import DEFAULT_NOW, moment

from .helpers import docx_tables, docx_text
from .test_monthly import get, inspector_url, last_month, october, office_url, period

__all__ = ["october"]  # the fixture


def issue(clock, actor, visit, when):
    clock.move_to(when)
    services.issue_feedback_letter(actor, visit)


def test_feedback_letters_issued_in_the_month_are_counted(world, client, clock, october):
    first = last_month()
    mine = list(
        Visit.objects.unscoped()
        .filter(inspector=world.inspector, status="submitted")
        .order_by("visited_at")
    )
    other = Visit.objects.unscoped().get(inspector=world.other_inspector)
    foreign = Visit.objects.unscoped().get(inspector=world.foreign_inspector)
    at_day = lambda n, hour=10: moment(first.year, first.month, n, hour)  # noqa: E731
    issue(clock, world.inspector_user, mine[0], at_day(5, 16))
    issue(clock, world.inspector_user, mine[1], at_day(12))
    issue(clock, world.admin, other, at_day(21))
    issue(clock, world.other_admin, foreign, at_day(7))  # another county
    # 00:30 on the 1st in Beijing is still the month before in UTC: next month's letter
    next_first = (first + datetime.timedelta(days=40)).replace(day=1)
    issue(clock, world.inspector_user, mine[2], moment(next_first.year, next_first.month, 1, 0, 30))
    clock.move_to(DEFAULT_NOW)

    report = exporter.build("inspector_monthly", world.admin, world.inspector, *period())
    assert report.figures["feedback_letters"] == 2
    summary = exporter.build("office_monthly", world.admin, world.office, *period())
    assert summary.figures["feedback_letters"] == 3
    assert (
        exporter.build("office_monthly", world.other_admin, world.other_office, *period()).figures[
            "feedback_letters"
        ]
        == 1
    )

    with translation.override("zh-hans"):  # documents are Chinese whatever the UI says
        sentences = {n: builders.feedback_sentence(n) for n in (2, 3)}
    client.force_login(world.admin)
    content = get(client, office_url())
    assert sentences[3] in docx_text(content)
    assert docx_tables(content)[0][5][1] == "3"  # after the days in the field
    client.force_login(world.inspector_user)
    content = get(client, inspector_url(world))
    assert sentences[2] in docx_text(content)
    assert docx_tables(content)[0][5][1] == "2"
