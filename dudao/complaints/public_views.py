"""The public's side (no login, under /p/, light pages for a phone, no script):

- `/p/complaints/new/?school=<code>`: the form opened from a school's public page (the
  signboard's QR code), the school filled in;
- `/p/complaints/new/` (`?county=<region code>`): the county's form, where the sender
  chooses the county (when the site serves several) and, if they wish, the school;
- `/p/complaints/track/`: the sender types the tracking code and reads the status and the
  reply; never a name or a phone.

Abuse (issue 14 §2): every page is rate limited per client address (`dudao.core.ratelimit`;
the address is hashed, never stored), sending is limited per address and per school, the
form carries a challenge that needs no outside service (`challenge.py`) and a honeypot field
no person fills, the photos are checked by content and size as visits' are, and a repeated
text is merged, not counted again (`services.submit_complaint`). Every text is escaped by the
templates (Django's autoescape; no `|safe` anywhere).
"""

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from dudao.audit.middleware import client_ip
from dudao.core import ratelimit
from dudao.core.errors import DomainError
from dudao.core.forms import apply_domain_error
from dudao.organisations.models import Office
from dudao.schools.models import School

from . import challenge, services, workflow
from .forms import HONEYPOT, PublicComplaintForm, TrackForm
from .models import Complaint, Status

HOUR = 60 * 60
# Sending: per client address and per school (or per office for a complaint about no
# school), each an hour's window. Reading the pages: settings.PUBLIC_PAGE_REQUEST_RATE a
# minute, as the school's public page. Tracking: lookups per address an hour.
DEFAULT_SEND_RATE = 10
DEFAULT_SCHOOL_RATE = 30
DEFAULT_TRACK_RATE = 30


def _setting(name, default) -> int:
    return int(getattr(settings, name, default))


def _private(response):
    """Public pages with a form (a CSRF token, a challenge) or a result: never cached,
    never indexed."""
    patch_cache_control(response, no_store=True, private=True)
    response["X-Robots-Tag"] = "noindex"
    return response


def _too_many(request, seconds: int, what: str):
    response = render(
        request,
        "complaints/public_too_many.html",
        {"seconds": seconds, "what": what},
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return _private(response)


def _address(request) -> str:
    return client_ip(request) or "unknown"


def _offices():
    return Office.objects.select_related("region").order_by("region__code")


def complaint_new(request):
    """The complaint form and its sending. On success the tracking code is shown, large."""
    address = _address(request)
    if request.method == "POST":
        wait = ratelimit.count(
            "complaint-send",
            address,
            _setting("COMPLAINT_SEND_RATE", DEFAULT_SEND_RATE),
            window=HOUR,
        )
    else:
        wait = ratelimit.count("complaint-page", address, settings.PUBLIC_PAGE_REQUEST_RATE)
    if wait:
        return _too_many(request, wait, "send" if request.method == "POST" else "page")
    school = None
    code = (request.GET.get("school") or "").strip()
    if code:
        # Public (no login): any active school by the code printed on its board.
        school = (
            School.objects.unscoped()
            .filter(code=code[:10], is_active=True)
            .select_related("office")
            .first()
        )
        if school is None:
            raise Http404(_("No such school."))
    offices = _offices()
    office = None
    county = (request.GET.get("county") or "").strip()[:12]
    if county:
        office = offices.filter(region__code=county).first()
    if office is None and school is None:
        only = list(offices[:2])
        office = only[0] if len(only) == 1 else None
    form = PublicComplaintForm(
        request.POST or None,
        request.FILES or None,
        school=school,
        offices=offices,
        office=office,
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data.get(HONEYPOT):
            form.add_error(None, _("Your report could not be sent. Please call the hotline."))
            form.renew_challenge()
            status = 400
        else:
            sent = _send(request, form, data, address)
            if sent is not None:
                return sent
    context = {
        "form": form,
        "school": school,
        "office": school.office if school else office,
        "several_offices": school is None and office is None,
    }
    return _private(render(request, "complaints/public_form.html", context, status=status))


def _send(request, form, data, address):
    """Check the challenge and the school's rate, then receive the complaint; the success
    page, a 429, or None with the form's errors."""
    try:
        challenge.check(data["challenge"], data["answer"])
    except challenge.ChallengeFailed as failed:
        form.add_error("answer", str(failed))
        form.renew_challenge()
        return None
    try:
        services.check_photos(data.get("photos"))  # a bad photo keeps the question
    except DomainError as error:
        apply_domain_error(form, error)
        return None
    school, office = data.get("school"), data.get("office")
    key = f"school:{school.pk}" if school is not None else f"office:{office.pk}"
    wait = ratelimit.count(
        "complaint-school",
        key,
        _setting("COMPLAINT_SCHOOL_RATE", DEFAULT_SCHOOL_RATE),
        window=HOUR,
    )
    if wait:
        return _too_many(request, wait, "school")
    try:
        challenge.use(data["challenge"])
        complaint = services.submit_complaint(
            office=office,
            school=school,
            category=data["category"],
            text=data["text"],
            name=data.get("name") or "",
            phone=data.get("phone") or "",
            anonymous=data.get("anonymous") or False,
            photos=data.get("photos") or [],
            client_address=address,
        )
    except challenge.ChallengeFailed as failed:
        form.add_error("answer", str(failed))
        form.renew_challenge()
        return None
    except DomainError as error:
        apply_domain_error(form, error)
        form.renew_challenge()  # the question was used up
        return None
    context = {"complaint": complaint, "office": complaint.office}
    return _private(render(request, "complaints/public_sent.html", context))


def complaint_track(request):
    """The sender reads the status and the reply with the tracking code (POSTed, so the code
    stays out of addresses and logs)."""
    address = _address(request)
    if request.method == "POST":
        wait = ratelimit.count(
            "complaint-track",
            address,
            _setting("COMPLAINT_TRACK_RATE", DEFAULT_TRACK_RATE),
            window=HOUR,
        )
    else:
        wait = ratelimit.count("complaint-page", address, settings.PUBLIC_PAGE_REQUEST_RATE)
    if wait:
        return _too_many(request, wait, "track")
    form = TrackForm(request.POST or None)
    result = None
    if request.method == "POST" and form.is_valid():
        complaint = (
            Complaint.objects.unscoped()
            .filter(tracking_code=form.cleaned_data["code"])
            .select_related("school", "office")
            .first()
        )
        if complaint is None:
            form.add_error("code", _("No report has this tracking code. Check it and try again."))
        else:
            result = track_result(complaint)
    return _private(render(request, "complaints/public_track.html", {"form": form, "r": result}))


def track_result(complaint: Complaint) -> dict:
    """What the sender may read: the report's kind, school and dates, its status and the
    reply; for a merged report, those of the report it was merged into. No contact details,
    no inspector, no internal notes."""
    handled = complaint
    if complaint.status == Status.MERGED:
        handled = workflow.root_of(complaint)
    answered = handled.status in (Status.REPLIED, Status.CLOSED)
    return {
        "complaint": complaint,
        "handled": handled,
        "merged": handled.pk != complaint.pk,
        "status": handled.get_status_display(),
        "answered": answered,
        "reply": handled.reply_text if answered else "",
        "replied_at": handled.replied_at if answered else None,
        "transferred_to": handled.transferred_to if handled.status == Status.TRANSFERRED else "",
        "waiting": handled.is_open,
    }
