"""Bulletins, notices and briefings (通报、通知、简报) in the app: the office's list, its drafts
(create, edit, attachments), publication, withdrawal, the public-page switch, the read
receipts (who has read, who has not) and the reminder; the recipients' own list ("my
documents", unread marked), where opening a document records its receipt; the Word and PDF
files. Thin views: objects through the scope (`get_bulletin_for`, 404 when not yours), writes
through `services`, refusals shown as messages or on the form."""

import io

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dudao.accounts.models import Role
from dudao.accounts.scoping import bulletins_for, get_bulletin_for
from dudao.core.errors import DomainError
from dudao.core.files import file_response
from dudao.core.forms import apply_domain_error
from dudao.core.paging import paginate
from dudao.core.permissions import office_admin_required, role_required
from dudao.core.system import MissingSystemPackage
from dudao.reports import exporter

from . import document, queries, services, workflow
from .forms import AttachmentForm, BulletinForm, WithdrawForm
from .models import Bulletin, BulletinAttachment, BulletinEvent, Kind

READERS = (Role.OFFICE_ADMIN, Role.VIEWER)
RECIPIENTS = (Role.SCHOOL, Role.INSPECTOR, Role.ZONE_LEADER)
FORMATS = (exporter.DOCX, exporter.PDF)
SHOW = ("read", "unread")


def _not_get(request):
    """Pages that only read: a POST is refused (405) once the object is found in the
    user's scope, so "not yours" stays 404 whatever the method."""
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    return None


def _is_reader(user) -> bool:
    """The office's and the viewers' view of a document (receipts), not a recipient's."""
    return user.is_superuser or user.role in READERS


@role_required(*READERS)
def bulletin_list(request):
    qs = bulletins_for(request.user).select_related("office")
    kind = request.GET.get("kind", "")
    if kind in Kind.values:
        qs = qs.filter(kind=kind)
    status = request.GET.get("status", "")
    if status in Bulletin.Status.values:
        qs = qs.filter(status=status)
    qs = queries.filter_published(qs, request.GET)
    qs = queries.with_counts(qs).order_by("-published_at", "-created_at", "-pk")
    page, query = paginate(request, qs)
    return render(
        request,
        "bulletins/list.html",
        {
            "page": page,
            "query": query,
            "kinds": Kind.choices,
            "statuses": Bulletin.Status.choices,
            "kind": kind,
            "status": status,
            "published_from": queries.day_param(request.GET, "published_from"),
            "published_to": queries.day_param(request.GET, "published_to"),
        },
    )


@office_admin_required
def bulletin_create(request):
    form = BulletinForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            bulletin = services.create_bulletin(
                request.user, request.user.office, **form.service_kwargs()
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("Draft saved: check it, then publish it."))
            return redirect("bulletins:detail", bulletin.pk)
    return render(request, "bulletins/form.html", {"form": form})


@office_admin_required
def bulletin_edit(request, pk):
    bulletin = get_bulletin_for(request.user, pk)
    if bulletin.status != Bulletin.Status.DRAFT:
        messages.error(request, _("Only a draft can be changed."))
        return redirect("bulletins:detail", bulletin.pk)
    form = BulletinForm(request.POST or None, user=request.user, instance=bulletin)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_bulletin(
                request.user,
                bulletin,
                expected_version=request.POST.get("version"),
                **form.service_kwargs(creating=False),
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("Draft saved."))
            return redirect("bulletins:detail", bulletin.pk)
    return render(request, "bulletins/form.html", {"form": form, "item": bulletin})


def _version(request):
    """The version the user saw; None when the form did not send it (nothing is done)."""
    value = request.POST.get("version", "")
    return int(value) if value.isdigit() else None


def _act(request, pk, run, done: str):
    """Run a POSTed action on a document (its version required), then back to its page."""
    bulletin = get_bulletin_for(request.user, pk)
    version = _version(request)
    if version is None:
        messages.error(request, _("Reload the page and try again."))
        return redirect("bulletins:detail", bulletin.pk)
    try:
        result = run(bulletin, version)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        if result == 0:
            messages.info(request, _("Every recipient that has not read it was reminded today."))
        else:
            messages.success(request, done if result is None else done % {"count": result})
    return redirect("bulletins:detail", bulletin.pk)


@office_admin_required
@require_POST
def bulletin_publish(request, pk):
    def run(bulletin, version):
        services.publish_bulletin(request.user, bulletin, expected_version=version)

    return _act(request, pk, run, _("Published: the recipients are notified."))


@office_admin_required
@require_POST
def bulletin_withdraw(request, pk):
    note = request.POST.get("note", "")

    def run(bulletin, version):
        services.withdraw_bulletin(request.user, bulletin, note=note, expected_version=version)

    return _act(request, pk, run, _("Withdrawn: the recipients no longer see it."))


@office_admin_required
@require_POST
def bulletin_public(request, pk):
    public = request.POST.get("public") == "1"

    def run(bulletin, version):
        services.set_public(request.user, bulletin, public, expected_version=version)

    done = _("Shown on the county's public page.") if public else _("Taken off the public page.")
    return _act(request, pk, run, done)


@office_admin_required
@require_POST
def bulletin_remind(request, pk):
    def run(bulletin, version):
        return services.remind_unread(request.user, bulletin)

    return _act(request, pk, run, _("Recipients reminded: %(count)s."))


@office_admin_required
@require_POST
def attachment_add(request, pk):
    bulletin = get_bulletin_for(request.user, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a file."))
        return redirect("bulletins:detail", bulletin.pk)
    try:
        services.add_attachment(request.user, bulletin, form.cleaned_data["file"])
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Attachment added."))
    return redirect("bulletins:detail", bulletin.pk)


def _attachment_for(user, pk) -> BulletinAttachment:
    attachment = BulletinAttachment.objects.filter(pk=pk).first()
    if attachment is None:
        raise Http404
    attachment.bulletin = get_bulletin_for(user, attachment.bulletin_id)
    return attachment


@office_admin_required
@require_POST
def attachment_delete(request, pk):
    attachment = _attachment_for(request.user, pk)
    bulletin = attachment.bulletin
    if _version(request) is None:
        messages.error(request, _("Reload the page and try again."))
        return redirect("bulletins:detail", bulletin.pk)
    try:
        services.delete_attachment(request.user, attachment)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Attachment removed."))
    return redirect("bulletins:detail", bulletin.pk)


def attachment_file(request, pk):
    attachment = _attachment_for(request.user, pk)
    if refused := _not_get(request):
        return refused
    services.mark_read(request.user, attachment.bulletin)
    return file_response(attachment.file, attachment.content_type, attachment.original_name)


def bulletin_detail(request, pk):
    """The document: its text and attachments for everyone who may see it (opening it
    records a recipient's receipt); the office's and the viewers' page adds who has read it,
    the actions and the history."""
    user = request.user
    bulletin = get_bulletin_for(user, pk)
    if refused := _not_get(request):
        return refused
    services.mark_read(user, bulletin)
    context = {
        "item": bulletin,
        "parts": document.sections(bulletin.body),
        "attachments": list(
            BulletinAttachment.objects.filter(bulletin=bulletin).order_by("created_at", "pk")
        ),
        "is_reader": _is_reader(user),
    }
    if context["is_reader"]:
        show = request.GET.get("show", "")
        rows = queries.receipts(bulletin) if bulletin.status != Bulletin.Status.DRAFT else []
        counts = queries.receipt_counts(rows)
        if show == "read":
            rows = [row for row in rows if row["is_read"]]
        elif show == "unread":
            rows = [row for row in rows if not row["is_read"]]
        is_admin = user.is_office_admin and user.office_id == bulletin.office_id
        context.update(
            rows=rows,
            counts=counts,
            show=show if show in SHOW else "",
            actions=workflow.actions_for(bulletin, user),
            can_edit=is_admin and bulletin.status == Bulletin.Status.DRAFT,
            can_remind=is_admin
            and bulletin.status == Bulletin.Status.PUBLISHED
            and counts["unread"] > counts["no_account"],
            can_switch=is_admin and bulletin.status != Bulletin.Status.WITHDRAWN,
            events=list(
                BulletinEvent.objects.filter(bulletin=bulletin).order_by("-at", "-pk")[:50]
            ),
            chosen=list(bulletin.chosen_schools.order_by("code").values_list("name", flat=True))
            if bulletin.status == Bulletin.Status.DRAFT
            else [],
            attachment_form=AttachmentForm(),
            withdraw_form=WithdrawForm(),
        )
    return render(request, "bulletins/detail.html", context)


@role_required(*RECIPIENTS)
def my_bulletins(request):
    """The documents the user received (its school's, or its own as an inspector), newest
    first, the unread ones marked."""
    qs = bulletins_for(request.user).filter(status=Bulletin.Status.PUBLISHED)
    kind = request.GET.get("kind", "")
    if kind in Kind.values:
        qs = qs.filter(kind=kind)
    qs = queries.with_read_mark(qs, request.user).order_by("-published_at", "-pk")
    page, query = paginate(request, qs)
    return render(
        request,
        "bulletins/mine.html",
        {"page": page, "query": query, "kinds": Kind.choices, "kind": kind},
    )


def bulletin_file(request, pk, fmt):
    """The document as Word or PDF (GB/T 9704), for everyone who may see it."""
    if fmt not in FORMATS:
        raise Http404
    bulletin = get_bulletin_for(request.user, pk)
    if refused := _not_get(request):
        return refused
    try:
        result = exporter.export(document.export_name(bulletin), fmt, request.user, pk)
    except MissingSystemPackage as exc:
        return render(request, "reports/unavailable.html", {"message": str(exc)}, status=503)
    response = FileResponse(io.BytesIO(result.content), content_type=result.content_type)
    response["Content-Disposition"] = exporter.content_disposition(result.filename)
    return response
