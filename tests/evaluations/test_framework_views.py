"""The framework screens: the list (built-ins and the office's own, filters, newest revision per
line, fixed queries), a revision's page (the tree, fixed queries whatever its size), the draft
editor's htmx partials, copy → edit → publish, new revision, the export and the import."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dudao.evaluations import framework_importer as importer
from dudao.evaluations import framework_services as services
from dudao.evaluations import shipped
from dudao.evaluations.models import Framework
from tests.evaluations.test_framework_services import LEVELS, make_draft

HTMX = {"HTTP_HX_REQUEST": "true"}
Status = Framework.Status


def page(client, user, name, *args, **params):
    client.force_login(user)
    return client.get(reverse(name, args=args), params)


def builtin(key=shipped.COMPULSORY_QUALITY):
    return Framework.objects.unscoped().filter(office__isnull=True, key=key).latest("revision")


def fresh(framework):
    return Framework.objects.unscoped().get(pk=framework.pk)


@pytest.fixture
def draft(world):
    return make_draft(world.admin)


# ---- list and detail --------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "zone_leader", "inspector", "school", "viewer"])
def test_the_list_shows_builtins_and_the_office_s_own(world, client, draft, role):
    body = page(client, world.personas()[role], "evaluations:framework_list").content.decode()
    assert builtin().title in body and draft.title in body


def test_another_county_sees_the_builtins_only(world, client, draft):
    body = page(client, world.other_admin, "evaluations:framework_list").content.decode()
    assert builtin().title in body and draft.title not in body


def test_the_list_filters_by_kind_and_status(world, client, draft):
    response = page(client, world.admin, "evaluations:framework_list", kind="township")
    assert [f.key for f in response.context["page"]] == [shipped.TOWNSHIP_TARGETS]
    response = page(client, world.admin, "evaluations:framework_list", status="draft")
    assert [f.pk for f in response.context["page"]] == [draft.pk]
    response = page(client, world.admin, "evaluations:framework_list", kind="kindergarten")
    assert draft.title not in response.content.decode()


def test_the_list_shows_the_newest_revision_unless_asked(world, client, draft):
    services.publish(world.admin, draft)
    services.new_revision(world.admin, draft)
    response = page(client, world.admin, "evaluations:framework_list")
    own = [f for f in response.context["page"] if f.office_id]
    assert [(f.key, f.revision) for f in own] == [(draft.key, 2)]
    response = page(client, world.admin, "evaluations:framework_list", revisions="on")
    own = [f for f in response.context["page"] if f.office_id]
    assert sorted(f.revision for f in own) == [1, 2]


def test_the_list_runs_a_fixed_number_of_queries(world, client, django_assert_max_num_queries):
    for number in range(8):
        framework = make_draft(world.admin, title=f"体系{number}")
        services.publish(world.admin, framework)
    client.force_login(world.admin)
    url = reverse("evaluations:framework_list")
    with django_assert_max_num_queries(8):
        response = client.get(url)
    assert response.status_code == 200
    with django_assert_max_num_queries(8):
        client.get(url, HTTP_HX_REQUEST="true")


def test_the_detail_page_shows_the_tree(world, client):
    framework = builtin()
    response = page(client, world.school_user, "evaluations:framework_detail", framework.pk)
    body = response.content.decode()
    assert "坚持党的全面领导" in body and "A:1,B:0.8,C:0.6,D:0" in body
    assert "党组织会议记录" in body  # the expected evidence
    assert response.context["count"] == framework.indicators.count()
    assert "/copy/" not in body and "/edit/" not in body  # a school copies nothing


def test_the_detail_page_runs_the_same_queries_whatever_the_size(world, client, draft):
    client.force_login(world.admin)
    counts = []
    for framework in (draft, builtin(shipped.SCHOOL_1000), builtin()):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("evaluations:framework_detail", args=[framework.pk]))
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[1] == counts[2]  # 121 and 44 indicators
    assert max(counts) <= 14


def test_the_detail_page_of_a_draft_is_bounded(world, client, draft, django_assert_max_num_queries):
    client.force_login(world.admin)
    for number in range(20):
        services.add_indicator(
            world.admin, draft, code=f"X{number}", title="加", max_score="1", method="points"
        )
    with django_assert_max_num_queries(14):
        response = client.get(reverse("evaluations:framework_detail", args=[draft.pk]))
    assert response.context["problems"] == []  # the first level may grow
    assert response.context["can_publish"] is True


def test_the_detail_page_lists_problems_and_offers_publish(world, client, draft):
    b1 = draft.indicators.get(code="B1")
    services.update_indicator(
        world.admin, b1, code="B1", title="党建", max_score="2", method="points"
    )
    response = page(client, world.admin, "evaluations:framework_detail", draft.pk)
    assert any("A1" in p for p in response.context["problems"])
    assert response.context["can_publish"] is False
    services.update_indicator(
        world.admin, b1, code="B1", title="党建", max_score="12", method="points"
    )
    response = page(client, world.admin, "evaluations:framework_detail", draft.pk)
    assert response.context["problems"] == [] and response.context["can_publish"] is True


# ---- the editor ---------------------------------------------------------------------------------


def test_create_then_edit(world, client):
    client.force_login(world.admin)
    response = client.get(reverse("evaluations:framework_create"))
    key = response.context["form"]["request_key"].initial
    data = {"title": "乡镇考核", "kind": "township", "request_key": key}
    response = client.post(reverse("evaluations:framework_create"), data)
    framework = Framework.objects.unscoped().get(office=world.office)
    assert response.url == reverse("evaluations:framework_edit", args=[framework.pk])
    client.post(reverse("evaluations:framework_create"), data)  # a second click
    assert Framework.objects.unscoped().filter(office=world.office).count() == 1
    response = client.post(
        response.url,
        {"expected_version": framework.version, "title": "乡镇目标考核", "kind": "township"},
    )
    assert response.status_code == 302 and fresh(framework).title == "乡镇目标考核"


def test_the_editor_adds_edits_moves_and_deletes_with_htmx(world, client, draft):
    client.force_login(world.admin)
    edit = reverse("evaluations:framework_edit", args=[draft.pk])
    assert "B2" in client.get(edit).content.decode()
    add = reverse("evaluations:framework_indicator_add", args=[draft.pk])
    a2 = draft.indicators.get(code="A2")
    form = client.get(add, {"parent": a2.pk}, **HTMX)
    assert form.templates[0].name == "evaluations/frameworks/_indicator_form.html"
    assert form.context["form"]["parent"].value() == str(a2.pk)
    response = client.post(
        f"{add}?parent={a2.pk}",
        {
            "parent": a2.pk,
            "code": "B4",
            "title": "安全教育",
            "max_score": "5",
            "method": "levels",
            "levels": LEVELS,
        },
        **HTMX,
    )
    assert response["HX-Retarget"] == "#tree"
    assert "安全教育" in response.content.decode()
    assert any("A2" in p for p in response.context["problems"])  # 15 under a 10

    b4 = draft.indicators.get(code="B4")
    url = reverse("evaluations:framework_indicator_edit", args=[b4.pk])
    form = client.get(url, **HTMX)
    assert form.context["form"]["levels"].value() == LEVELS
    stamp = form.context["form"]["stamp"].value()
    invalid = client.post(
        url,
        {
            "stamp": stamp,
            "parent": a2.pk,
            "code": "B4",
            "title": "安全教育",
            "max_score": "5",
            "method": "levels",
            "levels": "A:3",
        },
        **HTMX,
    )
    assert invalid.status_code == 200 and invalid.context["form"].errors["levels"]
    assert "HX-Retarget" not in invalid
    cancel = client.get(url, {"cancel": 1}, **HTMX)
    assert cancel.templates[0].name == "evaluations/frameworks/_indicator.html"

    move = reverse("evaluations:framework_indicator_move", args=[b4.pk])
    response = client.post(move, {"direction": "up"}, **HTMX)
    assert response["HX-Retarget"] == "#tree"
    codes = list(draft.indicators.order_by("position").values_list("code", flat=True))
    assert codes[3:] == ["A2", "B3", "B4", "V1"]

    delete = reverse("evaluations:framework_indicator_delete", args=[b4.pk])
    response = client.post(delete, **HTMX)
    assert response["HX-Retarget"] == "#tree" and not draft.indicators.filter(code="B4").exists()
    assert response.context["problems"] == []


def test_the_editor_works_without_javascript(world, client, draft):
    client.force_login(world.admin)
    add = reverse("evaluations:framework_indicator_add", args=[draft.pk])
    assert client.get(add).templates[0].name == "evaluations/frameworks/indicator_form.html"
    response = client.post(
        add, {"code": "A3", "title": "特色发展", "max_score": "10", "method": "points"}
    )
    assert response.url == reverse("evaluations:framework_edit", args=[draft.pk])
    assert fresh(draft).total_max == 40
    a3 = draft.indicators.get(code="A3")
    response = client.post(
        reverse("evaluations:framework_indicator_move", args=[a3.pk]), {"direction": "up"}
    )
    assert response.status_code == 302
    assert draft.indicators.get(code="A3").position == 4  # before A2's subtree


def test_a_code_used_twice_shows_on_the_form(world, client, draft):
    client.force_login(world.admin)
    add = reverse("evaluations:framework_indicator_add", args=[draft.pk])
    response = client.post(
        add, {"code": "B1", "title": "重复", "max_score": "1", "method": "points"}, **HTMX
    )
    assert response.status_code == 200 and response.context["form"].errors["code"]


def test_only_the_office_admin_opens_the_editor(world, client, draft):
    for user in (world.inspector_user, world.school_user, world.viewer):
        client.force_login(user)
        assert client.get(reverse("evaluations:framework_edit", args=[draft.pk])).status_code == 403
    client.force_login(world.admin)
    services.publish(world.admin, draft)
    response = client.get(reverse("evaluations:framework_edit", args=[draft.pk]))
    assert response.url == reverse("evaluations:framework_detail", args=[draft.pk])
    b1 = draft.indicators.get(code="B1")
    assert (
        client.get(reverse("evaluations:framework_indicator_edit", args=[b1.pk])).status_code == 403
    )


def test_copy_edit_and_publish(world, client):
    source = builtin(shipped.TOWNSHIP_TARGETS)
    client.force_login(world.admin)
    response = client.post(
        reverse("evaluations:framework_copy", args=[source.pk]), {"title": "本县乡镇考核"}
    )
    copy = Framework.objects.unscoped().get(office=world.office, title="本县乡镇考核")
    assert response.url == reverse("evaluations:framework_edit", args=[copy.pk])
    assert client.get(response.url).status_code == 200
    response = client.post(
        reverse("evaluations:framework_publish", args=[copy.pk]), {"version": copy.version}
    )
    assert fresh(copy).status == Status.PUBLISHED
    body = client.get(response.url).content.decode()
    assert "本县乡镇考核" in body
    response = client.post(reverse("evaluations:framework_new_revision", args=[copy.pk]))
    revision = Framework.objects.unscoped().get(office=world.office, revision=2)
    assert response.url == reverse("evaluations:framework_edit", args=[revision.pk])
    response = client.post(
        reverse("evaluations:framework_retire", args=[copy.pk]), {"version": fresh(copy).version}
    )
    assert fresh(copy).status == Status.RETIRED


def test_a_stale_publish_is_refused(world, client, draft):
    client.force_login(world.admin)
    client.post(
        reverse("evaluations:framework_publish", args=[draft.pk]),
        {"version": draft.version - 1 if draft.version > 1 else 99},
    )
    assert fresh(draft).status == Status.DRAFT


def test_delete_a_draft_with_the_box_ticked(world, client, draft):
    client.force_login(world.admin)
    url = reverse("evaluations:framework_delete", args=[draft.pk])
    client.post(url)
    assert Framework.objects.unscoped().filter(pk=draft.pk).exists()
    response = client.post(url, {"confirm": "1"})
    assert response.url == reverse("evaluations:framework_list")
    assert not Framework.objects.unscoped().filter(pk=draft.pk).exists()


# ---- spreadsheets -------------------------------------------------------------------------------


def test_the_export_download(world, client):
    response = page(client, world.inspector_user, "evaluations:framework_export_xlsx", builtin().pk)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]


def test_the_import_through_the_screens(world, client, draft):
    client.force_login(world.admin)
    source = builtin(shipped.COUNTY_GOVERNMENT)
    upload = SimpleUploadedFile("督政.xlsx", importer.framework_xlsx(source))
    response = client.post(
        reverse("evaluations:framework_import_upload", args=[draft.pk]), {"file": upload}
    )
    preview = response.url
    body = client.get(preview).content.decode()
    assert "B1" in body
    job_pk = int(preview.rstrip("/").split("/")[-1])
    response = client.post(reverse("evaluations:framework_import_confirm", args=[job_pk]))
    assert response.url == reverse("evaluations:framework_edit", args=[draft.pk])
    assert draft.indicators.count() == source.indicators.count()


def test_import_errors_are_shown_with_their_rows(world, client, draft):
    from dudao.core.spreadsheets import build_workbook, workbook_bytes

    client.force_login(world.admin)
    data = workbook_bytes(
        build_workbook(
            importer.COLUMNS,
            [
                ["A1", "", "根", 10, "", "", "", "", ""],
                ["B1", "A1", "子", 4, "points", "", "", "", ""],
            ],
        )
    )
    response = client.post(
        reverse("evaluations:framework_import_upload", args=[draft.pk]),
        {"file": SimpleUploadedFile("x.xlsx", data)},
    )
    response = client.get(response.url)
    assert response.context["job"].errors[0]["row"] == 2
    assert "max_score" in response.content.decode()
    assert draft.indicators.count() == 6


def test_the_parent_choices_leave_out_the_indicator_s_own_subtree(world, client, draft):
    client.force_login(world.admin)
    a1 = draft.indicators.get(code="A1")
    form = client.get(reverse("evaluations:framework_indicator_edit", args=[a1.pk]), **HTMX)
    labels = [label for _value, label in form.context["form"].fields["parent"].choices]
    assert not any(label.strip().startswith(("A1", "B1", "B2")) for label in labels[1:])
    assert any(label.strip().startswith("B3") for label in labels)


def test_a_refused_htmx_move_sends_the_page_back_whole(world, client, draft):
    client.force_login(world.admin)
    b1 = draft.indicators.get(code="B1")
    services.publish(world.admin, draft)
    response = client.post(
        reverse("evaluations:framework_indicator_move", args=[b1.pk]), {"direction": "up"}, **HTMX
    )
    assert response["HX-Redirect"] == reverse("evaluations:framework_edit", args=[draft.pk])
