"""The audit log's hash chain (dudao.audit.chain) and `manage.py verify_audit`."""

import datetime
import io
import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.utils import translation

from dudao.audit import chain, triggers
from dudao.audit import services as audit
from dudao.audit.models import AuditEntry
from dudao.schools import services as schools
from tests.factories import OfficeFactory

TABLE = triggers.TABLE  # a constant: the f-strings below inject nothing


def verify():
    # The command's messages are checked in English (the product's language is Chinese).
    out = io.StringIO()
    with translation.override("en"):
        call_command("verify_audit", stdout=out)
    return out.getvalue()


def broken():
    with pytest.raises(CommandError) as error:
        verify()
    assert error.value.returncode == 1
    return str(error.value)


def lift_triggers():
    # What someone with the database owner's rights could do; rolled back with the test.
    with connection.cursor() as cursor:
        for statement in triggers.drop_sql(connection.vendor):
            cursor.execute(statement)


def sql(statement, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


@pytest.fixture
def log(world):
    """Entries in two offices' chains and the chain without an office."""
    schools.update_school(world.admin, world.school, principal="甲")
    schools.update_school(world.other_admin, world.foreign_school, principal="乙")
    audit.record(None, AuditEntry.Action.LOGIN_FAILED, None, {"login": "nobody"})
    schools.update_school(world.admin, world.school, principal="丙")
    schools.update_school(world.admin, world.far_school, principal="丁")
    return list(AuditEntry.all_objects.order_by("pk"))


def test_each_entry_links_to_the_previous_of_its_office(log):
    first, foreign, anonymous, second, third = log
    assert first.prev_hash == chain.GENESIS == foreign.prev_hash == anonymous.prev_hash
    assert second.prev_hash == first.hash and third.prev_hash == second.hash
    assert first.office_id == second.office_id != foreign.office_id
    assert anonymous.office_id is None


def test_an_intact_log_verifies(log):
    assert f"{len(log)} entries, 3 chains, intact" in verify()


def test_the_hash_survives_the_round_trip_through_the_database(db):
    row = audit.record(
        None,
        AuditEntry.Action.UPDATE,
        None,
        {"名称": ["旧", "新\u3000"], "n": [1.0, 2.5, 10**20 * 1.0], "nested": {"b": 1, "a": None}},
        target_repr="“引号” <tag> & emoji 🙂",
    )
    fetched = AuditEntry.all_objects.get(pk=row.pk)
    assert chain.digest(fetched) == fetched.hash == row.hash
    assert "1 entries, 1 chains, intact" in verify()


def test_bulk_created_entries_are_chained(world):
    entries = [
        AuditEntry(
            actor_name="import",
            office_id=world.admin.office_id,
            action=AuditEntry.Action.CREATE,
            target_repr=f"学校{i}",
            ip="2001:DB8::1",
        )
        for i in range(5)
    ]
    AuditEntry.objects.unscoped().bulk_create(entries)
    rows = list(AuditEntry.all_objects.order_by("pk"))
    assert [r.prev_hash for r in rows[1:]] == [r.hash for r in rows[:-1]]
    assert "5 entries, 1 chains, intact" in verify()


def test_a_changed_entry_is_reported_at_that_entry(log):
    lift_triggers()
    changed = log[3]
    sql(f"UPDATE {TABLE} SET target_repr = 'tampered' WHERE id = %s", [changed.pk])  # noqa: S608
    message = broken()
    assert f"Audit entry {changed.pk} " in message
    assert "was changed after it was written" in message
    assert chain.digest(AuditEntry.all_objects.get(pk=changed.pk)) in message
    assert changed.hash in message
    assert "missing or disabled" in message  # and the lifted triggers are reported
    assert message.count("Audit entry") == 1  # the following entries still link to it


def test_a_changed_time_is_reported(log):
    lift_triggers()
    moved = AuditEntry.all_objects.get(pk=log[0].pk)
    moved.at -= datetime.timedelta(milliseconds=1)
    AuditEntry.all_objects.filter(pk=moved.pk).update(at=moved.at)
    assert f"Audit entry {moved.pk} " in broken()


def test_a_deleted_entry_is_reported_as_a_broken_link(log):
    lift_triggers()
    first, _foreign, _anonymous, second, third = log
    sql(f"DELETE FROM {TABLE} WHERE id = %s", [second.pk])  # noqa: S608
    message = broken()
    assert f"Audit entry {third.pk} " in message
    assert f"does not follow entry {first.pk}" in message
    assert f"expected prev_hash {first.hash}, found {second.hash}" in message


def test_a_deleted_first_entry_is_reported(log):
    lift_triggers()
    sql(f"DELETE FROM {TABLE} WHERE id = %s", [log[0].pk])  # noqa: S608
    message = broken()
    assert f"Audit entry {log[3].pk} " in message
    assert "does not follow the start of the chain" in message


def test_heads_are_printed_on_request(log):
    out = io.StringIO()
    call_command("verify_audit", heads=True, stdout=out)
    assert log[4].hash in out.getvalue() and log[1].hash in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_never_fork_a_chain():
    # PostgreSQL: the chain's advisory lock serialises writers of one office until commit.
    # (SQLite serialises every write transaction already: BEGIN IMMEDIATE.)
    if connection.vendor != "postgresql":
        pytest.skip("the advisory lock is PostgreSQL's; SQLite writers are serialised")
    office = OfficeFactory()
    barrier = threading.Barrier(4)
    errors = []

    def write(worker):
        try:
            barrier.wait()
            for i in range(10):
                with transaction.atomic():
                    audit.record(
                        None,
                        AuditEntry.Action.LOGIN_FAILED,
                        None,
                        {"w": worker, "i": i},
                        office_id=office.pk,
                    )
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    report = chain.verify(AuditEntry)
    assert report.intact, report.breaks
    assert (report.entries, report.chains) == (40, 1)
