"""Files written by a transaction that rolls back are deleted (dudao/core/storage.py): whole
transactions, savepoints, nesting, commits, and `store()` with a storage that does not track
its writes itself."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from PIL import Image

from dudao.core import files
from dudao.core.storage import DeleteOnRollbackMixin, delete_on_rollback
from dudao.visits.models import Attachment
from tests.factories_supervision import VisitFactory


class Boom(Exception):
    pass


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def write(name="visits/2026/11/a.txt") -> str:
    return default_storage.save(name, ContentFile(b"evidence"))


def written(media) -> list[str]:
    return sorted(str(p.relative_to(media)) for p in media.rglob("*") if p.is_file())


def test_the_default_storage_tracks_its_writes():
    assert isinstance(storages["default"], DeleteOnRollbackMixin)


@pytest.mark.django_db
def test_a_file_written_in_a_block_that_fails_is_deleted(media):
    with pytest.raises(Boom), transaction.atomic():
        name = write()
        assert default_storage.exists(name)
        raise Boom
    assert not default_storage.exists(name)
    assert written(media) == []


@pytest.mark.django_db
def test_an_inner_block_that_fails_deletes_only_its_own_files():
    with transaction.atomic():
        kept = write("a/kept.txt")
        with pytest.raises(Boom), transaction.atomic():
            lost = write("a/lost.txt")
            raise Boom
        assert not default_storage.exists(lost)
        after = write("a/after.txt")
    assert default_storage.exists(kept) and default_storage.exists(after)


@pytest.mark.django_db
def test_an_inner_block_that_succeeded_is_undone_with_the_outer_one():
    with pytest.raises(Boom), transaction.atomic():
        with transaction.atomic():
            inner = write("a/inner.txt")
        assert default_storage.exists(inner)
        raise Boom
    assert not default_storage.exists(inner)


@pytest.mark.django_db
def test_set_rollback_without_an_exception_deletes_too():
    with transaction.atomic():
        name = write()
        transaction.set_rollback(True)
    assert not default_storage.exists(name)


@pytest.mark.django_db(transaction=True)
def test_a_committed_file_stays_and_a_rolled_back_one_goes(media):
    with transaction.atomic():
        committed = write("a/committed.txt")
    with pytest.raises(Boom), transaction.atomic():
        rolled_back = write("a/rolled-back.txt")
        raise Boom
    assert written(media) == [committed]
    assert default_storage.exists(committed) and not default_storage.exists(rolled_back)


@pytest.mark.django_db(transaction=True)
def test_a_failing_on_commit_callback_does_not_cost_the_committed_file():
    def fail():
        raise Boom

    with pytest.raises(Boom), transaction.atomic():
        transaction.on_commit(fail)  # registered before the file, and it raises
        name = write()
    assert default_storage.exists(name)
    with transaction.atomic():  # a later transaction that rolls back forgets nothing wrongly
        transaction.set_rollback(True)
    assert default_storage.exists(name)


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_write_is_final():
    assert not connection.in_atomic_block
    name = write()
    with pytest.raises(Boom), transaction.atomic():
        raise Boom
    assert default_storage.exists(name)


@pytest.mark.django_db
def test_a_storage_error_while_deleting_does_not_hide_the_rollback(caplog):
    class Broken:
        def delete(self, name):
            raise OSError("storage unavailable")

    with pytest.raises(Boom), transaction.atomic():
        delete_on_rollback(Broken(), "a/x.txt")
        raise Boom
    assert "a/x.txt" in caplog.text


def png_upload() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (1600, 900), "red").save(out, "PNG")
    return SimpleUploadedFile("gate.png", out.getvalue(), content_type="image/png")


@pytest.fixture
def plain_storage(settings):
    """A storage that does not track its own writes: store() must do it."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    assert not isinstance(storages["default"], DeleteOnRollbackMixin)


@pytest.mark.django_db
@pytest.mark.usefixtures("plain_storage")
def test_store_deletes_the_file_and_preview_it_wrote_with_any_storage(world, media):
    visit = VisitFactory(school=world.school, created_by=world.inspector_user)
    upload = png_upload()
    checked = files.check_upload(upload)
    with pytest.raises(Boom), transaction.atomic():
        attachment = files.store(Attachment(visit=visit), upload, world.inspector_user, checked)
        assert attachment.preview and len(written(media)) == 2
        raise Boom
    assert written(media) == []


@pytest.mark.django_db
def test_store_cleans_up_when_its_own_save_fails(world, media, monkeypatch):
    visit = VisitFactory(school=world.school, created_by=world.inspector_user)
    upload = png_upload()
    checked = files.check_upload(upload)

    def no_row(*args, **kwargs):
        raise Boom

    monkeypatch.setattr(Attachment, "save", no_row)
    with pytest.raises(Boom):
        files.store(Attachment(visit=visit), upload, world.inspector_user, checked)
    assert written(media) == []


def test_the_s3_storage_tracks_its_writes_too():
    from django.utils.module_loading import import_string

    s3 = import_string("dudao.core.storage.RollbackSafeS3Storage")
    assert issubclass(s3, DeleteOnRollbackMixin)
    assert s3.__mro__[2].__module__.startswith("storages.")
