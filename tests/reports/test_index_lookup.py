"""The reports index of a wide scope chooses an inspector by the search field instead of
listing an arbitrary 200 of a province's inspectors (dudao/core/lookups.py)."""

import pytest
from django.urls import reverse

from dudao.core import lookups
from dudao.reports import views


@pytest.fixture
def wide(monkeypatch):
    monkeypatch.setattr(views, "INSPECTORS_LISTED", 1)
    monkeypatch.setattr(lookups, "SELECT_MAX", 1)


def monthly(inspector):
    return reverse("reports:inspector_monthly", args=[inspector.pk, 2026, 10, "docx"])


def test_viewer_searches_an_inspector(world, client, wide):
    client.force_login(world.viewer)
    page = client.get(reverse("reports:index"), {"month": "2026-10"}).content.decode()
    assert 'name="inspector_text"' in page
    assert monthly(world.inspector) not in page and monthly(world.other_inspector) not in page
    query = {"month": "2026-10", "inspector_text": world.other_inspector.phone}
    page = client.get(reverse("reports:index"), query).content.decode()
    assert monthly(world.other_inspector) in page and monthly(world.inspector) not in page
    # the month picker keeps the chosen inspector
    assert f'name="inspector" value="{world.other_inspector.pk}"' in page


def test_another_countys_inspector_is_not_found(world, client, wide):
    client.force_login(world.admin)
    query = {"month": "2026-10", "inspector_text": world.foreign_inspector.phone}
    page = client.get(reverse("reports:index"), query).content.decode()
    assert monthly(world.foreign_inspector) not in page
    page = client.get(reverse("reports:index"), {"inspector": world.foreign_inspector.pk})
    assert monthly(world.foreign_inspector) not in page.content.decode()


def test_small_scope_still_lists_every_inspector(world, client):
    client.force_login(world.admin)
    page = client.get(reverse("reports:index"), {"month": "2026-10"}).content.decode()
    assert monthly(world.inspector) in page and monthly(world.other_inspector) in page
    assert 'name="inspector_text"' not in page
