"""Pages for inspectors' terms (任期) and certificates (docs/rules.md §31): the office admin
records them on the inspector's page; the inspector sees their own there."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dudao.accounts import scoping
from dudao.accounts.models import Role
from dudao.core.errors import DomainError
from dudao.core.files import file_response
from dudao.core.forms import apply_domain_error
from dudao.core.permissions import office_admin_required, role_required

from . import term_services
from .models import CertificateFile, inspector_rules_for
from .term_forms import CertificateForm, ReminderDaysForm, TermForm

READERS = (Role.OFFICE_ADMIN, Role.ZONE_LEADER, Role.VIEWER, Role.INSPECTOR)


def _form_page(request, form, inspector, title):
    return render(
        request,
        "inspectors/record_form.html",
        {"form": form, "inspector": inspector, "title": title},
    )


@office_admin_required
def term_add(request, pk):
    inspector = scoping.get_inspector_for(request.user, pk)
    form = TermForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            term_services.create_term(request.user, inspector, **form.cleaned_data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("Term recorded."))
            return redirect(inspector)
    return _form_page(request, form, inspector, _("New term"))


@office_admin_required
def term_edit(request, pk):
    term = scoping.get_term_for(request.user, pk)
    form = TermForm(request.POST or None, instance=term)
    if request.method == "POST" and form.is_valid():
        try:
            term_services.update_term(request.user, term, **form.cleaned_data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("Term saved."))
            return redirect(term.inspector)
    return _form_page(request, form, term.inspector, _("Term"))


@office_admin_required
@require_POST
def term_delete(request, pk):
    term = scoping.get_term_for(request.user, pk)
    term_services.delete_term(request.user, term)
    messages.success(request, _("Term deleted."))
    return redirect(term.inspector)


@office_admin_required
def certificate_add(request, pk):
    inspector = scoping.get_inspector_for(request.user, pk)
    form = CertificateForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            term_services.create_certificate(request.user, inspector, **data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("Certificate recorded."))
            return redirect(inspector)
    return _form_page(request, form, inspector, _("New certificate"))


@office_admin_required
def certificate_edit(request, pk):
    certificate = scoping.get_certificate_for(request.user, pk)
    form = CertificateForm(request.POST or None, request.FILES or None, instance=certificate)
    if request.method == "POST" and form.is_valid():
        try:
            term_services.update_certificate(request.user, certificate, **form.cleaned_data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("Certificate saved."))
            return redirect(certificate.inspector)
    return _form_page(request, form, certificate.inspector, _("Certificate"))


@office_admin_required
@require_POST
def certificate_delete(request, pk):
    certificate = scoping.get_certificate_for(request.user, pk)
    term_services.delete_certificate(request.user, certificate)
    messages.success(request, _("Certificate deleted."))
    return redirect(certificate.inspector)


def _certificate_file(request, pk) -> CertificateFile:
    return scoping.get_or_404(
        CertificateFile.objects.filter(
            certificate__in=scoping.certificates_for(request.user)
        ).select_related("certificate__inspector"),
        pk=pk,
    )


@role_required(*READERS)
def certificate_file(request, pk):
    stored = _certificate_file(request, pk)
    return file_response(stored.file, stored.content_type, stored.original_name)


@office_admin_required
@require_POST
def certificate_file_delete(request, pk):
    stored = _certificate_file(request, pk)
    term_services.delete_certificate_file(request.user, stored)
    messages.success(request, _("File removed."))
    return redirect(stored.certificate.inspector)


@office_admin_required
def reminder_days(request):
    office = request.user.office
    form = ReminderDaysForm(request.POST or None, instance=inspector_rules_for(office.pk))
    if request.method == "POST" and form.is_valid():
        try:
            term_services.save_reminder_days(request.user, office, **form.cleaned_data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("Reminder days saved."))
            return redirect("inspectors:reminder_days")
    return render(request, "inspectors/reminder_days.html", {"form": form})
