"""Shared set-up of the rectification view tests."""

import io
import re

from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from dudao.rectification import services
from dudao.rectification.models import Finding

from .helpers import in_days


def png_upload(name="photo.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def script_as_jpg() -> SimpleUploadedFile:
    return SimpleUploadedFile(
        "photo.jpg", b"#!/bin/sh\nrm -rf / --no-preserve-root\n", content_type="image/jpeg"
    )


def fresh(finding) -> Finding:
    return Finding.all_objects.get(pk=finding.pk)


def make_finding(world, school=None, actor=None, **kwargs) -> Finding:
    """A by-date finding recorded without a visit (by the office admin unless told)."""
    defaults = {
        "school": school or world.school,
        "area": 6,
        "description": "消防通道堆放杂物",
        "deadline_kind": "by_date",
        "deadline": in_days(7),
    }
    defaults.update(kwargs)
    return services.create_finding(actor or world.admin, **defaults)


def message_texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def row_ids(response) -> set[int]:
    return {int(pk) for pk in re.findall(r'data-finding="(\d+)"', response.content.decode())}


def english(client):
    client.cookies["django_language"] = "en"
    return client
