"""The work summaries page (issue 15 §4): choose whose summary and which period, read the
figures with the list behind each, edit the office's words (htmx, one section at a time)
and download the Word draft or the figures' spreadsheet."""

import io
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dudao.core.errors import DomainError
from dudao.core.forms import apply_domain_error
from dudao.core.paging import is_htmx
from dudao.core.system import MissingSystemPackage
from dudao.reports import exporter

from . import figures, periods, report, services
from .forms import TextForm
from .models import SummarySection

REPORT = "work_summary"


def _reader(request):
    if not figures.can_read(request.user):
        raise PermissionDenied


def _page_url(subject, period) -> str:
    return "?" + urlencode({"subject": subject.key, **period.params()})


def _section(section, texts, subject, period, editable, form=None) -> dict:
    entry = texts[section]
    if form is None:
        form = TextForm(
            initial={
                "subject": subject.key,
                **period.params(),
                "section": section,
                "version": entry["version"],
                "text": entry["text"] or entry["draft"],
            },
            auto_id=f"id_{section}_%s",
        )
    return {
        "key": section,
        "label": SummarySection(section).label,
        "lines": entry["lines"],
        "edited": bool(entry["text"]),
        "form": form if editable else None,
    }


def index(request):
    _reader(request)
    user = request.user
    today = timezone.localdate()
    subjects = figures.subjects_for(user)
    key = request.GET.get("subject")
    subject = figures.subject_for(user, key)
    if subject is None:
        raise Http404
    period = periods.parse(request.GET, today)
    summary = figures.compute(user, subject, period, today)
    texts = report.words(user, summary)
    editable = figures.can_edit(user, subject)
    query = urlencode({"subject": subject.key, **period.params()})
    context = {
        "summary": summary,
        "subjects": subjects,
        "subject": subject,
        "period": period,
        "kinds": periods.KINDS,
        "year": period.year,
        "years": range(today.year, today.year - 6, -1),
        "sections": [
            _section(section, texts, subject, period, editable) for section in SummarySection.values
        ],
        "editable": editable,
        "query": query,
        "downloads": [
            (_("Word draft"), "docx"),
            (_("Figures (Excel)"), "xlsx"),
            (_("PDF"), "pdf"),
        ],
    }
    return render(request, "summaries/index.html", context)


@require_POST
def save_text(request):
    """Save one section's text (the office admin). The draft saved unchanged keeps following
    the draft. htmx gets the section back; without it, the page again."""
    _reader(request)
    user = request.user
    form = TextForm(request.POST)
    if not form.is_valid():
        return render(request, "summaries/_invalid.html", {"form": form}, status=400)
    data = form.cleaned_data
    subject = figures.subject_for(user, data["subject"])
    if subject is None:
        raise Http404
    if not figures.can_edit(user, subject):
        raise PermissionDenied
    today = timezone.localdate()
    period = periods.parse(request.POST, today)
    summary = figures.compute(user, subject, period, today)
    texts = report.words(user, summary)
    section = data["section"]
    text = data["text"].strip()
    if "\n".join(report.lines_of(text)) == texts[section]["draft"]:
        text = ""  # the draft as it was: keep following it
    refused, bound = None, None
    try:
        services.save_summary_text(
            user, subject, period, section, text, expected_version=data["version"]
        )
    except DomainError as error:
        refused = error
        bound = TextForm(request.POST, auto_id=f"id_{section}_%s")
        bound.is_valid()
        apply_domain_error(bound, error)
    else:
        texts = report.words(user, summary)
    if not is_htmx(request):
        if refused is None:
            messages.success(request, _("The summary's text was saved."))
        else:
            messages.error(request, str(refused))
        return redirect(reverse("summaries:index") + _page_url(subject, period))
    context = {
        "s": _section(section, texts, subject, period, True, form=bound),
        "saved": refused is None,
    }
    return render(request, "summaries/_section.html", context)


def summary_file(request, fmt):
    _reader(request)
    if fmt not in exporter.REGISTRY[REPORT].formats:
        raise Http404
    try:
        result = exporter.export(REPORT, fmt, request.user, request.GET.dict())
    except MissingSystemPackage as exc:
        return render(request, "reports/unavailable.html", {"message": str(exc)}, status=503)
    response = FileResponse(io.BytesIO(result.content), content_type=result.content_type)
    response["Content-Disposition"] = exporter.content_disposition(result.filename)
    return response
