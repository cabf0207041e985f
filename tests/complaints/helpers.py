"""Complaint helpers shared by the tests and the authorisation matrix
(tests/matrix/complaints.py): complaints made through the services, as the public and the
office make them."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from dudao.complaints import challenge, services
from dudao.complaints.models import Category, Complaint

ADDRESS = "203.0.113.7"  # TEST-NET-3: a documentation address, never a real client
TEXT = "学校周六组织初三学生到校补课，收取资料费每人200元。"


def receive(w, *, school="school", text=TEXT, address=ADDRESS, **kwargs) -> Complaint:
    """A complaint from the public about one of the world's schools (or none)."""
    chosen = getattr(w, school) if isinstance(school, str) else school
    office = chosen.office if chosen is not None else kwargs.pop("office", w.office)
    kwargs.setdefault("category", Category.COMPLAINT)
    return services.submit_complaint(
        office=office, school=chosen, text=text, client_address=address, **kwargs
    )


def assigned(w, **kwargs) -> Complaint:
    """A complaint about `school`, assigned to its responsible inspector."""
    complaint = receive(w, **kwargs)
    return services.assign(
        w.admin, complaint, expected_version=complaint.version, inspector=w.inspector
    )


def investigating(w, **kwargs) -> Complaint:
    complaint = assigned(w, **kwargs)
    return services.start_investigation(
        w.inspector_user, complaint, expected_version=complaint.version
    )


def replied(w, reply="经核查，学校已停止周六补课并退还费用。", **kwargs) -> Complaint:
    complaint = investigating(w, **kwargs)
    return services.reply(
        w.inspector_user, complaint, expected_version=complaint.version, text=reply
    )


def fresh(complaint) -> Complaint:
    return Complaint.objects.unscoped().get(pk=complaint.pk)


def png_bytes(size=(64, 48), colour=(200, 40, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


def png_upload(name="photo.png", **kwargs) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(**kwargs), content_type="image/png")


def solved_challenge(clock) -> dict:
    """A challenge and its answer, made old enough to be accepted (the pinned clock moved
    past MIN_SECONDS)."""
    current = challenge.new()
    clock.shift(challenge.MIN_SECONDS + 1)
    return {"challenge": current.token, "answer": str(current.a + current.b)}


def form_data(w, clock, **overrides) -> dict:
    data = {
        "category": Category.COMPLAINT,
        "text": TEXT,
        "name": "",
        "phone": "",
        "homepage": "",
        **solved_challenge(clock),
    }
    data.update(overrides)
    return data
