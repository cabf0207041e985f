"""The read-replica router (dudao/core/db_routers.py) against a real second database.

`replica` (dudao/settings_test.py) is a separate test database, not a mirror of default. A
test copies the primary's rows into it, as streaming replication would, then changes the
primary only: the replica is "behind". What a page shows then says which database served it,
and CaptureQueriesContext on each connection says which one ran each query.
"""

import io
import threading

import pytest
from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, OperationalError, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from dudao.core import db_routers
from dudao.core.db_routers import REPLICA, ReadReplicaRouter, reads_from_replica
from dudao.inspectors.models import Zone
from dudao.rectification.models import Finding
from dudao.schools.models import School
from tests.factories_supervision import FindingFactory

ROUTER = "dudao.core.db_routers.ReadReplicaRouter"


def copy_to_replica():
    """Every row of Dudao's tables on the primary, copied with its key into the replica."""
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or not model.__module__.startswith("dudao."):
            continue
        present = set(model._base_manager.using(REPLICA).values_list("pk", flat=True))
        for obj in model._base_manager.using(DEFAULT_DB_ALIAS).all():
            if obj.pk not in present:
                obj.save_base(using=REPLICA, raw=True, force_insert=True)


def finding_texts(sheet):
    return {cell for row in sheet.iter_rows(values_only=True) for cell in row if cell}


@pytest.fixture
def router(settings, monkeypatch):
    """The router installed (as DATABASE_REPLICA_URL does), the retry clock at zero."""
    settings.DATABASE_ROUTERS = [ROUTER]
    monkeypatch.setattr(db_routers, "_retry_after", 0.0)
    monkeypatch.setattr(db_routers, "_clock", lambda: 1000.0)


@pytest.fixture
def behind(world, router):
    """Two open findings copied to the replica, then a third on the primary only."""
    FindingFactory(school=world.school, inspector=world.inspector, description="旧问题甲")
    FindingFactory(school=world.zone_school, description="旧问题乙")
    copy_to_replica()
    return FindingFactory(school=world.school, inspector=world.inspector, description="新问题丙")


# -- the router's rules, without a database ---------------------------------------------


class _Obj:
    def __init__(self, db):
        self._state = type("State", (), {"db": db})()


def test_migrations_only_on_default_and_relations_across_aliases():
    router = ReadReplicaRouter()
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "rectification") is True
    assert router.allow_migrate(REPLICA, "rectification") is False
    assert router.allow_relation(_Obj(DEFAULT_DB_ALIAS), _Obj(REPLICA)) is True
    assert router.allow_relation(_Obj(REPLICA), _Obj(REPLICA)) is True
    assert router.allow_relation(_Obj("elsewhere"), _Obj(REPLICA)) is None


def test_outside_a_scope_reads_and_writes_use_default():
    router = ReadReplicaRouter()
    assert router.db_for_read(Finding) == DEFAULT_DB_ALIAS
    assert router.db_for_write(Finding) == DEFAULT_DB_ALIAS


# -- a second database -------------------------------------------------------------------

pytestmark_db = pytest.mark.django_db(databases=[DEFAULT_DB_ALIAS, REPLICA])


@pytestmark_db
def test_the_replica_is_a_separate_database(behind):
    assert Finding.objects.unscoped().using(DEFAULT_DB_ALIAS).count() == 3
    assert Finding.objects.unscoped().using(REPLICA).count() == 2


@pytestmark_db
def test_dashboard_reads_from_the_replica(behind, world, client):
    client.force_login(world.admin)  # the session exists on the primary only
    with (
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as primary,
        CaptureQueriesContext(connections[REPLICA]) as replica,
    ):
        data = client.get(reverse("dashboards:overview_data")).json()
    assert data["findings"]["open"] == 2  # the replica's figure; the primary has 3
    assert replica.captured_queries
    assert not any("rectification_finding" in q["sql"] for q in primary.captured_queries)
    # The signed-in user came from the primary, before the view (the session from the cache).
    assert any("accounts_user" in q["sql"] for q in primary.captured_queries)
    assert not any("accounts_user" in q["sql"] for q in replica.captured_queries)
    assert not any("django_session" in q["sql"] for q in replica.captured_queries)

    page = client.get(reverse("dashboards:overview"))
    assert page.status_code == 200


@pytestmark_db
def test_pages_outside_the_scope_read_the_primary(behind, world, client):
    """Read-after-write: the ledger, opened after a form, shows what was just saved."""
    client.force_login(world.admin)
    with CaptureQueriesContext(connections[REPLICA]) as replica:
        body = client.get(reverse("rectification:ledger")).content.decode()
    assert "新问题丙" in body
    assert replica.captured_queries == []


@pytestmark_db
@pytest.mark.parametrize("persona", ["admin", "inspector_user", "viewer"])
def test_ledger_export_reads_the_replica_in_the_readers_scope(behind, world, client, persona):
    """The kernel's scopes hold on the replica: each reader's rule runs there."""
    client.force_login(getattr(world, persona))
    with CaptureQueriesContext(connections[REPLICA]) as replica:
        response = client.get(reverse("reports:ledger_xlsx"))
    assert response.status_code == 200
    texts = finding_texts(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active)
    assert "旧问题甲" in texts and "新问题丙" not in texts
    assert ("旧问题乙" in texts) is (persona != "inspector_user")  # not the inspector's school
    assert any("rectification_finding" in q["sql"] for q in replica.captured_queries)


@pytestmark_db
def test_monthly_summary_reads_the_replica(behind, world, client):
    client.force_login(world.admin)
    today = timezone.localdate()
    url = reverse("reports:office_monthly", args=[today.year, today.month, "xlsx"])
    with CaptureQueriesContext(connections[REPLICA]) as replica:
        response = client.get(url)
    assert response.status_code == 200
    assert replica.captured_queries


@pytestmark_db
def test_a_write_in_the_scope_goes_to_default_and_pins_the_scope(behind, world):
    with reads_from_replica():
        assert Finding.objects.unscoped().count() == 2  # the replica
        zone = Zone.objects.unscoped().get(pk=world.zone.pk)
        assert zone._state.db == REPLICA
        zone.name = "城南责任区"
        zone.save()  # to the primary, though read from the replica
        assert Zone.objects.unscoped().using(DEFAULT_DB_ALIAS).get(pk=zone.pk).name == "城南责任区"
        assert Zone.objects.unscoped().using(REPLICA).get(pk=zone.pk).name != "城南责任区"
        # From now on this scope reads the primary: it sees its own write.
        assert Zone.objects.unscoped().get(pk=zone.pk).name == "城南责任区"
        assert Finding.objects.unscoped().count() == 3
    with reads_from_replica():  # a new scope starts on the replica again
        assert Finding.objects.unscoped().count() == 2


@pytestmark_db
def test_relations_across_the_two_databases(behind, world):
    with reads_from_replica():
        school = School.objects.unscoped().get(pk=world.school.pk)
    assert school._state.db == REPLICA
    finding = Finding(school=school, office=world.office)  # a replica object on a new row
    assert finding.school_id == school.pk


@pytestmark_db
def test_scope_is_per_context_and_ends_with_the_block(behind):
    seen = {}

    def other_thread():  # its own connections: only the router's choice is looked at
        seen["thread"] = ReadReplicaRouter().db_for_read(Finding)

    with reads_from_replica():
        with reads_from_replica():  # nested: one scope
            assert Finding.objects.unscoped().count() == 2
        thread = threading.Thread(target=other_thread)
        thread.start()
        thread.join()
        assert Finding.objects.unscoped().count() == 2
    assert seen["thread"] == DEFAULT_DB_ALIAS  # a thread does not inherit the scope
    assert Finding.objects.unscoped().count() == 3
    with pytest.raises(ValueError), reads_from_replica():
        raise ValueError
    assert Finding.objects.unscoped().count() == 3


@pytestmark_db
def test_an_unreachable_replica_falls_back_to_the_primary(behind, world, client, monkeypatch):
    replica = connections[REPLICA]
    connect = replica.ensure_connection
    tries = []

    def refuse():
        tries.append(1)
        raise OperationalError("connection refused")

    monkeypatch.setattr(replica, "ensure_connection", refuse)
    client.force_login(world.admin)
    data = client.get(reverse("dashboards:overview_data")).json()
    assert data["findings"]["open"] == 3  # the primary's figure
    assert tries == [1]

    client.get(reverse("dashboards:overview_data"))  # within REPLICA_RETRY_SECONDS
    assert tries == [1]

    monkeypatch.setattr(db_routers, "_clock", lambda: 1000.0 + 31)
    client.get(reverse("dashboards:overview_data"))  # tried again, still down
    assert tries == [1, 1]

    monkeypatch.setattr(replica, "ensure_connection", connect)  # the replica is back
    monkeypatch.setattr(db_routers, "_clock", lambda: 1000.0 + 62)
    data = client.get(reverse("dashboards:overview_data")).json()
    assert data["findings"]["open"] == 2


# -- the settings ------------------------------------------------------------------------


def _settings_with(monkeypatch, **env):
    import importlib

    import dudao.settings

    for name in ("DATABASE_REPLICA_URL", "DISABLE_SERVER_SIDE_CURSORS", "CONN_MAX_AGE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", "postgres://dudao@db1:5432/dudao")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return importlib.reload(dudao.settings)


@pytest.fixture
def reload_settings(monkeypatch):
    import importlib

    import dudao.settings

    yield lambda **env: _settings_with(monkeypatch, **env)
    monkeypatch.undo()
    importlib.reload(dudao.settings)


def test_replica_url_adds_the_alias_and_the_router(reload_settings):
    plain = reload_settings()
    assert set(plain.DATABASES) == {DEFAULT_DB_ALIAS}
    assert getattr(plain, "DATABASE_ROUTERS", []) == []

    fresh = reload_settings(DATABASE_REPLICA_URL="postgres://dudao@db2:5432/dudao")
    replica = fresh.DATABASES[REPLICA]
    assert replica["HOST"] == "db2" and replica["ENGINE"] == "django.db.backends.postgresql"
    assert replica["CONN_MAX_AGE"] == 60 and replica["CONN_HEALTH_CHECKS"] is True
    assert replica["OPTIONS"]["connect_timeout"] == 3
    assert fresh.DATABASE_ROUTERS == [ROUTER]
    assert fresh.REPLICA_RETRY_SECONDS == 30
    assert not fresh.DATABASES[DEFAULT_DB_ALIAS].get("DISABLE_SERVER_SIDE_CURSORS")


def test_pgbouncer_setting_disables_server_side_cursors_everywhere(reload_settings):
    fresh = reload_settings(
        DATABASE_REPLICA_URL="postgres://dudao@db2:5432/dudao", DISABLE_SERVER_SIDE_CURSORS="1"
    )
    assert all(db["DISABLE_SERVER_SIDE_CURSORS"] for db in fresh.DATABASES.values())
