"""The office's and the inspector's complaint screens: the office's list with its filters,
the inspector's "my complaints", a complaint's page with its history and the actions the
reader may take now, raising a finding, the photos, the figures with their workbook, and
the office's rules (days to reply, days between urgings).

Thin views: every read starts from the complaints' scope (`accounts.scoping`; not yours answers
404), every write is a named call in `dudao.complaints.services`. Only an office admin of the
complaint's office reads the sender's name and phone (`accounts.scoping.may_see_sender`); schools
have no page here at all."""

import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from dudao.accounts.models import Role
from dudao.accounts.scoping import (
    complaints_for,
    get_complaint_for,
    get_complaint_photo_for,
    may_see_sender,
    schools_for,
)
from dudao.core.errors import DomainError, NotPermitted
from dudao.core.files import file_response
from dudao.core.forms import apply_domain_error
from dudao.core.paging import is_htmx, paginate
from dudao.core.permissions import office_admin_required, role_required
from dudao.core.supervision_items import ALL_ITEMS
from dudao.inspectors.queries import barred_pairs
from dudao.reports import exporter
from dudao.schools.models import School

from . import codes, queries, services, workflow
from .forms import ActionForm, FindingForm, RulesForm
from .models import ComplaintEvent, Status, rules_for
from .report import NAME as FIGURES_REPORT
from .workflow import OPEN_STATUSES, Action, Event

READERS = (Role.OFFICE_ADMIN, Role.INSPECTOR, Role.ZONE_LEADER)
FIELD = (Role.INSPECTOR, Role.ZONE_LEADER)
FIGURE_READERS = (Role.OFFICE_ADMIN, Role.VIEWER)

SAVE_DRAFT = "save_draft"
ACTION_NAMES = set(Action.values) | {SAVE_DRAFT}
DANGER = {Action.TRANSFER, Action.MERGE, Action.REOPEN}
EVENT_LABELS = {
    Event.RECEIVED: gettext_lazy("received"),
    Event.DRAFT_SAVED: gettext_lazy("reply draft saved"),
    Event.OVERDUE: gettext_lazy("became overdue"),
    Event.OVERDUE_CLEARED: gettext_lazy("no longer overdue"),
    Event.URGED: gettext_lazy("urged"),
    Event.FINDING_RAISED: gettext_lazy("finding raised"),
}


def _label(name) -> str:
    if name == SAVE_DRAFT:
        return _("save the reply as a draft")
    if name in Action.values:
        return str(Action(name).label)
    return str(EVENT_LABELS.get(name, name))


def _status_label(value) -> str:
    try:
        return str(Status(value).label)
    except ValueError:
        return ""


# --- lists ----------------------------------------------------------------------------------


@role_required(Role.OFFICE_ADMIN)
def complaint_list(request):
    """The office's complaints, newest first, with the filters (status, category, school,
    overdue, month received, a tracking code or words of the text)."""
    form, qs = queries.filtered_complaints(request.user, request.GET)
    qs = qs.select_related("school", "inspector", "office").order_by("-received_at", "-pk")
    page, query = paginate(request, qs)
    context = {"form": form, "page": page, "query": query}
    template = "complaints/_table.html" if is_htmx(request) else "complaints/list.html"
    return render(request, template, context)


@role_required(*FIELD)
def my_complaints(request):
    """The complaints assigned to the inspector: waiting ones first, overdue at the top."""
    qs = (
        complaints_for(request.user)
        .select_related("school", "office")
        .order_by("-is_overdue", "deadline", "-received_at", "-pk")
    )
    waiting = list(qs.filter(status__in=OPEN_STATUSES))
    done = qs.exclude(status__in=OPEN_STATUSES)
    page, query = paginate(request, done)
    return render(
        request, "complaints/mine.html", {"waiting": waiting, "page": page, "query": query}
    )


# --- the complaint's page -------------------------------------------------------------------


def _inspector_choices(complaint):
    """The office's active inspectors for the assign form, those who must recuse from the
    school (回避) marked and left out."""
    form = ActionForm(office_id=complaint.office_id)
    inspectors = list(form.fields["inspector"].queryset.order_by("name", "pk"))
    barred = {}
    if complaint.school_id:
        barred = barred_pairs([(i.pk, complaint.school_id) for i in inspectors])
    return [i for i in inspectors if (i.pk, complaint.school_id) not in barred]


def _actions_for(complaint, user) -> list[dict]:
    names = list(workflow.allowed_actions(complaint, user))
    roles = workflow.roles_of(user, complaint)
    if complaint.is_open and roles & {workflow.INSPECTOR, workflow.OFFICE}:
        names.insert(0, SAVE_DRAFT)
    return [{"name": n, "label": _label(n), "danger": n in DANGER} for n in names]


def _detail_context(request, complaint) -> dict:
    user = request.user
    roles = workflow.roles_of(user, complaint)
    office = workflow.OFFICE in roles
    events = [
        {
            "event": event,
            "label": _label(event.action),
            "from": _status_label(event.from_status),
            "to": _status_label(event.to_status),
        }
        for event in ComplaintEvent.objects.filter(complaint=complaint).order_by("at", "pk")
    ]
    actions = _actions_for(complaint, user)
    names = {a["name"] for a in actions}
    can_raise = (
        not complaint.finding_id
        and complaint.status not in (Status.MERGED, Status.TRANSFERRED)
        and bool(roles & {workflow.INSPECTOR, workflow.OFFICE})
    )
    duplicates = list(
        complaints_for(user).filter(duplicate_of=complaint).order_by("received_at", "pk")
    )
    return {
        "complaint": complaint,
        "sender_visible": may_see_sender(user, complaint),
        "photos": list(complaint.photos.all()),
        "events": events,
        "actions": actions,
        "inspectors": _inspector_choices(complaint) if Action.ASSIGN in names else [],
        "candidates": (
            queries.possible_duplicates(user, complaint) if Action.MERGE in names else []
        ),
        "duplicates": duplicates,
        "root": workflow.root_of(complaint) if complaint.duplicate_of_id else None,
        "can_raise": can_raise,
        "is_office": office,
        "finding": complaint.finding,
    }


@role_required(*READERS)
def complaint_detail(request, pk):
    complaint = get_complaint_for(request.user, pk)
    return render(request, "complaints/detail.html", _detail_context(request, complaint))


def _original(user, complaint, code):
    code = codes.normalise_code(code)
    if not code:
        return None
    return complaints_for(user).filter(office_id=complaint.office_id, tracking_code=code).first()


def _perform(user, complaint, action, data) -> str:
    version = data["expected_version"]
    note = data.get("note") or ""
    if action == SAVE_DRAFT:
        services.save_reply_draft(user, complaint, expected_version=version, text=data["reply"])
        return _("Draft saved. The sender reads nothing until the reply is sent.")
    if action == Action.ASSIGN:
        services.assign(
            user,
            complaint,
            expected_version=version,
            inspector=data.get("inspector"),
            deadline=data.get("deadline"),
            note=note,
        )
        return _("Assigned.")
    if action == Action.REPLY:
        services.reply(user, complaint, expected_version=version, text=data["reply"], note=note)
        return _("Reply sent. The sender reads it with the tracking code.")
    if action == Action.TRANSFER:
        services.transfer(
            user, complaint, expected_version=version, department=data["department"], note=note
        )
        return _("Transferred.")
    if action == Action.MERGE:
        original = _original(user, complaint, data.get("original"))
        services.merge(user, complaint, expected_version=version, original=original, note=note)
        return _("Merged as a duplicate.")
    named = {
        Action.START: services.start_investigation,
        Action.CLOSE: services.close,
        Action.REOPEN: services.reopen,
    }
    named[action](user, complaint, expected_version=version, note=note)
    return _("Done: %(action)s.") % {"action": _label(action)}


@require_POST
@role_required(*READERS)
def complaint_action(request, pk, action):
    """One endpoint for every action on a complaint: dispatch to the named service."""
    if action not in ACTION_NAMES:
        raise Http404
    user = request.user
    complaint = get_complaint_for(user, pk)
    form = ActionForm(request.POST, office_id=complaint.office_id)
    if not form.is_valid():
        messages.error(request, _("Reload the page and try again."))
    else:
        try:
            messages.success(request, _perform(user, complaint, action, form.cleaned_data))
        except NotPermitted as error:
            raise PermissionDenied(str(error)) from error
        except DomainError as error:
            messages.error(request, str(error))
    return redirect("complaints:detail", complaint.pk)


@role_required(*READERS)
def raise_finding(request, pk):
    """A confirmed problem becomes a finding in the ledger, linked both ways."""
    user = request.user
    complaint = get_complaint_for(user, pk)
    if complaint.finding_id:
        return redirect("rectification:finding_detail", complaint.finding_id)
    if not (workflow.roles_of(user, complaint) & {workflow.INSPECTOR, workflow.OFFICE}):
        raise PermissionDenied
    school = complaint.school
    if school is not None:
        areas = services.areas_for(school)
        # The complaint was fetched in the reader's scope; whether they may record a finding
        # at its school is `create_finding`'s to say.
        schools = School.objects.unscoped().filter(pk=school.pk)
    else:
        areas = ALL_ITEMS
        schools = schools_for(user).filter(office_id=complaint.office_id, is_active=True)
    form = FindingForm(
        request.POST or None,
        schools=schools.order_by("name", "code"),
        areas=areas,
        fixed_school=school,
        initial={"expected_version": complaint.version},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            finding = services.raise_finding(
                user,
                complaint,
                expected_version=data["expected_version"],
                school=data["school"],
                area=data["area"],
                description=data["description"],
                severity=data["severity"],
                deadline=data["deadline"],
            )
        except NotPermitted as error:
            raise PermissionDenied(str(error)) from error
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("Finding recorded in the rectification ledger."))
            return redirect("rectification:finding_detail", finding.pk)
    return render(request, "complaints/finding_form.html", {"complaint": complaint, "form": form})


@role_required(*READERS)
def complaint_photo(request, pk):
    """A photo through its complaint's scope: the preview (which carries no EXIF data, such
    as the phone's location) for everyone who reads the complaint; the original, with
    ?original=1, for the office admins only."""
    photo = get_complaint_photo_for(request.user, pk)
    if request.GET.get("original") == "1":
        if not may_see_sender(request.user, photo.complaint):
            raise PermissionDenied
        return file_response(photo.file, photo.content_type, photo.original_name)
    if not photo.preview:
        raise Http404  # the preview is being made (a large photo): try again shortly
    return file_response(photo.preview, "image/jpeg", None)


# --- figures ---------------------------------------------------------------------------------


def _year(request, today) -> int:
    raw = str(request.GET.get("year") or "")
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= today.year + 1 else today.year


def _office(request):
    offices = queries.figure_offices(request.user)
    raw = str(request.GET.get("office") or "")
    return offices.filter(pk=raw).first() if raw.isdigit() else None


# The page lists the schools with the most complaints; the XLSX lists them all.
FIGURE_PAGE_SCHOOLS = 50


@role_required(*FIGURE_READERS)
def figures(request):
    today = timezone.localdate()
    year = _year(request, today)
    office = _office(request)
    data = queries.figures(
        request.user, year=year, office=office, today=today, school_limit=FIGURE_PAGE_SCHOOLS
    )
    context = {
        **data,
        "years": list(range(today.year, today.year - 5, -1)),
        "offices": list(queries.figure_offices(request.user)),
        "office": office,
        "query": request.GET.urlencode(),
    }
    return render(request, "complaints/figures.html", context)


@role_required(*FIGURE_READERS)
def figures_xlsx(request):
    today = timezone.localdate()
    office = _office(request)
    params = {"year": _year(request, today), "office": office}
    export = exporter.export(FIGURES_REPORT, exporter.XLSX, request.user, params)
    response = FileResponse(io.BytesIO(export.content), content_type=export.content_type)
    response["Content-Disposition"] = exporter.content_disposition(export.filename)
    return response


# --- the office's rules ----------------------------------------------------------------------


@office_admin_required
def rules(request):
    office = request.user.office
    current = rules_for(office.pk)
    form = RulesForm(
        request.POST or None,
        initial={"reply_days": current.reply_days, "urge_days": current.urge_days},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.save_rules(request.user, office, **form.cleaned_data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("Complaint rules saved."))
            return redirect("complaints:rules")
    return render(request, "complaints/rules.html", {"form": form, "office": office})
