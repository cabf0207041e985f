"""The figures of a half-year or annual work summary (issue 15 §4, docs/rules.md §30), for
the office, a zone or an inspector, each with the list it comes from.

Every figure is counted on the list page it links to, through that list's own filter
function and the reader's scope, so the figure and the list cannot drift apart:

- visits: `scoping.visits_for` + `visits.queries.filter_visit_list` (the visit list), counted
  by `visits.queries.visit_counts` (the monthly reports' counting);
- feedback letters: `reports.builders.feedback_letters` (the monthly reports');
- findings: `rectification.ledger.filtered_findings` (the ledger); the on-time rate:
  `rectification.queries.on_time_rate` (the one definition, §10);
- notices and accountability cases: `rectification.queries.notices_issued`,
  `cases_started_and_closed` over `filter_notice_list` / `filter_case_list`;
- campaigns: `campaigns.forms.filter_campaign_list`; evaluation rounds:
  `evaluations.round_forms.filter_round_list`; complaints: `complaints.queries.
  filtered_complaints`; bulletins: `bulletins.queries.filter_published`.

A fixed number of aggregate queries whatever the number of rows (about twenty)."""

import datetime
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.apps import apps
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from dudao.accounts import scoping
from dudao.accounts.models import Role
from dudao.bulletins import queries as bulletin_queries
from dudao.bulletins.models import Bulletin, Kind
from dudao.campaigns.forms import filter_campaign_list
from dudao.campaigns.models import CampaignTarget
from dudao.complaints.models import SOLVED_STATUSES
from dudao.complaints.queries import filtered_complaints
from dudao.core import guards
from dudao.core.supervision_items import ALL_ITEMS
from dudao.evaluations.round_forms import filter_round_list
from dudao.inspectors.models import Inspector, Zone
from dudao.organisations.models import Office
from dudao.rectification import queries as rectification_queries
from dudao.rectification.ledger import filtered_findings
from dudao.rectification.models import Escalation, FindingStatus
from dudao.reports.builders import feedback_letters
from dudao.visits import queries as visit_queries
from dudao.visits.models import Visit

from .periods import Period

OFFICE, ZONE, INSPECTOR = "office", "zone", "inspector"
READ_ROLES = (Role.OFFICE_ADMIN, Role.ZONE_LEADER, Role.INSPECTOR)


# --- whose summary ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Subject:
    """Whose summary: the office, one zone or one inspector."""

    kind: str
    office: Office
    zone: Zone | None = None
    inspector: Inspector | None = None

    @property
    def key(self) -> str:
        if self.kind == ZONE:
            return f"{ZONE}-{self.zone.pk}"
        if self.kind == INSPECTOR:
            return f"{INSPECTOR}-{self.inspector.pk}"
        return OFFICE

    @property
    def name(self) -> str:
        if self.kind == ZONE:
            return self.zone.name
        if self.kind == INSPECTOR:
            return self.inspector.name
        return self.office.name

    @property
    def label(self) -> str:
        if self.kind == ZONE:
            return _("Zone: %(name)s") % {"name": self.zone.name}
        if self.kind == INSPECTOR:
            return _("Inspector: %(name)s") % {"name": self.inspector.name}
        return _("The whole office: %(name)s") % {"name": self.office.name}


def can_read(user) -> bool:
    """Office admins (their office, its zones and inspectors), zone leaders (the zones they
    lead and their inspectors) and inspectors (their own). Viewers and the superuser hold no
    office: the city's roll-up is theirs."""
    if not user.is_authenticated or user.is_superuser or user.role not in READ_ROLES:
        return False
    if user.role == Role.OFFICE_ADMIN:
        return bool(user.office_id)
    return bool(user.inspector_id)


def subjects_for(user) -> list[Subject]:
    """The summaries `user` may read, the widest first. Two queries."""
    if not can_read(user):
        return []
    subjects = []
    zones = scoping.zones_for(user).select_related("office").order_by("pk")
    inspectors = (
        scoping.inspectors_for(user).filter(is_active=True).select_related("office")
    ).order_by("name", "pk")
    if user.role == Role.OFFICE_ADMIN:
        subjects.append(Subject(OFFICE, user.office))
    if user.role != Role.INSPECTOR:
        subjects += [Subject(ZONE, zone.office, zone=zone) for zone in zones]
    subjects += [
        Subject(INSPECTOR, inspector.office, inspector=inspector) for inspector in inspectors
    ]
    return subjects


def subject_for(user, key: str | None) -> Subject | None:
    """The subject named `key` among `subjects_for(user)`; without a key the widest. None
    when the user may read none, or not that one."""
    subjects = subjects_for(user)
    if not key:
        return subjects[0] if subjects else None
    return next((subject for subject in subjects if subject.key == key), None)


def can_edit(user, subject: Subject) -> bool:
    """The office edits the narrative (issue 15 §4): its office admin."""
    return guards.is_office_admin(user, subject.office)


# --- the figures -----------------------------------------------------------------------------


@dataclass
class Figure:
    key: str
    label: str
    value: int | str
    url: str = ""  # the list behind the figure, filtered to reproduce it
    note: str = ""


@dataclass
class Group:
    label: str
    figures: list[Figure] = field(default_factory=list)


@dataclass
class Summary:
    subject: Subject
    period: Period
    today: datetime.date
    groups: list[Group]
    by_item: list[Figure]  # problems found per supervision item
    values: dict  # key → value, for the report's text and the tests
    methods: dict[str, int]  # visits per method (`VisitMethod`)


def link(name: str, params: dict) -> str:
    return f"{reverse(name)}?{urlencode({k: v for k, v in params.items() if v != ''})}"


def rate_text(part: int, whole: int) -> str:
    return f"{round(100 * part / whole, 1):g}%" if whole else "—"


def training_sessions(subject: Subject, period: Period) -> Figure | None:
    """The training sessions (培训) the office held in the period, when the training app is
    installed (issue 15 §2, `dudao.training.queries.sessions_held`), else None. The session
    list filters by calendar year: a whole year links to it; a half-year or a range does
    not (its note says so)."""
    if not apps.is_installed("dudao.training"):  # pragma: no cover (an optional app)
        return None
    from dudao.training import queries as training_queries  # optional app

    held = training_queries.sessions_held(subject.office, period.first, period.last)
    whole_year = period.first == datetime.date(period.year, 1, 1) and period.last == (
        datetime.date(period.year, 12, 31)
    )
    return Figure(
        "training",
        _("Training sessions held"),
        held.order_by().count(),
        link("training:list", {"year": str(period.year)}) if whole_year else "",
        note="" if whole_year else _("the session list filters by year only"),
    )


def compute(user, subject: Subject, period: Period, today: datetime.date) -> Summary:
    """The summary's figures for `subject` over `period` as `user` may see them, as of
    `today` (a finding's status, the on-time rate)."""
    first, last = period.first, period.last
    days = {"from": first.isoformat(), "to": last.isoformat()}
    narrow: dict[str, str] = {}  # the list filter naming the zone or the inspector
    if subject.kind == ZONE:
        narrow = {"zone": str(subject.zone.pk)}
    elif subject.kind == INSPECTOR:
        narrow = {"inspector": str(subject.inspector.pk)}
    groups = []

    # Routine supervision (经常性督导): the visit list, submitted visits of the period.
    visit_params = {
        "status": Visit.Status.SUBMITTED,
        "visited_from": days["from"],
        "visited_to": days["to"],
        **narrow,
    }
    visits = scoping.visits_for(user).filter(status=Visit.Status.SUBMITTED)
    letters = feedback_letters(user, first, last)
    if subject.kind == INSPECTOR:
        visits = visits.filter(inspector=subject.inspector)
        letters = letters.filter(inspector=subject.inspector)
    elif subject.kind == ZONE:
        letters = letters.filter(school__zone=subject.zone)
    else:
        visits = visits.filter(office=subject.office)
        letters = letters.filter(office=subject.office)
    visits = visit_queries.filter_visit_list(
        visits, {"zone": subject.zone, "visited_from": first, "visited_to": last}
    )
    counts = visit_queries.visit_counts(visits)
    schools = visits.order_by().aggregate(n=Count("school", distinct=True))["n"]
    field_days = visits.order_by().values("inspector", "visited_on").distinct().count()
    letter_count = letters.order_by().count()
    visit_url = link("visits:list", visit_params)
    groups.append(
        Group(
            _("Routine supervision"),
            [
                Figure(
                    "field_days", _("Days in the field (inspector-days)"), field_days, visit_url
                ),
                Figure("visits", _("School visits"), counts["visits"], visit_url),
                Figure("schools", _("Schools covered"), schools, visit_url),
                Figure(
                    "unannounced",
                    _("Unannounced visits"),
                    counts["unannounced"],
                    link("visits:list", {**visit_params, "unannounced": "yes"}),
                ),
                Figure(
                    "unannounced_share",
                    _("Share of unannounced visits"),
                    rate_text(counts["unannounced"], counts["visits"]),
                ),
                Figure(
                    "feedback_letters",
                    _("Written feedback letters"),
                    letter_count,
                    link(
                        "visits:list",
                        {"feedback_from": days["from"], "feedback_to": days["to"], **narrow},
                    ),
                ),
            ],
        )
    )

    # Rectification (整改): the ledger, the findings found in the period.
    ledger_params = {"found_from": days["from"], "found_to": days["to"], **narrow}
    _form, found = filtered_findings(user, ledger_params)
    found = found.order_by()
    row = found.aggregate(
        found=Count("pk"),
        closed=Count("pk", filter=Q(status=FindingStatus.CLOSED)),
        withdrawn=Count("pk", filter=Q(status=FindingStatus.WITHDRAWN)),
        escalated=Count("pk", filter=~Q(escalated_to=Escalation.NONE)),
    )
    by_area = dict(found.values("area").annotate(n=Count("pk")).values_list("area", "n"))
    _form, everything = filtered_findings(user, narrow)
    on_time = rectification_queries.on_time_rate(
        everything.order_by(), {"period": (first, last)}, today
    )["period"]
    ledger = "rectification:ledger"
    rectification = [
        Figure("findings", _("Problems found"), row["found"], link(ledger, ledger_params)),
        Figure(
            "rectified",
            _("Problems rectified"),
            row["closed"],
            link(ledger, {**ledger_params, "status": FindingStatus.CLOSED}),
        ),
        Figure(
            "rectified_rate",
            _("Rectification rate"),
            rate_text(row["closed"], row["found"] - row["withdrawn"]),
            note=_("rectified of the problems found, withdrawn ones left out"),
        ),
        Figure(
            "on_time_rate",
            _("On-time rectification rate"),
            rate_text(on_time["on_time"], on_time["due"]),
            note=_("%(on_time)s of %(due)s problems due in the period") % on_time,
        ),
        Figure(
            "escalated",
            _("Problems escalated"),
            row["escalated"],
            link(ledger, {**ledger_params, "escalated": "any"}),
        ),
    ]
    values = {"on_time": on_time["on_time"], "due": on_time["due"], "withdrawn": row["withdrawn"]}
    if subject.kind != INSPECTOR:
        notices = rectification_queries.filter_notice_list(
            scoping.notices_for(user).filter(office=subject.office), narrow
        )
        rectification.insert(
            1,
            Figure(
                "notices",
                _("Rectification notices issued"),
                rectification_queries.notices_issued(notices, first, last),
                link(
                    "rectification:notice_list",
                    {"issued_from": days["from"], "issued_to": days["to"], **narrow},
                ),
            ),
        )
    if subject.kind == OFFICE:
        cases = rectification_queries.cases_started_and_closed(
            scoping.accountability_cases_for(user).filter(office=subject.office), first, last
        )
        rectification += [
            Figure(
                "cases_started",
                _("Accountability cases started"),
                cases["started"],
                link(
                    "rectification:case_list",
                    {"opened_from": days["from"], "opened_to": days["to"]},
                ),
            ),
            Figure(
                "cases_closed",
                _("Accountability cases closed"),
                cases["closed"],
                link(
                    "rectification:case_list",
                    {"closed_from": days["from"], "closed_to": days["to"]},
                ),
            ),
        ]
    groups.append(Group(_("Rectification"), rectification))
    by_item = [
        Figure(
            f"item_{item.number}",
            item.text,
            by_area[item.number],
            link(ledger, {**ledger_params, "area": str(item.number)}),
        )
        for item in ALL_ITEMS
        if by_area.get(item.number)
    ]

    if subject.kind == OFFICE:
        groups += office_groups(user, subject, period, days)

    for group in groups:
        for figure in group.figures:
            values[figure.key] = figure.value
    values["by_item"] = {figure.key: figure.value for figure in by_item}
    return Summary(
        subject=subject,
        period=period,
        today=today,
        groups=groups,
        by_item=by_item,
        values=values,
        methods=counts["methods"],
    )


def office_groups(user, subject: Subject, period: Period, days: dict) -> list[Group]:
    """The office's own work: campaigns, evaluations, the public channels, documents and
    training (the office summary only)."""
    office = subject.office
    campaign_params = {"held": "yes", "starts_from": days["from"], "starts_to": days["to"]}
    campaigns = filter_campaign_list(
        scoping.campaigns_for(user).filter(office=office),
        {"held": "yes", "starts_from": period.first, "starts_to": period.last},
    )
    checked = (
        scoping.campaign_targets_for(user)
        .filter(campaign__in=campaigns, status=CampaignTarget.Status.SUBMITTED)
        .order_by()
        .count()
    )
    round_params = {"published_from": days["from"], "published_to": days["to"]}
    rounds = filter_round_list(
        scoping.rounds_for(user).filter(office=office),
        {"published_from": period.first, "published_to": period.last},
    )
    complaint_params = {"received_from": days["from"], "received_to": days["to"]}
    _form, complaints = filtered_complaints(user, complaint_params)
    complaint_row = (
        complaints.filter(office=office)
        .order_by()
        .aggregate(received=Count("pk"), solved=Count("pk", filter=Q(status__in=SOLVED_STATUSES)))
    )
    bulletin_params = {
        "status": Bulletin.Status.PUBLISHED,
        "published_from": days["from"],
        "published_to": days["to"],
    }
    documents = bulletin_queries.filter_published(
        scoping.bulletins_for(user).filter(office=office, status=Bulletin.Status.PUBLISHED),
        bulletin_params,
    )
    kinds = documents.order_by().aggregate(
        bulletins=Count("pk", filter=Q(kind=Kind.BULLETIN)),
        briefings=Count("pk", filter=Q(kind=Kind.BRIEFING)),
    )
    work = [
        Figure(
            "campaigns",
            _("Special campaigns held"),
            campaigns.order_by().count(),
            link("campaigns:list", campaign_params),
        ),
        Figure(
            "campaign_schools",
            _("School checks in campaigns"),
            checked,
            link("campaigns:list", campaign_params),
            note=_("schools checked, summed over the campaigns listed"),
        ),
        Figure(
            "rounds",
            _("Evaluation rounds published"),
            rounds.order_by().count(),
            link("evaluations:round_list", round_params),
        ),
    ]
    training = training_sessions(subject, period)
    if training is not None:
        work.append(training)
    public = [
        Figure(
            "complaints",
            _("Complaints received"),
            complaint_row["received"],
            link("complaints:list", complaint_params),
        ),
        Figure(
            "complaints_solved",
            _("Complaints solved"),
            complaint_row["solved"],
            link("complaints:list", {**complaint_params, "solved": "yes"}),
        ),
        Figure(
            "bulletins",
            _("Bulletins issued"),
            kinds["bulletins"],
            link("bulletins:list", {**bulletin_params, "kind": Kind.BULLETIN}),
        ),
        Figure(
            "briefings",
            _("Briefings issued"),
            kinds["briefings"],
            link("bulletins:list", {**bulletin_params, "kind": Kind.BRIEFING}),
        ),
    ]
    return [Group(_("Special work"), work), Group(_("Public channels and documents"), public)]
