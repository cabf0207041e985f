"""Records for the work summary tests: a year of county A's work at the pinned date (Monday
23 November 2026), with rows on both sides of every boundary (the half-year, the year) and
rows the summary must leave out (a draft visit, the other county, a draft campaign)."""

import datetime

from django.utils import timezone

from dudao.bulletins import services as bulletin_services
from dudao.bulletins.models import Kind
from dudao.campaigns.models import Campaign, CampaignTarget
from dudao.rectification import services as rectification_services
from dudao.rectification.models import AccountabilityCase, Escalation, FindingStatus
from dudao.visits.models import Visit
from tests.campaigns.conftest import build_checklist
from tests.complaints.helpers import receive, replied
from tests.factories_supervision import FindingFactory, VisitFactory, at
from tests.reports.helpers import make_notice

D = datetime.date


def visit(w, school, inspector, day, *, unannounced=False, feedback=None, **fields):
    return VisitFactory(
        school=school,
        inspector=inspector,
        created_by=w.admin,
        visited_at=at(day),
        unannounced=unannounced,
        feedback_issued_at=at(feedback, 15) if feedback else None,
        **fields,
    )


def finding(w, school, inspector, found_on, *, status=FindingStatus.OPEN, **fields):
    if status == FindingStatus.CLOSED:
        fields.setdefault("closed_at", at(found_on + datetime.timedelta(days=3)))
    fields.setdefault("deadline", found_on + datetime.timedelta(days=7))
    return FindingFactory(
        school=school, inspector=inspector, found_on=found_on, status=status, **fields
    )


def build_year(w) -> dict:
    """The records; returns a few of them by name."""
    today = timezone.localdate()
    assert today == D(2026, 11, 23), "the records are laid out around the pinned day"
    made = {}
    # Visits: two the same day by one inspector (one inspector-day), the half-year's last and
    # the next half-year's first day, the previous year's last day, a draft, county B's.
    visit(w, w.school, w.inspector, D(2026, 3, 2), unannounced=True, feedback=D(2026, 3, 2))
    visit(w, w.zone_school, w.inspector, D(2026, 3, 2), feedback=D(2026, 3, 3))
    visit(w, w.zone_school, w.other_inspector, D(2026, 6, 30), unannounced=True)
    visit(w, w.school, w.inspector, D(2026, 7, 1), feedback=D(2026, 7, 1))
    visit(w, w.far_school, w.leader, D(2026, 10, 10), unannounced=True, feedback=D(2026, 10, 11))
    visit(w, w.school, w.inspector, D(2025, 12, 31), unannounced=True, feedback=D(2025, 12, 31))
    visit(w, w.school, w.inspector, D(2026, 4, 1), status=Visit.Status.DRAFT, submitted_at=None)
    foreign_admin = w.other_admin
    VisitFactory(
        school=w.foreign_school,
        inspector=w.foreign_inspector,
        created_by=foreign_admin,
        visited_at=at(D(2026, 5, 5)),
    )
    # Findings: areas, statuses, escalations on both sides of 30 June and 1 January.
    finding(w, w.school, w.inspector, D(2026, 1, 1), area=6, status=FindingStatus.CLOSED)
    finding(w, w.school, w.inspector, D(2026, 6, 30), area=2)
    finding(
        w,
        w.zone_school,
        w.other_inspector,
        D(2026, 3, 3),
        area=6,
        escalated_to=Escalation.COUNTY,
        status=FindingStatus.URGED,
    )
    finding(w, w.zone_school, w.other_inspector, D(2026, 4, 4), status=FindingStatus.WITHDRAWN)
    finding(w, w.far_school, w.leader, D(2026, 9, 9), area=3, status=FindingStatus.CLOSED)
    finding(w, w.school, w.inspector, D(2025, 12, 31), area=6)
    finding(w, w.foreign_school, w.foreign_inspector, D(2026, 2, 2))
    # A notice today (its findings found today), an accountability case opened in March.
    made["notice"] = make_notice(w)
    case = rectification_services.open_accountability_case(
        w.admin, office=w.office, target_kind="unit", target_name="湖滨小学"
    )
    AccountabilityCase.objects.unscoped().filter(pk=case.pk).update(opened_at=at(D(2026, 3, 9)))
    # Complaints: one received and solved, one still open (both today).
    replied(w)
    receive(w, school="zone_school")
    # A bulletin and a briefing published today; a draft bulletin.
    for kind in (Kind.BULLETIN, Kind.BRIEFING):
        draft = bulletin_services.create_bulletin(
            w.admin, w.office, kind=kind, title=f"关于{kind}的通报", body="各学校工作有序推进。"
        )
        bulletin_services.publish_bulletin(w.admin, draft)
    bulletin_services.create_bulletin(
        w.admin, w.office, kind=Kind.BULLETIN, title="草稿通报", body="草稿。"
    )
    # Campaigns: a held one (two schools checked, one not yet), a draft, one of 2025.
    checklist = build_checklist()
    for title, status, starts in (
        ("开学专项督导", Campaign.Status.CLOSED, D(2026, 2, 20)),
        ("草稿专项", Campaign.Status.DRAFT, D(2026, 5, 1)),
        ("去年专项", Campaign.Status.CLOSED, D(2025, 9, 1)),
    ):
        campaign = Campaign.objects.unscoped().create(
            office=w.office,
            title=title,
            theme="开学",
            starts_on=starts,
            ends_on=starts + datetime.timedelta(days=10),
            checklist=checklist,
            status=status,
            created_by=w.admin,
        )
        for position, (school, checked) in enumerate(
            ((w.school, True), (w.zone_school, True), (w.far_school, False)), 1
        ):
            CampaignTarget.objects.unscoped().create(
                campaign=campaign,
                office=w.office,
                school=school,
                position=position,
                status=CampaignTarget.Status.SUBMITTED
                if checked
                else CampaignTarget.Status.PENDING,
            )
    return made
