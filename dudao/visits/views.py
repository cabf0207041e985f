"""The inspector's screens for routine visits (经常性督导): the month's schools, the phone
form (autosaved as a draft), the visit page, the list and the attachments. Thin views: every
read starts from `dudao.accounts.scoping`, every write is a `dudao.visits.services` call."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from dudao.accounts import scoping
from dudao.accounts.models import Role
from dudao.core.errors import DomainError
from dudao.core.files import file_response
from dudao.core.forms import apply_domain_error
from dudao.core.paging import is_htmx, paginate
from dudao.core.permissions import office_admin_required, role_required
from dudao.core.supervision_items import items_in_order
from dudao.rectification.models import ACTIVE_STATUSES, Finding
from dudao.schools.models import SchoolType

from . import focus, queries, school_rules, services
from .forms import (
    AttachmentForm,
    FocusPointForm,
    InspectorPickForm,
    MonthField,
    SchoolTypeRuleForm,
    VisitFilterForm,
    VisitForm,
)
from .models import Attachment, Period, SixMinimum, Visit, VisitMethod

RECORD_ROLES = (Role.OFFICE_ADMIN, Role.ZONE_LEADER, Role.INSPECTOR)
LIST_ROLES = (Role.OFFICE_ADMIN, Role.ZONE_LEADER, Role.INSPECTOR, Role.VIEWER)


def recorder_required(view):
    """Who records visits: inspectors, zone leaders and office admins (not the superuser,
    who has no office to record in)."""

    def wrapper(request, *args, **kwargs):
        if request.user.role not in RECORD_ROLES or request.user.is_superuser:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def _finding_create_url(visit) -> str | None:
    """The rectification app's "new finding" page for this visit, when it exists."""
    try:
        return f"{reverse('rectification:finding_create')}?visit={visit.pk}"
    except NoReverseMatch:
        return None


def _recordable_school(user, pk):
    """The school `user` may record a visit to: an inspector's or zone leader's own assigned
    schools (not the zone's others), any school of an office admin's office. 404 otherwise."""
    if user.role in (Role.INSPECTOR, Role.ZONE_LEADER):
        if not user.inspector_id:
            raise Http404
        schools = queries.assigned_schools(user.inspector).filter(
            office_id=user.inspector.office_id
        )
    else:
        schools = scoping.schools_for(user)
    return scoping.get_or_404(schools.filter(is_active=True).select_related("office"), pk=pk)


def _may_edit(user, visit) -> bool:
    return visit.created_by_id == user.pk or (
        user.role == Role.OFFICE_ADMIN and user.office_id == visit.office_id
    )


def _own_visit(user, pk):
    """A visit `user` may change (its recorder, or the admin of its office); 404 otherwise."""
    visit = scoping.get_visit_for(user, pk)
    if not _may_edit(user, visit):
        raise Http404
    return visit


# --- my schools --------------------------------------------------------------------------


def _month_param(request):
    try:
        value = MonthField(required=False).clean(request.GET.get("month"))
    except ValidationError:  # a bad month shows the current one
        value = None
    if value is None:
        today = timezone.localdate()
        return today.year, today.month
    return value


def _shift_month(year: int, month: int, delta: int) -> str:
    index = year * 12 + (month - 1) + delta
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


@role_required(Role.INSPECTOR, Role.ZONE_LEADER, Role.OFFICE_ADMIN)
def my_schools(request):
    """The schools one inspector is responsible for, for one month: visited or not yet."""
    user = request.user
    year, month = _month_param(request)
    last = queries.month_range(year, month)[1]
    today = timezone.localdate()
    inspector = None
    picker = None
    if user.role in (Role.INSPECTOR, Role.ZONE_LEADER):
        if not user.inspector_id:
            raise PermissionDenied
        inspector = user.inspector
    else:  # office admin (or superuser): look at one inspector of the office
        picker = InspectorPickForm(request.GET or None, user=user)
        if request.GET.get("inspector") and "inspector_text" not in request.GET:
            # an id from a link or the <select>: not yours is not found
            inspector = scoping.get_inspector_for(user, request.GET["inspector"])
        elif picker.is_bound and picker.is_valid():
            inspector = picker.cleaned_data["inspector"]
    context = {
        "year": year,
        "month": month,
        "month_value": f"{year:04d}-{month:02d}",
        "previous_month": _shift_month(year, month, -1),
        "next_month": _shift_month(year, month, 1) if last < today else None,
        "inspector": inspector,
        "picker": picker,
        "rows": [],
        "can_record": user.role in RECORD_ROLES and not user.is_superuser,
    }
    if inspector is not None:
        day = min(last, today)
        schools = queries.assigned_schools(inspector, day).filter(is_active=True)
        context.update(_school_rows(schools, year, month, day))
    return render(request, "visits/my_schools.html", context)


def _school_rows(schools, year, month, day):
    """One row per school with the month's figures; a fixed number of queries."""
    school_list = list(schools.select_related("township").order_by("name"))
    visits = queries.visits_per_school(schools, year, month)
    since = queries.days_since_last_visit(schools, day)
    progress = queries.six_minimums_progress(schools, day)
    findings = {
        row["school"]: row
        # Bounded by `schools`, already in the reader's scope (whose findings they may see).
        for row in Finding.objects.unscoped()
        .filter(school__in=schools, status__in=ACTIVE_STATUSES)
        .values("school")
        .annotate(open=Count("pk"), overdue=Count("pk", filter=Q(is_overdue=True)))
    }
    labels = dict(SixMinimum.choices)
    rows = []
    for school in school_list:
        done = progress.get(school.pk, {})
        missing = queries.minimums_missing(done)
        counts = findings.get(school.pk, {})
        rows.append(
            {
                "school": school,
                "visits": visits.get(school.pk, 0),
                "days_since": since.get(school.pk),
                "open_findings": counts.get("open", 0),
                "overdue_findings": counts.get("overdue", 0),
                "minimums_done": len(done) - len(missing),
                "minimums_total": len(done),  # the minimums asked of its type (rules.md §8)
                "minimums_missing": [labels[key] for key in missing],
            }
        )
    rows.sort(key=lambda r: (r["visits"] > 0, r["school"].name))
    return {
        "rows": rows,
        "visited_count": sum(1 for r in rows if r["visits"]),
        "semester": queries.semester_of(day),
    }


# --- the visit form ----------------------------------------------------------------------


def _submit_or_save(request, form, school, visit=None):
    """Run the service for a bound, valid form; return (visit, submitted) or raise
    DomainError."""
    kwargs = form.service_kwargs()
    client_uuid = form.cleaned_data["client_uuid"]
    if "submit" in request.POST:
        visit = services.submit_visit(request.user, client_uuid, school=school, **kwargs)
        return visit, True
    visit = services.save_draft(request.user, school, client_uuid, **kwargs)
    return visit, False


def _store_files(request, visit) -> None:
    """The files sent with the plain (no-JS) form: each accepted or refused on its own."""
    for uploaded in request.FILES.getlist("files"):
        try:
            services.add_attachment(request.user, visit, uploaded)
        except DomainError as error:
            messages.error(request, str(error))


def _apply_item_errors(form, error: DomainError) -> None:
    """A service refusal on the form: each refused item's message beside that item."""
    if isinstance(error, services.ItemErrors):
        for field, message in error.errors.items():
            form.add_error(field if field in form.fields else None, message)
    else:
        apply_domain_error(form, error)


def _submitted_message(visit) -> str:
    count = Finding.objects.unscoped().filter(visit=visit).count()
    if not count:
        return _("Visit submitted.")
    return ngettext(
        "Visit submitted with %(count)d finding.",
        "Visit submitted with %(count)d findings.",
        count,
    ) % {"count": count}


def _form_month(form, visit):
    """The month whose focus points the form shows: the visit's, else today's."""
    moment = form["visited_at"].value() if form.is_bound else None
    if moment and not isinstance(moment, str):
        day = timezone.localdate(moment) if timezone.is_aware(moment) else moment.date()
    elif visit is not None and visit.visited_on:
        day = visit.visited_on
    else:
        initial = form.initial.get("visited_at")
        day = timezone.localdate(initial) if initial else timezone.localdate()
    return day.year, day.month


def _type_kwargs(school) -> dict:
    """The items and six minimums of the school's type in its office (rules.md §4, §8)."""
    book = school_rules.RuleBook([school.office_id])
    return {
        "items": book.items(school.office_id, school.type),
        "minimums": book.minimums(school.office_id, school.type),
    }


def _visit_form_page(request, school, visit=None):
    if visit is not None and not visit.is_draft:
        return redirect("visits:detail", visit.pk)
    form = VisitForm(
        request.POST or None,
        visit=visit,
        submitting="submit" in request.POST,
        **_type_kwargs(school),
    )
    if request.method == "POST" and form.is_valid():
        if visit is not None and form.cleaned_data["client_uuid"] != visit.client_uuid:
            form.add_error(None, _("The form's identifier is invalid; reload the form."))
        else:
            all_fine = "all_fine" in request.POST
            if all_fine:  # 全部正常 without scripts: mark the rest fine, keep the draft
                form.mark_rest_fine()
            try:
                saved, submitted = _submit_or_save(request, form, school, visit)
            except DomainError as error:
                _apply_item_errors(form, error)
            else:
                _store_files(request, saved)
                if submitted:
                    messages.success(request, _submitted_message(saved))
                    return redirect("visits:detail", saved.pk)
                if all_fine:
                    messages.success(request, _("The items left unchecked are marked fine."))
                else:
                    messages.success(request, _("Draft saved."))
                return redirect("visits:edit", saved.pk)
    attachments = list(visit.attachments.all()) if visit is not None else []
    photos = [a for a in attachments if a.kind == "image"]
    for photo in photos:  # offered under every item: reversed once, not once per item
        photo.preview_url = reverse("visits:attachment_preview", args=[photo.pk])
    year, month = _form_month(form, visit)
    context = {
        "form": form,
        "school": school,
        "visit": visit,
        "attachments": attachments,
        "photos": photos,
        "focus_points": focus.points_of_month(school.office_id, year, month),
        "focus_month": f"{year:04d}-{month:02d}",
        "storage_key": f"dudao-visit:edit:{visit.pk}" if visit else f"dudao-visit:new:{school.pk}",
    }
    return render(request, "visits/form.html", context)


@recorder_required
def visit_new(request, school_id):
    school = _recordable_school(request.user, school_id)
    return _visit_form_page(request, school)


@recorder_required
def visit_edit(request, pk):
    visit = _own_visit(request.user, pk)
    if not visit.is_draft:
        return redirect("visits:detail", visit.pk)
    return _visit_form_page(request, visit.school, visit)


@recorder_required
@require_POST
def autosave(request, school_id):
    """htmx: save the form as a draft (by its client UUID) and answer "saved at HH:MM"."""
    school = _recordable_school(request.user, school_id)
    form = VisitForm(request.POST, **_type_kwargs(school))
    context = {"error": None, "visit": None}
    if not form.is_valid():
        context["error"] = "; ".join(str(e) for errors in form.errors.values() for e in errors)
    else:
        kwargs = form.service_kwargs()
        try:
            context["visit"] = services.save_draft(
                request.user, school, form.cleaned_data["client_uuid"], **kwargs
            )
        except DomainError as error:
            context["error"] = str(error)
        else:
            context["saved_at"] = timezone.localtime()
    return render(request, "visits/_saved.html", context)


# --- reading -----------------------------------------------------------------------------


def visit_detail(request, pk):
    visit = scoping.get_visit_for(request.user, pk)
    user = request.user
    may_edit = _may_edit(user, visit)
    if visit.is_draft and not may_edit:
        raise Http404
    findings = list(scoping.findings_for(user).filter(visit=visit).order_by("area", "pk"))
    areas = list(visit.area_checks.all())
    context = {
        "visit": visit,
        "areas": areas,
        "problem_items": any(a.status == a.Status.PROBLEM for a in areas),
        "attachments": visit.attachments.all(),
        "findings": findings,
        "finding_areas": {f.area for f in findings},
        "may_issue_feedback": may_edit and not visit.is_draft,
        "methods": _labels(visit.methods, dict(VisitMethod.choices)),
        "minimums": _labels(visit.minimums, dict(SixMinimum.choices)),
        "may_edit": may_edit,
        "may_upload": may_edit,
        "finding_create_url": _finding_create_url(visit)
        if may_edit and not visit.is_draft
        else None,
        "upload_form": AttachmentForm(),
    }
    return render(request, "visits/detail.html", context)


def _labels(values, labels) -> list:
    return [labels.get(value, value) for value in values or []]


@role_required(*LIST_ROLES)
def visit_list(request):
    user = request.user
    qs = scoping.visits_for(user).filter(
        Q(status=Visit.Status.SUBMITTED) | Q(created_by_id=user.pk)
    )
    form = VisitFilterForm(request.GET or None, user=user)
    data = form.cleaned_data if form.is_valid() else {}
    if form.is_bound and not form.is_valid():
        qs = qs.none()  # a filter that names nothing (a school typed wrong) shows nothing
    if data.get("school"):
        qs = qs.filter(school=data["school"])
    if data.get("inspector"):
        qs = qs.filter(inspector=data["inspector"])
    if data.get("month"):
        first, last = queries.month_range(*data["month"])
        qs = qs.filter(visited_on__gte=first, visited_on__lte=last)
    if data.get("status"):
        qs = qs.filter(status=data["status"])
    qs = queries.filter_visit_list(qs, data)
    # The page is cut on the bare ids (a count, and the page's ids as a subquery with its
    # LIMIT), and only its rows are joined and their findings counted: joining a province's
    # 700 000 visits before the LIMIT took seconds (issue 10, as the ledger does).
    qs = qs.order_by("-visited_at", "-pk")
    page, query = paginate(request, qs.values_list("pk", flat=True))
    page.object_list = list(
        qs.filter(pk__in=page.object_list)
        .select_related("school", "inspector", "created_by")
        .annotate(finding_count=Count("findings", distinct=True))
    )
    context = {"form": form, "page": page, "query": query}
    template = "visits/_table.html" if is_htmx(request) else "visits/list.html"
    return render(request, template, context)


# --- writes ------------------------------------------------------------------------------


@recorder_required
@require_POST
def delete_draft(request, pk):
    visit = _own_visit(request.user, pk)
    try:
        services.delete_draft(request.user, visit)
    except DomainError as error:
        messages.error(request, str(error))
        return redirect("visits:detail", visit.pk)
    messages.success(request, _("Draft deleted."))
    return redirect("visits:list")


@recorder_required
@require_POST
def attachment_add(request, pk):
    """Upload one file to a visit the user recorded (draft or submitted)."""
    visit = _own_visit(request.user, pk)
    form = AttachmentForm(request.POST, request.FILES)
    attachment, error = None, None
    if not form.is_valid():
        error = _("Choose a file to upload.")
    else:
        try:
            attachment = services.add_attachment(request.user, visit, form.cleaned_data["file"])
        except DomainError as exc:
            error = str(exc)
    if is_htmx(request):
        context = {"attachment": attachment, "error": error, "visit": visit, "may_edit": True}
        return render(request, "visits/_attachment_result.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("File added."))
    return redirect(_back(visit))


def _back(visit) -> str:
    return reverse("visits:edit" if visit.is_draft else "visits:detail", args=[visit.pk])


@recorder_required
@require_POST
def attachment_delete(request, pk):
    attachment = _attachment_for(request.user, pk)
    visit = attachment.visit
    if not _may_edit(request.user, visit):
        raise Http404
    try:
        services.delete_attachment(request.user, attachment)
    except DomainError as error:
        if is_htmx(request):
            return render(
                request, "visits/_attachment_result.html", {"error": str(error), "visit": visit}
            )
        messages.error(request, str(error))
        return redirect(_back(visit))
    if is_htmx(request):
        return render(request, "visits/_attachment_result.html", {"deleted": True})
    messages.success(request, _("File deleted."))
    return redirect(_back(visit))


def _attachment_for(user, pk) -> Attachment:
    attachment = scoping.get_or_404(
        Attachment.objects.filter(visit__in=scoping.visits_for(user)).select_related("visit"),
        pk=pk,
    )
    visit = attachment.visit
    if visit.is_draft and not _may_edit(user, visit):
        raise Http404
    return attachment


def attachment_file(request, pk):
    """The original file, through the visit's scope (never a public media URL)."""
    attachment = _attachment_for(request.user, pk)
    return file_response(attachment.file, attachment.content_type, attachment.original_name)


def attachment_preview(request, pk):
    """The downscaled JPEG of a photo (the original when there is no preview)."""
    attachment = _attachment_for(request.user, pk)
    if attachment.preview:
        return file_response(attachment.preview, "image/jpeg", None)
    if attachment.kind != "image":
        raise Http404
    return file_response(attachment.file, attachment.content_type, None)


# --- the written feedback (书面反馈意见书) ------------------------------------------------


@recorder_required
@require_POST
def feedback_issue(request, pk):
    """Record that the written feedback was issued to the school (the downloads are on the
    visit page, in the reports app)."""
    visit = _own_visit(request.user, pk)
    try:
        services.issue_feedback_letter(request.user, visit)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The feedback letter is recorded as issued."))
    return redirect("visits:detail", visit.pk)


# --- monthly focus points (月度督导要点) ---------------------------------------------------


@role_required(Role.OFFICE_ADMIN, Role.ZONE_LEADER, Role.INSPECTOR, Role.VIEWER)
def focus_list(request):
    """The focus points of one month (the office admin manages them; others read)."""
    year, month = _month_param(request)
    points = (
        scoping.focus_points_for(request.user)
        .filter(year=year, month=month)
        .select_related("office")
        .order_by("office__name", "ordering", "pk")
    )
    context = {
        "points": points,
        "month_value": f"{year:04d}-{month:02d}",
        "previous_month": _shift_month(year, month, -1),
        "next_month": _shift_month(year, month, 1),
        "may_manage": request.user.role == Role.OFFICE_ADMIN and not request.user.is_superuser,
    }
    return render(request, "visits/focus_list.html", context)


def _focus_form_page(request, point=None):
    form = FocusPointForm(request.POST or None, instance=point)
    if point is None and not form.is_bound:
        today = timezone.localdate()
        form.initial["month_value"] = request.GET.get("month") or f"{today:%Y-%m}"
    if request.method == "POST" and form.is_valid():
        try:
            if point is None:
                saved = services.create_focus_point(
                    request.user, office=request.user.office, **form.service_kwargs()
                )
            else:
                saved = services.update_focus_point(request.user, point, **form.service_kwargs())
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("Focus point saved."))
            return redirect(
                f"{reverse('visits:focus_list')}?month={saved.year:04d}-{saved.month:02d}"
            )
    return render(request, "visits/focus_form.html", {"form": form, "point": point})


@office_admin_required
def focus_new(request):
    return _focus_form_page(request)


@office_admin_required
def focus_edit(request, pk):
    point = scoping.get_focus_point_for(request.user, pk)
    return _focus_form_page(request, point)


@office_admin_required
@require_POST
def focus_delete(request, pk):
    point = scoping.get_focus_point_for(request.user, pk)
    month = f"{point.year:04d}-{point.month:02d}"
    try:
        services.delete_focus_point(request.user, point)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Focus point deleted."))
    return redirect(f"{reverse('visits:focus_list')}?month={month}")


# --- school-type rules (docs/rules.md §4, §6, §8) ----------------------------------------


def _rule_rows(office_id):
    labels = dict(SixMinimum.choices)
    rows = []
    for rule in school_rules.rules_for_office(office_id):
        visits, period = rule.visits, rule.get_period_display()
        rows.append(
            {
                "rule": rule,
                "type": rule.get_school_type_display(),
                "items": items_in_order(rule.items),
                "minimums": [labels[key] for key in SixMinimum.values if key in rule.minimums],
                "frequency": _("%(n)s per %(period)s") % {"n": visits, "period": period},
                "large": (
                    _("from %(pupils)s pupils: %(n)s per %(period)s")
                    % {
                        "pupils": rule.large_from,
                        "n": rule.large_visits,
                        "period": Period(rule.large_period).label,
                    }
                    if rule.large_from is not None
                    else ""
                ),
            }
        )
    return rows


@office_admin_required
def school_rules_list(request):
    """The office's rules per school type: items, six minimums, visit frequency."""
    return render(request, "visits/school_rules.html", {"rows": _rule_rows(request.user.office_id)})


@office_admin_required
def school_rule_edit(request, school_type):
    if school_type not in SchoolType.values:
        raise Http404
    rule = school_rules.RuleBook([request.user.office_id]).rule(request.user.office_id, school_type)
    form = SchoolTypeRuleForm(request.POST or None, rule=rule)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_school_type_rule(
                request.user,
                request.user.office_id,
                school_type,
                expected_version=rule.version if rule.pk else None,
                **form.service_kwargs(),
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("Rule saved."))
            return redirect("visits:school_rules")
    context = {"form": form, "rule": rule, "type": rule.get_school_type_display()}
    return render(request, "visits/school_rule_form.html", context)
