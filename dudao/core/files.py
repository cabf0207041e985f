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

**Photos within a memory budget.** A photo's width and height are read from its header
before any pixel is decoded, and a photo that is too large is refused with its size in the
message (a 2 KB PNG declaring 50 000 × 50 000 pixels is refused in milliseconds). Pillow's own
process-wide limit (`Image.MAX_IMAGE_PIXELS`) is not used: the settings below are. A JPEG is
decoded for its preview at 1/2, 1/4 or 1/8 scale (`draft`: the JPEG decoder skips the detail
the preview would throw away), so a baseline JPEG of up to PHOTO_MAX_JPEG_PIXELS costs a few
megapixels of memory. PNG, WebP, GIF and progressive JPEG (whose decoder keeps every
coefficient of the full frame) are decoded at full size, so they are limited to
PHOTO_MAX_PIXELS, about 4 bytes of memory per pixel; above PHOTO_INLINE_PREVIEW_PIXELS their
preview is made by a background task after commit (`dudao/core/tasks.py`), not in the request
(the page shows the original until then). `bench/security_images.py` measures it.

**No file outlives a rolled-back transaction.** A file is written to storage inside the
service's transaction (the row that names it is saved after the file, and the write can
fail), so a rollback would leave the file behind with nothing pointing at it. Django calls
nothing on rollback (there is `on_commit`, no `on_rollback`), so `delete_on_rollback(storage,
name)` remembers the name on the database connection, with the savepoints open at the time,
and the connection's own `commit`, `rollback` and `savepoint_rollback` are wrapped (once per
connection, on first use) to act on that list:

- a commit keeps every file written in the transaction (the list is emptied);
- rolling back to a savepoint deletes the files written since that savepoint (an inner
  `atomic()` that failed), and the rest stay in the list;
- a rollback of the whole transaction, or a connection closed while in it, deletes them all.

This is exact whatever the nesting (a view's `atomic()` around several services, a test's
transaction) and needs no change in the services; an `on_commit` callback could not do it (a
failing callback registered earlier skips the later ones). Outside a transaction the write is
final and nothing is remembered. The default storage (`dudao/core/storage.py`:
`RollbackSafeFileSystemStorage`, and `RollbackSafeS3Storage` with MEDIA_STORAGE=s3) calls
`delete_on_rollback` for every file it saves, so imports, report templates, signboard PDFs
and inspectors' photos are covered too; `store()` also calls it itself, so it holds with any
storage. `manage.py clean_orphan_files` remains for files left by a crash of the process.
"""

import hashlib
import io
import uuid
from dataclasses import dataclass
from pathlib import PurePosixPath

import filetype
from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, ImageOps, UnidentifiedImageError

from dudao.core.errors import DomainError
from dudao.core.storage import DeleteOnRollbackMixin, delete_on_rollback

__all__ = [
    "ALLOWED_TYPES",
    "CheckedFile",
    "FileKind",
    "StoredFile",
    "add_preview",
    "check_upload",
    "delete_on_rollback",
    "file_response",
    "make_preview",
    "store",
]


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
# Photos decoded at full size (PNG, WebP, GIF, progressive JPEG) and baseline JPEGs (decoded at
# reduced scale for the preview): the most pixels accepted, unless settings say otherwise.
DEFAULT_PHOTO_MAX_PIXELS = 40_000_000
DEFAULT_PHOTO_MAX_JPEG_PIXELS = 200_000_000
DEFAULT_PHOTO_INLINE_PREVIEW_PIXELS = 12_000_000
PILLOW_FORMATS = {
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/webp": "WEBP",
    "image/gif": "GIF",
}


@dataclass(frozen=True)
class CheckedFile:
    kind: str
    content_type: str
    extension: str
    size: int
    sha256: str
    original_name: str
    pixels: int = 0  # photos: width × height, from the header
    decoded_in_full: bool = False  # photos without reduced decoding (see _decoded_in_full)


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
    pixels, in_full = (0, False)
    if kind == FileKind.IMAGE:
        pixels, in_full = _check_image(uploaded_file, name, guess.mime)
    return CheckedFile(
        kind=kind,
        content_type=guess.mime,
        extension=extension,
        size=size,
        sha256=_digest(uploaded_file),
        original_name=name,
        pixels=pixels,
        decoded_in_full=in_full,
    )


def _open_image(uploaded_file, content_type: str):
    """Open a photo of a known type, reading its header only. Pillow's `Image.open` would
    also apply its process-wide pixel limit (and refuse without saying the size); the plugin's
    own constructor reads the header and nothing more, and `_pixel_error` then applies ours."""
    Image.init()
    factory, _accept = Image.OPEN[PILLOW_FORMATS[content_type]]
    uploaded_file.seek(0)
    return factory(uploaded_file, getattr(uploaded_file, "name", None) or "")


def _decoded_in_full(image) -> bool:
    """True unless the JPEG decoder can decode this image at reduced scale: a progressive
    JPEG keeps every coefficient of the full frame in memory whatever the scale."""
    return image.format not in ("JPEG", "MPO") or bool(
        image.info.get("progressive") or image.info.get("progression")
    )


def _format_label(image) -> str:
    if image.format in ("JPEG", "MPO"):
        return _("progressive JPEG") if _decoded_in_full(image) else "JPEG"
    return {"WEBP": "WebP"}.get(image.format, image.format)


def pixel_limit(image) -> int:
    if _decoded_in_full(image):
        return getattr(settings, "PHOTO_MAX_PIXELS", DEFAULT_PHOTO_MAX_PIXELS)
    return getattr(settings, "PHOTO_MAX_JPEG_PIXELS", DEFAULT_PHOTO_MAX_JPEG_PIXELS)


def _pixel_error(image, name: str) -> DomainError | None:
    width, height = image.size
    limit = pixel_limit(image)
    if width * height <= limit:
        return None
    return DomainError(
        _(
            "“%(name)s” is %(width)s × %(height)s pixels (%(megapixels)s megapixels); the "
            "limit for a %(format)s photo is %(limit)s megapixels. Make the picture smaller "
            "and upload it again."
        )
        % {
            "name": name,
            "width": width,
            "height": height,
            "megapixels": f"{width * height / 1_000_000:.0f}",
            "format": _format_label(image),
            "limit": f"{limit / 1_000_000:.0f}",
        },
        field="file",
    )


def _check_image(uploaded_file, name: str, content_type: str) -> tuple[int, bool]:
    """The header said image; read its size before decoding anything and refuse a photo over
    the pixel limits (decompression bombs), then make sure Pillow can read its structure.
    Returns the number of pixels and whether a preview must decode the full frame."""
    try:
        with _open_image(uploaded_file, content_type) as image:
            error = _pixel_error(image, name)
            if error is not None:
                raise error
            width, height = image.size
            in_full = _decoded_in_full(image)
            image.verify()  # chunk structure and checksums; decodes no pixel
            return width * height, in_full
    except DomainError:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        KeyError,
        Image.DecompressionBombError,
    ) as exc:
        raise DomainError(
            _("“%(name)s” is not a readable image.") % {"name": name}, field="file"
        ) from exc
    finally:
        uploaded_file.seek(0)


def _preview_size(size: tuple[int, int]) -> tuple[int, int]:
    width, height = size
    scale = min(PREVIEW_MAX_PX / width, PREVIEW_MAX_PX / height, 1)
    return max(1, round(width * scale)), max(1, round(height * scale))


def make_preview(uploaded_file, content_type: str | None = None) -> bytes | None:
    """A JPEG at most 1280 px on the long side, EXIF rotation applied; None if the image
    cannot be decoded or is over the pixel limits (the original is still kept). A JPEG is
    decoded at the smallest of 1/8, 1/4, 1/2 or full scale that still covers the preview."""
    if content_type is None:
        guess = filetype.guess(_read_head(uploaded_file))
        content_type = guess.mime if guess else ""
    if content_type not in PILLOW_FORMATS:
        return None
    try:
        with _open_image(uploaded_file, content_type) as image:
            if _pixel_error(image, "") is not None:
                return None
            image.draft("RGB", _preview_size(image.size))  # JPEG only; a no-op otherwise
            if image.mode not in ("RGB", "L", "RGBA", "LA"):  # palette, CMYK, 16-bit…
                image = image.convert("RGBA")
            image.thumbnail((PREVIEW_MAX_PX, PREVIEW_MAX_PX))  # decodes, then downscales
            image = ImageOps.exif_transpose(image)  # on the small image: no full-size copy
            if image.mode not in ("RGB", "L"):
                background = Image.new("RGB", image.size, (255, 255, 255))
                background.paste(image, mask=image.getchannel("A"))
                image = background
            out = io.BytesIO()
            image.save(out, "JPEG", quality=82, optimize=True)
            return out.getvalue()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, KeyError):
        return None
    finally:
        uploaded_file.seek(0)


def _written(field_file) -> None:
    """Remember a file `store()` wrote, unless its storage does so itself."""
    if not isinstance(field_file.storage, DeleteOnRollbackMixin):
        delete_on_rollback(field_file.storage, field_file.name)


@transaction.atomic
def store(instance, uploaded_file, actor, checked: CheckedFile):
    """Fill a StoredFile subclass from a checked upload, write the file (and the preview for
    photos) to storage and save the row. Call inside the service's transaction: if it rolls
    back, the files written here are deleted (`delete_on_rollback`)."""
    instance.kind = checked.kind
    instance.original_name = checked.original_name
    instance.size = checked.size
    instance.content_type = checked.content_type
    instance.sha256 = checked.sha256
    instance.uploaded_by = actor if getattr(actor, "pk", None) else None
    uploaded_file.seek(0)
    instance.file.save(f"upload.{checked.extension}", uploaded_file, save=False)
    _written(instance.file)
    later = checked.kind == FileKind.IMAGE and _preview_later(checked)
    if checked.kind == FileKind.IMAGE and not later:
        preview = make_preview(uploaded_file, checked.content_type)
        if preview:
            instance.preview.save("preview.jpg", ContentFile(preview), save=False)
            _written(instance.preview)
    instance.save()
    if later:
        label, pk = instance._meta.label, instance.pk
        transaction.on_commit(lambda: _enqueue_preview(label, pk))
    return instance


def _preview_later(checked: CheckedFile) -> bool:
    """A photo decoded in full above PHOTO_INLINE_PREVIEW_PIXELS gets its preview from a
    background task: about a second and a few hundred MB, not in the request. A baseline JPEG
    is decoded at reduced scale and always previewed at once."""
    limit = getattr(settings, "PHOTO_INLINE_PREVIEW_PIXELS", DEFAULT_PHOTO_INLINE_PREVIEW_PIXELS)
    return checked.decoded_in_full and checked.pixels > limit


def _enqueue_preview(model_label: str, pk: int) -> None:
    from dudao.core.tasks import make_preview_task

    make_preview_task.enqueue(model_label, pk)


def add_preview(model_label: str, pk: int) -> bool:
    """Make the preview of a stored photo that has none (the background task of
    `_preview_later`). Decodes outside any transaction, then saves the preview on the locked
    row. Idempotent: False when there is nothing (more) to do. A derived image made by the
    system, so no audit row."""
    model = apps.get_model(model_label)
    if not issubclass(model, StoredFile):
        raise ValueError(f"{model_label} does not store files")
    manager = model.objects
    rows = manager.unscoped() if hasattr(manager, "unscoped") else manager.all()
    row = rows.filter(pk=pk).first()
    if row is None or row.preview or row.kind != FileKind.IMAGE:
        return False
    try:
        with row.file.open("rb") as handle:
            preview = make_preview(handle, row.content_type)
    except FileNotFoundError:
        return False
    if not preview:
        return False
    with transaction.atomic():
        row = rows.select_for_update().filter(pk=pk).first()
        if row is None or row.preview:
            return False
        row.preview.save("preview.jpg", ContentFile(preview), save=False)
        _written(row.preview)
        row.save(update_fields=["preview"])
    return True


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


def delete_on_commit(*field_files) -> None:
    """Delete stored files once the transaction that removed their rows commits (a rollback
    keeps them): a deleted photo's file and its preview, say."""
    names = [(f.storage, f.name) for f in field_files if f]

    def delete():
        for storage, name in names:
            storage.delete(name)

    transaction.on_commit(delete)
