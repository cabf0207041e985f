"""Signboard (公示牌) data and rendering: which inspector goes on a school's board, the photo and
QR code as data URIs, and one WeasyPrint pass for any number of boards.

A batch is one HTML document, one page per board, rendered once: WeasyPrint's start-up and
font subsetting are paid once, not per school. Data comes in three queries whatever the number
of schools (the schools with their office, their current assignments with inspectors, and the
school-type rules of their offices).

A board lists the supervision items of its school's type (docs/rules.md §4): the kindergarten
areas on a kindergarten's board, the eight items on the others', as the office's rules say
(`dudao.visits.school_rules.RuleBook`).
"""

import base64
import datetime
import io
import logging
import re
import time
from dataclasses import dataclass

import qrcode
import qrcode.constants
from django.conf import settings
from django.db.models import F, Prefetch, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.safestring import mark_safe

from dudao.core import system
from dudao.core.supervision_items import SupervisionItem
from dudao.inspectors.models import Assignment, Inspector
from dudao.schools.models import School
from dudao.visits.school_rules import RuleBook

logger = logging.getLogger(__name__)

# Printed photo: 35 x 45 mm at about 300 dpi, cropped to 3:4 (the usual ID-photo shape).
PHOTO_SIZE = (420, 560)
# The public page shows it at about 120 x 160 CSS px: 2x for high-density phone screens.
WEB_PHOTO_SIZE = (240, 320)


def public_url(school: School) -> str:
    """The absolute address the board's QR code opens: the school's public page."""
    base = settings.PUBLIC_BASE_URL.rstrip("/")
    return base + reverse("signboards:public_school", args=[school.code])


def qr_svg_data_uri(data: str) -> str:
    """A QR code for `data` as an SVG data URI (vector, so it prints sharp at any size).

    The path is built here with one rectangle per horizontal run of dark modules instead of
    qrcode's one square per module: half the path commands, and WeasyPrint parses SVG paths
    in Python, which is most of a batch's drawing time otherwise. The quiet zone is left to
    the board's CSS (padding on a white background)."""
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    qr.add_data(data)
    qr.make(fit=True)
    matrix = qr.get_matrix()
    size = len(matrix)
    runs = []
    for y, row in enumerate(matrix):
        x = 0
        while x < size:
            if row[x]:
                start = x
                while x < size and row[x]:
                    x += 1
                runs.append(f"M{start} {y}h{x - start}v1h-{x - start}z")
            else:
                x += 1
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" '
        f'width="{size}" height="{size}" shape-rendering="crispEdges">'
        f'<path fill="#000" d="{"".join(runs)}"/></svg>'
    )
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("ascii")).decode("ascii")


def photo_data_uri(
    inspector: Inspector, size: tuple[int, int] = PHOTO_SIZE, quality: int = 85
) -> str | None:
    """The inspector's photo, cropped to 3:4 and downscaled (EXIF dropped), as a JPEG data URI;
    None when there is no photo or it cannot be read (the board then shows a placeholder)."""
    if not inspector.photo:
        return None
    from PIL import Image, ImageOps

    try:
        with inspector.photo.open("rb") as fh, Image.open(fh) as image:
            # A JPEG decodes straight at a reduced scale (still at least the target size).
            image.draft("RGB", (max(size), max(size)))
            image = ImageOps.exif_transpose(image).convert("RGB")
            image = ImageOps.fit(image, size, Image.Resampling.LANCZOS)
            out = io.BytesIO()
            image.save(out, "JPEG", quality=quality, optimize=True)
    except Exception as exc:  # a missing, truncated or bogus file must never break a board
        logger.warning("Cannot read the photo of inspector %s: %s", inspector.pk, exc)
        return None
    return "data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode("ascii")


# The font check runs fc-list in a subprocess: remember a success for the life of the process,
# and a failure for a short while only, so installing the font takes effect without a restart.
FONT_RECHECK_SECONDS = 60.0
_font_state: dict[str, float | bool] = {"ok": False, "checked_at": float("-inf")}
_font_error: list[str] = []


def ensure_cjk_font() -> None:
    """Raise MissingSystemPackage (with core.system's message naming the package to install)
    when no Chinese font is available. Cached: fc-list is not spawned on every request."""
    if _font_state["ok"]:
        return
    now = time.monotonic()
    if _font_error and now - float(_font_state["checked_at"]) < FONT_RECHECK_SECONDS:
        raise system.MissingSystemPackage(_font_error[0])
    _font_state["checked_at"] = now
    _font_error.clear()
    try:
        system.require_cjk_font()
    except system.MissingSystemPackage as exc:
        _font_error.append(str(exc))
        raise
    _font_state["ok"] = True


def reset_font_check() -> None:
    """Forget the cached font check (tests; after installing a font)."""
    _font_state.update(ok=False, checked_at=float("-inf"))
    _font_error.clear()


def with_current_assignments(
    schools: QuerySet[School], on: datetime.date | None = None
) -> QuerySet[School]:
    """Schools with their office and, in `current_assignments`, the assignments current on
    `on` (today by default; newest first) with their inspectors: two queries for any number
    of schools."""
    current = (
        Assignment.objects.unscoped()
        .current(on)
        .select_related("inspector")
        .order_by("-start_date", "-pk")
    )
    return schools.select_related("office", "zone").prefetch_related(
        Prefetch("assignments", queryset=current, to_attr="current_assignments")
    )


def batch_schools(schools: QuerySet[School]) -> QuerySet[School]:
    """The active schools of a batch in print order: zone, then township, then code (schools
    without a zone or township last), ready for `build_boards`."""
    return with_current_assignments(schools.filter(is_active=True)).order_by(
        F("zone__name").asc(nulls_last=True),
        F("township__code").asc(nulls_last=True),
        "code",
    )


def pdf_filename(name: str) -> str:
    """公示牌-<name>.pdf, without characters that are unsafe in a file name."""
    safe = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "_", name).strip(" ._") or "school"
    return f"公示牌-{safe}.pdf"


def current_assignment(school: School) -> Assignment | None:
    """The school's responsible inspector on the board: its current assignment (the one meaning
    of "current", `Assignment.objects.unscoped().current()`), the same inspector who may act on the
    school. An assignment made ahead of term appears once it starts. Needs
    `with_current_assignments`."""
    assignments = school.current_assignments
    return assignments[0] if assignments else None


@dataclass
class Board:
    school: School
    inspector: Inspector | None
    photo: str | None
    public_url: str
    qr: str
    # The inspector's mobile only with their consent, else the office's public number
    # (Inspector.public_phone); blank: the board asks to call the office hotline.
    phone: str = ""
    # The supervision items of the school's type, in catalogue order (docs/rules.md §4).
    items: tuple[SupervisionItem, ...] = ()

    @property
    def office(self):
        return self.school.office

    @property
    def name_size(self) -> str:
        """A CSS class so long names still fit the name block (at most three lines)."""
        length = len(self.school.name)
        if length > 40:
            return "name-xxl"
        if length > 19:
            return "name-xl"
        if length > 12:
            return "name-l"
        return ""

    @property
    def email_html(self) -> str:
        """The e-mail address with line-break opportunities after "@" and before dots, so a long
        address wraps at a sensible place instead of mid-word."""
        email = self.inspector.email if self.inspector else ""
        breaks = {"@": "@<wbr>", ".": "<wbr>."}
        return mark_safe("".join(breaks.get(ch) or escape(ch) for ch in email))

    @property
    def email_size(self) -> str:
        """A CSS class so a long e-mail address stays within its row (two lines at most)."""
        email = self.inspector.email if self.inspector else ""
        if len(email) > 44:
            return "tiny"
        if len(email) > 22:
            return "small"
        return ""


def build_boards(schools) -> list[Board]:
    """One board per school, in the given order. Photos are prepared once per inspector (an
    inspector holds about five schools). Each board lists the items of its school's type:
    the rules of the schools' offices are read in one query."""
    schools = list(schools)
    rules = RuleBook({school.office_id for school in schools})
    photos: dict[int, str | None] = {}
    boards = []
    for school in schools:
        assignment = current_assignment(school)
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
                phone=inspector.public_phone(school.office) if inspector else "",
                items=rules.items(school.office_id, school.type),
            )
        )
    return boards


def render_boards_html(boards: list[Board], title: str = "") -> str:
    # The board is an official Chinese notice: it is printed in Chinese whatever the UI language.
    with translation.override("zh-hans"):
        return render_to_string(
            "signboards/board.html",
            {"boards": boards, "title": title},
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
