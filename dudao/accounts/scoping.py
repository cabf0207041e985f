"""What each role may see: the visibility rule of every scoped model (dudao/core/scopes.py).
`Model.objects.visible_to(user)` and the `*_for(user)` functions here are the same rule; a
query on a scoped model that chose no scope fails (ScopeNotChosen), so none can forget it.

- office admin: everything of its county's office
- zone leader: the schools of the zones they lead, plus their own assigned schools
- inspector: the schools currently assigned to them (`Assignment.objects.current()`: started
  and not yet ended, the one meaning of "current")
- school user: its own school
- viewer: every office under its city or province
"""

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from dudao.api.models import ApiToken
from dudao.audit.models import AuditEntry
from dudao.bulletins.models import Bulletin, BulletinRead, BulletinRecipient
from dudao.campaigns.models import Campaign, CampaignTarget
from dudao.checklists.models import ChecklistTemplate
from dudao.complaints.models import Complaint, ComplaintPhoto
from dudao.core import request_memo
from dudao.core.scopes import scope_rule
from dudao.evaluations.models import Framework, Rater, Round, RoundTarget
from dudao.imports.models import ImportJob
from dudao.inspectors.models import (
    Assignment,
    Certificate,
    Conflict,
    Inspector,
    Term,
    Zone,
    current_school_ids,
)
from dudao.monitoring.models import Evaluation, MonthlyReturn, SchoolResources
from dudao.notifications.models import Notification
from dudao.organisations.models import GovernmentUnit, Office
from dudao.rectification.models import AccountabilityCase, Finding, Notice
from dudao.reports.models import ExportJob, MonthlyReportText
from dudao.returns.models import PeriodicReturn, ReturnPeriod, ReturnSubmission
from dudao.rollup.models import OfficeMonth, SchoolMonth
from dudao.schools.models import School
from dudao.signboards.models import SignboardBatch
from dudao.summaries.models import SummaryText
from dudao.surveys.models import Answer as SurveyAnswer
from dudao.surveys.models import Questionnaire, Response, Survey, SurveySchool
from dudao.training.models import Attendance, Session
from dudao.visits.models import FocusPoint, Visit
from dudao.webhooks.models import Delivery as RobotDelivery
from dudao.webhooks.models import Robot

from .models import Role, User


def offices_for(user: User) -> QuerySet[Office]:
    qs = Office.objects.all()
    if user.is_superuser:
        return qs
    if user.role == Role.VIEWER and user.region_id:
        return qs.filter(region__path__startswith=user.region.path)
    if user.office_id:
        return qs.filter(pk=user.office_id)
    return qs.none()


@scope_rule(School)
def schools_for(user: User) -> QuerySet[School]:
    qs = School.objects.unscoped()
    if user.is_superuser:
        return qs
    role = user.role
    if role == Role.OFFICE_ADMIN:
        return qs.filter(office_id=user.office_id)
    if role == Role.VIEWER:
        return qs.filter(office__in=offices_for(user))
    if role == Role.SCHOOL:
        return qs.filter(pk=user.school_id)
    if role in (Role.INSPECTOR, Role.ZONE_LEADER) and user.inspector_id:
        mine = Q(pk__in=current_school_ids(user.inspector_id))
        if role == Role.ZONE_LEADER:
            mine |= Q(zone__leader_id=user.inspector_id)
        return qs.filter(mine, office_id=user.inspector.office_id)
    return qs.none()


@scope_rule(Zone)
def zones_for(user: User) -> QuerySet[Zone]:
    qs = Zone.objects.unscoped()
    if user.is_superuser:
        return qs
    if user.role == Role.OFFICE_ADMIN:
        return qs.filter(office_id=user.office_id)
    if user.role == Role.VIEWER:
        return qs.filter(office__in=offices_for(user))
    if user.role == Role.ZONE_LEADER and user.inspector_id:
        return qs.filter(leader_id=user.inspector_id)
    return qs.none()


@scope_rule(Inspector)
def inspectors_for(user: User) -> QuerySet[Inspector]:
    qs = Inspector.objects.unscoped()
    if user.is_superuser:
        return qs
    if user.role == Role.OFFICE_ADMIN:
        return qs.filter(office_id=user.office_id)
    if user.role == Role.VIEWER:
        return qs.filter(office__in=offices_for(user))
    if user.role == Role.ZONE_LEADER and user.inspector_id:
        return qs.filter(Q(zone__leader_id=user.inspector_id) | Q(pk=user.inspector_id))
    if user.role == Role.INSPECTOR and user.inspector_id:
        return qs.filter(pk=user.inspector_id)
    return qs.none()


@scope_rule(Assignment)
def assignments_for(user: User) -> QuerySet[Assignment]:
    qs = Assignment.objects.unscoped()
    if user.is_superuser:
        return qs
    if user.role in (Role.OFFICE_ADMIN, Role.VIEWER):
        return qs.filter(school__office__in=offices_for(user))
    if user.role == Role.ZONE_LEADER and user.inspector_id:
        return qs.filter(
            Q(inspector_id=user.inspector_id) | Q(school__zone__leader_id=user.inspector_id)
        )
    if user.role == Role.INSPECTOR and user.inspector_id:
        return qs.filter(inspector_id=user.inspector_id)
    if user.role == Role.SCHOOL:
        return qs.filter(school_id=user.school_id)
    return qs.none()


def users_for(user: User) -> QuerySet[User]:
    """Accounts an office admin manages: those of its own office's county."""
    qs = User.objects.all()
    if user.is_superuser:
        return qs
    if user.role == Role.OFFICE_ADMIN:
        return qs.filter(office_id=user.office_id, is_superuser=False)
    return qs.none()


def inspector_school_ids(user: User) -> list[int]:
    """The ids of the schools an inspector or zone leader may see, as a list: records scoped
    "by school" filter on these literal ids. A subquery in an OR (`school IN (subquery) OR
    created_by OR inspector`) made PostgreSQL scan every finding of a province (~970 000 rows,
    ~520 ms); the literal list is an index lookup (~1 ms). Read once per request."""
    return request_memo.memoised(
        ("inspector_school_ids", user.pk, user.role, timezone.localdate()),
        lambda: list(schools_for(user).values_list("pk", flat=True)),
    )


@scope_rule(Visit)
def visits_for(user):
    """Visits a user may read. Drafts are private to whoever recorded them (and the office
    admin); submitted visits follow the school's scope, plus an inspector's own visits to
    schools since reassigned; a school sees the submitted visits to itself (their feedback)."""
    qs = Visit.objects.unscoped()
    if user.is_superuser:
        return qs
    submitted = Q(status=Visit.Status.SUBMITTED)
    if user.role == Role.OFFICE_ADMIN:
        return qs.filter(office_id=user.office_id)
    if user.role == Role.VIEWER:
        return qs.filter(submitted, office__in=offices_for(user))
    if user.role == Role.SCHOOL:
        return qs.filter(submitted, school_id=user.school_id)
    if user.role in (Role.INSPECTOR, Role.ZONE_LEADER) and user.inspector_id:
        return qs.filter(
            Q(created_by_id=user.pk)
            | (
                submitted
                & (Q(school_id__in=inspector_school_ids(user)) | Q(inspector_id=user.inspector_id))
            )
        )
    return qs.none()


@scope_rule(Finding)
def findings_for(user):
    """Findings (问题) a user may read: the office's; a viewer's offices'; an inspector's or
    zone leader's schools' plus those they recorded or are named on; a school's own."""
    qs = Finding.objects.unscoped()
    if user.is_superuser:
        return qs
    if user.role == Role.OFFICE_ADMIN:
        return qs.filter(office_id=user.office_id)
    if user.role == Role.VIEWER:
        return qs.filter(office__in=offices_for(user))
    if user.role == Role.SCHOOL:
        return qs.filter(school_id=user.school_id)
    if user.role in (Role.INSPECTOR, Role.ZONE_LEADER) and user.inspector_id:
        return qs.filter(
            Q(school_id__in=inspector_school_ids(user))
            | Q(created_by_id=user.pk)
            | Q(inspector_id=user.inspector_id)
        )
    return qs.none()


@scope_rule(Notice)
def notices_for(user):
    """Rectification notices (整改通知书): those of the schools the user may see."""
    qs = Notice.objects.unscoped()
    if user.is_superuser:
        return qs
    if user.role in (Role.OFFICE_ADMIN, Role.VIEWER):
        return qs.filter(office__in=offices_for(user))
    if user.role == Role.SCHOOL:
        return qs.filter(school_id=user.school_id)
    if user.role in (Role.INSPECTOR, Role.ZONE_LEADER) and user.inspector_id:
        return qs.filter(Q(school_id__in=inspector_school_ids(user)) | Q(issued_by_id=user.pk))
    return qs.none()


@scope_rule(AccountabilityCase)
def accountability_cases_for(user):
    """Accountability cases (问责): the office and the viewers above it only."""
    qs = AccountabilityCase.objects.unscoped()
    if user.is_superuser:
        return qs
    if user.role in (Role.OFFICE_ADMIN, Role.VIEWER):
        return qs.filter(office__in=offices_for(user))
    return qs.none()


@scope_rule(Conflict)
def conflicts_for(user):
    """Recorded conflicts of interest (回避): the office's, the viewers' offices', and an
    inspector's own."""
    qs = Conflict.objects.unscoped()
    if user.is_superuser:
        return qs
    if user.role in (Role.OFFICE_ADMIN, Role.VIEWER):
        return qs.filter(inspector__office__in=offices_for(user))
    if user.inspector_id:
        return qs.filter(inspector_id=user.inspector_id)
    return qs.none()


def _inspector_records(user, qs):
    """Rows about an inspector (terms, certificates, training attendance, docs/rules.md §31):
    visible with the inspector (`inspectors_for`: the office, the viewers above it, a zone
    leader's zone and everyone's own)."""
    if user.is_superuser:
        return qs
    if user.role in (Role.OFFICE_ADMIN, Role.VIEWER):
        return qs.filter(office__in=offices_for(user))
    if user.role in (Role.ZONE_LEADER, Role.INSPECTOR) and user.inspector_id:
        return qs.filter(inspector__in=inspectors_for(user))
    return qs.none()


@scope_rule(Term)
def terms_for(user):
    """Inspectors' terms of appointment (任期): with the inspector record."""
    return _inspector_records(user, Term.objects.unscoped())


@scope_rule(Certificate)
def certificates_for(user):
    """Inspectors' certificates (督学资格证, 培训合格证): with the inspector record."""
    return _inspector_records(user, Certificate.objects.unscoped())


@scope_rule(Attendance)
def training_attendance_for(user):
    """Training attendance (docs/rules.md §29): the office's and the viewers' offices'; a zone
    leader's zone and an inspector's own."""
    return _inspector_records(user, Attendance.objects.unscoped())


@scope_rule(Session)
def training_sessions_for(user):
    """Training sessions: the office's, the viewers' offices', and those of an inspector's or
    zone leader's own office (the office trains all its inspectors). Schools see none."""
    qs = Session.objects.unscoped()
    if user.is_superuser:
        return qs
    if user.role in (Role.OFFICE_ADMIN, Role.VIEWER):
        return qs.filter(office__in=offices_for(user))
    if user.role in (Role.ZONE_LEADER, Role.INSPECTOR) and user.inspector_id:
        return qs.filter(office_id=user.inspector.office_id)
    return qs.none()


def get_term_for(user, pk) -> Term:
    return get_or_404(terms_for(user).select_related("inspector"), pk=pk)


def get_certificate_for(user, pk) -> Certificate:
    return get_or_404(certificates_for(user).select_related("inspector"), pk=pk)


def get_training_session_for(user, pk) -> Session:
    return get_or_404(training_sessions_for(user).select_related("office"), pk=pk)


@scope_rule(AuditEntry)
def audit_entries_for(user):
    """The audit log: an office admin reads its office's entries; nobody else but a
    superuser reads any."""
    qs = AuditEntry.objects.unscoped()
    if user.is_superuser:
        return qs
    if user.role == Role.OFFICE_ADMIN and user.office_id:
        return qs.filter(office_id=user.office_id)
    return qs.none()


@scope_rule(ImportJob)
def import_jobs_for(user):
    """Spreadsheet imports: the office admin's office's jobs."""
    qs = ImportJob.objects.unscoped()
    if user.is_superuser:
        return qs
    if user.role == Role.OFFICE_ADMIN and user.office_id:
        return qs.filter(office_id=user.office_id)
    return qs.none()


@scope_rule(SchoolResources)
def school_resources_for(user):
    """Yearly school resource figures (monitoring): the office's and the viewers' offices';
    others those of the schools they may see."""
    qs = SchoolResources.objects.unscoped()
    if user.is_superuser:
        return qs
    if user.role in (Role.OFFICE_ADMIN, Role.VIEWER):
        return qs.filter(office__in=offices_for(user))
    return qs.filter(school__in=schools_for(user))


@scope_rule(Evaluation)
def evaluations_for(user):
    """Recorded monitoring results: the office's and the viewers' offices'; nobody else."""
    qs = Evaluation.objects.unscoped()
    if user.is_superuser:
        return qs
    if user.role in (Role.OFFICE_ADMIN, Role.VIEWER):
        return qs.filter(office__in=offices_for(user))
    return qs.none()


@scope_rule(MonthlyReturn)
def monthly_returns_for(user):
    """The monthly monitoring returns to the city (docs/rules.md §19): the office admin its
    own office's, a city or province viewer those of the offices in its region; nobody else."""
    qs = MonthlyReturn.objects.unscoped()
    if user.is_superuser:
        return qs
    if user.role in (Role.OFFICE_ADMIN, Role.VIEWER):
        return qs.filter(office__in=offices_for(user))
    return qs.none()


@scope_rule(FocusPoint)
def focus_points_for(user):
    """Monthly focus points (月度督导要点): the office admin's, inspectors' and zone leaders'
    own office's; a viewer's offices'; none for schools (they are the office's working
    instructions)."""
    qs = FocusPoint.objects.unscoped()
    if user.is_superuser:
        return qs
    if user.role == Role.VIEWER:
        return qs.filter(office__in=offices_for(user))
    if user.role == Role.OFFICE_ADMIN and user.office_id:
        return qs.filter(office_id=user.office_id)
    if user.role in (Role.INSPECTOR, Role.ZONE_LEADER) and user.inspector_id:
        return qs.filter(office_id=user.inspector.office_id)
    return qs.none()


@scope_rule(MonthlyReportText)
def report_texts_for(user):
    """The own words of the monthly reports (docs/rules.md §14): an inspector's report's
    with the inspector (`inspectors_for`); the office summary's with the office, for the
    office admin and the viewers above it."""
    qs = MonthlyReportText.objects.unscoped()
    if user.is_superuser:
        return qs
    of_inspectors = Q(inspector__in=inspectors_for(user))
    if user.role in (Role.OFFICE_ADMIN, Role.VIEWER):
        return qs.filter(of_inspectors | Q(inspector__isnull=True, office__in=offices_for(user)))
    return qs.filter(of_inspectors)


@scope_rule(SummaryText)
def summary_texts_for(user):
    """The own words of the half-year and annual summaries (docs/rules.md §30): the office
    summary's with the office (office admin, viewers above it); a zone's with the zone
    (`zones_for`), an inspector's with the inspector (`inspectors_for`)."""
    qs = SummaryText.objects.unscoped()
    if user.is_superuser:
        return qs
    mine = Q(inspector__in=inspectors_for(user)) | Q(zone__in=zones_for(user))
    if user.role in (Role.OFFICE_ADMIN, Role.VIEWER):
        mine |= Q(office__in=offices_for(user))
    return qs.filter(mine)


@scope_rule(OfficeMonth)
def office_months_for(user):
    """The roll-up counters of an office (docs/rules.md §28): the office admin its own, a city
    or province viewer its region's offices'; nobody else."""
    qs = OfficeMonth.objects.unscoped()
    if user.is_superuser:
        return qs
    if user.role in (Role.OFFICE_ADMIN, Role.VIEWER):
        return qs.filter(office__in=offices_for(user))
    return qs.none()


@scope_rule(SchoolMonth)
def school_months_for(user):
    """The roll-up's visits per school and month: as `office_months_for`, by the school's
    office."""
    qs = SchoolMonth.objects.unscoped()
    if user.is_superuser:
        return qs
    if user.role in (Role.OFFICE_ADMIN, Role.VIEWER):
        return qs.filter(school__office__in=offices_for(user))
    return qs.none()


@scope_rule(SignboardBatch)
def signboard_batches_for(user):
    """Signboard batches: the office admin's office's; anyone else only those they asked for."""
    qs = SignboardBatch.objects.unscoped()
    if user.is_superuser:
        return qs
    if user.role == Role.OFFICE_ADMIN and user.office_id:
        return qs.filter(office_id=user.office_id)
    return qs.filter(created_by_id=user.pk)


@scope_rule(ExportJob)
def export_jobs_for(user):
    """Background exports: their requester's alone (a superuser's too): the file holds what
    that user may see, so nobody else opens it."""
    return ExportJob.objects.unscoped().filter(requested_by_id=user.pk)


def get_export_job_for(user, pk) -> ExportJob:
    return get_or_404(export_jobs_for(user), pk=pk)


@scope_rule(Notification)
def notifications_for(user):
    """Notifications are their recipient's alone (a superuser's too)."""
    return Notification.objects.unscoped().filter(recipient_id=user.pk)


# --- campaigns (专项督导), checklists and periodic returns (报送), docs/rules.md §21– -------


@scope_rule(ChecklistTemplate)
def checklists_for(user):
    """Checklists: the built-in ones (no office) for everyone signed in, and an office's own
    for the people of that office (a viewer: the offices below it)."""
    qs = ChecklistTemplate.objects.unscoped()
    if user.is_superuser:
        return qs
    builtin = Q(office__isnull=True)
    if user.role == Role.VIEWER:
        return qs.filter(builtin | Q(office__in=offices_for(user)))
    if user.office_id:
        return qs.filter(builtin | Q(office_id=user.office_id))
    return qs.filter(builtin)


def _campaign_member(user) -> Q:
    """Targets whose team the user's inspector record is on (prefix-free: on CampaignTarget)."""
    return Q(team__members__inspector_id=user.inspector_id)


@scope_rule(CampaignTarget)
def campaign_targets_for(user):
    """A campaign's schools (督查对象): the office's for its admin, the offices' below a viewer;
    an inspector's or zone leader's team's once the campaign runs (a team sees only its
    targets); a school its own,
    once the campaign is running — an unannounced one (四不两直) only after the check."""
    qs = CampaignTarget.objects.unscoped()
    if user.is_superuser:
        return qs
    if user.role == Role.OFFICE_ADMIN:
        return qs.filter(office_id=user.office_id)
    if user.role == Role.VIEWER:
        return qs.filter(office__in=offices_for(user))
    if user.role in (Role.INSPECTOR, Role.ZONE_LEADER) and user.inspector_id:
        # A campaign in preparation is the office's alone: its teams see it once it starts.
        ids = CampaignTarget.objects.unscoped().filter(_campaign_member(user)).values("pk")
        return qs.filter(pk__in=ids).exclude(
            campaign__status__in=[Campaign.Status.DRAFT, Campaign.Status.CANCELLED]
        )
    if user.role == Role.SCHOOL and user.school_id:
        shown = Q(campaign__unannounced=False) | Q(visited_at__isnull=False)
        return qs.filter(shown, school_id=user.school_id).exclude(
            campaign__status__in=[Campaign.Status.DRAFT, Campaign.Status.CANCELLED]
        )
    return qs.none()


@scope_rule(Campaign)
def campaigns_for(user):
    """Campaigns: the office's; a viewer's offices'; those with a target the user may see
    (`campaign_targets_for`: an inspector's team, a school's own check)."""
    qs = Campaign.objects.unscoped()
    if user.is_superuser:
        return qs
    if user.role == Role.OFFICE_ADMIN:
        return qs.filter(office_id=user.office_id)
    if user.role == Role.VIEWER:
        return qs.filter(office__in=offices_for(user))
    return qs.filter(pk__in=campaign_targets_for(user).values("campaign_id"))


def get_checklist_for(user, pk) -> ChecklistTemplate:
    return get_or_404(checklists_for(user), pk=pk)


def get_campaign_for(user, pk) -> Campaign:
    return get_or_404(campaigns_for(user).select_related("office", "checklist"), pk=pk)


def get_campaign_target_for(user, pk) -> CampaignTarget:
    return get_or_404(
        campaign_targets_for(user).select_related("campaign", "school", "team"), pk=pk
    )


@scope_rule(ReturnSubmission)
def return_submissions_for(user):
    """A school's reports (报送): the office's; a viewer's offices'; an inspector's or zone
    leader's schools' (read only); a school its own."""
    qs = ReturnSubmission.objects.unscoped()
    if user.is_superuser:
        return qs
    if user.role == Role.OFFICE_ADMIN:
        return qs.filter(office_id=user.office_id)
    if user.role == Role.VIEWER:
        return qs.filter(office__in=offices_for(user))
    if user.role in (Role.INSPECTOR, Role.ZONE_LEADER) and user.inspector_id:
        return qs.filter(school_id__in=inspector_school_ids(user))
    if user.role == Role.SCHOOL and user.school_id:
        return qs.filter(school_id=user.school_id)
    return qs.none()


@scope_rule(PeriodicReturn)
def periodic_returns_for(user):
    """Returns: the office's; a viewer's offices'; those asked of a school the user may see."""
    qs = PeriodicReturn.objects.unscoped()
    if user.is_superuser:
        return qs
    if user.role == Role.OFFICE_ADMIN:
        return qs.filter(office_id=user.office_id)
    if user.role == Role.VIEWER:
        return qs.filter(office__in=offices_for(user))
    if user.role in (Role.INSPECTOR, Role.ZONE_LEADER) and user.inspector_id:
        mine = qs.filter(schools__in=inspector_school_ids(user)).values("pk")
        return qs.filter(pk__in=mine, status__in=[PeriodicReturn.Status.ACTIVE, "closed"])
    if user.role == Role.SCHOOL and user.school_id:
        return qs.filter(
            schools=user.school_id, status__in=[PeriodicReturn.Status.ACTIVE, "closed"]
        )
    return qs.none()


@scope_rule(ReturnPeriod)
def return_periods_for(user):
    """A return's due dates: those of the returns the user may see."""
    return ReturnPeriod.objects.unscoped().filter(
        periodic_return__in=periodic_returns_for(user).values("pk")
    )


def get_periodic_return_for(user, pk) -> PeriodicReturn:
    return get_or_404(periodic_returns_for(user).select_related("checklist"), pk=pk)


def get_return_submission_for(user, pk) -> ReturnSubmission:
    return get_or_404(
        return_submissions_for(user).select_related("period__periodic_return", "school"), pk=pk
    )


# --- evaluations (督导评估、督政), docs/rules.md §24 --------------------------------------


@scope_rule(GovernmentUnit)
def government_units_for(user):
    """Government units (督政对象): the office's for its people; a viewer's offices'."""
    qs = GovernmentUnit.objects.unscoped()
    if user.is_superuser:
        return qs
    if user.role == Role.VIEWER:
        return qs.filter(office__in=offices_for(user))
    if user.office_id:
        return qs.filter(office_id=user.office_id)
    return qs.none()


@scope_rule(Framework)
def frameworks_for(user):
    """Indicator frameworks: the built-in ones for everyone signed in, an office's own for
    the people of that office (a viewer: the offices below it)."""
    qs = Framework.objects.unscoped()
    if user.is_superuser:
        return qs
    builtin = Q(office__isnull=True)
    if user.role == Role.VIEWER:
        return qs.filter(builtin | Q(office__in=offices_for(user)))
    if user.office_id:
        return qs.filter(builtin | Q(office_id=user.office_id))
    return qs.filter(builtin)


def _rated_target_ids(user):
    """Targets a user rates: those named on their rater rows, and every target of a round
    where a row names none."""
    rows = Rater.objects.filter(user_id=user.pk)
    return (
        RoundTarget.objects.unscoped()
        .filter(
            Q(pk__in=rows.filter(target__isnull=False).values("target_id"))
            | Q(round_id__in=rows.filter(target__isnull=True).values("round_id"))
        )
        .values("pk")
    )


@scope_rule(RoundTarget)
def round_targets_for(user):
    """A round's targets (评估对象): the office's for its admin, the offices' below a viewer;
    once the round has left preparation, a rater's assigned targets (an expert sees only
    those), a school its own, an inspector or zone leader their schools' once published.
    Which scores a user may read on a target is `dudao.evaluations.access`."""
    qs = RoundTarget.objects.unscoped()
    if user.is_superuser:
        return qs
    if user.role == Role.OFFICE_ADMIN:
        return qs.filter(office_id=user.office_id)
    if user.role == Role.VIEWER:
        return qs.filter(office__in=offices_for(user))
    running = qs.exclude(round__stage=Round.Stage.DRAFT)
    mine = Q(pk__in=_rated_target_ids(user))
    if user.role == Role.SCHOOL and user.school_id:
        mine |= Q(school_id=user.school_id)
    if user.role in (Role.INSPECTOR, Role.ZONE_LEADER) and user.inspector_id:
        mine |= Q(school_id__in=inspector_school_ids(user), round__stage=Round.Stage.PUBLISHED)
    return running.filter(mine)


@scope_rule(Round)
def rounds_for(user):
    """Rounds: the office's; a viewer's offices'; those with a target the user may see."""
    qs = Round.objects.unscoped()
    if user.is_superuser:
        return qs
    if user.role == Role.OFFICE_ADMIN:
        return qs.filter(office_id=user.office_id)
    if user.role == Role.VIEWER:
        return qs.filter(office__in=offices_for(user))
    return qs.filter(pk__in=round_targets_for(user).values("round_id"))


def get_government_unit_for(user, pk) -> GovernmentUnit:
    return get_or_404(government_units_for(user).select_related("parent"), pk=pk)


def get_framework_for(user, pk) -> Framework:
    return get_or_404(frameworks_for(user), pk=pk)


def get_round_for(user, pk) -> Round:
    return get_or_404(rounds_for(user).select_related("office", "framework"), pk=pk)


def get_round_target_for(user, pk) -> RoundTarget:
    return get_or_404(
        round_targets_for(user).select_related("round__framework", "school", "unit"), pk=pk
    )


# --- bulletins, notices and briefings (通报、通知、简报), issue 14 ------------------------
# office admin: every document of its office, drafts included, with recipients and receipts;
# viewer: the issued documents of the offices under it; school user: the published documents
# its school received; inspector and zone leader: those they received as inspectors; a
# withdrawn document is no longer its recipients'.


BULLETIN_ISSUED = (Bulletin.Status.PUBLISHED, Bulletin.Status.WITHDRAWN)


def _bulletin_received(user) -> Q | None:
    """The recipient rows that are the user's (prefix-free: on BulletinRecipient)."""
    if user.role == Role.SCHOOL and user.school_id:
        return Q(school_id=user.school_id)
    if user.role in (Role.INSPECTOR, Role.ZONE_LEADER) and user.inspector_id:
        return Q(inspector_id=user.inspector_id)
    return None


@scope_rule(BulletinRecipient)
def bulletin_recipients_for(user):
    """A document's recipients: the office's; a viewer's offices' once issued; a school or
    an inspector its own place among a published document's recipients."""
    qs = BulletinRecipient.objects.unscoped()
    if user.is_superuser:
        return qs
    if user.role == Role.OFFICE_ADMIN:
        return qs.filter(office_id=user.office_id)
    if user.role == Role.VIEWER:
        return qs.filter(office__in=offices_for(user), bulletin__status__in=BULLETIN_ISSUED)
    mine = _bulletin_received(user)
    if mine is not None:
        return qs.filter(mine, bulletin__status=Bulletin.Status.PUBLISHED)
    return qs.none()


@scope_rule(Bulletin)
def bulletins_for(user):
    """Bulletins, notices and briefings (通报、通知、简报): the office's, drafts included; a
    viewer's offices' once issued; the published ones a school or an inspector received."""
    qs = Bulletin.objects.unscoped()
    if user.is_superuser:
        return qs
    if user.role == Role.OFFICE_ADMIN:
        return qs.filter(office_id=user.office_id)
    if user.role == Role.VIEWER:
        return qs.filter(office__in=offices_for(user), status__in=BULLETIN_ISSUED)
    mine = _bulletin_received(user)
    if mine is not None:
        received = BulletinRecipient.objects.unscoped().filter(mine).values("bulletin_id")
        return qs.filter(pk__in=received, status=Bulletin.Status.PUBLISHED)
    return qs.none()


@scope_rule(BulletinRead)
def bulletin_reads_for(user):
    """Read receipts: the office's and a viewer's offices' (who has read); anyone else its
    own."""
    qs = BulletinRead.objects.unscoped()
    if user.is_superuser:
        return qs
    if user.role == Role.OFFICE_ADMIN:
        return qs.filter(office_id=user.office_id)
    if user.role == Role.VIEWER:
        return qs.filter(office__in=offices_for(user))
    return qs.filter(user_id=user.pk)


def get_bulletin_for(user, pk) -> Bulletin:
    return get_or_404(bulletins_for(user).select_related("office__region", "zone"), pk=pk)


# --- complaints, tip-offs and enquiries (投诉、举报、咨询), issue 14 -----------------------
# office admin: every complaint of its office, with the sender's contact details; inspector,
# zone leader: those assigned to them (never the sender's name or phone); viewer: the
# offices' under it, for the figures only; school: none, ever (a confirmed problem reaches it
# as a finding, which names no sender).


@scope_rule(Complaint)
def complaints_for(user):
    """Complaints (投诉举报): the office's; a viewer's offices' (figures); an inspector's or
    zone leader's own assigned ones; none for a school."""
    qs = Complaint.objects.unscoped()
    if user.is_superuser:
        return qs
    if user.role == Role.OFFICE_ADMIN:
        return qs.filter(office_id=user.office_id)
    if user.role == Role.VIEWER:
        return qs.filter(office__in=offices_for(user))
    if user.role in (Role.INSPECTOR, Role.ZONE_LEADER) and user.inspector_id:
        return qs.filter(inspector_id=user.inspector_id)
    return qs.none()


def get_complaint_for(user, pk) -> Complaint:
    """A complaint the user may open (viewers read figures only: 404 here)."""
    if user.role == Role.VIEWER and not user.is_superuser:
        raise Http404
    return get_or_404(
        complaints_for(user).select_related(
            "office", "school", "inspector", "duplicate_of", "finding"
        ),
        pk=pk,
    )


def get_complaint_photo_for(user, pk) -> ComplaintPhoto:
    """A photo through its complaint's scope."""
    if user.role == Role.VIEWER and not user.is_superuser:
        raise Http404
    return get_or_404(
        ComplaintPhoto.objects.filter(complaint__in=complaints_for(user)).select_related(
            "complaint"
        ),
        pk=pk,
    )


def may_see_sender(user, complaint: Complaint) -> bool:
    """The sender's name and phone (and a photo's original, with its EXIF data): an office
    admin of the complaint's office only. Not the inspector, the school, a viewer, nor the
    superuser (who reads every row but acts for no office)."""
    return (
        getattr(user, "is_active", False)
        and not user.is_superuser
        and user.role == Role.OFFICE_ADMIN
        and user.office_id is not None
        and user.office_id == complaint.office_id
    )


# --- satisfaction surveys (满意度调查), issue 14 ------------------------------------------


@scope_rule(Questionnaire)
def questionnaires_for(user):
    """Questionnaires: the built-in ones (no office) for everyone signed in, and an office's
    own for the people of that office (a viewer: the offices below it)."""
    qs = Questionnaire.objects.unscoped()
    if user.is_superuser:
        return qs
    builtin = Q(office__isnull=True)
    if user.role == Role.VIEWER:
        return qs.filter(builtin | Q(office__in=offices_for(user)))
    if user.office_id:
        return qs.filter(builtin | Q(office_id=user.office_id))
    return qs.filter(builtin)


def _survey_schools(user) -> Q | None:
    """Rows at the schools an inspector, a zone leader or a school user may see (None for
    the other roles)."""
    if user.role in (Role.INSPECTOR, Role.ZONE_LEADER) and user.inspector_id:
        return Q(school_id__in=inspector_school_ids(user))
    if user.role == Role.SCHOOL and user.school_id:
        return Q(school_id=user.school_id)
    return None


@scope_rule(SurveySchool)
def survey_links_for(user):
    """A survey's link at a school: the office's; a viewer's offices'; an inspector's or zone
    leader's schools' and a school's own, once the survey is no longer a draft."""
    qs = SurveySchool.objects.unscoped()
    if user.is_superuser:
        return qs
    if user.role == Role.OFFICE_ADMIN:
        return qs.filter(office_id=user.office_id)
    if user.role == Role.VIEWER:
        return qs.filter(office__in=offices_for(user))
    schools = _survey_schools(user)
    if schools is not None:
        return qs.filter(schools).exclude(survey__status=Survey.Status.DRAFT)
    return qs.none()


@scope_rule(Survey)
def surveys_for(user):
    """Surveys: the office's; a viewer's offices'; those with a link the user may see
    (`survey_links_for`: an inspector's schools, a school's own, not drafts)."""
    qs = Survey.objects.unscoped()
    if user.is_superuser:
        return qs
    if user.role == Role.OFFICE_ADMIN:
        return qs.filter(office_id=user.office_id)
    if user.role == Role.VIEWER:
        return qs.filter(office__in=offices_for(user))
    if _survey_schools(user) is None:
        return qs.none()
    return qs.filter(pk__in=survey_links_for(user).values("survey_id"))


@scope_rule(Response)
def survey_responses_for(user):
    """Responses (答卷, anonymous): the office's; a viewer's offices'; an inspector's or zone
    leader's schools' and a school's own, once the survey is no longer a draft (how many
    answered; what they answered is `survey_answers_for`)."""
    qs = Response.objects.unscoped()
    if user.is_superuser:
        return qs
    if user.role == Role.OFFICE_ADMIN:
        return qs.filter(office_id=user.office_id)
    if user.role == Role.VIEWER:
        return qs.filter(office__in=offices_for(user))
    schools = _survey_schools(user)
    if schools is not None:
        return qs.filter(schools).exclude(survey__status=Survey.Status.DRAFT)
    return qs.none()


@scope_rule(SurveyAnswer)
def survey_answers_for(user):
    """What respondents answered: the office's and a viewer's offices' at any time; an
    inspector's or zone leader's schools' and a school's own once the survey is closed."""
    qs = SurveyAnswer.objects.unscoped()
    if user.is_superuser:
        return qs
    if user.role == Role.OFFICE_ADMIN:
        return qs.filter(office_id=user.office_id)
    if user.role == Role.VIEWER:
        return qs.filter(office__in=offices_for(user))
    schools = _survey_schools(user)
    if schools is not None:
        return qs.filter(schools, survey__status=Survey.Status.CLOSED)
    return qs.none()


def get_questionnaire_for(user, pk) -> Questionnaire:
    return get_or_404(questionnaires_for(user).select_related("office", "based_on"), pk=pk)


def get_survey_for(user, pk) -> Survey:
    return get_or_404(surveys_for(user).select_related("office", "questionnaire", "zone"), pk=pk)


def get_survey_link_for(user, pk) -> SurveySchool:
    return get_or_404(survey_links_for(user).select_related("survey__office", "school"), pk=pk)


@scope_rule(ApiToken)
def api_tokens_for(user):
    """API tokens (docs/api.md): a user's own; the office admin also its office's users'."""
    qs = ApiToken.objects.unscoped()
    if user.is_superuser:
        return qs
    if user.role == Role.OFFICE_ADMIN and user.office_id:
        return qs.filter(Q(user_id=user.pk) | Q(office_id=user.office_id))
    return qs.filter(user_id=user.pk)


def get_api_token_for(user, pk) -> ApiToken:
    return get_or_404(api_tokens_for(user).select_related("user"), pk=pk)


@scope_rule(Robot)
def robots_for(user):
    """Group robots (dudao.webhooks): their credentials are the office's, so its office admin
    only (and the superuser, read-only)."""
    qs = Robot.objects.unscoped()
    if user.is_superuser:
        return qs
    if user.role == Role.OFFICE_ADMIN and user.office_id:
        return qs.filter(office_id=user.office_id)
    return qs.none()


def get_robot_for(user, pk) -> Robot:
    return get_or_404(robots_for(user).select_related("office", "zone"), pk=pk)


@scope_rule(RobotDelivery)
def robot_deliveries_for(user):
    """The group robots' delivery log: as its robots."""
    qs = RobotDelivery.objects.unscoped()
    if user.is_superuser:
        return qs
    if user.role == Role.OFFICE_ADMIN and user.office_id:
        return qs.filter(office_id=user.office_id)
    return qs.none()


def get_or_404(queryset: QuerySet, **lookup):
    """Fetch within a scope: "not yours" and "not found" both answer 404."""
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def get_school_for(user, pk) -> School:
    return get_or_404(schools_for(user).select_related("office", "township", "zone"), pk=pk)


def get_inspector_for(user, pk) -> Inspector:
    return get_or_404(inspectors_for(user).select_related("office", "zone"), pk=pk)


def get_zone_for(user, pk) -> Zone:
    return get_or_404(zones_for(user).select_related("leader"), pk=pk)


def get_assignment_for(user, pk) -> Assignment:
    return get_or_404(assignments_for(user).select_related("inspector", "school"), pk=pk)


def get_user_for(user, pk) -> User:
    return get_or_404(users_for(user), pk=pk)


def get_visit_for(user, pk):
    return get_or_404(
        visits_for(user).select_related("school", "inspector", "created_by", "office"), pk=pk
    )


def get_finding_for(user, pk):
    return get_or_404(
        findings_for(user).select_related("school", "inspector", "visit", "office", "created_by"),
        pk=pk,
    )


def get_notice_for(user, pk):
    return get_or_404(notices_for(user).select_related("school", "office", "issued_by"), pk=pk)


def get_accountability_case_for(user, pk):
    return get_or_404(accountability_cases_for(user).select_related("finding", "office"), pk=pk)


def get_focus_point_for(user, pk):
    return get_or_404(focus_points_for(user).select_related("office"), pk=pk)


def get_evaluation_for(user, pk):
    return get_or_404(evaluations_for(user), pk=pk)


def get_monthly_return_for(user, pk):
    return get_or_404(monthly_returns_for(user).select_related("office"), pk=pk)
