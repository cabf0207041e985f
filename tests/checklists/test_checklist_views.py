"""The checklist screens: the list (filters, newest revision per line, fixed queries), a
revision's page, the draft editor's htmx partials, copy → edit → publish, the import."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dudao.checklists import importer, services
from dudao.checklists.models import ChecklistItem, ChecklistTemplate
from tests.checklists.conftest import make_draft

HTMX = {"HTTP_HX_REQUEST": "true"}


def page(client, user, name, *args, **params):
    client.force_login(user)
    return client.get(reverse(name, args=args), params)


def test_the_list_shows_builtins_and_the_office_s_own(world, client, draft, builtin):
    body = page(client, world.inspector_user, "checklists:list").content.decode()
    assert builtin.title in body and draft.title in body
    other = page(client, world.other_admin, "checklists:list").content.decode()
    assert builtin.title in other and draft.title not in other


def test_the_list_filters_by_purpose(world, client, builtin):
    body = page(client, world.admin, "checklists:list", purpose="return").content.decode()
    assert "半月报" in body and builtin.title not in body


def test_the_list_shows_the_newest_revision_unless_asked(world, client, draft):
    services.publish(world.admin, draft)
    services.new_revision(world.admin, draft)
    response = page(client, world.admin, "checklists:list")
    own = [c for c in response.context["page"] if c.office_id]
    assert [(c.key, c.revision) for c in own] == [(draft.key, 2)]
    response = page(client, world.admin, "checklists:list", revisions="on")
    own = [c for c in response.context["page"] if c.office_id]
    assert sorted(c.revision for c in own) == [1, 2]


def test_the_list_runs_a_fixed_number_of_queries(
    world, client, builtin, django_assert_max_num_queries
):
    for number in range(8):
        checklist = make_draft(world.admin, title=f"检查表{number}")
        services.publish(world.admin, checklist)
    client.force_login(world.admin)
    url = reverse("checklists:list")
    with django_assert_max_num_queries(8):
        response = client.get(url)
    assert response.status_code == 200
    with django_assert_max_num_queries(8):
        client.get(url, HTTP_HX_REQUEST="true")


def test_the_detail_page_with_history(world, client, builtin):
    response = page(client, world.inspector_user, "checklists:detail", builtin.pk)
    body = response.content.decode()
    assert "三至六年级书面作业平均完成时间" in body and "≤ 60 分钟" in body
    assert response.context["revisions"].count() == 1
    assert "checklists/copy" not in body  # an inspector copies nothing


def test_the_detail_page_runs_a_fixed_number_of_queries(
    world, client, builtin, django_assert_max_num_queries
):
    client.force_login(world.admin)
    with django_assert_max_num_queries(12):
        client.get(reverse("checklists:detail", args=[builtin.pk]))


def test_copy_edit_and_publish(world, client, builtin):
    client.force_login(world.admin)
    response = client.post(reverse("checklists:copy", args=[builtin.pk]), {"title": "本区双减"})
    copy = ChecklistTemplate.objects.unscoped().get(office=world.office, title="本区双减")
    assert response.url == reverse("checklists:edit", args=[copy.pk])
    assert client.get(response.url).status_code == 200
    item = copy.items.get(code="2.2")
    # the phone's in-place edit: the form partial, then the row partial
    form = client.get(reverse("checklists:item_edit", args=[item.pk]), **HTMX)
    assert form.status_code == 200 and "<form" in form.content.decode()
    data = {
        "stamp": services.stamp(item),
        "code": "2.2",
        "question": item.question,
        "answer_type": "number",
        "unit": "分钟",
        "standard_max": "50",
        "school_types": ["primary"],
        "supervision_item": "4",
    }
    row = client.post(reverse("checklists:item_edit", args=[item.pk]), data, **HTMX)
    assert row.status_code == 200 and "≤ 50 分钟" in row.content.decode()
    assert ChecklistItem.objects.get(pk=item.pk).standard_max == 50
    # a bad value comes back on its field
    data["standard_min"] = "60"
    bad = client.post(reverse("checklists:item_edit", args=[item.pk]), data, **HTMX)
    assert bad.status_code == 200 and "errorlist" in bad.content.decode()
    client.post(reverse("checklists:publish", args=[copy.pk]), {"version": copy.version})
    assert ChecklistTemplate.objects.unscoped().get(pk=copy.pk).status == "published"


def test_add_and_delete_items_with_htmx(world, client, draft):
    client.force_login(world.admin)
    section = draft.sections.get(position=2)
    added = client.post(
        reverse("checklists:item_add", args=[section.pk]),
        {
            "question": "作业总量",
            "answer_type": "level",
            "choices": "好、一般、差",
            "compliant": "好",
        },
        **HTMX,
    )
    assert added.status_code == 200
    item = draft.items.get(question="作业总量")
    assert (item.code, item.choices, item.compliant) == ("2.2", ["好", "一般", "差"], ["好"])
    deleted = client.post(reverse("checklists:item_delete", args=[item.pk]), **HTMX)
    assert deleted.status_code == 200 and not draft.items.filter(pk=item.pk).exists()


def test_a_published_checklist_has_no_editor(world, client, draft):
    services.publish(world.admin, draft)
    response = page(client, world.admin, "checklists:edit", draft.pk)
    assert response.status_code == 302


def test_the_school_sees_no_checklists(world, client, builtin):
    assert page(client, world.school_user, "checklists:list").status_code == 403
    assert page(client, world.school_user, "checklists:detail", builtin.pk).status_code == 403


def test_export_and_import_through_the_screens(world, client, draft, builtin):
    client.force_login(world.admin)
    export = client.get(reverse("checklists:export_xlsx", args=[builtin.pk]))
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd")
    upload = SimpleUploadedFile("检查表.xlsx", export.content)
    response = client.post(reverse("checklists:import_upload", args=[draft.pk]), {"file": upload})
    job_url = response.url
    preview = client.get(job_url)
    assert preview.status_code == 200 and "36" in preview.content.decode()
    confirm = client.post(job_url + "confirm/")
    assert confirm.url == reverse("checklists:edit", args=[draft.pk])
    assert draft.items.count() == builtin.items.count()


def test_import_errors_on_the_preview(world, client, draft):
    from dudao.core.spreadsheets import build_workbook, workbook_bytes

    rows = [["一", "1.1", "问题", "问答", "", "", "", None, None, "", "", "", ""]]
    content = workbook_bytes(build_workbook(importer.COLUMNS, rows))
    client.force_login(world.admin)
    response = client.post(
        reverse("checklists:import_upload", args=[draft.pk]),
        {"file": SimpleUploadedFile("x.xlsx", content)},
    )
    body = client.get(response.url).content.decode()
    assert "答案类型" in body and "问答" in body


@pytest.mark.parametrize("name", ["checklists:edit", "checklists:import_upload"])
def test_a_builtin_is_not_edited_on_screen(world, client, builtin, name):
    assert page(client, world.admin, name, builtin.pk).status_code == 403


def test_no_item_form_for_a_builtin_or_a_published_revision(world, client, builtin, draft):
    services.publish(world.admin, draft)
    client.force_login(world.admin)
    for checklist in (builtin, draft):
        item, section = checklist.items.first(), checklist.sections.first()
        assert client.get(reverse("checklists:item_edit", args=[item.pk])).status_code == 403
        assert client.get(reverse("checklists:item_add", args=[section.pk])).status_code == 403
        assert client.get(reverse("checklists:section_edit", args=[section.pk])).status_code == 403
