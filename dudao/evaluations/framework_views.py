"""Indicator framework screens (指标体系): the list (built-ins and the office's own), a
revision's page (the tree with maxima, methods, levels, guides and evidence, the rounds using
it, its revisions and history), the draft editor (htmx partials, one indicator at a time,
phone-friendly), publish/retire/copy/new revision/delete, and the spreadsheet export and import.

Who: the office admin writes its own office's frameworks; every signed-in user of an office
(and a viewer above it, and the superuser) reads them. Every object comes through
`scoping.get_framework_for` (another county's framework: 404); every write is a
`framework_services` call."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, F
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

from . import framework_services as services
from .engine.framework import format_levels, plain
from .framework_forms import (
    CopyForm,
    FrameworkFilterForm,
    FrameworkForm,
    IndicatorForm,
    UploadForm,
)
from .framework_importer import framework_xlsx
from .framework_workflow import FRAMEWORK_WORKFLOW
from .models import Indicator

READ_ROLES = (Role.OFFICE_ADMIN, Role.ZONE_LEADER, Role.INSPECTOR, Role.SCHOOL, Role.VIEWER)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


HEADER = ("title", "kind", "description", "source")  # the framework's own form

# The views every revisioned definition shares (dudao.core.revisions).
SCREENS = revisions.RevisionScreens(
    get_for=scoping.get_framework_for,
    detail="evaluations:framework_detail",
    edit="evaluations:framework_edit",
    list="evaluations:framework_list",
    workflow=FRAMEWORK_WORKFLOW,
    published=services.REVISIONS.wording.published,
)
_is_admin_of = revisions.is_admin_of
_draft_of_mine = SCREENS.require_draft_of
_to_editor = SCREENS.to_editor


def _indicator_for(user, pk) -> Indicator:
    indicator = get_object_or_404(Indicator.objects.select_related("framework"), pk=pk)
    scoping.get_framework_for(user, indicator.framework_id)  # 404 when not the user's
    return indicator


class Node:
    """An indicator as the pages show it (no query: everything from the rows read once)."""

    def __init__(self, row: Indicator, parent_code: str):
        self.row = row
        self.pk = row.pk
        self.depth = row.depth
        self.code = row.code
        self.title = row.title
        self.parent_code = parent_code
        self.max_score = plain(row.max_score)
        self.method = row.method
        self.method_label = row.get_method_display() if row.method else ""
        self.levels = format_levels(services.levels_of(row.levels)) if row.levels else ""
        self.formula = row.formula
        self.guide = row.guide
        self.evidence = row.evidence


def _tree(framework, rows=None) -> tuple[list[list[Node]], list[Indicator]]:
    """The indicators in sections, one per first-level indicator (itself first, then its
    sub-indicators depth first), from one query; and the rows."""
    if rows is None:
        rows = list(framework.indicators.order_by("position"))
    codes = {row.pk: row.code for row in rows}
    sections: list[list[Node]] = []
    for row in rows:
        node = Node(row, codes.get(row.parent_id, ""))
        if row.depth == 0 or not sections:
            sections.append([node])
        else:
            sections[-1].append(node)
    return sections, rows


# ---- list and detail --------------------------------------------------------------------------


@role_required(*READ_ROLES)
def framework_list(request):
    form = FrameworkFilterForm(request.GET or None)
    qs = scoping.frameworks_for(request.user).select_related("office")
    kind, status, every_revision = "", "", False
    if form.is_valid():
        kind = form.cleaned_data["kind"]
        status = form.cleaned_data["status"]
        every_revision = form.cleaned_data["revisions"]
    if kind:
        qs = qs.filter(kind=kind)
    if not every_revision:
        qs = services.newest_revisions(qs)
    if status:
        qs = qs.filter(status=status)
    # The office's own first (on every database), then the built-ins.
    qs = qs.annotate(indicator_count=Count("indicators")).order_by(
        F("office_id").asc(nulls_last=True), "title", "-revision"
    )
    page, query = paginate(request, qs)
    context = {
        "page": page,
        "query": query,
        "form": form,
        "is_admin": revisions.can_copy(request.user),
    }
    template = (
        "evaluations/frameworks/_table.html"
        if is_htmx(request)
        else "evaluations/frameworks/list.html"
    )
    return render(request, template, context)


@role_required(*READ_ROLES)
def framework_detail(request, pk):
    framework = scoping.get_framework_for(request.user, pk)
    sections, rows = _tree(framework)
    shared = SCREENS.detail_context(
        request,
        framework,
        visible=scoping.frameworks_for(request.user),
        problems=lambda: services.publish_problems(framework, rows),
        copy_form=CopyForm(),
    )
    return render(
        request,
        "evaluations/frameworks/detail.html",
        {
            "framework": framework,
            "sections": sections,
            "count": len(rows),
            "leaves": sum(1 for row in rows if row.method),
            "rounds": scoping.rounds_for(request.user)
            .filter(framework=framework)
            .select_related("office")
            .order_by("-year", "-created_at"),
            **shared,
        },
    )


# ---- frameworks: create, copy, revise, publish, retire, delete --------------------------------


@office_admin_required
def framework_create(request):
    return SCREENS.create(
        request,
        form_class=FrameworkForm,
        fields=HEADER,
        service=services.create_framework,
        template="evaluations/frameworks/create.html",
    )


# The buttons of a revision's page (office admin, POST; dudao.core.revisions).
_buttons = SCREENS.write_views(
    copy=services.copy_framework,
    copy_form=CopyForm,
    new_revision=services.new_revision,
    publish=services.publish,
    published=gettext_lazy("The framework is published."),
    retire=services.retire,
    retired=gettext_lazy("The framework is retired."),
    delete=services.delete_draft,
)
framework_copy = _buttons.copy
framework_new_revision = _buttons.new_revision
framework_publish = _buttons.publish
framework_retire = _buttons.retire
framework_delete = _buttons.delete


# ---- the draft editor ---------------------------------------------------------------------------


def _tree_context(framework, **extra):
    framework.refresh_from_db(fields=["total_max", "updated_at"])
    sections, rows = _tree(framework)
    return {
        "framework": framework,
        "sections": sections,
        "count": len(rows),
        "problems": services.publish_problems(framework, rows),
        "editing": True,
        **extra,
    }


def _tree_response(request, framework):
    """The editor's tree (after a change) as an htmx partial replacing the whole tree, or back
    to the editor."""
    if not is_htmx(request):
        return _to_editor(framework)
    response = render(request, "evaluations/frameworks/_tree.html", _tree_context(framework))
    response["HX-Retarget"] = "#tree"
    response["HX-Reswap"] = "innerHTML"
    return response


@office_admin_required
def framework_edit(request, pk):
    """The draft's header form and its indicators (each edited in place)."""
    framework = scoping.get_framework_for(request.user, pk)
    return SCREENS.edit_header(
        request,
        framework,
        form_class=FrameworkForm,
        fields=HEADER,
        service=services.update_framework,
        render_editor=lambda form: render(
            request,
            "evaluations/frameworks/edit.html",
            _tree_context(framework, form=form, upload_form=UploadForm()),
        ),
    )


def _form_response(request, framework, form, indicator=None, slot=""):
    template = (
        "evaluations/frameworks/_indicator_form.html"
        if is_htmx(request)
        else "evaluations/frameworks/indicator_form.html"
    )
    return render(
        request,
        template,
        {"form": form, "framework": framework, "indicator": indicator, "slot": slot},
    )


@office_admin_required
def framework_indicator_add(request, pk):
    """A new indicator of a draft: the form (under ?parent=<indicator>), then the tree."""
    framework = scoping.get_framework_for(request.user, pk)
    _draft_of_mine(request.user, framework)
    parent = request.GET.get("parent") or ""
    slot = parent if parent.isdigit() else "root"
    initial = {"parent": parent} if parent.isdigit() else {}
    form = IndicatorForm(
        request.POST or None, framework=framework, initial=initial, auto_id=f"id_new{slot}_%s"
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.add_indicator(request.user, framework, **form.values())
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            return _tree_response(request, framework)
    return _form_response(request, framework, form, slot=slot)


@office_admin_required
def framework_indicator_edit(request, pk):
    indicator = _indicator_for(request.user, pk)
    framework = indicator.framework
    _draft_of_mine(request.user, framework)
    if request.method == "GET" and request.GET.get("cancel") and is_htmx(request):
        sections, _rows = _tree(framework)
        node = next(n for section in sections for n in section if n.pk == indicator.pk)
        return render(
            request,
            "evaluations/frameworks/_indicator.html",
            {"node": node, "framework": framework, "editing": True},
        )
    form = IndicatorForm(
        request.POST or None,
        framework=framework,
        indicator=indicator,
        initial=IndicatorForm.initial_for(indicator, services.stamp(indicator)),
    )
    if request.method == "POST" and form.is_valid():
        values = form.values()
        try:
            services.update_indicator(
                request.user, indicator, expected_stamp=form.cleaned_data["stamp"], **values
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            return _tree_response(request, framework)
    return _form_response(request, framework, form, indicator=indicator)


@office_admin_required
@require_POST
def framework_indicator_delete(request, pk):
    indicator = _indicator_for(request.user, pk)
    try:
        services.delete_indicator(request.user, indicator)
    except DomainError as error:
        messages.error(request, str(error))
        return _to_editor(indicator.framework, request)
    return _tree_response(request, indicator.framework)


@office_admin_required
@require_POST
def framework_indicator_move(request, pk):
    indicator = _indicator_for(request.user, pk)
    direction = request.POST.get("direction")
    if direction not in ("up", "down"):
        return _to_editor(indicator.framework, request)
    try:
        services.move_indicator(request.user, indicator, up=direction == "up")
    except DomainError as error:
        messages.error(request, str(error))
        return _to_editor(indicator.framework, request)
    return _tree_response(request, indicator.framework)


# ---- spreadsheets -------------------------------------------------------------------------------


@role_required(*READ_ROLES)
def framework_export_xlsx(request, pk):
    framework = scoping.get_framework_for(request.user, pk)
    response = HttpResponse(framework_xlsx(framework), content_type=XLSX)
    name = f"指标体系-{framework.title}-v{framework.revision}.xlsx"
    response["Content-Disposition"] = content_disposition(name)
    return response


def _framework_imports(user):
    from dudao.imports.models import ImportJob

    return ImportJob.objects.visible_to(user).filter(
        office_id=user.office_id, kind=services.IMPORT_KIND
    )


def _import_job(request, pk):
    job = get_object_or_404(_framework_imports(request.user), pk=pk)
    framework_id = (job.params or {}).get("framework")
    framework = (
        scoping.frameworks_for(request.user).filter(pk=framework_id).first()
        if framework_id
        else None
    )
    if framework is None:
        raise Http404
    return job, framework


@office_admin_required
def framework_import_upload(request, pk):
    framework = scoping.get_framework_for(request.user, pk)
    if not _is_admin_of(request.user, framework):
        raise PermissionDenied
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.import_preview(request.user, framework, form.cleaned_data["file"])
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            return redirect("evaluations:framework_import_preview", pk=job.pk)
    return render(
        request,
        "evaluations/frameworks/import_upload.html",
        {"framework": framework, "form": form},
    )


@office_admin_required
def framework_import_preview(request, pk):
    from dudao.imports.services import live_progress

    job, framework = _import_job(request, pk)
    return render(
        request,
        "evaluations/frameworks/import_preview.html",
        {"job": live_progress(job), "framework": framework},
    )


@office_admin_required
@require_POST
def framework_import_confirm(request, pk):
    job, framework = _import_job(request, pk)
    try:
        counts = services.import_confirm(request.user, job)
    except DomainError as error:
        messages.error(request, str(error))
        return redirect("evaluations:framework_import_preview", pk=job.pk)
    if counts is None:
        return redirect("evaluations:framework_import_preview", pk=job.pk)
    messages.success(
        request,
        _("Imported: %(created)s indicators.") % {"created": counts.get("created", 0)},
    )
    return _to_editor(framework)
