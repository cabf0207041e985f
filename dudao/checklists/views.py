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
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from dudao.accounts import scoping
from dudao.accounts.models import Role
from dudao.core import revisions
from dudao.core.errors import DomainError
from dudao.core.forms import apply_domain_error
from dudao.core.paging import is_htmx, paginate
from dudao.core.permissions import office_admin_required, role_required
from dudao.reports.exporter import content_disposition

from . import queries, services
from .forms import ChecklistFilterForm, ChecklistForm, CopyForm, ItemForm, SectionForm, UploadForm
from .importer import checklist_xlsx
from .models import ChecklistItem, ChecklistSection
from .workflow import CHECKLIST_WORKFLOW

READ_ROLES = (Role.OFFICE_ADMIN, Role.ZONE_LEADER, Role.INSPECTOR, Role.VIEWER)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


HEADER = ("title", "purpose", "description", "source")  # the checklist's own form

# The views every revisioned definition shares (dudao.core.revisions).
SCREENS = revisions.RevisionScreens(
    get_for=scoping.get_checklist_for,
    detail="checklists:detail",
    edit="checklists:edit",
    list="checklists:list",
    workflow=CHECKLIST_WORKFLOW,
    published=services.REVISIONS.wording.published,
)
_is_admin_of = revisions.is_admin_of
_draft_of_mine = SCREENS.require_draft_of


def _section_for(user, pk) -> ChecklistSection:
    section = get_object_or_404(ChecklistSection.objects.select_related("template"), pk=pk)
    scoping.get_checklist_for(user, section.template_id)  # 404 when not the user's
    return section


def _item_for(user, pk) -> ChecklistItem:
    item = get_object_or_404(ChecklistItem.objects.select_related("template", "section"), pk=pk)
    scoping.get_checklist_for(user, item.template_id)
    return item


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
        "can_copy": revisions.can_copy(request.user),
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
    shared = SCREENS.detail_context(
        request,
        checklist,
        visible=scoping.checklists_for(request.user),
        problems=lambda: services.publish_problems(checklist),
        copy_form=CopyForm(),
    )
    return render(
        request,
        "checklists/detail.html",
        {"checklist": checklist, "sections": _content(checklist), **shared},
    )


# ---- checklists: create, copy, revise, publish, retire, delete -------------------------------


@office_admin_required
def checklist_create(request):
    return SCREENS.create(
        request,
        form_class=ChecklistForm,
        fields=HEADER,
        service=services.create_checklist,
        template="checklists/create.html",
    )


# The buttons of a revision's page (office admin, POST; dudao.core.revisions).
_buttons = SCREENS.write_views(
    copy=services.copy_checklist,
    copy_form=CopyForm,
    new_revision=services.new_revision,
    publish=services.publish,
    published=gettext_lazy("The checklist is published."),
    retire=services.retire,
    retired=gettext_lazy("The checklist is retired."),
    delete=services.delete_draft,
)
checklist_copy = _buttons.copy
checklist_new_revision = _buttons.new_revision
checklist_publish = _buttons.publish
checklist_retire = _buttons.retire
checklist_delete = _buttons.delete


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
    return SCREENS.edit_header(
        request,
        checklist,
        form_class=ChecklistForm,
        fields=HEADER,
        service=services.update_checklist,
        render_editor=lambda form: render(
            request, "checklists/edit.html", _editor_context(checklist, form=form)
        ),
    )


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
