"""The printable QR sheets of a survey (问卷二维码): one A4 page per school with the survey's
title, the school, a large QR code of the school's link, the link written out and how to
answer, rendered by WeasyPrint in one pass like the signboards (`dudao.signboards.boards`
makes the QR codes and checks for a Chinese font). The sheet is a notice to parents: it is
printed in Chinese whatever the UI language. Its stylesheet is `print/qr_sheet.css` (kept out
of the template: templates carry no inline style)."""

import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from dudao.reports.exporter import long_date
from dudao.signboards import boards

from .models import Survey, SurveySchool

STYLESHEET = Path(__file__).resolve().parent / "print" / "qr_sheet.css"


def public_url(link: SurveySchool) -> str:
    """The absolute address a school's QR code opens."""
    return settings.PUBLIC_BASE_URL.rstrip("/") + reverse(
        "surveys_public:answer", args=[link.token]
    )


@dataclass
class Sheet:
    link: SurveySchool
    url: str
    qr: str


def build_sheets(survey: Survey, links) -> list[Sheet]:
    sheets = []
    for link in links:
        url = public_url(link)
        sheets.append(Sheet(link=link, url=url, qr=boards.qr_svg_data_uri(url)))
    return sheets


def render_html(survey: Survey, sheets: list[Sheet]) -> str:
    with translation.override("zh-hans"):
        return render_to_string(
            "surveys/qr_sheet.html",
            {
                "survey": survey,
                "office": survey.office,
                "sheets": sheets,
                "opens": long_date(survey.opens_on),
                "closes": long_date(survey.closes_on),
            },
        )


def render_pdf(survey: Survey, links) -> bytes:
    """One page per link (raises MissingSystemPackage without a Chinese font)."""
    from weasyprint import CSS, HTML

    boards.ensure_cjk_font()
    html = render_html(survey, build_sheets(survey, links))
    return HTML(string=html).write_pdf(stylesheets=[CSS(filename=str(STYLESHEET))])


def pdf_filename(name: str) -> str:
    """问卷二维码-<name>.pdf, without characters that are unsafe in a file name."""
    safe = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "_", name).strip(" ._") or "survey"
    return f"问卷二维码-{safe}.pdf"
