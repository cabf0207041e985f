"""The campaign report and bulletin (专项督导报告, 通报; issue 12 §6): their Word and PDF
downloads for the office and the viewers above it, and the office admin's page where the
report's own words (工作亮点, 存在问题, 督导建议) are edited before export. Thin views: the
documents are `dudao.campaigns.report`'s, built through the reader's scope (404 out of
scope or before the campaign is closed); every write is `report.save_report_text`."""

import io

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dudao.core.errors import DomainError, NotPermitted
from dudao.core.forms import apply_domain_error
from dudao.core.permissions import office_admin_required, role_required
from dudao.core.system import MissingSystemPackage
from dudao.reports import exporter

from . import report
from .check_views import RESULT_ROLES
from .models import CampaignReportText

DOCUMENTS = {"report": "campaign_report", "bulletin": "campaign_bulletin"}


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


@role_required(*RESULT_ROLES)
def campaign_report_file(request, pk, fmt):
    """The campaign report (专项督导报告) as Word or PDF."""
    return _download(request, DOCUMENTS["report"], fmt, pk)


@role_required(*RESULT_ROLES)
def campaign_bulletin_file(request, pk, fmt):
    """The bulletin (通报) as Word or PDF; `?number=` its document number (文号), else the
    campaign's legal basis."""
    number = request.GET.get("number", "")[: report.NUMBER_MAX]
    return _download(request, DOCUMENTS["bulletin"], fmt, pk, number)


class SectionTextForm(forms.Form):
    """One edited section of the report, one paragraph a line; emptied, the draft is back."""

    section = forms.ChoiceField(
        choices=CampaignReportText.Section.choices, widget=forms.HiddenInput
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


@office_admin_required
def report_text(request, pk):
    """The office admin edits the report's own words, one form per section, prefilled with
    the saved text or the draft. Saving the draft unchanged keeps following the draft."""
    campaign = report.reportable_campaign(request.user, pk)
    try:
        report.check_text_author(request.user, campaign)
    except NotPermitted as exc:
        raise PermissionDenied from exc
    words = report.report_matter(request.user, campaign.pk)["words"]
    sections = CampaignReportText.Section
    posted = request.POST.get("section") if request.method == "POST" else None
    forms_by_section = {
        section: _form(words, section, request.POST if section == posted else None)
        for section in sections.values
    }
    if request.method == "POST":
        form = forms_by_section.get(posted) or SectionTextForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            text = data["text"].strip()
            if "\n".join(report.lines_of(text)) == words[data["section"]]["draft"]:
                text = ""  # the draft as it was: keep following it
            try:
                report.save_report_text(
                    request.user,
                    campaign,
                    data["section"],
                    text,
                    expected_version=data["version"],
                )
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                messages.success(request, _("The report's text was saved."))
                return redirect(reverse("campaigns:report_text", args=[campaign.pk]))
    context = {
        "campaign": campaign,
        "sections": [
            {
                "label": sections(section).label,
                "form": forms_by_section[section],
                "edited": bool(words[section]["text"]),
            }
            for section in sections.values
        ],
    }
    return render(request, "campaigns/report_text.html", context)
