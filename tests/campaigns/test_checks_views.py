"""The phone screens of a campaign's checks (issue 12 §4): my checks, the form (save, autosave,
submit, errors beside their item), evidence, one-tap findings, read-only once submitted."""

from django.urls import reverse

from dudao.campaigns import checks
from dudao.campaigns.models import Answer, AnswerEvidence, Campaign, CampaignTarget
from dudao.rectification.models import Finding

from .conftest import build_campaign, png_upload, set_status

Status = CampaignTarget.Status


def _form_data(cw, **values):
    data = {"version": "", "notes": ""}
    for code, value in values.items():
        data[f"item_{cw.items[code.replace('_', '.')].pk}"] = value
    return data


def test_my_checks_groups_the_teams_targets_by_campaign(world, running_campaign, login):
    build_campaign(world, status=Campaign.Status.DRAFT, title="尚未开始的专项")
    client = login(world.inspector_user)
    page = client.get(reverse("campaigns:my_checks"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "湖滨小学" in html and "城东中学" in html
    assert "西湖小学" not in html  # team 2's school
    assert "尚未开始的专项" not in html  # not running


def test_form_shows_the_items_of_the_school_type(world, running_campaign, login):
    cw = running_campaign
    client = login(world.inspector_user)
    html = client.get(reverse("campaigns:check", args=[cw.targets["school"].pk])).content.decode()
    assert "门卫值守情况" in html and "查阅资料，询问学生" in html
    assert "初中是否设心理辅导室" not in html  # a junior school's item
    assert 'inputmode="decimal"' in html
    html = client.get(
        reverse("campaigns:check", args=[cw.targets["far_school"].pk])
    ).content.decode()
    assert "初中是否设心理辅导室" in html


def test_save_then_submit_through_the_form(world, running_campaign, login):
    cw = running_campaign
    target = cw.targets["school"]
    client = login(world.inspector_user)
    url = reverse("campaigns:check", args=[target.pk])
    response = client.post(url, _form_data(cw, **{"1_1": "yes", "1_3": "abc"}))
    assert response.status_code == 200  # re-rendered with the error beside 1.3
    assert "1.3:" in response.content.decode()
    assert not Answer.objects.exists()
    response = client.post(url, _form_data(cw, **{"1_1": "yes", "1_2": "好"}))
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.status == Status.IN_PROGRESS
    client.post(
        reverse("campaigns:check_evidence", args=[target.pk, cw.items["2.1"].pk]),
        {"file": png_upload()},
    )
    assert AnswerEvidence.objects.count() == 1
    data = _form_data(cw, **{"1_3": "40", "2_1": "无人值守", "2_2": "正常"})
    data["submit"] = "1"
    data["notes"] = "校园整洁"
    response = client.post(url, data)
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.status == Status.SUBMITTED
    assert target.notes == "校园整洁"
    # submitted: read only, a second submit changes nothing
    html = client.get(url).content.decode()
    assert 'name="submit"' not in html
    before = target.version
    assert client.post(url, data).status_code == 302  # a repeated submission: the same state
    target.refresh_from_db()
    assert (target.status, target.version) == (Status.SUBMITTED, before)


def test_autosave_answers_with_the_new_version(world, running_campaign, login):
    cw = running_campaign
    target = cw.targets["school"]
    client = login(world.inspector_user)
    url = reverse("campaigns:check_autosave", args=[target.pk])
    data = _form_data(cw, **{"1_1": "no"})
    data["version"] = str(target.version)
    response = client.post(url, data, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    target.refresh_from_db()
    assert f'value="{target.version}"' in html and "hx-swap-oob" in html
    assert Answer.objects.get(target=target).compliant is False
    stale = client.post(url, data, HTTP_HX_REQUEST="true").content.decode()  # old version
    assert "autosave-error" in stale


def test_raise_a_finding_in_one_tap(world, running_campaign, login):
    cw = running_campaign
    target = cw.targets["school"]
    checks.save_answers(
        world.inspector_user, target, {cw.items["1.1"].pk: {"value": "no", "note": "未公示"}}
    )
    client = login(world.inspector_user)
    html = client.get(reverse("campaigns:check", args=[target.pk])).content.decode()
    assert 'data-testid="raise-1.1"' in html
    url = reverse("campaigns:check_finding", args=[target.pk, cw.items["1.1"].pk])
    assert client.post(url).status_code == 302
    assert client.post(url).status_code == 302  # a second tap: the same finding
    finding = Finding.objects.unscoped().get()
    assert Answer.objects.get(target=target).finding == finding
    html = client.get(reverse("campaigns:check", args=[target.pk])).content.decode()
    assert 'data-testid="finding-1.1"' in html and 'data-testid="raise-1.1"' not in html


def test_closed_campaign_form_is_read_only(world, running_campaign, login):
    cw = running_campaign
    set_status(cw.campaign, Campaign.Status.CLOSED)
    client = login(world.inspector_user)
    url = reverse("campaigns:check", args=[cw.targets["school"].pk])
    assert 'name="submit"' not in client.get(url).content.decode()
    assert client.post(url, _form_data(cw, **{"1_1": "yes"})).status_code == 200
    assert not Answer.objects.exists()


def test_form_queries_do_not_grow_with_answers(
    world, running_campaign, login, django_assert_max_num_queries
):
    cw = running_campaign
    target = cw.targets["school"]
    checks.save_answers(
        world.inspector_user,
        target,
        {item.pk: {"value": "", "note": "n"} for item in checks.applicable_items(target)},
    )
    checks.add_evidence(world.inspector_user, target, cw.items["2.1"], png_upload())
    client = login(world.inspector_user)
    with django_assert_max_num_queries(16):
        assert client.get(reverse("campaigns:check", args=[target.pk])).status_code == 200


def test_autosave_offers_the_finding_button_at_once(world, running_campaign, login):
    cw = running_campaign
    target = cw.targets["school"]
    client = login(world.inspector_user)
    html = client.post(
        reverse("campaigns:check_autosave", args=[target.pk]),
        _form_data(cw, **{"1_1": "no", "1_2": "好"}),
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert 'data-testid="raise-1.1"' in html  # swapped into the item's slot (hx-swap-oob)
    assert 'data-testid="raise-1.2"' not in html
    # the form renders a finding form for every assessed item, for the button to post
    page = client.get(reverse("campaigns:check", args=[target.pk])).content.decode()
    assert f'id="finding-{cw.items["1.2"].pk}"' in page
    assert f'id="finding-{cw.items["2.2"].pk}"' not in page  # free text: never a finding


def test_delete_evidence_of_a_draft(
    world, running_campaign, login, django_capture_on_commit_callbacks
):
    cw = running_campaign
    target = cw.targets["school"]
    evidence = checks.add_evidence(world.inspector_user, target, cw.items["2.1"], png_upload())
    stored = evidence.file.name
    client = login(world.inspector_user)
    url = reverse("campaigns:check_evidence_delete", args=[evidence.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url).status_code == 302
    assert not AnswerEvidence.objects.exists()
    assert not evidence.file.storage.exists(stored)
    assert client.post(url).status_code == 404
