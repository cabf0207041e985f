"""Periodic returns (报送): the office's returns, their periods (who has reported, who is late,
who has not), reminders, figures over time and exports; a school's own reports."""

import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dudao.accounts import scoping
from dudao.accounts.models import Role
from dudao.checklists.models import AnswerType
from dudao.core.errors import DomainError
from dudao.core.forms import apply_domain_error
from dudao.core.paging import paginate
from dudao.core.permissions import office_admin_required, role_required
from dudao.reports import exporter

from . import queries, services, workflow
from .forms import ReturnForm
from .models import PeriodicReturn, ReturnAnswer, ReturnSubmission

READERS = (Role.OFFICE_ADMIN, Role.ZONE_LEADER, Role.INSPECTOR, Role.VIEWER)
S = ReturnSubmission.Status


def _today():
    return timezone.localdate()


def _period_for(user, pk):
    return scoping.get_or_404(
        scoping.return_periods_for(user).select_related("periodic_return__checklist"), pk=pk
    )


def _download(request, name, *args):
    result = exporter.export(name, exporter.XLSX, request.user, *args)
    response = FileResponse(io.BytesIO(result.content), content_type=result.content_type)
    response["Content-Disposition"] = exporter.content_disposition(result.filename)
    return response


@role_required(*READERS)
def return_list(request):
    qs = (
        scoping.periodic_returns_for(request.user)
        .select_related("checklist", "office")
        .annotate(school_count=Count("schools", distinct=True))
        .order_by("-starts_on", "-pk")
    )
    page, query = paginate(request, qs)
    return render(request, "returns/list.html", {"page": page, "query": query})


@office_admin_required
def return_create(request):
    form = ReturnForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.create_return(
                request.user, request.user.office, **form.service_kwargs()
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("Return “%(title)s” saved as a draft.") % {"title": item})
            return redirect("returns:detail", item.pk)
    return render(request, "returns/form.html", {"form": form})


@office_admin_required
def return_edit(request, pk):
    item = scoping.get_periodic_return_for(request.user, pk)
    form = ReturnForm(request.POST or None, user=request.user, instance=item)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_return(
                request.user,
                item,
                expected_version=request.POST.get("version"),
                **form.service_kwargs(creating=False),
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("Return saved."))
            return redirect("returns:detail", item.pk)
    return render(request, "returns/form.html", {"form": form, "item": item})


@office_admin_required
@require_POST
def return_activate(request, pk):
    item = scoping.get_periodic_return_for(request.user, pk)
    try:
        services.activate_return(request.user, item, expected_version=request.POST.get("version"))
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The return has started: the schools can report."))
    return redirect("returns:detail", item.pk)


@office_admin_required
@require_POST
def return_close(request, pk):
    item = scoping.get_periodic_return_for(request.user, pk)
    try:
        services.close_return(request.user, item, expected_version=request.POST.get("version"))
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The return is closed."))
    return redirect("returns:detail", item.pk)


@role_required(*READERS)
def return_detail(request, pk):
    item = scoping.get_periodic_return_for(request.user, pk)
    periods = queries.periods_with_counts(request.user, item, _today())
    return render(
        request,
        "returns/detail.html",
        {
            "item": item,
            "periods": periods,
            "current": next((p for p in periods if p.is_open), None),
            "actions": workflow.return_actions(item, request.user),
            "can_edit": request.user.is_office_admin
            and item.status != PeriodicReturn.Status.CLOSED,
            "school_count": item.schools.count(),
        },
    )


@role_required(*READERS)
def period_detail(request, pk):
    period = _period_for(request.user, pk)
    groups = queries.period_submissions(request.user, period)
    today = _today()
    return render(
        request,
        "returns/period.html",
        {
            "period": period,
            "item": period.periodic_return,
            "groups": groups,
            "is_due": period.due_on < today,
            "can_remind": request.user.is_office_admin
            and period.periodic_return.status == PeriodicReturn.Status.ACTIVE
            and period.opens_on <= today
            and bool(groups["missing"]),
        },
    )


@office_admin_required
@require_POST
def period_remind(request, pk):
    period = _period_for(request.user, pk)
    try:
        count = services.remind_period(request.user, period)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        if count:
            messages.success(request, _("%(n)s schools reminded.") % {"n": count})
        else:
            messages.info(request, _("Every school that has not reported was reminded today."))
    return redirect("returns:period", period.pk)


@role_required(*READERS)
def period_xlsx(request, pk):
    period = _period_for(request.user, pk)
    return _download(request, "return_period", period.pk)


@role_required(*READERS)
def figures(request, pk):
    item = scoping.get_periodic_return_for(request.user, pk)
    periods = list(
        scoping.return_periods_for(request.user)
        .filter(periodic_return=item, opens_on__lte=_today())
        .order_by("-due_on")[: queries.FIGURE_PERIODS]
    )
    periods.reverse()
    series = queries.figures(request.user, item, periods)
    schools = scoping.schools_for(request.user).filter(periodic_returns=item).order_by("name")
    school = None
    history = []
    if request.GET.get("school"):
        school = scoping.get_or_404(schools, pk=request.GET["school"])
        history = queries.school_history(request.user, item, school, list(reversed(periods)))
    chart = {
        "periods": [p.due_on.isoformat() for p in periods],
        "shares": [
            {"name": s.item.code, "data": [p.share for p in s.points]}
            for s in series
            if s.kind == queries.SHARE
        ],
        "numbers": [
            {
                "name": f"{s.item.code} {s.item.question[:30]}",
                "unit": s.item.unit,
                "mean": [p.mean for p in s.points],
                "low": [p.low for p in s.points],
                "high": [p.high for p in s.points],
            }
            for s in series
            if s.kind == queries.NUMBER
        ],
    }
    items = [s.item for s in series]
    for row in history:
        row["cells"] = [queries.display_value(row["values"].get(i.pk)) for i in items]
    return render(
        request,
        "returns/figures.html",
        {
            "item": item,
            "periods": periods,
            "series": [s for s in series if s.kind],
            "chart": chart,
            "schools": schools,
            "school": school,
            "history": history,
            "items": items,
        },
    )


@role_required(*READERS)
def figures_xlsx(request, pk):
    item = scoping.get_periodic_return_for(request.user, pk)
    return _download(request, "return_series", item.pk)


@role_required(Role.SCHOOL)
def my_returns(request):
    today = _today()
    qs = (
        scoping.return_submissions_for(request.user)
        .filter(
            period__opens_on__lte=today,
            period__periodic_return__status__in=[
                PeriodicReturn.Status.ACTIVE,
                PeriodicReturn.Status.CLOSED,
            ],
        )
        .select_related("period__periodic_return")
        .order_by("-period__due_on", "pk")
    )
    page, query = paginate(request, qs)
    for submission in page:
        submission.is_due = submission.period.due_on < today
    return render(request, "returns/mine.html", {"page": page, "query": query})


def _posted_answers(request, items):
    answers = {item.pk: request.POST.get(f"item-{item.pk}") for item in items}
    notes = {item.pk: request.POST.get(f"note-{item.pk}", "") for item in items}
    return answers, notes


def _rows(items, answers: dict, notes: dict, errors: dict):
    return [
        {
            "item": item,
            "field": f"item-{item.pk}",
            "value": answers.get(item.pk),
            "note": notes.get(item.pk, ""),
            "error": errors.get(f"item-{item.pk}"),
            "options": item.choices
            if item.answer_type in (AnswerType.LEVEL, AnswerType.CHOICE)
            else [],
        }
        for item in items
    ]


def _editable(submission, user) -> bool:
    actions = workflow.submission_actions(submission, user)
    return bool(actions)


@role_required(*READERS, Role.SCHOOL)
def submission_detail(request, pk):
    submission = scoping.get_return_submission_for(request.user, pk)
    if request.method == "POST" and request.user.role != Role.SCHOOL:
        raise PermissionDenied
    items = services.items_for(submission)
    stored = {a.item_id: a for a in ReturnAnswer.objects.filter(submission=submission)}
    answers = {pk_: a.value for pk_, a in stored.items()}
    notes = {pk_: a.note for pk_, a in stored.items()}
    # Yes/no answers are posted and shown as "yes"/"no".
    for key, value in list(answers.items()):
        if isinstance(value, bool):
            answers[key] = "yes" if value else "no"
    errors = {}
    editable = _editable(submission, request.user)
    revising = editable and submission.status == S.SUBMITTED
    if revising and request.GET.get("revise") != "1" and request.method != "POST":
        editable = False
    if request.method == "POST":
        action = request.POST.get("action")
        client_uuid = request.POST.get("client_uuid")
        if action not in ("save", "submit") or not client_uuid:
            messages.error(request, _("The form was incomplete; please fill it in again."))
        else:
            posted, posted_notes = _posted_answers(request, items)
            function = services.submit if action == "submit" else services.save_draft
            try:
                function(request.user, submission, posted, posted_notes, client_uuid=client_uuid)
            except services.AnswersInvalid as error:
                errors = error.errors
                answers, notes = posted, posted_notes
                messages.error(request, _("Some answers need attention."))
            except DomainError as error:
                answers, notes = posted, posted_notes
                messages.error(request, str(error))
            else:
                if action == "submit":
                    messages.success(request, _("Reported. Thank you."))
                    return redirect("returns:mine")
                messages.success(request, _("Draft saved."))
                return redirect("returns:submission", submission.pk)
    return render(
        request,
        "returns/submission.html",
        {
            "submission": submission,
            "period": submission.period,
            "item": submission.period.periodic_return,
            "rows": _rows(items, answers, notes, errors),
            "editable": editable,
            "can_revise": revising,
            "is_school": request.user.role == Role.SCHOOL,
        },
    )
