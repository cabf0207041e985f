"""Stored files, shared by every app that keeps uploads (visit attachments, rectification
evidence, and the modules to come): the abstract `StoredFile` row, the upload checks, the
storage of a checked upload and the response that serves one.

The type is detected from the content (`filetype`), never from the name or the browser's
claim: a script renamed `.jpg` is refused. Each kind has a size limit (defaults below,
overridable with the UPLOAD_LIMITS setting). Photos also get a JPEG preview at most 1280 px
on the long side; the original is kept as uploaded.

    checked = check_upload(uploaded_file)           # raises DomainError naming the file
    store(Attachment(visit=visit), uploaded_file, actor, checked)
    ...
    return file_response(attachment.file, attachment.content_type, attachment.original_name)

Files are served through views that check the owner's scope (`file_response`), never from a
public media URL.
"""

import hashlib
import io
import uuid
from dataclasses import dataclass
from pathlib import PurePosixPath

import filetype
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import models
from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, ImageOps, UnidentifiedImageError

from dudao.core.errors import DomainError


class FileKind(models.TextChoices):
    IMAGE = "image", gettext_lazy("Photo")
    AUDIO = "audio", gettext_lazy("Audio")
    DOCUMENT = "document", gettext_lazy("Document")


def stored_file_path(instance, filename: str) -> str:
    """Random names under the model's folder: the original name is kept in a field only, so
    no user-supplied text ever reaches the storage path."""
    suffix = PurePosixPath(filename).suffix.lower()
    today = timezone.localdate()
    return f"{instance.UPLOAD_DIR}/{today:%Y/%m}/{uuid.uuid4().hex}{suffix}"


class StoredFile(models.Model):
    """An uploaded file checked by `check_upload` (type detected by content, size
    limit per kind, SHA-256), with a downscaled JPEG preview for photos. Abstract: each owner
    (visit, rectification) has its own table with a real foreign key."""

    UPLOAD_DIR = "files"

    kind = models.CharField(gettext_lazy("kind"), max_length=10, choices=FileKind.choices)
    file = models.FileField(gettext_lazy("file"), upload_to=stored_file_path, max_length=200)
    preview = models.FileField(upload_to=stored_file_path, max_length=200, blank=True)
    original_name = models.CharField(gettext_lazy("file name"), max_length=200)
    size = models.PositiveBigIntegerField(gettext_lazy("size (bytes)"))
    content_type = models.CharField(gettext_lazy("content type"), max_length=100)
    sha256 = models.CharField(max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=gettext_lazy("uploaded by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.original_name


MB = 1024 * 1024
DEFAULT_LIMITS = {FileKind.IMAGE: 10 * MB, FileKind.AUDIO: 20 * MB, FileKind.DOCUMENT: 20 * MB}

# Detected MIME type → (kind, extension). Anything else is refused.
ALLOWED_TYPES: dict[str, tuple[str, str]] = {
    "image/jpeg": (FileKind.IMAGE, "jpg"),
    "image/png": (FileKind.IMAGE, "png"),
    "image/webp": (FileKind.IMAGE, "webp"),
    "image/gif": (FileKind.IMAGE, "gif"),
    "audio/mpeg": (FileKind.AUDIO, "mp3"),
    "audio/mp4": (FileKind.AUDIO, "m4a"),
    "audio/aac": (FileKind.AUDIO, "aac"),
    "audio/amr": (FileKind.AUDIO, "amr"),
    "audio/x-wav": (FileKind.AUDIO, "wav"),
    "audio/ogg": (FileKind.AUDIO, "ogg"),
    "application/pdf": (FileKind.DOCUMENT, "pdf"),
    "application/msword": (FileKind.DOCUMENT, "doc"),
    "application/vnd.ms-excel": (FileKind.DOCUMENT, "xls"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (
        FileKind.DOCUMENT,
        "docx",
    ),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (
        FileKind.DOCUMENT,
        "xlsx",
    ),
}
SNIFF_BYTES = 64 * 1024  # enough for filetype to find the part names inside a .docx/.xlsx
PREVIEW_MAX_PX = 1280
MAX_IMAGE_PIXELS = 80_000_000  # refuse decompression bombs before decoding


@dataclass(frozen=True)
class CheckedFile:
    kind: str
    content_type: str
    extension: str
    size: int
    sha256: str
    original_name: str


def limits() -> dict[str, int]:
    return {**DEFAULT_LIMITS, **getattr(settings, "UPLOAD_LIMITS", {})}


def _name(uploaded_file) -> str:
    return (getattr(uploaded_file, "name", "") or "").rsplit("/", 1)[-1][:200] or _("(unnamed)")


def _read_head(uploaded_file) -> bytes:
    uploaded_file.seek(0)
    head = uploaded_file.read(SNIFF_BYTES)
    uploaded_file.seek(0)
    return head


def _digest(uploaded_file) -> str:
    sha = hashlib.sha256()
    uploaded_file.seek(0)
    for chunk in iter(lambda: uploaded_file.read(MB), b""):
        sha.update(chunk)
    uploaded_file.seek(0)
    return sha.hexdigest()


def _mb(size: int) -> str:
    return f"{size / MB:.0f}"


def check_upload(uploaded_file, *, kinds=None) -> CheckedFile:
    """Validate one uploaded file; return what was detected. `kinds` restricts the accepted
    kinds (e.g. only photos). Raises DomainError with a message that names the file."""
    name = _name(uploaded_file)
    size = getattr(uploaded_file, "size", None)
    if size is None:
        uploaded_file.seek(0, io.SEEK_END)
        size = uploaded_file.tell()
        uploaded_file.seek(0)
    if not size:
        raise DomainError(_("“%(name)s” is empty.") % {"name": name}, field="file")
    largest = max(limits().values())
    if size > largest:  # refuse before reading anything
        raise DomainError(
            _("“%(name)s” is too large (%(size)s MB); the limit is %(limit)s MB.")
            % {"name": name, "size": _mb(size), "limit": _mb(largest)},
            field="file",
        )
    head = _read_head(uploaded_file)
    guess = filetype.guess(head)
    allowed = ALLOWED_TYPES.get(guess.mime) if guess else None
    if allowed is None or (kinds is not None and allowed[0] not in kinds):
        raise DomainError(
            _(
                "“%(name)s” is not an accepted file. Accepted: photos (JPEG, PNG, WebP, GIF), "
                "audio (MP3, M4A, AAC, AMR, WAV, OGG) and documents (PDF, Word, Excel)."
            )
            % {"name": name},
            field="file",
        )
    kind, extension = allowed
    limit = limits()[kind]
    if size > limit:
        raise DomainError(
            _("“%(name)s” is too large (%(size)s MB); the limit for %(kind)s is %(limit)s MB.")
            % {
                "name": name,
                "size": _mb(size),
                "kind": FileKind(kind).label.lower(),
                "limit": _mb(limit),
            },
            field="file",
        )
    if kind == FileKind.IMAGE:
        _check_image(uploaded_file, name)
    return CheckedFile(
        kind=kind,
        content_type=guess.mime,
        extension=extension,
        size=size,
        sha256=_digest(uploaded_file),
        original_name=name,
    )


def _check_image(uploaded_file, name: str) -> None:
    """The header said image; make sure Pillow can read it and it is not a pixel bomb."""
    uploaded_file.seek(0)
    try:
        with Image.open(uploaded_file) as image:
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise DomainError(
                    _("“%(name)s” has too many pixels.") % {"name": name}, field="file"
                )
            image.verify()
    except DomainError:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
    ) as exc:
        raise DomainError(
            _("“%(name)s” is not a readable image.") % {"name": name}, field="file"
        ) from exc
    finally:
        uploaded_file.seek(0)


def make_preview(uploaded_file) -> bytes | None:
    """A JPEG at most 1280 px on the long side, EXIF rotation applied; None if the image
    cannot be decoded (the original is still kept)."""
    uploaded_file.seek(0)
    try:
        with Image.open(uploaded_file) as image:
            image = ImageOps.exif_transpose(image)
            if image.mode not in ("RGB", "L"):
                image = image.convert("RGBA")
                background = Image.new("RGB", image.size, (255, 255, 255))
                background.paste(image, mask=image.getchannel("A"))
                image = background
            image.thumbnail((PREVIEW_MAX_PX, PREVIEW_MAX_PX))
            out = io.BytesIO()
            image.save(out, "JPEG", quality=82, optimize=True)
            return out.getvalue()
    except (UnidentifiedImageError, OSError, ValueError):
        return None
    finally:
        uploaded_file.seek(0)


def store(instance, uploaded_file, actor, checked: CheckedFile):
    """Fill a StoredFile subclass from a checked upload, write the file (and the preview for
    photos) to storage and save the row. Call inside the service's transaction."""
    instance.kind = checked.kind
    instance.original_name = checked.original_name
    instance.size = checked.size
    instance.content_type = checked.content_type
    instance.sha256 = checked.sha256
    instance.uploaded_by = actor if getattr(actor, "pk", None) else None
    uploaded_file.seek(0)
    instance.file.save(f"upload.{checked.extension}", uploaded_file, save=False)
    if checked.kind == FileKind.IMAGE:
        preview = make_preview(uploaded_file)
        if preview:
            instance.preview.save("preview.jpg", ContentFile(preview), save=False)
    instance.save()
    return instance


def file_response(field_file, content_type: str, filename: str | None) -> FileResponse:
    """Serve a stored file (after the caller has checked the user may see it): inline for
    photos and audio, as a download named `filename` otherwise; 404 if the file is gone."""
    try:
        handle = field_file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404 from exc
    response = FileResponse(
        handle,
        content_type=content_type,
        as_attachment=bool(filename) and not content_type.startswith(("image/", "audio/")),
        filename=filename or "",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response
