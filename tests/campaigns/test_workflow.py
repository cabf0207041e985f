"""The campaign's workflow (draft → running → closed → published, cancel) with its history
rows, who may take it, and the pages: the list (query count), the detail page per role and
the public page of the results (一公开)."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from dudao.audit.models import AuditEntry
from dudao.campaigns import services
from dudao.campaigns import workflow as campaign_workflow
from dudao.campaigns.models import Answer, Campaign, CampaignEvent, CampaignTarget
from dudao.core.errors import DomainError, IllegalTransition, NotPermitted, StaleObject
from dudao.inspectors.models import Conflict, RecusalGround

from .test_setup_helpers import new_campaign, published_checklist, ready_campaign

pytestmark = pytest.mark.django_db

S = Campaign.Status
A = campaign_workflow.Action


def test_the_transition_table():
    assert campaign_workflow.TRANSITIONS == {
        (S.DRAFT, A.START): S.RUNNING,
        (S.RUNNING, A.CLOSE): S.CLOSED,
        (S.CLOSED, A.PUBLISH): S.PUBLISHED,
        (S.DRAFT, A.CANCEL): S.CANCELLED,
        (S.RUNNING, A.CANCEL): S.CANCELLED,
    }


def _history(campaign):
    return list(
        CampaignEvent.objects.filter(campaign=campaign)
        .order_by("pk")
        .values_list("action", "from_status", "to_status")
    )


def test_a_campaign_runs_its_course_with_history_and_audit(world):
    campaign, _team = ready_campaign(world)
    campaign = services.start_campaign(world.admin, campaign, expected_version=campaign.version)
    assert campaign.status == S.RUNNING
    campaign = services.close_campaign(world.admin, campaign)
    assert campaign.status == S.CLOSED and campaign.closed_at is not None
    campaign = services.publish_campaign(world.admin, campaign)
    assert campaign.status == S.PUBLISHED and campaign.published_at is not None
    steps = [h for h in _history(campaign) if h[0] in A.values]
    assert steps == [
        ("start", "draft", "running"),
        ("close", "running", "closed"),
        ("publish", "closed", "published"),
    ]
    assert _history(campaign)[0] == ("created", "draft", "draft")
    assert (
        AuditEntry.all_objects.filter(
            target_type="campaigns.Campaign", target_id=str(campaign.pk), action="update"
        ).count()
        >= 3
    )


@pytest.fixture
def english():
    with translation.override("en"):
        yield


def test_start_needs_schools_teams_and_members(world, english):
    campaign = new_campaign(world)
    with pytest.raises(DomainError, match="Choose the schools"):
        services.start_campaign(world.admin, campaign)
    services.choose_targets(world.admin, campaign, "list", schools=[world.school])
    with pytest.raises(DomainError, match="no team"):
        services.start_campaign(world.admin, campaign)
    team = services.create_team(world.admin, campaign)
    services.assign_team(world.admin, campaign.targets.get(), team)
    with pytest.raises(DomainError, match="no inspector"):
        services.start_campaign(world.admin, campaign)
    services.add_member(world.admin, team, world.inspector)
    assert services.start_campaign(world.admin, campaign).status == S.RUNNING


def test_start_checks_recusal_recorded_after_the_team_was_formed(world, english):
    campaign, _team = ready_campaign(world)
    ground = RecusalGround.objects.create(office=world.office, name="其他利害关系")
    Conflict.all_objects.create(inspector=world.inspector, school=world.zone_school, ground=ground)
    with pytest.raises(DomainError, match="conflict"):
        services.start_campaign(world.admin, campaign)
    campaign.refresh_from_db()
    assert campaign.status == S.DRAFT


def test_start_needs_a_published_checklist(world, english):
    campaign, _team = ready_campaign(world)
    type(campaign.checklist).all_objects.filter(pk=campaign.checklist_id).update(status="retired")
    with pytest.raises(DomainError, match="checklist"):
        services.start_campaign(world.admin, campaign)


def test_cancel_needs_a_reason_and_only_from_draft_or_running(world):
    campaign, _team = ready_campaign(world)
    with pytest.raises(DomainError):
        services.cancel_campaign(world.admin, campaign, note="")
    campaign = services.cancel_campaign(world.admin, campaign, note="上级通知暂停")
    assert campaign.status == S.CANCELLED
    assert CampaignEvent.objects.filter(campaign=campaign, action="cancel").get().note == (
        "上级通知暂停"
    )
    closed, _team = ready_campaign(world, title="已结束")
    services.start_campaign(world.admin, closed)
    services.close_campaign(world.admin, closed)
    with pytest.raises(IllegalTransition):
        services.cancel_campaign(world.admin, closed, note="太晚")


def test_illegal_and_stale_transitions(world):
    campaign, _team = ready_campaign(world)
    with pytest.raises(IllegalTransition):
        services.publish_campaign(world.admin, campaign)
    with pytest.raises(StaleObject):
        services.start_campaign(world.admin, campaign, expected_version=campaign.version - 1)
    with pytest.raises(DomainError):
        services.take_action(world.admin, campaign, "explode")


@pytest.mark.parametrize(
    "persona",
    ["other_admin", "zone_leader", "inspector_user", "school_user", "viewer", "superuser"],
)
def test_only_the_office_admin_takes_actions_and_refusals_write_nothing(world, persona):
    campaign, _team = ready_campaign(world)
    actor = getattr(world, persona)
    before = (
        CampaignEvent.objects.count(),
        AuditEntry.all_objects.count(),
        Campaign.all_objects.get(pk=campaign.pk).version,
    )
    for action in A.values:
        with pytest.raises((NotPermitted, IllegalTransition)):
            services.take_action(actor, campaign, action, note="x")
    with pytest.raises(NotPermitted):
        services.start_campaign(actor, campaign)
    after = (
        CampaignEvent.objects.count(),
        AuditEntry.all_objects.count(),
        Campaign.all_objects.get(pk=campaign.pk).version,
    )
    assert after == before
    assert campaign_workflow.allowed_actions(campaign, actor) == []


def test_allowed_actions_for_the_office_admin(world):
    campaign, _team = ready_campaign(world)
    assert set(campaign_workflow.allowed_actions(campaign, world.admin)) == {"start", "cancel"}


# --- pages ----------------------------------------------------------------------------------


def _published(world):
    campaign = new_campaign(world)
    services.choose_targets(
        world.admin, campaign, "list", schools=[world.school, world.zone_school, world.far_school]
    )
    services.draw_teams(world.admin, campaign, seed="20261123", team_size=1, exclude_own=True)
    services.start_campaign(world.admin, campaign)
    items = list(campaign.checklist.items.order_by("position"))
    target = CampaignTarget.all_objects.get(campaign=campaign, school=world.school)
    Answer.objects.create(target=target, item=items[0], value=False, compliant=False)
    Answer.objects.create(target=target, item=items[1], value=True, compliant=True)
    CampaignTarget.all_objects.filter(pk=target.pk).update(
        status="submitted", visited_at=timezone.now(), submitted_at=timezone.now()
    )
    services.close_campaign(world.admin, campaign)
    return campaign


def test_public_page_is_not_found_until_published(world, client):
    campaign = _published(world)
    url = reverse("campaigns_public:detail", args=[campaign.pk])
    assert client.get(url).status_code == 404  # closed, not yet published
    services.publish_campaign(world.admin, campaign)
    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    for text in (campaign.title, "临教督〔2026〕5号", "20261123", "dudao-draw-1", "湖滨小学"):
        assert text in body
    assert "城东中学" in body and "西湖小学" in body
    assert "1 / 3" in body  # one school checked of three
    rows = [r for r in response.context["rows"] if r["target"].school_id == world.school.pk]
    assert rows[0]["non_compliant"] == 1 and rows[0]["checked"]
    assert world.inspector.phone not in body


def test_public_page_of_a_draft_or_cancelled_campaign_is_not_found(world, client):
    campaign, _team = ready_campaign(world)
    assert client.get(reverse("campaigns_public:detail", args=[campaign.pk])).status_code == 404
    services.cancel_campaign(world.admin, campaign, note="取消")
    assert client.get(reverse("campaigns_public:detail", args=[campaign.pk])).status_code == 404


def test_inspector_sees_only_the_team_targets(world, client):
    campaign, team = ready_campaign(world)
    services.choose_targets(
        world.admin, campaign, "list", schools=[world.school, world.zone_school, world.far_school]
    )
    other = services.create_team(world.admin, campaign, name="第二组")
    services.add_member(world.admin, other, world.other_inspector)
    services.assign_team(
        world.admin,
        CampaignTarget.all_objects.get(campaign=campaign, school=world.far_school),
        other,
    )
    client.force_login(world.inspector_user)
    # In preparation the campaign is the office's alone.
    assert client.get(reverse("campaigns:detail", args=[campaign.pk])).status_code == 404
    services.start_campaign(world.admin, campaign)
    response = client.get(reverse("campaigns:detail", args=[campaign.pk]))
    assert response.status_code == 200
    shown = {t.school_id for t in response.context["targets"]}
    assert shown == {world.school.pk, world.zone_school.pk}
    assert [row["team"] for row in response.context["teams"]] == [team]
    assert "城东中学" not in response.content.decode()
    assert b"campaigns/teams" not in response.content  # no team forms for an inspector
    listed = client.get(reverse("campaigns:list"))
    assert [c.pk for c in listed.context["page"]] == [campaign.pk]
    assert listed.context["page"][0].target_count == 2


def test_admin_detail_page_offers_the_set_up(world, client):
    campaign, _team = ready_campaign(world)
    client.force_login(world.admin)
    response = client.get(reverse("campaigns:detail", args=[campaign.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="draw-form"' in body and 'data-testid="action-start"' in body
    assert reverse("campaigns:team_create", args=[campaign.pk]) in body


def test_create_and_edit_through_the_forms(world, client):
    checklist = published_checklist()
    client.force_login(world.admin)
    today = timezone.localdate()
    response = client.post(
        reverse("campaigns:create"),
        {
            "title": "开学工作专项督导",
            "starts_on": today.isoformat(),
            "ends_on": (today + timezone.timedelta(days=7)).isoformat(),
            "checklist": checklist.pk,
            "unannounced": "on",
        },
    )
    campaign = Campaign.all_objects.get()
    assert response.status_code == 302 and campaign.unannounced
    response = client.post(
        reverse("campaigns:edit", args=[campaign.pk]),
        {
            "title": "开学工作专项督导（改）",
            "starts_on": today.isoformat(),
            "ends_on": today.isoformat(),
            "checklist": checklist.pk,
            "version": campaign.version,
        },
    )
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.title.endswith("（改）") and not campaign.unannounced


def test_the_draw_through_the_page(world, client):
    campaign = new_campaign(world)
    client.force_login(world.admin)
    response = client.post(
        reverse("campaigns:draw", args=[campaign.pk]),
        {"what": "schools", "seed": "abc", "count": "2", "team_size": "1"},
    )
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.draw_seed == "abc" and campaign.targets.count() == 2


def test_campaign_list_query_count_is_constant(world, client, django_assert_max_num_queries):
    client.force_login(world.admin)
    url = reverse("campaigns:list")
    ready_campaign(world)
    client.get(url)  # warm the session and caches
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    for n in range(6):
        ready_campaign(world, title=f"第{n}次")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url + "?status=draft")
    assert len(response.context["page"]) == 7


def test_starting_notifies_the_team_members(world, django_capture_on_commit_callbacks):
    from dudao.notifications.models import Notification

    campaign, _team = ready_campaign(world)
    with django_capture_on_commit_callbacks(execute=True):
        services.start_campaign(world.admin, campaign)
    sent = Notification.all_objects.filter(kind="campaign.started")
    assert [n.recipient for n in sent] == [world.inspector_user]
    assert sent.get().url == reverse("campaigns:detail", args=[campaign.pk])
    client = Client()
    client.force_login(world.inspector_user)
    assert client.get(sent.get().url).status_code == 200


def test_detail_page_query_count_is_constant(world, client, django_assert_max_num_queries):
    from tests.factories import InspectorFactory, SchoolFactory

    campaign, _team = ready_campaign(world)
    client.force_login(world.admin)
    url = reverse("campaigns:detail", args=[campaign.pk])
    client.get(url)
    with django_assert_max_num_queries(40) as few:
        client.get(url)
    schools = [SchoolFactory(office=world.office, name=f"加测小学{n}") for n in range(6)]
    services.choose_targets(
        world.admin, campaign, "list", schools=[world.school, world.zone_school, *schools]
    )
    for n, school in enumerate(schools):
        extra = services.create_team(world.admin, campaign)
        services.add_member(
            world.admin, extra, InspectorFactory(office=world.office, name=f"督{n}")
        )
        services.assign_team(
            world.admin, CampaignTarget.all_objects.get(campaign=campaign, school=school), extra
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert len(response.context["teams"]) == 7
