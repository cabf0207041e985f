"""Signboard (公示牌) data and rendering: which inspector goes on a school's board, the photo and
QR code as data URIs, and one WeasyPrint pass for any number of boards.

A batch is one HTML document, one page per board, rendered once: WeasyPrint's start-up and
font subsetting are paid once, not per school. Data comes in two queries whatever the number
of schools (the schools with their office, then their current assignments with inspectors).
"""

import base64
import datetime
import io
import logging
import time
from dataclasses import dataclass

import qrcode
import qrcode.constants
import qrcode.image.svg
from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from dudao.accounts.scoping import current_assignments_q
from dudao.inspectors.models import Assignment, Inspector
from dudao.schools.models import School

from .items import SUPERVISION_ITEMS

logger = logging.getLogger(__name__)

# Printed photo: 35 x 45 mm at about 300 dpi, cropped to 3:4 (the usual ID-photo shape).
PHOTO_SIZE = (420, 560)


def public_url(school: School) -> str:
    """The absolute address the board's QR code opens: the school's public page."""
    base = settings.PUBLIC_BASE_URL.rstrip("/")
    return base + reverse("signboards:public_school", args=[school.code])


def qr_svg_data_uri(data: str) -> str:
    """A QR code for `data` as an SVG data URI (vector, so it prints sharp at any size)."""
    qr = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        border=0,
        image_factory=qrcode.image.svg.SvgPathImage,
    )
    qr.add_data(data)
    qr.make(fit=True)
    svg = qr.make_image().to_string()
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def photo_data_uri(inspector: Inspector) -> str | None:
    """The inspector's photo, cropped to 3:4 and downscaled for print, as a JPEG data URI; None
    when there is no photo or it cannot be read (the board then shows a placeholder)."""
    if not inspector.photo:
        return None
    from PIL import Image, ImageOps

    try:
        with inspector.photo.open("rb") as fh, Image.open(fh) as image:
            image = ImageOps.exif_transpose(image).convert("RGB")
            image = ImageOps.fit(image, PHOTO_SIZE, Image.Resampling.LANCZOS)
            out = io.BytesIO()
            image.save(out, "JPEG", quality=85, optimize=True)
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        logger.warning("Cannot read the photo of inspector %s: %s", inspector.pk, exc)
        return None
    return "data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode("ascii")


def with_current_assignments(schools: QuerySet[School]) -> QuerySet[School]:
    """Schools with their office and, in `current_assignments`, the current assignments
    (newest first) with their inspectors: two queries for any number of schools."""
    current = (
        Assignment.objects.filter(current_assignments_q())
        .select_related("inspector")
        .order_by("-start_date", "-pk")
    )
    return schools.select_related("office", "zone").prefetch_related(
        Prefetch("assignments", queryset=current, to_attr="current_assignments")
    )


def current_assignment(school: School, today: datetime.date | None = None) -> Assignment | None:
    """The school's responsible inspector now: of the assignments not yet ended (end_date null
    or today or later), the latest that has started; if none has started yet (a reassignment
    made ahead of term), the next one to start. Needs `with_current_assignments`."""
    assignments = school.current_assignments
    if not assignments:
        return None
    today = today or timezone.localdate()
    started = [a for a in assignments if a.start_date <= today]
    return started[0] if started else assignments[-1]


@dataclass
class Board:
    school: School
    inspector: Inspector | None
    photo: str | None
    public_url: str
    qr: str

    @property
    def office(self):
        return self.school.office

    @property
    def name_size(self) -> str:
        """A CSS class so long names still fit the board on one line or two."""
        length = len(self.school.name)
        if length > 24:
            return "name-xl"
        if length > 14:
            return "name-l"
        return ""


def build_boards(schools) -> list[Board]:
    """One board per school, in the given order. Photos are prepared once per inspector (an
    inspector holds about five schools)."""
    today = timezone.localdate()
    photos: dict[int, str | None] = {}
    boards = []
    for school in schools:
        assignment = current_assignment(school, today)
        inspector = assignment.inspector if assignment else None
        if inspector is not None and inspector.pk not in photos:
            photos[inspector.pk] = photo_data_uri(inspector)
        url = public_url(school)
        boards.append(
            Board(
                school=school,
                inspector=inspector,
                photo=photos.get(inspector.pk) if inspector else None,
                public_url=url,
                qr=qr_svg_data_uri(url),
            )
        )
    return boards


def render_boards_html(boards: list[Board], title: str = "") -> str:
    # The board is an official Chinese notice: it is printed in Chinese whatever the UI language.
    with translation.override("zh-hans"):
        return render_to_string(
            "signboards/board.html",
            {"boards": boards, "items": SUPERVISION_ITEMS, "title": title},
        )


def render_pdf(boards: list[Board], title: str = "") -> bytes:
    """Render the boards to one PDF, one A4 page each."""
    from weasyprint import HTML

    started = time.perf_counter()
    html = render_boards_html(boards, title)
    pdf = HTML(string=html).write_pdf()
    logger.info(
        "Rendered %d signboard(s) in %.2f s (%d bytes)",
        len(boards),
        time.perf_counter() - started,
        len(pdf),
    )
    return pdf
