"""The campaign's screens at the school gate and its results (专项督导, issue 12 §4–§5): the
inspector's checks, the phone form of one school's check (autosaved as a draft), its
evidence and one-tap findings; the results page and its XLSX; the school's own result once
the campaign is published. Thin views: every read starts from `dudao.accounts.scoping`,
every write is a `dudao.campaigns.checks` call."""

import io

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dudao.accounts import scoping
from dudao.accounts.models import Role
from dudao.checklists.models import AnswerType
from dudao.core.errors import DomainError
from dudao.core.files import file_response
from dudao.core.permissions import role_required
from dudao.reports import exporter

from . import checks, results, target_workflow
from .models import Answer, AnswerEvidence, Campaign, CampaignTarget

CHECK_ROLES = (Role.OFFICE_ADMIN, Role.ZONE_LEADER, Role.INSPECTOR)
RESULT_ROLES = (Role.OFFICE_ADMIN, Role.VIEWER)


def _checkable(user, pk) -> CampaignTarget:
    """A target the user may check: on its team, or the office admin. 404 otherwise."""
    target = scoping.get_campaign_target_for(user, pk)
    if not target_workflow.roles_of(user, target):
        raise Http404
    return target


def _answers_from(post, items) -> dict:
    """{item pk: {"value", "note"}} for the fields the form sent (absent: left as saved)."""
    answers = {}
    for item in items:
        given = {}
        if f"item_{item.pk}" in post and item.answer_type != AnswerType.PHOTO:
            given["value"] = post.get(f"item_{item.pk}")
        if f"note_{item.pk}" in post:
            given["note"] = post.get(f"note_{item.pk}")
        if given:
            answers[item.pk] = given
    return answers


def _assessed(item) -> bool:
    """Can an answer to `item` be non-compliant (and so raise a finding)?"""
    if item.answer_type == AnswerType.NUMBER:
        return item.standard_min is not None or item.standard_max is not None
    return item.answer_type not in (AnswerType.TEXT, AnswerType.PHOTO) and bool(item.compliant)


def _finding_slots(target, items) -> list[dict]:
    """The "raise a finding" slot of every assessed item, as the last save left it."""
    answers = {a.item_id: a for a in Answer.objects.filter(target=target)}
    rows = []
    for item in items:
        if not _assessed(item):
            continue
        answer = answers.get(item.pk)
        may_raise = bool(answer and answer.compliant is False and not answer.finding_id)
        rows.append({"item": item, "answer": answer, "may_raise": may_raise})
    return rows


def _version(post):
    try:
        return int(post.get("version"))
    except (TypeError, ValueError):
        return None


# --- the inspector's checks ------------------------------------------------------------


@role_required(Role.INSPECTOR, Role.ZONE_LEADER)
def my_checks(request):
    """The schools of the user's teams in running campaigns, grouped by campaign."""
    targets = (
        scoping.campaign_targets_for(request.user)
        .filter(campaign__status=Campaign.Status.RUNNING)
        .select_related("campaign", "school", "team")
        .order_by("campaign__ends_on", "campaign_id", "position", "pk")
    )
    groups = {}
    for target in targets:
        group = groups.setdefault(target.campaign_id, {"campaign": target.campaign, "targets": []})
        group["targets"].append(target)
    return render(request, "campaigns/check_list.html", {"groups": list(groups.values())})


def _form_context(request, target, errors=None, posted=None):
    """The form's rows: each applicable item with its answer, evidence and finding, in its
    section (a fixed number of queries)."""
    items = checks.applicable_items(target)
    answers = {a.item_id: a for a in Answer.objects.filter(target=target).select_related("finding")}
    evidence = {}
    for file in AnswerEvidence.objects.filter(answer__target=target).select_related("answer"):
        evidence.setdefault(file.answer.item_id, []).append(file)
    errors = errors or {}
    editable = (
        target.campaign.status == Campaign.Status.RUNNING
        and target.status != CampaignTarget.Status.SUBMITTED
    )
    sections = []
    for item in items:
        answer = answers.get(item.pk)
        value = answer.value if answer else None
        note = answer.note if answer else ""
        if posted is not None and f"item_{item.pk}" in posted:
            value = posted.get(f"item_{item.pk}")
        if posted is not None and f"note_{item.pk}" in posted:
            note = posted.get(f"note_{item.pk}")
        if item.answer_type == AnswerType.YES_NO and value in (True, False):
            value = "yes" if value else "no"
        row = {
            "item": item,
            "field": checks.item_field(item),
            "value": "" if value is None else str(value),
            "note": note,
            "answer": answer,
            "shown": checks.display_value(item, answer.value) if answer else "",
            "evidence": evidence.get(item.pk, []),
            "error": errors.get(checks.item_field(item)) or errors.get(f"note_{item.pk}"),
            "may_raise": bool(answer and answer.compliant is False and not answer.finding_id),
            "assessed": _assessed(item),
        }
        if not sections or sections[-1]["section"].pk != item.section_id:
            sections.append({"section": item.section, "rows": []})
        sections[-1]["rows"].append(row)
    known = {checks.item_field(i) for i in items} | {f"note_{i.pk}" for i in items}
    return {
        "target": target,
        "campaign": target.campaign,
        "sections": sections,
        "editable": editable,
        "may_raise_findings": target.campaign.status
        in (Campaign.Status.RUNNING, Campaign.Status.CLOSED),
        "other_errors": [m for f, m in errors.items() if f not in known],
        "notes": posted.get("notes", target.notes) if posted is not None else target.notes,
        "levels": (AnswerType.LEVEL, AnswerType.CHOICE),
    }


@role_required(*CHECK_ROLES)
def check_form(request, pk):
    """The phone form of one school's check: answers, notes, evidence, findings, submit."""
    target = _checkable(request.user, pk)
    if request.method == "POST":
        items = checks.applicable_items(target)
        answers = _answers_from(request.POST, items)
        notes = request.POST.get("notes")
        try:
            if "submit" in request.POST:
                checks.submit_target(
                    request.user,
                    target,
                    answers,
                    notes=notes,
                    expected_version=_version(request.POST),
                )
                messages.success(request, _("Check submitted."))
            else:
                checks.save_answers(
                    request.user,
                    target,
                    answers,
                    notes=notes,
                    expected_version=_version(request.POST),
                )
                messages.success(request, _("Draft saved."))
        except checks.AnswerErrors as error:
            target.refresh_from_db()
            context = _form_context(request, target, error.errors, request.POST)
            return render(request, "campaigns/check_form.html", context)
        except DomainError as error:
            target.refresh_from_db()
            context = _form_context(request, target, {"": str(error)}, request.POST)
            return render(request, "campaigns/check_form.html", context)
        return redirect("campaigns:check", target.pk)
    return render(request, "campaigns/check_form.html", _form_context(request, target))


@role_required(*CHECK_ROLES)
@require_POST
def check_autosave(request, pk):
    """htmx: save the form as a draft and answer "saved at HH:MM" (and the new version)."""
    target = _checkable(request.user, pk)
    items = checks.applicable_items(target)
    context = {"error": None, "target": target}
    try:
        target = checks.save_answers(
            request.user,
            target,
            _answers_from(request.POST, items),
            notes=request.POST.get("notes"),
            expected_version=_version(request.POST),
        )
    except DomainError as error:
        context["error"] = "; ".join(getattr(error, "errors", {}).values()) or str(error)
    else:
        context.update(
            target=target,
            saved_at=timezone.localtime(),
            rows=_finding_slots(target, items),
            may_raise_findings=True,
        )
    return render(request, "campaigns/check_saved.html", context)


def _back(target, item=None) -> str:
    url = reverse("campaigns:check", args=[target.pk])
    return f"{url}#item-{item.pk}" if item is not None else url


def _item_of(target, item_id):
    for item in checks.applicable_items(target):
        if item.pk == item_id:
            return item
    raise Http404


@role_required(*CHECK_ROLES)
@require_POST
def check_evidence(request, pk, item_id):
    """Upload one photo or file to an item's answer."""
    target = _checkable(request.user, pk)
    item = _item_of(target, item_id)
    uploaded = request.FILES.get("file")
    if uploaded is None:
        messages.error(request, _("Choose a file to upload."))
        return redirect(_back(target, item))
    try:
        checks.add_evidence(request.user, target, item, uploaded)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("File added."))
    return redirect(_back(target, item))


@role_required(*CHECK_ROLES)
@require_POST
def check_finding(request, pk, item_id):
    """Raise a finding in the rectification ledger from a non-compliant answer (one tap)."""
    target = _checkable(request.user, pk)
    item = _item_of(target, item_id)
    answer = Answer.objects.filter(target=target, item=item).first()
    if answer is None:
        messages.error(request, _("Only a non-compliant answer raises a finding."))
        return redirect(_back(target, item))
    try:
        finding = checks.raise_finding(request.user, answer)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("Finding recorded in the ledger: %(text)s") % {"text": finding.description}
        )
    return redirect(_back(target, item))


@role_required(*CHECK_ROLES)
@require_POST
def check_visited(request, pk):
    """The team is at the school now."""
    target = _checkable(request.user, pk)
    try:
        checks.mark_visited(request.user, target)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The check is recorded as begun at the school."))
    return redirect(_back(target))


@role_required(*CHECK_ROLES)
@require_POST
def check_evidence_delete(request, pk):
    """Remove one file from a check still in draft."""
    evidence = scoping.get_or_404(
        AnswerEvidence.objects.filter(
            answer__target__in=scoping.campaign_targets_for(request.user)
        ).select_related("answer__item"),
        pk=pk,
    )
    target = _checkable(request.user, evidence.answer.target_id)
    try:
        checks.delete_evidence(request.user, evidence)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("File deleted."))
    return redirect(_back(target, evidence.answer.item))


def check_evidence_file(request, pk):
    """One evidence file, through its target's scope; a school sees its own only once the
    campaign's results are published."""
    evidence = scoping.get_or_404(
        AnswerEvidence.objects.filter(
            answer__target__in=scoping.campaign_targets_for(request.user)
        ).select_related("answer__target__campaign"),
        pk=pk,
    )
    campaign = evidence.answer.target.campaign
    if request.user.role == Role.SCHOOL and campaign.status != Campaign.Status.PUBLISHED:
        raise Http404
    if request.GET.get("preview") and evidence.preview:
        return file_response(evidence.preview, "image/jpeg", None)
    return file_response(evidence.file, evidence.content_type, evidence.original_name)


# --- results ---------------------------------------------------------------------------


@role_required(*RESULT_ROLES)
def campaign_results(request, pk):
    """The campaign's results for the office and the viewers above it."""
    campaign = scoping.get_campaign_for(request.user, pk)
    context = results.campaign_results(request.user, campaign)
    return render(request, "campaigns/results.html", context)


@role_required(*RESULT_ROLES)
def campaign_results_xlsx(request, pk):
    campaign = scoping.get_campaign_for(request.user, pk)
    export = exporter.export("campaign_results", exporter.XLSX, request.user, campaign.pk)
    response = FileResponse(io.BytesIO(export.content), content_type=export.content_type)
    response["Content-Disposition"] = exporter.content_disposition(export.filename)
    return response


def _published_targets(user):
    return (
        scoping.campaign_targets_for(user)
        .filter(campaign__status=Campaign.Status.PUBLISHED)
        .select_related("campaign", "school")
    )


@role_required(Role.SCHOOL)
def school_results(request):
    """The school's own checks of published campaigns (一公开)."""
    targets = _published_targets(request.user).order_by("-campaign__published_at", "-pk")
    return render(request, "campaigns/results_school_list.html", {"targets": targets})


@role_required(Role.SCHOOL)
def school_result(request, pk):
    """One school's result, item by item, once the campaign is published."""
    target = scoping.get_or_404(_published_targets(request.user), pk=pk)
    context = {
        "target": target,
        "campaign": target.campaign,
        "rows": results.school_result(target),
    }
    return render(request, "campaigns/results_school.html", context)
