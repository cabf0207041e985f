"""The built-in frameworks in the database: loaded by migration 0002 and
`ensure_builtin_frameworks` through the engine's reader, published, office-less, idempotently;
a changed file becomes a new revision and the old one is kept as it was."""

import dataclasses
from io import StringIO

import pytest
from django.core.management import call_command

from dudao.evaluations import framework_services as services
from dudao.evaluations import shipped
from dudao.evaluations.models import Framework, FrameworkEvent, Indicator, TargetKind

Status = Framework.Status
pytestmark = pytest.mark.django_db


def builtins():
    return Framework.objects.unscoped().filter(office__isnull=True)


def test_all_five_are_loaded_published_and_valid():
    shipped.ensure_builtin_frameworks()
    stored = {f.key: f for f in builtins()}
    assert set(stored) == set(shipped.BUILTIN_KEYS)
    for key, framework in stored.items():
        assert framework.status == Status.PUBLISHED and framework.published_at
        assert framework.kind == shipped.KINDS[key]
        assert framework.title == shipped.TITLES[key]
        spec = services.spec_of(framework)  # the engine accepts the stored tree
        assert framework.total_max == spec.total_max
        assert services.publish_problems(framework) == []
        assert framework.events.filter(action="publish").count() == 1
    assert stored[shipped.KINDERGARTEN_CONDUCT].kind == TargetKind.KINDERGARTEN
    assert stored[shipped.COUNTY_GOVERNMENT].kind == TargetKind.GOVERNMENT
    assert stored[shipped.TOWNSHIP_TARGETS].kind == TargetKind.TOWNSHIP
    assert stored[shipped.SCHOOL_1000].total_max == 1000


def test_the_stored_trees_are_the_files():
    for data in shipped.read_builtins():
        stored = builtins().filter(key=data["key"]).latest("revision")
        assert shipped.canonical_rows(stored) == shipped.canonical_data(data)


def test_the_1000_point_framework_has_seven_a_and_thirty_seven_b():
    framework = builtins().get(key=shipped.SCHOOL_1000)
    depths = list(framework.indicators.values_list("depth", flat=True))
    assert depths.count(0) == 7
    assert framework.indicators.filter(depth=1).exclude(method="veto").count() == 37
    positions = list(framework.indicators.order_by("position").values_list("position", flat=True))
    assert positions == list(range(1, len(positions) + 1))


def test_loading_again_changes_nothing():
    counts = (builtins().count(), Indicator.objects.count(), FrameworkEvent.objects.count())
    assert shipped.ensure_builtin_frameworks() == []
    assert shipped.ensure_builtin_frameworks() == []
    assert (
        builtins().count(),
        Indicator.objects.count(),
        FrameworkEvent.objects.count(),
    ) == counts


def test_a_changed_file_becomes_a_new_revision(monkeypatch):
    before = builtins().get(key=shipped.TOWNSHIP_TARGETS)
    files = shipped.read_builtins()
    for data in files:
        if data["key"] == shipped.TOWNSHIP_TARGETS:
            spec = data["spec"]
            first = spec.indicators[1]
            changed = dataclasses.replace(first, title=first.title + "（修订）")
            data["spec"] = type(spec)((spec.indicators[0], changed, *spec.indicators[2:]))
    monkeypatch.setattr(shipped, "read_builtins", lambda: files)
    made = shipped.ensure_builtin_frameworks()
    assert [(f.key, f.revision) for f in made] == [(shipped.TOWNSHIP_TARGETS, before.revision + 1)]
    new = made[0]
    assert new.based_on_id == before.pk and new.status == Status.PUBLISHED
    assert new.office_id is None and new.kind == TargetKind.TOWNSHIP
    assert new.indicators.get(code=first.code).title.endswith("（修订）")
    before.refresh_from_db()
    assert before.status == Status.PUBLISHED  # the old revision is kept as it was
    assert not before.indicators.get(code=first.code).title.endswith("（修订）")
    assert shipped.ensure_builtin_frameworks() == []


def test_a_changed_title_becomes_a_new_revision(monkeypatch):
    monkeypatch.setitem(shipped.TITLES, shipped.SCHOOL_1000, "学校综合督导评估（千分制）")
    made = shipped.ensure_builtin_frameworks()
    assert [(f.key, f.revision) for f in made] == [(shipped.SCHOOL_1000, 2)]


def test_a_flushed_database_is_loaded_again():
    ids = list(builtins().values_list("pk", flat=True))
    FrameworkEvent.objects.filter(framework_id__in=ids)._raw_delete("default")
    Indicator.objects.all().delete()
    builtins().delete()
    made = shipped.ensure_builtin_frameworks()
    assert len(made) == len(shipped.BUILTIN_KEYS)
    assert all(f.events.get().action == "publish" for f in made)


def test_the_command_loads_what_is_missing():
    out = StringIO()
    call_command("load_builtin_frameworks", stdout=out)
    assert out.getvalue().strip().endswith("0 built-in framework revision(s) loaded.")
