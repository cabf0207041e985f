"""Helpers for the signboard tests: photos and a small PDF inspector."""

import io
import re
import zlib

from django.core.files.base import ContentFile
from PIL import Image


def jpeg_bytes(size=(600, 800), colour=(70, 110, 160)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG")
    return out.getvalue()


def give_photo(inspector, data: bytes | None = None, name="photo.jpg"):
    inspector.photo.save(name, ContentFile(data if data is not None else jpeg_bytes()))
    return inspector


def pdf_bytes_expanded(pdf: bytes) -> bytes:
    """The PDF with every Flate stream inflated (WeasyPrint packs objects into compressed
    object streams), so page objects and font names can be searched."""
    parts = [pdf]
    for match in re.finditer(rb"stream\r?\n", pdf):
        try:
            parts.append(zlib.decompressobj().decompress(memoryview(pdf)[match.end() :]))
        except zlib.error:
            continue
    return b"".join(parts)


def pdf_page_count(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b", pdf_bytes_expanded(pdf)))


def pdf_font_names(pdf: bytes) -> set[str]:
    names = re.findall(rb"/BaseFont\s*/([^\s/<>\[\]()]+)", pdf_bytes_expanded(pdf))
    return {n.decode("ascii", "replace") for n in names}


def pdf_image_count(pdf: bytes) -> int:
    return len(re.findall(rb"/Subtype\s*/Image\b", pdf_bytes_expanded(pdf)))
