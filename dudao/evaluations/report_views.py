"""An evaluation round's documents (issue 13 §6): the target's report (反馈意见书) as Word or
PDF, the round's summary report and bulletin (通报), the results workbook, and the office
admin's pages where the documents' own words are edited before export. Thin views: the
documents are `dudao.evaluations.report`'s, built through the reader's scope (404 out of
scope, before review, or for a reader the document is not for); every write is
`report.save_report_text`."""

import io

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dudao.accounts.models import Role
from dudao.core.errors import DomainError, NotPermitted
from dudao.core.forms import apply_domain_error
from dudao.core.permissions import office_admin_required, role_required
from dudao.core.system import MissingSystemPackage
from dudao.reports import exporter

from . import report  # registers the documents with the exporter
from .models import EvaluationReportText

READER_ROLES = (Role.OFFICE_ADMIN, Role.VIEWER)
DOCUMENT_FORMATS = (exporter.DOCX, exporter.PDF)


def _download(request, name, fmt, *args):
    if fmt not in exporter.REGISTRY[name].formats:
        raise Http404
    try:
        result = exporter.export(name, fmt, request.user, *args)
    except MissingSystemPackage as exc:
        return render(request, "reports/unavailable.html", {"message": str(exc)}, status=503)
    response = FileResponse(io.BytesIO(result.content), content_type=result.content_type)
    response["Content-Disposition"] = exporter.content_disposition(result.filename)
    return response


def _format(request) -> str:
    fmt = request.GET.get("format", exporter.DOCX)
    if fmt not in DOCUMENT_FORMATS:
        raise Http404
    return fmt


def target_report(request, pk, target_pk):
    """A target's report (反馈意见书) as Word (`?format=docx`, the default) or PDF: for the
    office and the viewers above it from review on, for the target's own school once the
    round is published; anyone else finds nothing (404)."""
    return _download(request, "evaluation_target_report", _format(request), target_pk, pk)


@role_required(*READER_ROLES)
def round_report(request, pk):
    """The round's summary report as Word or PDF (`?format=`)."""
    return _download(request, "evaluation_round_summary", _format(request), pk)


@role_required(*READER_ROLES)
def round_bulletin(request, pk):
    """The bulletin (通报) as Word or PDF (`?format=`); `?number=` its document number (文号),
    else the round's legal basis."""
    number = request.GET.get("number", "")[: report.NUMBER_MAX]
    return _download(request, "evaluation_round_bulletin", _format(request), pk, number)


@role_required(*READER_ROLES)
def results_xlsx(request, pk):
    """The results workbook: ranking, targets × indicators, rater groups, disagreements."""
    return _download(request, "evaluation_results", exporter.XLSX, pk)


class SectionTextForm(forms.Form):
    """One edited section, one paragraph a line; emptied, the draft is back."""

    section = forms.ChoiceField(
        choices=EvaluationReportText.Section.choices, widget=forms.HiddenInput
    )
    text = forms.CharField(
        label=gettext_lazy("Text"),
        required=False,
        max_length=report.TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy("One paragraph a line. Leave empty to use the draft."),
    )
    # The version the writer saw (0: nothing saved yet): a save over someone else's newer
    # text is refused. Required, so an empty POST changes nothing.
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)


def _form(words, section, data=None):
    value = words[section]
    return SectionTextForm(
        data,
        prefix=section,
        initial={
            "section": section,
            "text": value["text"] or value["draft"],
            "version": value["version"],
        },
    )


def _edit(request, round_, words, sections, *, target=None, back):
    """The forms of `sections`, one per section, prefilled with the saved text or the
    draft; a POST saves the one it names. Saving the draft unchanged keeps following it."""
    posted = request.POST.get("section") if request.method == "POST" else None
    forms_by_section = {
        section: _form(words, section, request.POST if section == posted else None)
        for section in sections
    }
    if request.method == "POST":
        form = forms_by_section.get(posted) or SectionTextForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            text = data["text"].strip()
            if data["section"] in words and (
                "\n".join(report.lines_of(text)) == words[data["section"]]["draft"]
            ):
                text = ""  # the draft as it was: keep following it
            try:
                report.save_report_text(
                    request.user,
                    round_,
                    data["section"],
                    text,
                    expected_version=data["version"],
                    target=target,
                )
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                messages.success(request, _("The report's text was saved."))
                return redirect(back)
    labels = dict(EvaluationReportText.Section.choices)
    return [
        {
            "section": section,
            "label": labels[section],
            "form": forms_by_section[section],
            "edited": bool(words[section]["text"]),
        }
        for section in sections
    ]


def _author(request, round_):
    try:
        report.check_text_author(request.user, round_)
    except NotPermitted as exc:
        raise PermissionDenied from exc


@office_admin_required
def report_text(request, pk):
    """The round's documents for the office admin: the downloads, the edited words of the
    summary report and the bulletin, and each target's report with its own words' page."""
    round_ = report.reportable_round(request.user, pk)
    _author(request, round_)
    matter = report.round_matter(request.user, round_.pk)
    back = reverse("evaluations:report_text", args=[round_.pk])
    edited = _edit(request, round_, matter["words"], report.ROUND_SECTIONS, back=back)
    if not isinstance(edited, list):
        return edited
    context = {
        "round": round_,
        "sections": edited,
        "items": sorted(matter["items"], key=lambda i: (i.target.position, i.target.pk)),
        "action": back,
    }
    return render(request, "evaluations/reports/round_text.html", context)


@office_admin_required
def target_report_text(request, pk, target_pk):
    """The office admin edits one target's report's own words (主要成绩, 存在问题,
    督导意见)."""
    target = report.reportable_target(request.user, target_pk, pk)
    round_ = report.reportable_round(request.user, pk)
    _author(request, round_)
    matter = report.target_matter(request.user, target.pk, round_.pk)
    back = reverse("evaluations:target_report_text", args=[round_.pk, target.pk])
    edited = _edit(
        request, round_, matter["words"], report.TARGET_SECTIONS, target=target, back=back
    )
    if not isinstance(edited, list):
        return edited
    context = {
        "round": round_,
        "target": target,
        "item": matter["item"],
        "sections": edited,
        "action": back,
    }
    return render(request, "evaluations/reports/target_text.html", context)
