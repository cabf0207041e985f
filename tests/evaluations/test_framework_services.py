"""Indicator framework services (指标体系): a draft's tree (positions depth first, depths,
total_max), copies and revisions, publishing checked by the framework engine (each refusal
naming its indicator's code), the guards (only the office admin edits its own drafts; built-ins
are read-only; a published framework never changes) and the history and audit rows."""

from decimal import Decimal

import pytest

from dudao.audit.models import AuditEntry
from dudao.core.errors import DomainError, NotPermitted, StaleObject
from dudao.evaluations import framework_services as services
from dudao.evaluations import shipped
from dudao.evaluations.engine import FrameworkSpec
from dudao.evaluations.models import Framework, FrameworkEvent, Indicator

Status = Framework.Status
LEVELS = "A:1,B:0.8,C:0.6,D:0"


def make_draft(actor, title="本县学校督评"):
    """A draft of the actor's office, valid for publishing (30 points):
    A1 (20) → B1 (12, points), B2 (8, levels); A2 (10) → B3 (10, yes/no), V1 (veto)."""
    draft = services.create_framework(actor, title=title, kind="school", key="quality")
    a1 = services.add_indicator(actor, draft, code="A1", title="办学方向", max_score="20")
    services.add_indicator(
        actor, draft, parent=a1, code="B1", title="党建", max_score="12", method="points"
    )
    services.add_indicator(
        actor,
        draft,
        parent=a1,
        code="B2",
        title="德育",
        max_score="8",
        method="levels",
        levels=LEVELS,
    )
    a2 = services.add_indicator(actor, draft, code="A2", title="安全", max_score="10")
    services.add_indicator(
        actor, draft, parent=a2, code="B3", title="制度健全", max_score="10", method="yesno"
    )
    services.add_indicator(
        actor,
        draft,
        parent=a2,
        code="V1",
        title="未发生重大安全责任事故",
        max_score="0",
        method="veto",
    )
    return Framework.objects.unscoped().get(pk=draft.pk)


def tree(framework):
    """(code, parent code, depth) in position order; positions must be 1..n."""
    rows = list(framework.indicators.order_by("position").select_related("parent"))
    assert [r.position for r in rows] == list(range(1, len(rows) + 1))
    return [(r.code, r.parent.code if r.parent else "", r.depth) for r in rows]


def fresh(framework):
    return Framework.objects.unscoped().get(pk=framework.pk)


def builtin(key=shipped.SCHOOL_1000):
    return Framework.objects.unscoped().filter(office__isnull=True, key=key).latest("revision")


@pytest.fixture
def draft(world):
    return make_draft(world.admin)


# ---- the tree -------------------------------------------------------------------------------


def test_a_draft_keeps_its_tree_in_depth_first_order(draft):
    assert tree(draft) == [
        ("A1", "", 0),
        ("B1", "A1", 1),
        ("B2", "A1", 1),
        ("A2", "", 0),
        ("B3", "A2", 1),
        ("V1", "A2", 1),
    ]
    assert draft.total_max == 30
    assert draft.indicators.get(code="B2").levels == [
        ["A", "1"],
        ["B", "0.8"],
        ["C", "0.6"],
        ["D", "0"],
    ]


def test_spec_of_is_the_engine_s_framework(draft):
    spec = services.spec_of(draft)
    assert isinstance(spec, FrameworkSpec)
    assert [s.code for s in spec.roots] == ["A1", "A2"]
    assert spec.total_max == 30
    assert spec.get("B2").level_share("b") == Decimal("0.8")
    assert [s.code for s in spec.veto_items] == ["V1"]


def test_a_sub_indicator_goes_last_under_its_parent(world, draft):
    b1 = draft.indicators.get(code="B1")
    services.update_indicator(world.admin, b1, code="B1", title="党建", max_score="12", method="")
    services.add_indicator(
        world.admin, draft, parent=b1, code="C1", title="党组织", max_score="12", method="points"
    )
    assert tree(draft)[:4] == [("A1", "", 0), ("B1", "A1", 1), ("C1", "B1", 2), ("B2", "A1", 1)]
    assert services.publish_problems(draft) == []


def test_moving_takes_the_sub_indicators_along(world, draft):
    services.move_indicator(world.admin, draft.indicators.get(code="A2"), up=True)
    assert [code for code, _p, _d in tree(draft)] == ["A2", "B3", "V1", "A1", "B1", "B2"]
    services.move_indicator(world.admin, draft.indicators.get(code="V1"), up=True)
    assert [code for code, _p, _d in tree(draft)] == ["A2", "V1", "B3", "A1", "B1", "B2"]
    services.move_indicator(world.admin, draft.indicators.get(code="A1"), up=False)  # last
    assert [code for code, _p, _d in tree(draft)] == ["A2", "V1", "B3", "A1", "B1", "B2"]


def test_a_new_parent_moves_the_subtree_and_its_depths(world, draft):
    a2 = draft.indicators.get(code="A2")
    services.update_indicator(
        world.admin,
        a2,
        parent=draft.indicators.get(code="A1"),
        code="A2",
        title="安全",
        max_score="10",
    )
    assert tree(draft) == [
        ("A1", "", 0),
        ("B1", "A1", 1),
        ("B2", "A1", 1),
        ("A2", "A1", 1),
        ("B3", "A2", 2),
        ("V1", "A2", 2),
    ]
    assert fresh(draft).total_max == 20  # the first level only
    problems = services.publish_problems(draft)
    assert any("A1" in p and "30" in p for p in problems)


def test_an_indicator_is_never_put_under_itself(world, draft):
    a1 = draft.indicators.get(code="A1")
    with pytest.raises(DomainError) as refused:
        services.update_indicator(
            world.admin,
            a1,
            parent=draft.indicators.get(code="B1"),
            code="A1",
            title="办学方向",
            max_score="20",
        )
    assert refused.value.field == "parent"
    assert tree(draft)[0] == ("A1", "", 0)


def test_deleting_takes_the_sub_indicators(world, draft):
    assert services.delete_indicator(world.admin, draft.indicators.get(code="A1")) == 3
    assert tree(draft) == [("A2", "", 0), ("B3", "A2", 1), ("V1", "A2", 1)]
    assert fresh(draft).total_max == 10


def test_codes_are_unique(world, draft):
    with pytest.raises(DomainError) as refused:
        services.add_indicator(
            world.admin, draft, code="B1", title="重复", max_score="1", method="points"
        )
    assert refused.value.field == "code"
    assert draft.indicators.count() == 6


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"code": "", "title": "t", "max_score": "1", "method": "points"}, "code"),
        ({"code": "C9", "title": "", "max_score": "1", "method": "points"}, "title"),
        ({"code": "C9", "title": "t", "max_score": "1.234", "method": "points"}, "max_score"),
        ({"code": "C9", "title": "t", "max_score": "x", "method": "points"}, "max_score"),
        ({"code": "C9", "title": "t", "max_score": "1", "method": "guess"}, "method"),
        ({"code": "C9", "title": "t", "max_score": "1", "method": "levels"}, "levels"),
        (
            {"code": "C9", "title": "t", "max_score": "1", "method": "levels", "levels": "A:2"},
            "levels",
        ),
        (
            {"code": "C9", "title": "t", "max_score": "1", "method": "points", "levels": LEVELS},
            "levels",
        ),
        ({"code": "C9", "title": "t", "max_score": "3", "method": "veto"}, "max_score"),
        ({"code": "C9", "title": "t", "max_score": "0", "method": "points"}, "max_score"),
        ({"code": "C9", "title": "t", "max_score": "1", "method": "formula"}, "formula"),
        (
            {
                "code": "C9",
                "title": "t",
                "max_score": "1",
                "method": "formula",
                "formula": "__import__('os')",
            },
            "formula",
        ),
        ({"code": "C" * 41, "title": "t", "max_score": "1", "method": "points"}, "code"),
        ({"code": "C9", "title": "t", "max_score": "123456789", "method": "points"}, "max_score"),
    ],
)
def test_one_indicator_is_checked_by_the_engine_s_rules(world, draft, values, field):
    with pytest.raises(DomainError) as refused:
        services.add_indicator(world.admin, draft, **values)
    assert refused.value.field == field, refused.value.message
    assert draft.indicators.count() == 6


def test_a_formula_indicator(world, draft):
    services.add_indicator(
        world.admin,
        draft,
        code="A3",
        title="师生比",
        max_score="10",
        method="formula",
        formula="min(1, teachers / (pupils / 19)) * 10",
    )
    assert services.spec_of(draft).get("A3").formula.startswith("min(")


# ---- publishing -------------------------------------------------------------------------------


def test_publish_freezes_the_draft_with_history(world, draft):
    published = services.publish(world.admin, draft, expected_version=draft.version)
    assert published.status == Status.PUBLISHED and published.published_at
    assert published.total_max == 30
    event = FrameworkEvent.objects.get(framework=draft)
    assert (event.action, event.from_status, event.to_status) == ("publish", "draft", "published")
    assert (
        AuditEntry.objects.unscoped()
        .filter(target_type="evaluations.Framework", target_id=str(draft.pk))
        .exists()
    )


def test_children_that_do_not_add_up_are_refused_at_publish_with_the_code(world, draft):
    b1 = draft.indicators.get(code="B1")
    services.update_indicator(
        world.admin, b1, code="B1", title="党建", max_score="10", method="points"
    )
    with pytest.raises(DomainError) as refused:
        services.publish(world.admin, draft)
    assert "A1" in str(refused.value) and "18" in str(refused.value)
    assert fresh(draft).status == Status.DRAFT
    assert not FrameworkEvent.objects.filter(framework=draft).exists()


def test_a_leaf_without_a_method_is_refused_at_publish(world, draft):
    services.add_indicator(world.admin, draft, code="A3", title="特色", max_score="5")
    problems = services.publish_problems(draft)
    assert len(problems) == 1 and "A3" in problems[0]
    with pytest.raises(DomainError):
        services.publish(world.admin, draft)


def test_a_method_on_a_parent_is_refused_at_publish(world, draft):
    a1 = draft.indicators.get(code="A1")
    services.update_indicator(
        world.admin, a1, code="A1", title="办学方向", max_score="20", method="points"
    )
    assert any("A1" in p for p in services.publish_problems(draft))


def test_an_empty_draft_is_not_published(world):
    empty = services.create_framework(world.admin, title="空")
    with pytest.raises(DomainError):
        services.publish(world.admin, empty)


def test_a_stale_version_is_refused(world, draft):
    version = draft.version
    services.update_framework(
        world.admin, draft, expected_version=version, title="新标题", kind="kindergarten"
    )
    with pytest.raises(StaleObject):
        services.publish(world.admin, draft, expected_version=version)
    with pytest.raises(StaleObject):
        services.update_framework(
            world.admin, draft, expected_version=version, title="又一个", kind="school"
        )
    assert fresh(draft).title == "新标题"


def test_a_stale_indicator_form_is_refused(world, draft):
    b1 = draft.indicators.get(code="B1")
    seen = services.stamp(b1)
    services.update_indicator(
        world.admin, b1, code="B1", title="党建工作", max_score="12", method="points"
    )
    with pytest.raises(StaleObject):
        services.update_indicator(
            world.admin,
            b1,
            expected_stamp=seen,
            code="B1",
            title="党建",
            max_score="12",
            method="points",
        )


def test_a_published_framework_never_changes(world, draft):
    services.publish(world.admin, draft)
    before = tree(draft)
    b1 = draft.indicators.get(code="B1")
    attempts = [
        lambda: services.add_indicator(
            world.admin, draft, code="Z", title="z", max_score="1", method="points"
        ),
        lambda: services.update_indicator(
            world.admin, b1, code="B1", title="x", max_score="12", method="points"
        ),
        lambda: services.delete_indicator(world.admin, b1),
        lambda: services.move_indicator(world.admin, b1, up=False),
        lambda: services.update_framework(
            world.admin, draft, expected_version=None, title="x", kind="school"
        ),
        lambda: services.replace_indicators(world.admin, draft, services.spec_of(draft)),
        lambda: services.delete_draft(world.admin, draft),
    ]
    for attempt in attempts:
        with pytest.raises(DomainError):
            attempt()
    assert tree(draft) == before
    assert fresh(draft).status == Status.PUBLISHED


def test_retire_and_a_new_revision(world, draft):
    services.publish(world.admin, draft)
    revision = services.new_revision(world.admin, draft)
    assert (revision.key, revision.revision, revision.status) == (draft.key, 2, Status.DRAFT)
    assert revision.based_on_id == draft.pk
    assert tree(revision) == tree(draft) and revision.total_max == 30
    with pytest.raises(DomainError):
        services.new_revision(world.admin, draft)  # one draft per line
    services.retire(world.admin, draft)
    assert fresh(draft).status == Status.RETIRED
    assert list(
        FrameworkEvent.objects.filter(framework=draft)
        .order_by("at", "pk")
        .values_list("action", flat=True)
    ) == ["publish", "retire"]


def test_delete_a_draft(world, draft):
    services.delete_draft(world.admin, draft)
    assert not Framework.objects.unscoped().filter(pk=draft.pk).exists()
    assert not Indicator.objects.filter(framework_id=draft.pk).exists()


def test_create_happens_once_per_form(world):
    key = "8f0f1e5c-1f7e-4a55-9f0e-2b3c4d5e6f70"
    first = services.create_framework(world.admin, title="督政", kind="government", request_key=key)
    again = services.create_framework(world.admin, title="督政", kind="government", request_key=key)
    assert first.pk == again.pk
    assert Framework.objects.unscoped().filter(office=world.office).count() == 1


# ---- built-ins and copies --------------------------------------------------------------------


def test_built_ins_are_read_only(world):
    source = builtin()
    indicator = source.indicators.order_by("position").first()
    for attempt in (
        lambda: services.add_indicator(
            world.admin, source, code="Z", title="z", max_score="1", method="points"
        ),
        lambda: services.update_indicator(
            world.admin, indicator, code=indicator.code, title="x", max_score="1", method="points"
        ),
        lambda: services.delete_indicator(world.admin, indicator),
        lambda: services.new_revision(world.admin, source),
        lambda: services.retire(world.admin, source),
    ):
        with pytest.raises(NotPermitted):
            attempt()
    assert fresh(source).status == Status.PUBLISHED


def test_an_office_copies_a_built_in_and_edits_the_copy(world):
    source = builtin()
    copy = services.copy_framework(world.admin, source, title="本县学校督导评估")
    assert (copy.office_id, copy.key, copy.status) == (world.office.pk, source.key, Status.DRAFT)
    assert copy.based_on_id == source.pk and copy.kind == source.kind
    assert copy.total_max == 1000
    assert services.spec_of(copy).to_rows() == services.spec_of(source).to_rows()
    assert tree(copy) == tree(source)
    a1 = copy.indicators.get(code="A1")
    services.update_indicator(world.admin, a1, code="A1", title="校园校舍（本县）", max_score="150")
    assert source.indicators.get(code="A1").title == "校园校舍"
    second = services.copy_framework(world.admin, source)
    assert second.key == f"{source.key}-2"
    services.publish(world.admin, copy)


def test_another_office_s_framework_is_not_copied(world, draft):
    with pytest.raises(NotPermitted):
        services.copy_framework(world.other_admin, draft)


# ---- guards -----------------------------------------------------------------------------------


def writes_of(world, draft):
    b1 = draft.indicators.get(code="B1")
    return {
        "update_framework": lambda u: services.update_framework(
            u, draft, expected_version=None, title="x", kind="school"
        ),
        "add_indicator": lambda u: services.add_indicator(
            u, draft, code="Z", title="z", max_score="1", method="points"
        ),
        "update_indicator": lambda u: services.update_indicator(
            u, b1, code="B1", title="x", max_score="12", method="points"
        ),
        "delete_indicator": lambda u: services.delete_indicator(u, b1),
        "move_indicator": lambda u: services.move_indicator(u, b1, up=False),
        "replace_indicators": lambda u: services.replace_indicators(
            u, draft, services.spec_of(draft)
        ),
        "publish": lambda u: services.publish(u, draft),
        "new_revision": lambda u: services.new_revision(u, draft),
        "delete_draft": lambda u: services.delete_draft(u, draft),
    }


@pytest.mark.parametrize(
    "role", ["zone_leader", "inspector", "school", "viewer", "other_admin", "superuser"]
)
def test_only_the_office_admin_edits_its_drafts(world, draft, role):
    user = world.personas()[role]
    before = (tree(draft), fresh(draft).version, AuditEntry.objects.unscoped().count())
    for name, write in writes_of(world, draft).items():
        with pytest.raises(NotPermitted):
            write(user)
            pytest.fail(f"{role} {name}")
    assert (tree(draft), fresh(draft).version, AuditEntry.objects.unscoped().count()) == before


@pytest.mark.parametrize("role", ["zone_leader", "inspector", "school", "viewer", "superuser"])
def test_only_an_office_admin_creates_or_copies(world, role):
    user = world.personas()[role]
    with pytest.raises(NotPermitted):
        services.create_framework(user, title="x")
    with pytest.raises(NotPermitted):
        services.copy_framework(user, builtin())
    assert not Framework.objects.unscoped().filter(office__isnull=False).exists()


def test_usable_frameworks_are_the_newest_published(world, draft):
    from dudao.accounts import scoping

    visible = scoping.frameworks_for(world.admin)
    assert draft not in services.usable(visible)
    services.publish(world.admin, draft)
    services.new_revision(world.admin, draft)  # a draft: not usable
    usable = list(services.usable(visible, kind="school"))
    assert usable[0] == draft
    assert {f.key for f in usable[1:]} == {shipped.COMPULSORY_QUALITY, shipped.SCHOOL_1000}
    assert {f.key for f in services.usable(visible, kind="township")} == {shipped.TOWNSHIP_TARGETS}
