"""Issue 9, item 13: the audit log was append-only only through model instances
(`QuerySet.update`, `.delete`, `bulk_update` and raw SQL all succeeded). Triggers now refuse
UPDATE and DELETE in the database, on SQLite and PostgreSQL, whoever sends them."""

import io

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from dudao.audit import services as audit
from dudao.audit import triggers
from dudao.audit.models import AuditEntry
from dudao.schools import services as schools
from tests.factories import OfficeFactory, UserFactory

TABLE = triggers.TABLE  # a constant: the f-strings below inject nothing


@pytest.fixture
def entry(world):
    schools.update_school(world.admin, world.school, principal="甲")
    return AuditEntry.all_objects.get(action="update")


def _row(pk):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT target_repr, actor_name, hash FROM {TABLE} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()


def _refused(write):
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        write()


def test_the_triggers_are_installed(db):
    assert triggers.installed() is True


def test_queryset_update_is_refused(entry):
    before = _row(entry.pk)
    _refused(lambda: AuditEntry.all_objects.filter(pk=entry.pk).update(target_repr="tampered"))
    _refused(lambda: AuditEntry.objects.unscoped().update(actor_name="nobody"))
    assert _row(entry.pk) == before


def test_queryset_delete_is_refused(entry):
    _refused(lambda: AuditEntry.all_objects.filter(pk=entry.pk).delete())
    _refused(lambda: AuditEntry.objects.unscoped().all().delete())
    assert AuditEntry.all_objects.filter(pk=entry.pk).exists()


def test_bulk_update_is_refused(entry):
    before = _row(entry.pk)
    entry.target_repr = "tampered"
    _refused(lambda: AuditEntry.all_objects.bulk_update([entry], ["target_repr"]))
    assert _row(entry.pk) == before


def test_raw_sql_update_and_delete_are_refused(entry):
    before = _row(entry.pk)

    def update():
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {TABLE} SET target_repr = 'tampered' WHERE id = %s", [entry.pk])  # noqa: S608

    def delete():
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE} WHERE id = %s", [entry.pk])  # noqa: S608

    _refused(update)
    _refused(delete)
    assert _row(entry.pk) == before


def test_model_instance_save_and_delete_still_raise(entry):
    entry.target_repr = "tampered"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()


def test_deleting_a_user_keeps_the_entries_that_name_them(db):
    # actor was SET_NULL: deleting a user UPDATEd its audit rows, which the trigger refuses.
    user = UserFactory(username="leaving")
    user_pk, name = user.pk, str(user)
    row = audit.record(user, AuditEntry.Action.LOGIN, user)
    user.delete()
    row = AuditEntry.all_objects.get(pk=row.pk)
    assert (row.actor_id, row.actor_name) == (user_pk, name)
    call_command("verify_audit", stdout=io.StringIO())


def test_deleting_an_office_keeps_its_entries(db):
    office = OfficeFactory()
    row = audit.record(None, AuditEntry.Action.CREATE, office, office_id=office.pk)
    office_pk = office.pk
    office.delete()
    assert AuditEntry.all_objects.get(pk=row.pk).office_id == office_pk


def test_migrate_puts_back_triggers_a_table_rebuild_dropped(db):
    with connection.cursor() as cursor:
        for statement in triggers.drop_sql(connection.vendor):
            cursor.execute(statement)
    assert triggers.installed() is False
    triggers.ensure()  # what post_migrate runs after every migrate
    assert triggers.installed() is True


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_can_flush_the_log_afterwards():
    # Teardown flushes every table (TRUNCATE on PostgreSQL; on SQLite the test backend lifts
    # the triggers around its DELETE statements) and must not fail.
    audit.record(None, AuditEntry.Action.LOGIN_FAILED, None, {"login": "x"})
    assert AuditEntry.all_objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_and_the_flush_left_the_triggers_in_place():
    assert triggers.installed() is True
    assert not AuditEntry.all_objects.exists()
