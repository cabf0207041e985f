"""Photos in dudao/core/files.py: the pixel limits read from the header, the preview decoded at
reduced scale, orientation and transparency."""

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image, ImageFile

from dudao.core import files
from dudao.core.errors import DomainError


def upload(content: bytes, name="photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def encoded(image: Image.Image, fmt: str, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def declared_png(width: int, height: int) -> bytes:
    """A valid PNG header declaring width x height, followed by a tiny deflate stream: what a
    decompression bomb looks like to the header reader."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 65536, 9))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
def decoded(monkeypatch):
    """The size of every frame Pillow decodes (ImageFile.load with tiles still to read)."""
    sizes = []
    original = ImageFile.ImageFile.load

    def load(self):
        if self.tile:
            sizes.append(self.size)
        return original(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)
    return sizes


def refusal(content: bytes, name: str) -> str:
    with pytest.raises(DomainError) as error, translation.override("en"):
        files.check_upload(upload(content, name))
    return str(error.value)


def test_a_png_over_the_pixel_limit_is_refused_with_its_size(settings):
    settings.PHOTO_MAX_PIXELS = 1_000_000
    message = refusal(encoded(Image.new("RGB", (1500, 1000), "red"), "PNG"), "screen.png")
    assert "“screen.png” is 1500 × 1000 pixels (2 megapixels)" in message
    assert "the limit for a PNG photo is 1 megapixels" in message


def test_a_progressive_jpeg_counts_as_decoded_in_full(settings):
    settings.PHOTO_MAX_PIXELS = 1_000_000
    image = Image.new("RGB", (1500, 1000), "red")
    message = refusal(encoded(image, "JPEG", progressive=True), "p.jpg")
    assert "progressive JPEG" in message
    # The same picture as a baseline JPEG is decoded at reduced scale: accepted.
    checked = files.check_upload(upload(encoded(image, "JPEG")))
    assert checked.content_type == "image/jpeg"


def test_a_baseline_jpeg_has_its_own_limit(settings):
    settings.PHOTO_MAX_JPEG_PIXELS = 1_000_000
    message = refusal(encoded(Image.new("RGB", (1500, 1000)), "JPEG"), "big.jpg")
    assert "the limit for a JPEG photo is 1 megapixels" in message


def test_webp_and_gif_are_limited_like_png(settings):
    settings.PHOTO_MAX_PIXELS = 1_000_000
    image = Image.new("RGB", (1500, 1000), "blue")
    assert "WebP" in refusal(encoded(image, "WEBP"), "a.webp")
    assert "GIF" in refusal(encoded(image.convert("P"), "GIF"), "a.gif")


def test_pixel_bomb_is_refused_from_its_header(decoded):
    message = refusal(declared_png(50_000, 50_000), "bomb.png")
    assert "50000 × 50000 pixels (2500 megapixels)" in message
    assert decoded == []  # not one pixel decoded


def test_preview_of_a_large_jpeg_never_decodes_the_full_frame(decoded):
    content = encoded(Image.new("L", (6000, 4000), 128), "JPEG", quality=70)
    photo = upload(content)
    files.check_upload(photo)
    preview = files.make_preview(photo)
    with Image.open(io.BytesIO(preview)) as result:
        assert result.size == (1280, 853)
    assert decoded and all(w * h <= (6000 // 4) * (4000 // 4) for w, h in decoded)


def test_preview_applies_the_exif_rotation():
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    content = encoded(Image.new("RGB", (2000, 1000), "green"), "JPEG", exif=exif)
    preview = files.make_preview(upload(content))
    with Image.open(io.BytesIO(preview)) as result:
        assert result.size == (640, 1280)


def test_preview_of_a_transparent_png_is_on_white():
    image = Image.new("RGBA", (300, 200), (0, 0, 0, 0))
    preview = files.make_preview(upload(encoded(image, "PNG"), "t.png"), "image/png")
    with Image.open(io.BytesIO(preview)) as result:
        assert result.mode == "RGB" and result.size == (300, 200)
        assert result.getpixel((10, 10)) == (255, 255, 255)


@pytest.mark.parametrize(
    ("mode", "fmt", "mime"),
    [("P", "GIF", "image/gif"), ("RGB", "WEBP", "image/webp"), ("CMYK", "JPEG", "image/jpeg")],
)
def test_previews_of_other_modes_and_formats(mode, fmt, mime):
    image = Image.new("RGB", (2560, 100), "red").convert(mode)
    preview = files.make_preview(upload(encoded(image, fmt)), mime)
    with Image.open(io.BytesIO(preview)) as result:
        assert result.format == "JPEG" and result.size == (1280, 50)


def test_no_preview_for_an_image_over_the_limits(settings):
    settings.PHOTO_MAX_PIXELS = 1000
    content = encoded(Image.new("RGB", (100, 100)), "PNG")
    assert files.make_preview(upload(content, "a.png")) is None


def test_no_preview_for_something_else():
    assert files.make_preview(upload(b"%PDF-1.4\n" + b"x" * 100, "a.pdf")) is None
