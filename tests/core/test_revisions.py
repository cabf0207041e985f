"""The revisions kernel (`dudao.core.revisions`) on its own: a `Revisions` made here for the
checklist model with words and a children hook of the test's own, so what is tested is the
kernel, not the checklists app (whose services have their own tests)."""

from types import SimpleNamespace

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.db import models
from django.shortcuts import redirect
from django.test import RequestFactory
from django.utils.text import slugify

from dudao.checklists.models import ChecklistEvent, ChecklistTemplate
from dudao.core import revisions
from dudao.core import workflow as engine
from dudao.core.errors import DomainError, NotPermitted, StaleObject
from dudao.core.guards import SYSTEM
from dudao.core.revisions import RevisionStatus

WORDS = revisions.Wording(
    builtin="built-ins are copied",
    other_office="not your office's",
    published="published: make a new revision",
    stale="stale",
    draft_exists="revision %(revision)s is a draft",
    key_taken="key taken",
)


@pytest.fixture
def copied():
    return []


@pytest.fixture
def kernel(copied):
    return revisions.Revisions(
        ChecklistTemplate,
        wording=WORDS,
        header_fields=("purpose", "description", "source"),
        copy_children=lambda source, target: copied.append((source.pk, target.pk)),
        children=("items", "sections"),
        default_key="thing",
    )


def make(office, key="k", revision=1, status=RevisionStatus.DRAFT, **extra):
    return ChecklistTemplate.objects.unscoped().create(
        office=office,
        key=key,
        revision=revision,
        title=extra.pop("title", f"{key} v{revision}"),
        status=status,
        **extra,
    )


def rows():
    return ChecklistTemplate.objects.unscoped()


# ---- the model --------------------------------------------------------------------------------


def test_the_model_is_the_kernels(world):
    draft = make(world.office)
    builtin = make(None, key="b")
    assert str(draft) == "k v1 (v1)"
    assert builtin.is_builtin and not draft.is_builtin
    assert draft.is_draft and ChecklistTemplate.Status is RevisionStatus
    names = {c.name for c in ChecklistTemplate._meta.constraints}
    assert names == {"checklist_revision_once", "builtin_checklist_revision_once"}


# ---- the editable-draft guard -----------------------------------------------------------------


def test_only_a_draft_of_ones_own_office_is_editable(world, kernel):
    draft = make(world.office)
    assert kernel.editable(world.admin, draft.pk) == draft
    assert kernel.editable(world.admin, draft, expected_version=draft.version) == draft
    with pytest.raises(StaleObject, match="stale"):
        kernel.editable(world.admin, draft, expected_version=draft.version + 1)
    with pytest.raises(NotPermitted, match="not your office's"):
        kernel.editable(world.other_admin, draft)
    with pytest.raises(NotPermitted):
        kernel.editable(world.inspector_user, draft)
    published = make(world.office, key="p", status=RevisionStatus.PUBLISHED)
    with pytest.raises(DomainError, match="published: make a new revision"):
        kernel.editable(world.admin, published)
    with pytest.raises(NotPermitted, match="built-ins are copied"):
        kernel.editable(world.admin, make(None, key="b"))


# ---- create, update, copy, new revision, delete ----------------------------------------------


def test_create_takes_a_free_key_once_per_request_key(world, kernel):
    first = kernel.create(world.admin, action="test.create", key="", title="A")
    assert (first.key, first.revision, first.office_id) == ("thing", 1, world.office.pk)
    assert first.created_by == world.admin
    second = kernel.create(world.admin, action="test.create", key="thing", title="B")
    assert second.key == "thing-2"
    key = "4f1c5d2e-8a3b-4c6d-9e0f-1a2b3c4d5e6f"
    once = kernel.create(world.admin, action="test.create", request_key=key, title="C")
    again = kernel.create(world.admin, action="test.create", request_key=key, title="C")
    assert once == again


def test_update_checks_then_bumps_the_version(world, kernel):
    draft = make(world.office)

    def refuse(values):
        if not values["title"]:
            raise DomainError("a title", field="title")

    with pytest.raises(DomainError, match="a title"):
        kernel.update(world.admin, draft, expected_version=1, check=refuse, title="")
    updated = kernel.update(world.admin, draft, expected_version=1, check=refuse, title="New")
    assert (updated.title, updated.version) == ("New", 2)
    with pytest.raises(StaleObject):
        kernel.update(world.admin, draft, expected_version=1, title="Old")


def test_free_key_numbers_and_normalises(world, kernel):
    make(world.office, key="plan")
    make(world.office, key="plan-2")
    assert kernel.free_key(world.office.pk, "plan") == "plan-3"
    assert kernel.free_key(world.other_office.pk, "plan") == "plan"
    slugged = revisions.Revisions(
        ChecklistTemplate,
        wording=WORDS,
        header_fields=(),
        default_key="thing",
        normalise_key=slugify,
    )
    assert slugged.free_key(world.office.pk, "My Plan!") == "my-plan"
    assert slugged.free_key(world.office.pk, "学校") == "thing"


def test_a_copy_starts_a_line_in_the_actors_office(world, kernel, copied):
    builtin = make(
        None,
        key="shared",
        status=RevisionStatus.PUBLISHED,
        purpose="return",
        description="d",
        source="s",
    )
    copy = kernel.copy(world.admin, builtin)
    assert (copy.office_id, copy.key, copy.revision, copy.based_on_id) == (
        world.office.pk,
        "shared",
        1,
        builtin.pk,
    )
    assert (copy.purpose, copy.description, copy.source, copy.title) == (
        "return",
        "d",
        "s",
        builtin.title,
    )
    assert copy.status == RevisionStatus.DRAFT and copied == [(builtin.pk, copy.pk)]
    second = kernel.copy(world.admin, builtin, title="  Mine  ")
    assert (second.key, second.title) == ("shared-2", "Mine")
    with pytest.raises(DomainError, match="key taken") as refused:
        kernel.copy(world.admin, builtin, key="shared")
    assert refused.value.field == "key"
    with pytest.raises(NotPermitted, match="not your office's"):
        kernel.copy(world.other_admin, copy)
    with pytest.raises(NotPermitted):
        kernel.copy(world.inspector_user, builtin)


def test_a_new_revision_is_the_next_draft_of_the_line(world, kernel, copied):
    one = make(world.office, status=RevisionStatus.RETIRED, purpose="return")
    make(world.office, revision=2, status=RevisionStatus.PUBLISHED)
    assert kernel.next_revision(one) == 3
    draft = kernel.new_revision(world.admin, one)
    assert (draft.revision, draft.key, draft.based_on_id) == (3, "k", one.pk)
    assert (draft.purpose, draft.status, draft.created_by) == (
        "return",
        RevisionStatus.DRAFT,
        world.admin,
    )
    assert copied == [(one.pk, draft.pk)]
    with pytest.raises(DomainError, match="revision 3 is a draft"):
        kernel.new_revision(world.admin, one)
    with pytest.raises(NotPermitted, match="built-ins are copied"):
        kernel.new_revision(world.admin, make(None, key="b", status=RevisionStatus.PUBLISHED))
    with pytest.raises(NotPermitted):
        kernel.new_revision(world.other_admin, one)


def test_delete_discards_a_draft_only(world, kernel):
    draft = make(world.office)
    kernel.delete_draft(world.admin, draft)
    assert not rows().filter(pk=draft.pk).exists()
    published = make(world.office, key="p", status=RevisionStatus.PUBLISHED)
    with pytest.raises(DomainError, match="published"):
        kernel.delete_draft(world.admin, published)


def test_delete_asks_whether_the_draft_is_in_use(world):
    def in_use(draft):
        raise DomainError("in use")

    kernel = revisions.Revisions(
        ChecklistTemplate, wording=WORDS, header_fields=(), default_key="k", in_use=in_use
    )
    draft = make(world.office)
    with pytest.raises(DomainError, match="in use"):
        kernel.delete_draft(world.admin, draft)
    assert rows().filter(pk=draft.pk).exists()


# ---- reads ----------------------------------------------------------------------------------


def test_newest_revisions_per_line(world):
    old = make(world.office, status=RevisionStatus.PUBLISHED)
    published = make(world.office, revision=2, status=RevisionStatus.PUBLISHED)
    draft = make(world.office, revision=3)
    builtin = make(None, status=RevisionStatus.PUBLISHED)  # the same key, another line
    foreign = make(world.other_office, status=RevisionStatus.PUBLISHED)
    everything = rows().filter(key="k")  # not the built-ins the migrations load
    assert set(revisions.newest_revisions(everything)) == {draft, builtin, foreign}
    newest_published = revisions.newest_revisions(everything, status=RevisionStatus.PUBLISHED)
    assert set(newest_published) == {published, builtin, foreign}
    assert list(revisions.revisions_of(everything, old)) == [draft, published, old]


# ---- the workflow ---------------------------------------------------------------------------


class Action(models.TextChoices):
    PUBLISH = "publish", "publish it"
    RETIRE = "retire", "retire it"


def _refuse_empty(revision, step):
    if not revision.description:
        raise DomainError("nothing to publish")


WORKFLOW = revisions.revision_workflow(
    ChecklistTemplate,
    history_model=ChecklistEvent,
    history_fk="template",
    actions=Action,
    guard=_refuse_empty,
)


def test_roles_of(world):
    draft = make(world.office)
    builtin = make(None, key="b")
    assert revisions.roles_of(SYSTEM, builtin) == {revisions.PLATFORM}
    assert revisions.roles_of(world.admin, draft) == {revisions.OFFICE}
    assert revisions.roles_of(world.admin, builtin) == set()
    assert revisions.roles_of(world.other_admin, draft) == set()
    assert revisions.roles_of(world.superuser, draft) == set()


def test_publish_and_retire_through_the_kernel(world):
    kernel = revisions.Revisions(
        ChecklistTemplate, wording=WORDS, header_fields=(), default_key="k", workflow=WORKFLOW
    )
    draft = make(world.office, description="ready")
    published = kernel.publish(world.admin, draft, expected_version=draft.version)
    assert published.status == RevisionStatus.PUBLISHED
    with pytest.raises(StaleObject):
        kernel.retire(world.admin, published, expected_version=published.version - 1)
    assert kernel.retire(SYSTEM, published).status == RevisionStatus.RETIRED


def test_draft_published_retired(world):
    draft = make(world.office)
    with pytest.raises(DomainError, match="nothing to publish"):
        engine.transition(WORKFLOW, draft, Action.PUBLISH, world.admin)
    draft.description = "ready"
    draft.save()
    with pytest.raises(DomainError):
        engine.transition(WORKFLOW, draft, Action.RETIRE, world.admin)  # not yet published
    with pytest.raises(NotPermitted):
        engine.transition(WORKFLOW, draft, Action.PUBLISH, world.other_admin)
    done = engine.transition(WORKFLOW, draft, Action.PUBLISH, world.admin)
    assert done.status == RevisionStatus.PUBLISHED and done.published_at is not None
    retired = engine.transition(WORKFLOW, done, Action.RETIRE, world.admin)
    assert retired.status == RevisionStatus.RETIRED
    events = ChecklistEvent.objects.filter(template=draft).order_by("at", "pk")
    assert [event.action for event in events] == ["publish", "retire"]


# ---- small helpers --------------------------------------------------------------------------


def test_require_no_problems_shows_five():
    revisions.require_no_problems([])
    with pytest.raises(DomainError) as refused:
        revisions.require_no_problems([f"p{n}" for n in range(7)])
    text = str(refused.value)
    assert text.startswith("p0; p1; p2; p3; p4") and "p5" not in text
    assert "2" in text.split("p4", 1)[1]


def test_swap():
    rows_ = [SimpleNamespace(pk=n) for n in (1, 2, 3)]
    assert [r.pk for r in revisions.swap(rows_, 2, up=True)] == [2, 1, 3]
    assert [r.pk for r in revisions.swap(rows_, 2, up=False)] == [1, 3, 2]
    assert revisions.swap(rows_, 1, up=True) is None
    assert revisions.swap(rows_, 3, up=False) is None
    assert [r.pk for r in rows_] == [1, 2, 3]  # the list given is left as it was


def test_stamp_sees_a_change(world):
    draft = make(world.office)
    seen = revisions.stamp(draft)
    revisions.check_stamp(draft, seen)
    revisions.check_stamp(draft, "")  # no stamp sent: nothing to compare
    draft.title = "changed"
    with pytest.raises(StaleObject):
        revisions.check_stamp(draft, seen)


# ---- sections of children -------------------------------------------------------------------


@pytest.fixture
def sections(kernel):
    from dudao.checklists.models import ChecklistItem, ChecklistSection

    touched = []

    def clean(values):
        if not values.get("question"):
            raise DomainError("a question", field="question")
        return {"code": values.get("code", ""), "question": values["question"]}

    kit = revisions.Sections(
        kernel,
        section_model=ChecklistSection,
        item_model=ChecklistItem,
        fk="template",
        items="items",
        clean=clean,
        touch=touched.append,
    )
    kit.touched = touched
    return kit


def _positions(draft):
    return [(s.title, [i.code for i in s.items.order_by("position")]) for s in draft.sections.all()]


def test_sections_of_items(world, sections):
    draft = make(world.office)
    one = sections.add_section(world.admin, draft, title=" One ")
    two = sections.add_section(world.admin, draft, title="Two")
    with pytest.raises(DomainError):
        sections.add_section(world.admin, draft, title=" ")
    a = sections.add_item(world.admin, one, question="a?")
    b = sections.add_item(world.admin, one, question="b?")
    c = sections.add_item(world.admin, two, question="c?", code="x")
    assert (a.code, b.code, c.code) == ("1.1", "1.2", "x")
    with pytest.raises(DomainError, match="x") as clash:
        sections.add_item(world.admin, two, question="d?", code="x")
    assert clash.value.field == "code"
    with pytest.raises(DomainError, match="a question"):
        sections.add_item(world.admin, two, question="")
    assert _positions(draft) == [("One", ["1.1", "1.2"]), ("Two", ["x"])]
    sections.move_item(world.admin, b, up=True)
    sections.move_item(world.admin, b, up=True)  # first already: nothing moves
    assert _positions(draft) == [("One", ["1.2", "1.1"]), ("Two", ["x"])]
    sections.move_section(world.admin, two, up=True)
    assert _positions(draft) == [("Two", ["x"]), ("One", ["1.2", "1.1"])]
    assert [i.code for i in draft.items.order_by("position")] == ["x", "1.2", "1.1"]
    a.refresh_from_db()  # the moves renumbered it
    seen = revisions.stamp(a)
    sections.update_item(world.admin, a, expected_stamp=seen, question="a!", code="")
    a.refresh_from_db()
    assert (a.question, a.code) == ("a!", "1.1")
    with pytest.raises(StaleObject):
        sections.update_item(world.admin, a, expected_stamp=seen, question="again")
    one.refresh_from_db()
    sections.update_section(world.admin, one, title="Uno", expected_stamp=revisions.stamp(one))
    sections.delete_item(world.admin, c)
    sections.delete_section(world.admin, one)
    assert _positions(draft) == [("Two", [])]
    assert len(sections.touched) == 11


def test_sections_of_a_published_revision_are_not_edited(world, sections):
    published = make(world.office, status=RevisionStatus.PUBLISHED)
    with pytest.raises(DomainError, match="published"):
        sections.add_section(world.admin, published, title="One")
    draft = make(world.office, key="d")
    section = sections.add_section(world.admin, draft, title="One")
    with pytest.raises(NotPermitted):
        sections.update_section(world.other_admin, section, title="Mine")


# ---- view helpers ---------------------------------------------------------------------------


def _post(user, data):
    request = RequestFactory().post("/", data)
    request.user = user
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def test_confirm_delete_needs_the_box(world):
    deleted = []
    back, done = redirect("/back/"), redirect("/done/")

    def delete(user, obj):
        deleted.append(obj)

    request = _post(world.admin, {})
    assert revisions.confirm_delete(request, "x", delete, back=back, done=done) is back
    assert deleted == [] and len(list(get_messages(request))) == 1
    request = _post(world.admin, {"confirm": "1"})
    assert revisions.confirm_delete(request, "x", delete, back=back, done=done) is done
    assert deleted == ["x"]


def test_run_transition_passes_the_version_and_shows_a_refusal(world):
    calls = []

    def service(user, obj, *, expected_version):
        calls.append(expected_version)
        if expected_version == "9":
            raise DomainError("refused")

    back = redirect("/back/")
    request = _post(world.admin, {"version": "3"})
    assert revisions.run_transition(request, "x", service, "done", back) is back
    assert [str(m) for m in get_messages(request)] == ["done"]
    request = _post(world.admin, {"version": "9"})
    revisions.run_transition(request, "x", service, "done", back)
    assert [str(m) for m in get_messages(request)] == ["refused"]
    assert calls == ["3", "9"]


def test_is_admin_of_and_can_copy(world):
    draft = make(world.office)
    assert revisions.is_admin_of(world.admin, draft)
    assert not revisions.is_admin_of(world.other_admin, draft)
    assert not revisions.is_admin_of(world.inspector_user, draft)
    assert revisions.can_copy(world.admin) and not revisions.can_copy(world.superuser)
    assert not revisions.can_copy(world.viewer)
