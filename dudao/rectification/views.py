"""The rectification screens (整改): recording a finding, the finding's page with its history
and the actions the user may take now, the school's findings and notices, issuing a notice,
the ledger (台账), the escalation queue and accountability cases (问责).

Thin views: every read starts from `dudao.accounts.scoping`, every write is a named call in
`dudao.rectification.services`. A refused action (stale version, illegal transition, not
permitted, bad input) shows the service's message and changes nothing."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Case, IntegerField, Q, Value, When
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from dudao.accounts import scoping
from dudao.accounts.models import Role
from dudao.core.errors import DomainError, NotPermitted
from dudao.core.files import check_upload, file_response
from dudao.core.forms import apply_domain_error
from dudao.core.paging import is_htmx, paginate
from dudao.core.permissions import office_admin_required, role_required
from dudao.schools.models import School
from dudao.visits import queries as visit_queries

from . import queries as rectification_queries
from . import services, workflow
from .forms import ActionForm, CaseCloseForm, CaseForm, CaseUpdateForm, FindingForm, NoticeIssueForm
from .ledger import filtered_findings, page_ids, rows_by_id
from .models import (
    AccountabilityCase,
    Escalation,
    FindingStatus,
    FollowUp,
    RectificationEvidence,
    Severity,
)
from .workflow import ACTIVE, Action, Event

LEDGER_ROLES = (Role.OFFICE_ADMIN, Role.ZONE_LEADER, Role.INSPECTOR, Role.VIEWER)
RECORD_ROLES = (Role.OFFICE_ADMIN, Role.ZONE_LEADER, Role.INSPECTOR)
CASE_ROLES = (Role.OFFICE_ADMIN, Role.VIEWER)

CHANGE_DEADLINE, SET_SEVERITY, ADD_FILE = "change_deadline", "set_severity", "add_file"
EXTRA_LABELS = {
    CHANGE_DEADLINE: gettext_lazy("change the deadline"),
    SET_SEVERITY: gettext_lazy("change the severity"),
    ADD_FILE: gettext_lazy("add a photo or file"),
}
# Urging for a missed date is the daily check's alone (docs/rules.md §10): no page posts it.
ACTION_NAMES = (set(Action.values) - {Action.URGE}) | set(EXTRA_LABELS)
DANGER = {Action.WITHDRAW, Action.REJECT}

EVENT_LABELS = {
    Event.CREATED: gettext_lazy("recorded"),
    Event.ESCALATED: gettext_lazy("escalated automatically"),
    Event.OVERDUE: gettext_lazy("became overdue"),
    Event.OVERDUE_CLEARED: gettext_lazy("no longer overdue"),
    Event.DEADLINE_CHANGED: gettext_lazy("deadline changed"),
    Event.SEVERITY_CHANGED: gettext_lazy("severity changed"),
    Event.FILE_ADDED: gettext_lazy("file added"),
    Event.ACCOUNTABILITY_OPENED: gettext_lazy("accountability case opened"),
}


def _url_or_none(name, args=None):
    """A link to another app's page, or None while that URL does not exist."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _status_label(value) -> str:
    try:
        return FindingStatus(value).label
    except ValueError:
        return ""


def _action_label(name) -> str:
    if name in EXTRA_LABELS:
        return EXTRA_LABELS[name]
    if name in Action.values:
        return Action(name).label
    return EVENT_LABELS.get(name, name)


def _safe_next(request, default):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


# --- creating a finding -------------------------------------------------------------------


def _recordable_schools(user):
    """Schools a user may record findings about without a visit: every school of an office
    admin's office, an inspector's or zone leader's currently assigned schools."""
    if user.role == Role.OFFICE_ADMIN:
        return scoping.schools_for(user).filter(is_active=True)
    if user.inspector_id:
        return visit_queries.assigned_schools(user.inspector).filter(
            office_id=user.inspector.office_id, is_active=True
        )
    return scoping.schools_for(user).none()


def finding_create(request):
    """Record a finding: from a visit (?visit=, by its inspector or the office admin) or
    about a school (?school=, by the office admin or the school's responsible inspector)."""
    user = request.user
    if user.is_superuser or user.role not in RECORD_ROLES:
        raise PermissionDenied
    visit = fixed_school = None
    schools = _recordable_schools(user)
    if request.GET.get("visit"):
        visit = scoping.get_visit_for(user, request.GET["visit"])
        if not (visit.created_by_id == user.pk or user.is_office_admin):
            raise PermissionDenied
        fixed_school = visit.school
        # The visit was fetched through the user's scope; its school stays recordable even
        # if it has since been reassigned.
        schools = School.objects.unscoped().filter(pk=visit.school_id)
    elif request.GET.get("school"):
        fixed_school = scoping.get_school_for(user, request.GET["school"])
        if not schools.filter(pk=fixed_school.pk).exists():
            raise PermissionDenied
        schools = schools.filter(pk=fixed_school.pk)
    form = FindingForm(request.POST or None, schools=schools, fixed_school=fixed_school)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        photos = request.FILES.getlist("photos")
        try:
            for photo in photos:  # refuse a bad file before anything is written
                check_upload(photo)
            with transaction.atomic():
                finding = services.create_finding(
                    user,
                    school=data["school"],
                    visit=visit,
                    area=data["area"],
                    description=data["description"],
                    evidence=data["evidence"],
                    severity=data["severity"],
                    deadline_kind=data["deadline_kind"],
                    deadline=data["deadline"],
                    required_action=data["required_action"],
                )
                for photo in photos:
                    services.add_finding_file(user, finding, photo)
        except DomainError as error:
            if error.field == "file":
                form.add_error(None, str(error))
            else:
                apply_domain_error(form, error)
        else:
            messages.success(request, _("Finding recorded."))
            if request.POST.get("another"):
                query = f"visit={visit.pk}" if visit else f"school={finding.school_id}"
                return redirect(f"{reverse('rectification:finding_create')}?{query}")
            return redirect("rectification:finding_detail", finding.pk)
    context = {"form": form, "visit": visit, "school": fixed_school}
    return render(request, "rectification/finding_form.html", context)


# --- the finding's page and its actions ---------------------------------------------------


def _actions_for(finding, user) -> list[dict]:
    """The actions the page offers: the state machine's, plus the office's edits."""
    names = list(workflow.allowed_actions(finding, user))
    roles = workflow.roles_of(user, finding)
    if finding.is_active and roles & {workflow.INSPECTOR, workflow.OFFICE}:
        names.append(CHANGE_DEADLINE)
    if finding.is_active and workflow.OFFICE in roles:
        names.append(SET_SEVERITY)
    if roles & {workflow.INSPECTOR, workflow.OFFICE}:
        names.append(ADD_FILE)
    return [{"name": n, "label": _action_label(n), "danger": n in DANGER} for n in names]


def _may_see_cases(user) -> bool:
    return user.is_superuser or user.role in CASE_ROLES


def _detail_context(request, finding) -> dict:
    user = request.user
    events = [
        {
            "event": event,
            "label": _action_label(event.action),
            "from": _status_label(event.from_status),
            "to": _status_label(event.to_status),
        }
        for event in finding.events.all()
    ]
    notices = [
        {
            "notice": notice,
            "docx": _url_or_none("reports:notice_docx", [notice.pk]),
            "pdf": _url_or_none("reports:notice_pdf", [notice.pk]),
        }
        for notice in finding.notices.all()
    ]
    cases = list(finding.accountability_cases.all()) if _may_see_cases(user) else []
    return {
        "finding": finding,
        "events": events,
        "notices": notices,
        "responses": finding.responses.prefetch_related("files"),
        "follow_ups": finding.follow_ups.select_related("checked_by"),
        "problem_files": finding.files.filter(response__isnull=True),
        "actions": _actions_for(finding, user),
        "cases": cases,
        "serious_banner": (
            finding.severity == Severity.SERIOUS
            and user.is_office_admin
            and user.office_id == finding.office_id
            and not cases
        ),
        "severities": Severity.choices,
        "can_issue_several": (
            finding.status == FindingStatus.OPEN
            and bool(workflow.roles_of(user, finding) & {workflow.INSPECTOR, workflow.OFFICE})
        ),
    }


def finding_detail(request, pk):
    finding = scoping.get_finding_for(request.user, pk)
    return render(request, "rectification/finding_detail.html", _detail_context(request, finding))


def _perform(user, finding, action, data, files):
    """Call the service named by `action`; returns the success message."""
    version = data["expected_version"]
    note = data.get("note") or ""
    if action == Action.ISSUE_NOTICE:
        notice = services.issue_notice(
            user,
            [finding],
            expected_versions={finding.pk: version},
            deadline=data.get("deadline"),
            note=note,
        )
        return _("Notice %(number)s issued.") % {"number": notice.number}
    if action == Action.RESPOND:
        services.respond(
            user,
            finding,
            expected_version=version,
            text=data.get("text") or "",
            files=files.getlist("files"),
        )
        return _("Rectification report submitted.")
    if action in (Action.ACCEPT, Action.REJECT):
        result = FollowUp.Result.ACCEPTED if action == Action.ACCEPT else FollowUp.Result.REJECTED
        services.record_follow_up(user, finding, expected_version=version, result=result, note=note)
        return _("Follow-up check recorded.")
    if action == Action.MARK_NEEDS_OTHER_DEPARTMENT:
        services.mark_needs_other_department(
            user,
            finding,
            expected_version=version,
            note=note,
            department=data.get("department") or "",
        )
        return _("Marked as needing another department.")
    if action == CHANGE_DEADLINE:
        services.change_deadline(
            user, finding, expected_version=version, deadline=data.get("deadline"), note=note
        )
        return _("Deadline changed.")
    if action == SET_SEVERITY:
        services.set_severity(
            user,
            finding,
            expected_version=version,
            severity=data.get("severity") or "",
            note=note,
        )
        return _("Severity changed.")
    if action == ADD_FILE:
        uploads = files.getlist("files")
        if not uploads:
            raise DomainError(_("Choose a file to upload."), field="files")
        for upload in uploads:
            services.add_finding_file(user, finding, upload)
        return _("File added.")
    named = {
        Action.ESCALATE: services.escalate,
        Action.ESCALATE_TO_CITY: services.escalate_to_city,
        Action.ESCALATE_TO_PROVINCE: services.escalate_to_province,
        Action.CLOSE_ON_THE_SPOT: services.close_on_the_spot,
        Action.WITHDRAW: services.withdraw,
        Action.REOPEN: services.reopen,
    }
    named[action](user, finding, expected_version=version, note=note)
    return _("Done: %(action)s.") % {"action": _action_label(action)}


@require_POST
def finding_action(request, pk, action):
    """One endpoint for every action on a finding: dispatch to the named service."""
    if action not in ACTION_NAMES:
        raise Http404
    user = request.user
    if user.role == Role.VIEWER:
        raise PermissionDenied
    finding = scoping.get_finding_for(user, pk)
    form = ActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Reload the page and try again."))
    else:
        try:
            messages.success(
                request, _perform(user, finding, action, form.cleaned_data, request.FILES)
            )
        except NotPermitted as error:
            # Not this user's action at all (the page never offered it): a refusal, 403.
            raise PermissionDenied(str(error)) from error
        except DomainError as error:
            messages.error(request, str(error))
    detail = reverse("rectification:finding_detail", args=[finding.pk])
    if is_htmx(request) and not request.POST.get("next"):
        try:
            finding = scoping.get_finding_for(user, pk)
        except Http404:
            return redirect(detail)
        return render(
            request, "rectification/_finding_main.html", _detail_context(request, finding)
        )
    return redirect(_safe_next(request, detail))


def _file_for(user, pk) -> RectificationEvidence:
    return scoping.get_or_404(
        RectificationEvidence.objects.filter(finding__in=scoping.findings_for(user)), pk=pk
    )


def finding_file(request, pk):
    """A rectification file through the finding's scope (never a public media URL);
    ?preview=1 gives the downscaled JPEG of a photo."""
    stored = _file_for(request.user, pk)
    if request.GET.get("preview"):
        if stored.preview:
            return file_response(stored.preview, "image/jpeg", None)
        if stored.kind != "image":
            raise Http404
        return file_response(stored.file, stored.content_type, None)
    return file_response(stored.file, stored.content_type, stored.original_name)


# --- the school's side --------------------------------------------------------------------


def school_findings(request):
    """The school's findings: active first, the overdue ones at the top."""
    user = request.user
    if user.role != Role.SCHOOL:
        raise PermissionDenied
    qs = (
        scoping.findings_for(user)
        .select_related("school", "inspector")
        .annotate(
            active_rank=Case(
                When(status__in=ACTIVE, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("active_rank", "-is_overdue", "deadline", "-pk")
    )
    page, query = paginate(request, qs)
    return render(request, "rectification/school_findings.html", {"page": page, "query": query})


def notice_list(request):
    qs = scoping.notices_for(request.user).select_related("school", "issued_by")
    qs = rectification_queries.filter_notice_list(qs, request.GET)
    page, query = paginate(request, qs)
    context = {"page": page, "query": query, "period": _period(request.GET, "issued")}
    return render(request, "rectification/notice_list.html", context)


def _period(params, prefix: str) -> dict | None:
    """The day range a list is filtered by (shown above it), or None."""
    first = rectification_queries.day_param(params, f"{prefix}_from")
    last = rectification_queries.day_param(params, f"{prefix}_to")
    return {"first": first, "last": last} if first or last else None


def notice_detail(request, pk):
    notice = scoping.get_notice_for(request.user, pk)
    findings = notice.findings.filter(
        pk__in=scoping.findings_for(request.user).values("pk")
    ).select_related("inspector")
    context = {
        "notice": notice,
        "findings": findings,
        "docx_url": _url_or_none("reports:notice_docx", [notice.pk]),
        "pdf_url": _url_or_none("reports:notice_pdf", [notice.pk]),
    }
    return render(request, "rectification/notice_detail.html", context)


@role_required(*RECORD_ROLES)
def notice_issue(request, school_id):
    """One notice for several open findings of one school (from one visit)."""
    user = request.user
    school = scoping.get_school_for(user, school_id)
    open_findings = list(
        scoping.findings_for(user)
        .filter(school=school, status=FindingStatus.OPEN)
        .select_related("visit")
        .order_by("visit_id", "created_at", "pk")
    )
    form = NoticeIssueForm(request.POST or None, findings=open_findings)
    if request.method == "POST" and form.is_valid():
        chosen = [f for f in open_findings if f.pk in set(form.cleaned_data["findings"])]
        try:
            versions = {f.pk: int(request.POST.get(f"version_{f.pk}", "")) for f in chosen}
        except ValueError:
            form.add_error(None, _("Reload the page and try again."))
        else:
            try:
                notice = services.issue_notice(
                    user,
                    chosen,
                    expected_versions=versions,
                    deadline=form.cleaned_data["deadline"],
                    note=form.cleaned_data["note"],
                )
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                messages.success(
                    request, _("Notice %(number)s issued.") % {"number": notice.number}
                )
                return redirect("rectification:notice_detail", notice.pk)
    selected = {str(v) for v in (form["findings"].value() or [])}
    context = {
        "school": school,
        "form": form,
        "open_findings": open_findings,
        "selected": selected,
    }
    return render(request, "rectification/notice_issue.html", context)


# --- the office's side --------------------------------------------------------------------


@role_required(*LEDGER_ROLES)
def ledger(request):
    """The rectification ledger (整改台账) with the filters of `ledger.filtered_findings`:
    the page is cut on the bare ids (count, then LIMIT), then its rows are joined."""
    form, qs = filtered_findings(request.user, request.GET)
    page, query = paginate(request, page_ids(qs), cap=None)  # the ledger's total is quoted
    page.object_list = rows_by_id(qs, page.object_list)
    context = {
        "form": form,
        "page": page,
        "query": query,
        "xlsx_url": _url_or_none("reports:ledger_xlsx"),
    }
    template = (
        "rectification/_ledger_table.html" if is_htmx(request) else "rectification/ledger.html"
    )
    return render(request, template, context)


QUEUE_ACTIONS = {
    Action.ESCALATE,
    Action.ESCALATE_TO_CITY,
    Action.ESCALATE_TO_PROVINCE,
    Action.MARK_NEEDS_OTHER_DEPARTMENT,
}

ESCALATION_LEVELS = {
    "county": Q(escalated_to=Escalation.COUNTY),
    "city": Q(escalated_to=Escalation.CITY),
    "province": Q(escalated_to=Escalation.PROVINCE),
    "department": Q(needs_other_department=True),
}


@role_required(*CASE_ROLES)
def escalations(request):
    """The escalation queue: open findings escalated to the county office (after repeated
    urgings, by hand, or as serious violations), the city or the province, or needing
    another department (docs/rules.md §11-§13)."""
    user = request.user
    level = request.GET.get("level", "")
    condition = ESCALATION_LEVELS.get(level) or (
        ~Q(escalated_to=Escalation.NONE) | Q(needs_other_department=True)
    )
    qs = (
        scoping.findings_for(user)
        .filter(condition, status__in=ACTIVE)
        .select_related("school", "inspector", "visit")
        .order_by("-updated_at", "-pk")
    )
    page, query = paginate(request, qs)
    # The queue offers what is decided here (督办: refer on, or to a department); every other
    # action is on the finding's page, one link away. All of them on 25 cards made the queue
    # 35 ms of template rendering for 3 ms of SQL (docs/benchmarks.md).
    rows = [
        {
            "finding": f,
            "actions": [a for a in _actions_for(f, user) if a["name"] in QUEUE_ACTIONS],
        }
        for f in page
    ]
    context = {
        "page": page,
        "rows": rows,
        "query": query,
        "level": level,
        "levels": [
            ("", _("All")),
            ("county", Escalation.COUNTY.label),
            ("city", Escalation.CITY.label),
            ("province", Escalation.PROVINCE.label),
            ("department", _("Needs another department")),
        ],
    }
    return render(request, "rectification/escalations.html", context)


def _case_guard(user):
    if not (user.is_superuser or user.role in CASE_ROLES):
        raise PermissionDenied


def _measure_labels(case) -> list[str]:
    choices = AccountabilityCase.measure_choices(case.target_kind)
    labels = []
    for value in case.measures or []:
        try:
            labels.append(choices(value).label)
        except ValueError:
            labels.append(value)
    return labels


def case_list(request):
    _case_guard(request.user)
    qs = scoping.accountability_cases_for(request.user).select_related(
        "finding", "finding__school", "office"
    )
    status = request.GET.get("status", "")
    if status in AccountabilityCase.Status.values:
        qs = qs.filter(status=status)
    qs = rectification_queries.filter_case_list(qs, request.GET)
    page, query = paginate(request, qs)
    rows = [{"case": c, "measures": _measure_labels(c)} for c in page]
    context = {
        "page": page,
        "rows": rows,
        "query": query,
        "status": status,
        "period": _period(request.GET, "opened") or _period(request.GET, "closed"),
    }
    return render(request, "rectification/case_list.html", context)


@office_admin_required
def case_create(request):
    user = request.user
    finding = None
    if request.GET.get("finding"):
        finding = scoping.get_finding_for(user, request.GET["finding"])
    initial = {"target_name": finding.school.name} if finding else {}
    form = CaseForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = services.open_accountability_case(
                user,
                office=user.office,
                target_kind=data["target_kind"],
                target_name=data["target_name"],
                finding=finding,
                measures=form.measure_values(),
                notes=data["notes"],
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("Accountability case opened."))
            return redirect("rectification:case_detail", case.pk)
    return render(request, "rectification/case_form.html", {"form": form, "finding": finding})


def case_detail(request, pk):
    """An accountability case: the office records measures and notes, and closes it."""
    user = request.user
    _case_guard(user)
    case = scoping.get_accountability_case_for(user, pk)
    may_edit = user.is_office_admin and user.office_id == case.office_id
    update_form = CaseUpdateForm(case=case)
    close_form = CaseCloseForm()
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied
        op = request.POST.get("op")
        try:
            if op == "close":
                close_form = CaseCloseForm(request.POST)
                if close_form.is_valid():
                    services.close_accountability_case(
                        user, case, notes=close_form.cleaned_data["notes"]
                    )
                    messages.success(request, _("Case closed."))
                    return redirect("rectification:case_detail", case.pk)
            else:
                update_form = CaseUpdateForm(request.POST, case=case)
                if update_form.is_valid():
                    services.update_accountability_case(
                        user,
                        case,
                        measures=update_form.cleaned_data["measures"],
                        notes=update_form.cleaned_data["notes"],
                    )
                    messages.success(request, _("Case saved."))
                    return redirect("rectification:case_detail", case.pk)
        except DomainError as error:
            messages.error(request, str(error))
            return redirect("rectification:case_detail", case.pk)
    context = {
        "case": case,
        "measures": _measure_labels(case),
        "may_edit": may_edit and case.status == AccountabilityCase.Status.OPEN,
        "update_form": update_form,
        "close_form": close_form,
    }
    return render(request, "rectification/case_detail.html", context)
