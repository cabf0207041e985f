"""Checklist screens (检查表): the list (built-ins and the office's own), a revision's page
with its history, the draft editor (htmx partials, one item at a time, phone-friendly),
publish/retire/copy/new revision, and the spreadsheet export and import.

Who: the office admin writes its own office's checklists; inspectors, zone leaders, viewers
(and the superuser) read; school users have no checklist screens (403). Every object comes
through `scoping.get_checklist_for` (another county's checklist: 404); every write is a
`services` call."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dudao.accounts import scoping
from dudao.accounts.models import Role
from dudao.core import workflow as engine
from dudao.core.errors import DomainError
from dudao.core.forms import apply_domain_error
from dudao.core.paging import is_htmx, paginate
from dudao.core.permissions import office_admin_required, role_required
from dudao.reports.exporter import content_disposition

from . import queries, services
from .forms import ChecklistFilterForm, ChecklistForm, CopyForm, ItemForm, SectionForm, UploadForm
from .importer import checklist_xlsx
from .models import ChecklistItem, ChecklistSection, ChecklistTemplate
from .workflow import CHECKLIST_WORKFLOW, Action

READ_ROLES = (Role.OFFICE_ADMIN, Role.ZONE_LEADER, Role.INSPECTOR, Role.VIEWER)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _is_admin_of(user, checklist) -> bool:
    return (
        user.role == Role.OFFICE_ADMIN
        and bool(user.office_id)
        and checklist.office_id == user.office_id
    )


def _can_copy(user) -> bool:
    return user.role == Role.OFFICE_ADMIN and bool(user.office_id) and not user.is_superuser


def _section_for(user, pk) -> ChecklistSection:
    section = get_object_or_404(ChecklistSection.objects.select_related("template"), pk=pk)
    scoping.get_checklist_for(user, section.template_id)  # 404 when not the user's
    return section


def _item_for(user, pk) -> ChecklistItem:
    item = get_object_or_404(ChecklistItem.objects.select_related("template", "section"), pk=pk)
    scoping.get_checklist_for(user, item.template_id)
    return item


def _draft_of_mine(user, checklist) -> None:
    """The editor's forms are for the office admin's own drafts only (403 otherwise; the
    services refuse the writes anyway)."""
    if not _is_admin_of(user, checklist) or checklist.status != ChecklistTemplate.Status.DRAFT:
        raise PermissionDenied


def _back(checklist):
    return redirect("checklists:detail", pk=checklist.pk)


# ---- list and detail --------------------------------------------------------------------------


@role_required(*READ_ROLES)
def checklist_list(request):
    form = ChecklistFilterForm(request.GET or None)
    qs = scoping.checklists_for(request.user).select_related("office")
    purpose, every_revision = "", False
    if form.is_valid():
        purpose = form.cleaned_data["purpose"]
        every_revision = form.cleaned_data["revisions"]
    if purpose:
        qs = qs.filter(purpose=purpose)
    if not every_revision:
        qs = queries.newest_revisions(qs)
    qs = qs.annotate(item_count=Count("items")).order_by("office_id", "title", "-revision")
    page, query = paginate(request, qs)
    context = {
        "page": page,
        "query": query,
        "form": form,
        "can_copy": _can_copy(request.user),
        "is_admin": request.user.role == Role.OFFICE_ADMIN and bool(request.user.office_id),
    }
    template = "checklists/_table.html" if is_htmx(request) else "checklists/list.html"
    return render(request, template, context)


def _content(checklist):
    """The sections of a revision with their items (two queries)."""
    return checklist.sections.order_by("position").prefetch_related(
        Prefetch("items", queryset=ChecklistItem.objects.order_by("position"))
    )


@role_required(*READ_ROLES)
def checklist_detail(request, pk):
    checklist = scoping.get_checklist_for(request.user, pk)
    visible = scoping.checklists_for(request.user)
    actions = engine.allowed_actions(CHECKLIST_WORKFLOW, checklist, request.user)
    is_admin = _is_admin_of(request.user, checklist)
    return render(
        request,
        "checklists/detail.html",
        {
            "checklist": checklist,
            "sections": _content(checklist),
            "revisions": queries.revisions_of(visible, checklist),
            "events": [
                (event, CHECKLIST_WORKFLOW.action_label(event.action))
                for event in checklist.events.order_by("at", "pk")
            ],
            "can_publish": Action.PUBLISH in actions,
            "can_retire": Action.RETIRE in actions,
            "problems": services.publish_problems(checklist)
            if is_admin and checklist.status == ChecklistTemplate.Status.DRAFT
            else [],
            "is_admin": is_admin,
            "can_copy": _can_copy(request.user),
            "copy_form": CopyForm(),
        },
    )


# ---- checklists: create, copy, revise, publish, retire, delete -------------------------------


@office_admin_required
def checklist_create(request):
    form = ChecklistForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            checklist = services.create_checklist(
                request.user,
                title=data["title"],
                purpose=data["purpose"],
                description=data["description"],
                source=data["source"],
                request_key=data["request_key"],
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            return redirect("checklists:edit", pk=checklist.pk)
    return render(request, "checklists/create.html", {"form": form})


@office_admin_required
@require_POST
def checklist_copy(request, pk):
    source = scoping.get_checklist_for(request.user, pk)
    form = CopyForm(request.POST)
    title = form.cleaned_data["title"] if form.is_valid() else ""
    try:
        copy = services.copy_checklist(request.user, source, title=title)
    except DomainError as error:
        messages.error(request, str(error))
        return _back(source)
    messages.success(request, _("Copied into a draft of your office: edit it, then publish it."))
    return redirect("checklists:edit", pk=copy.pk)


@office_admin_required
@require_POST
def checklist_new_revision(request, pk):
    checklist = scoping.get_checklist_for(request.user, pk)
    try:
        draft = services.new_revision(request.user, checklist)
    except DomainError as error:
        messages.error(request, str(error))
        return _back(checklist)
    messages.success(
        request, _("Revision %(revision)s is a draft now.") % {"revision": draft.revision}
    )
    return redirect("checklists:edit", pk=draft.pk)


def _transition(request, pk, service, done_message):
    checklist = scoping.get_checklist_for(request.user, pk)
    try:
        service(request.user, checklist, expected_version=request.POST.get("version") or None)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done_message)
    return _back(checklist)


@office_admin_required
@require_POST
def checklist_publish(request, pk):
    return _transition(request, pk, services.publish, _("The checklist is published."))


@office_admin_required
@require_POST
def checklist_retire(request, pk):
    return _transition(request, pk, services.retire, _("The checklist is retired."))


@office_admin_required
@require_POST
def checklist_delete(request, pk):
    checklist = scoping.get_checklist_for(request.user, pk)
    if not request.POST.get("confirm"):
        messages.error(request, _("Tick the box to confirm the deletion."))
        return _back(checklist)
    try:
        services.delete_draft(request.user, checklist)
    except DomainError as error:
        messages.error(request, str(error))
        return _back(checklist)
    messages.success(request, _("The draft is deleted."))
    return redirect("checklists:list")


# ---- the draft editor ---------------------------------------------------------------------------


def _editor_context(checklist, **extra):
    return {
        "checklist": checklist,
        "sections": _content(checklist),
        "section_form": SectionForm(),
        "upload_form": UploadForm(),
        "problems": services.publish_problems(checklist),
        **extra,
    }


@office_admin_required
def checklist_edit(request, pk):
    """The draft's header form and its sections and items (each edited in place)."""
    checklist = scoping.get_checklist_for(request.user, pk)
    if not _is_admin_of(request.user, checklist):
        raise PermissionDenied
    if checklist.status != ChecklistTemplate.Status.DRAFT:
        messages.error(
            request, _("A published checklist is never changed: make a new revision to edit it.")
        )
        return _back(checklist)
    initial = {
        "expected_version": checklist.version,
        "title": checklist.title,
        "purpose": checklist.purpose,
        "description": checklist.description,
        "source": checklist.source,
    }
    form = ChecklistForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_checklist(
                request.user,
                checklist,
                expected_version=data["expected_version"],
                title=data["title"],
                purpose=data["purpose"],
                description=data["description"],
                source=data["source"],
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("checklists:edit", pk=checklist.pk)
    return render(request, "checklists/edit.html", _editor_context(checklist, form=form))


@office_admin_required
@require_POST
def section_add(request, pk):
    checklist = scoping.get_checklist_for(request.user, pk)
    form = SectionForm(request.POST)
    if form.is_valid():
        try:
            services.add_section(request.user, checklist, title=form.cleaned_data["title"])
        except DomainError as error:
            messages.error(request, str(error))
    else:
        messages.error(request, _("Give the section a title."))
    return redirect("checklists:edit", pk=checklist.pk)


def _section_response(request, section, form=None, status=200):
    """The section's heading (or its form) as an htmx partial, or back to the editor."""
    if is_htmx(request):
        section = ChecklistSection.objects.get(pk=section.pk)
        return render(
            request,
            "checklists/_section_head.html",
            {"section": section, "form": form, "checklist": section.template},
            status=status,
        )
    return redirect("checklists:edit", pk=section.template_id)


@office_admin_required
def section_edit(request, pk):
    section = _section_for(request.user, pk)
    _draft_of_mine(request.user, section.template)
    initial = {"title": section.title, "stamp": services.stamp(section)}
    form = SectionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            section = services.update_section(
                request.user,
                section,
                title=form.cleaned_data["title"],
                expected_stamp=form.cleaned_data["stamp"],
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            return _section_response(request, section)
    if is_htmx(request):
        return _section_response(request, section, form=form)
    return render(request, "checklists/section_form.html", {"section": section, "form": form})


@office_admin_required
@require_POST
def section_delete(request, pk):
    section = _section_for(request.user, pk)
    if not request.POST.get("confirm"):
        messages.error(request, _("Tick the box to confirm the deletion."))
    else:
        try:
            services.delete_section(request.user, section)
        except DomainError as error:
            messages.error(request, str(error))
    return redirect("checklists:edit", pk=section.template_id)


@office_admin_required
@require_POST
def section_move(request, pk):
    section = _section_for(request.user, pk)
    direction = request.POST.get("direction")
    if direction in ("up", "down"):
        try:
            services.move_section(request.user, section, up=direction == "up")
        except DomainError as error:
            messages.error(request, str(error))
    return redirect("checklists:edit", pk=section.template_id)


def _item_row(request, item, status=200):
    item = ChecklistItem.objects.select_related("section", "template").get(pk=item.pk)
    return render(
        request,
        "checklists/_item.html",
        {"item": item, "checklist": item.template, "editing": True},
        status=status,
    )


@office_admin_required
def item_add(request, pk):
    section = _section_for(request.user, pk)
    _draft_of_mine(request.user, section.template)
    form = ItemForm(request.POST or None, initial={"answer_type": "yes_no"})
    if request.method == "POST" and form.is_valid():
        try:
            item = services.add_item(request.user, section, **form.values())
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            if is_htmx(request):
                return _item_row(request, item)
            return redirect("checklists:edit", pk=section.template_id)
    template = "checklists/_item_form.html" if is_htmx(request) else "checklists/item_form.html"
    return render(
        request,
        template,
        {"form": form, "section": section, "checklist": section.template, "item": None},
    )


@office_admin_required
def item_edit(request, pk):
    item = _item_for(request.user, pk)
    _draft_of_mine(request.user, item.template)
    if request.method == "GET" and request.GET.get("cancel") and is_htmx(request):
        return _item_row(request, item)
    form = ItemForm(request.POST or None, initial=ItemForm.initial_for(item, services.stamp(item)))
    if request.method == "POST" and form.is_valid():
        try:
            item = services.update_item(
                request.user, item, expected_stamp=form.cleaned_data["stamp"], **form.values()
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            if is_htmx(request):
                return _item_row(request, item)
            return redirect("checklists:edit", pk=item.template_id)
    template = "checklists/_item_form.html" if is_htmx(request) else "checklists/item_form.html"
    return render(
        request,
        template,
        {"form": form, "section": item.section, "checklist": item.template, "item": item},
    )


@office_admin_required
@require_POST
def item_delete(request, pk):
    item = _item_for(request.user, pk)
    try:
        services.delete_item(request.user, item)
    except DomainError as error:
        if is_htmx(request):
            return HttpResponse(str(error), status=400)
        messages.error(request, str(error))
    else:
        if is_htmx(request):
            return HttpResponse("")
    return redirect("checklists:edit", pk=item.template_id)


@office_admin_required
@require_POST
def item_move(request, pk):
    item = _item_for(request.user, pk)
    direction = request.POST.get("direction")
    if direction in ("up", "down"):
        try:
            services.move_item(request.user, item, up=direction == "up")
        except DomainError as error:
            messages.error(request, str(error))
    return redirect("checklists:edit", pk=item.template_id)


# ---- spreadsheets -------------------------------------------------------------------------------


@role_required(*READ_ROLES)
def checklist_xlsx_view(request, pk):
    checklist = scoping.get_checklist_for(request.user, pk)
    response = HttpResponse(checklist_xlsx(checklist), content_type=XLSX)
    name = f"检查表-{checklist.title}-v{checklist.revision}.xlsx"
    response["Content-Disposition"] = content_disposition(name)
    return response


def _checklist_imports(user):
    from dudao.imports.models import ImportJob

    return ImportJob.objects.visible_to(user).filter(
        office_id=user.office_id, kind=services.IMPORT_KIND
    )


def _import_job(request, pk):
    job = get_object_or_404(_checklist_imports(request.user), pk=pk)
    checklist_id = (job.params or {}).get("checklist")
    checklist = (
        scoping.checklists_for(request.user).filter(pk=checklist_id).first()
        if checklist_id
        else None
    )
    return job, checklist


@office_admin_required
def import_upload(request, pk):
    checklist = scoping.get_checklist_for(request.user, pk)
    if not _is_admin_of(request.user, checklist):
        raise PermissionDenied
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.import_preview(request.user, checklist, form.cleaned_data["file"])
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            return redirect("checklists:import_preview", pk=job.pk)
    return render(request, "checklists/import_upload.html", {"checklist": checklist, "form": form})


@office_admin_required
def import_preview(request, pk):
    from dudao.imports.services import live_progress

    job, checklist = _import_job(request, pk)
    if checklist is None:
        raise Http404
    return render(
        request,
        "checklists/import_preview.html",
        {"job": live_progress(job), "checklist": checklist},
    )


@office_admin_required
@require_POST
def import_confirm(request, pk):
    job, checklist = _import_job(request, pk)
    if checklist is None:
        raise Http404
    try:
        counts = services.import_confirm(request.user, job)
    except DomainError as error:
        messages.error(request, str(error))
        return redirect("checklists:import_preview", pk=job.pk)
    if counts is None:
        return redirect("checklists:import_preview", pk=job.pk)
    messages.success(
        request, _("Imported: %(created)s items.") % {"created": counts.get("created", 0)}
    )
    return redirect("checklists:edit", pk=checklist.pk)
