"""Setting a campaign up (issue 12 §2–§3): the campaign, its schools by each rule, the draw
(双随机) reproducible from its recorded seed, teams by hand and at random with recusal (回避)
never broken, and refusals that write nothing."""

import datetime

import pytest
from django.utils import timezone

from dudao.accounts import scoping
from dudao.audit.models import AuditEntry
from dudao.campaigns import draw as drawing
from dudao.campaigns import queries, services
from dudao.campaigns.models import Answer, Campaign, CampaignEvent, CampaignTarget, TeamMember
from dudao.core.errors import DomainError, NotPermitted, StaleObject
from dudao.inspectors.models import Assignment, Conflict, RecusalGround
from tests.factories import AssignmentFactory, InspectorFactory, SchoolFactory
from tests.factories_supervision import FindingFactory

from .test_setup_helpers import new_campaign, published_checklist, ready_campaign

pytestmark = pytest.mark.django_db


def _rows():
    return (
        Campaign.all_objects.count(),
        CampaignTarget.all_objects.count(),
        TeamMember.objects.count(),
        AuditEntry.all_objects.count(),
    )


# --- the campaign ---------------------------------------------------------------------------


def test_create_campaign_records_a_draft_with_history_and_audit(world):
    campaign = new_campaign(world)
    assert campaign.status == Campaign.Status.DRAFT
    assert campaign.created_by == world.admin and campaign.office == world.office
    assert list(campaign.events.values_list("action", flat=True)) == ["created"]
    assert AuditEntry.all_objects.filter(
        target_type="campaigns.Campaign", target_id=str(campaign.pk), action="create"
    ).exists()


@pytest.mark.parametrize(
    "persona",
    ["other_admin", "zone_leader", "inspector_user", "school_user", "viewer", "superuser"],
)
def test_only_the_office_admin_creates_a_campaign(world, persona):
    checklist = published_checklist()
    before = _rows()
    with pytest.raises(NotPermitted):
        services.create_campaign(
            getattr(world, persona),
            world.office,
            title="x",
            starts_on=timezone.localdate(),
            ends_on=timezone.localdate(),
            checklist=checklist,
        )
    assert _rows() == before


def test_checklist_must_be_a_published_campaign_revision_the_office_may_use(world):
    for bad in (
        published_checklist(key="draft", status="draft"),
        published_checklist(world.other_office, key="theirs"),
        published_checklist(key="return", purpose="return"),
    ):
        with pytest.raises(DomainError) as error:
            new_campaign(world, checklist=bad)
        assert error.value.field == "checklist"
    assert new_campaign(world, checklist=published_checklist(world.office, key="own")).pk
    assert new_campaign(world, checklist=published_checklist(key="builtin")).pk


def test_dates_must_be_ordered(world):
    today = timezone.localdate()
    with pytest.raises(DomainError) as error:
        new_campaign(world, starts_on=today, ends_on=today - timezone.timedelta(days=1))
    assert error.value.field == "ends_on"
    assert not Campaign.all_objects.exists()


def test_edit_in_draft_only_and_with_the_version_seen(world):
    campaign = new_campaign(world)
    campaign = services.update_campaign(
        world.admin, campaign, expected_version=campaign.version, title="开学工作专项督导"
    )
    assert campaign.title == "开学工作专项督导" and campaign.version == 2
    with pytest.raises(StaleObject):
        services.update_campaign(world.admin, campaign, expected_version=1, title="旧")
    with pytest.raises(NotPermitted):
        services.update_campaign(world.other_admin, campaign, title="别人的")
    campaign, _team = ready_campaign(world)
    services.start_campaign(world.admin, campaign)
    with pytest.raises(DomainError):
        services.update_campaign(world.admin, campaign, title="运行中")


# --- targets by rule ------------------------------------------------------------------------


def _schools(campaign):
    return list(
        CampaignTarget.all_objects.filter(campaign=campaign)
        .order_by("position")
        .values_list("school__name", "position")
    )


def test_targets_by_school_types_take_the_office_active_schools_only(world):
    SchoolFactory(office=world.office, type="junior", name="停办中学", is_active=False)
    SchoolFactory(office=world.other_office, type="junior", name="外县中学")
    campaign = new_campaign(world)
    services.choose_targets(world.admin, campaign, "types", school_types=["junior"])
    assert _schools(campaign) == [("城东中学", 1)]
    campaign.refresh_from_db()
    assert campaign.target_rule == "types"
    assert campaign.target_params == {"school_types": ["junior"]}


def test_targets_by_zone(world):
    campaign = new_campaign(world)
    services.choose_targets(world.admin, campaign, "zone", zone=world.zone)
    assert {name for name, _p in _schools(campaign)} == {"湖滨小学", "西湖小学"}
    with pytest.raises(DomainError):
        foreign_zone = world.zone.__class__.all_objects.create(office=world.other_office, name="外")
        services.choose_targets(world.admin, campaign, "zone", zone=foreign_zone)


def test_targets_by_list_keep_order_and_refuse_other_counties(world):
    campaign = new_campaign(world)
    services.choose_targets(world.admin, campaign, "list", schools=[world.far_school, world.school])
    assert _schools(campaign) == [("城东中学", 1), ("湖滨小学", 2)]
    before = _rows()
    with pytest.raises(DomainError):
        services.choose_targets(
            world.admin, campaign, "list", schools=[world.school, world.foreign_school]
        )
    assert _rows() == before


def test_choosing_the_same_schools_again_writes_nothing(world):
    campaign = new_campaign(world)
    services.choose_targets(world.admin, campaign, "list", schools=[world.school])
    before = _rows(), CampaignEvent.objects.count()
    services.choose_targets(world.admin, campaign, "list", schools=[world.school])
    assert (_rows(), CampaignEvent.objects.count()) == before


def test_replacing_targets_keeps_a_staying_school_and_its_team(world):
    campaign, team = ready_campaign(world)
    services.choose_targets(world.admin, campaign, "list", schools=[world.school, world.far_school])
    rows = {t.school_id: t for t in CampaignTarget.all_objects.filter(campaign=campaign)}
    assert set(rows) == {world.school.pk, world.far_school.pk}
    assert rows[world.school.pk].team == team and rows[world.far_school.pk].team is None


def _closed_campaign_with_findings(world):
    earlier, _team = ready_campaign(world, title="上学期专项督导")
    services.start_campaign(world.admin, earlier)
    item = earlier.checklist.items.first()
    targets = {t.school_id: t for t in CampaignTarget.all_objects.filter(campaign=earlier)}
    open_finding = FindingFactory(school=world.school, office=world.office)
    closed_finding = FindingFactory(school=world.zone_school, office=world.office)
    type(closed_finding).all_objects.filter(pk=closed_finding.pk).update(
        status="closed", closed_at=timezone.now()
    )
    Answer.objects.create(
        target=targets[world.school.pk],
        item=item,
        value=False,
        compliant=False,
        finding=open_finding,
    )
    Answer.objects.create(
        target=targets[world.zone_school.pk],
        item=item,
        value=False,
        compliant=False,
        finding=closed_finding,
    )
    return earlier


def test_recheck_takes_schools_with_open_findings_of_an_earlier_closed_campaign(world):
    earlier = _closed_campaign_with_findings(world)
    campaign = new_campaign(world, title="回头看")
    with pytest.raises(DomainError) as error:  # still running: not an earlier closed one
        services.choose_targets(world.admin, campaign, "recheck", earlier_campaign=earlier)
    assert error.value.field == "earlier_campaign"
    services.close_campaign(world.admin, earlier)
    services.choose_targets(world.admin, campaign, "recheck", earlier_campaign=earlier)
    assert _schools(campaign) == [("湖滨小学", 1)]
    campaign.refresh_from_db()
    assert campaign.target_params == {"campaign": earlier.pk}


def test_targets_change_in_draft_only(world):
    campaign, _team = ready_campaign(world)
    services.start_campaign(world.admin, campaign)
    with pytest.raises(DomainError):
        services.choose_targets(world.admin, campaign, "list", schools=[world.far_school])


@pytest.mark.parametrize(
    "persona",
    ["other_admin", "zone_leader", "inspector_user", "school_user", "viewer", "superuser"],
)
def test_target_and_team_writes_refuse_everyone_but_the_office_admin(world, persona):
    campaign, team = ready_campaign(world)
    actor = getattr(world, persona)
    target = CampaignTarget.all_objects.filter(campaign=campaign).first()
    before = _rows(), CampaignEvent.objects.count()
    for write in (
        lambda: services.choose_targets(actor, campaign, "list", schools=[world.far_school]),
        lambda: services.draw_targets(actor, campaign, seed="1", count=1),
        lambda: services.draw_teams(actor, campaign, seed="1", team_size=1),
        lambda: services.create_team(actor, campaign, name="第九组"),
        lambda: services.rename_team(actor, team, name="改名"),
        lambda: services.delete_team(actor, team),
        lambda: services.add_member(actor, team, world.other_inspector),
        lambda: services.remove_member(actor, team, world.inspector),
        lambda: services.assign_team(actor, target, None),
    ):
        with pytest.raises(NotPermitted):
            write()
    assert (_rows(), CampaignEvent.objects.count()) == before


# --- the draw (双随机) ------------------------------------------------------------------------


def _many_schools(world, n=8):
    return [SchoolFactory(office=world.office, name=f"抽样小学{i}") for i in range(n)]


def test_random_targets_are_reproducible_from_the_recorded_seed(world):
    _many_schools(world)
    campaign = new_campaign(world)
    result = services.draw_targets(world.admin, campaign, seed="临教督〔2026〕5号", count=4)
    campaign.refresh_from_db()
    assert campaign.target_rule == "random"
    assert campaign.draw_seed == "临教督〔2026〕5号"
    assert campaign.drawn_by == world.admin and campaign.drawn_at is not None
    assert "dudao-draw-1" in campaign.draw_method
    codes = list(
        CampaignTarget.all_objects.filter(campaign=campaign)
        .order_by("position")
        .values_list("school__code", flat=True)
    )
    assert codes == [t.school for t in result.targets] and len(codes) == 4
    # anyone with the seed and the list draws the same schools, in the same order
    pool = list(
        world.school.__class__.all_objects.filter(office=world.office, is_active=True).values_list(
            "pk", flat=True
        )
    )
    schools, inspectors, conflicts, _codes = services.draw_rows(campaign, pool)
    again = drawing.draw(schools, inspectors, conflicts, seed=campaign.draw_seed, count=4)
    assert [t.school for t in again.targets] == codes
    event = CampaignEvent.objects.get(campaign=campaign, action="drawn")
    assert [t["school"] for t in event.data["targets"]] == codes


def test_a_draw_without_a_seed_generates_and_records_one(world):
    _many_schools(world, 4)
    campaign = new_campaign(world)
    result = services.draw_targets(world.admin, campaign, percent=50)
    campaign.refresh_from_db()
    assert campaign.draw_seed == result.seed and len(campaign.draw_seed) == 12
    assert campaign.draw_seed.isdigit()
    assert campaign.target_params["percent"] == "50"


def test_the_same_draw_again_writes_nothing(world):
    _many_schools(world, 4)
    campaign = new_campaign(world)
    services.draw_targets(world.admin, campaign, seed="42", count=3, team_size=1)
    before = _rows(), CampaignEvent.objects.count()
    services.draw_targets(world.admin, campaign, seed="42", count=3, team_size=1)
    assert (_rows(), CampaignEvent.objects.count()) == before


def test_an_impossible_draw_is_refused_and_writes_nothing(world):
    campaign = new_campaign(world)
    before = _rows()
    with pytest.raises(DomainError):
        services.draw_targets(world.admin, campaign, seed="1", count=500)
    with pytest.raises(DomainError):
        services.draw_targets(world.admin, campaign, seed="1")  # neither count nor percent
    assert _rows() == before


def _record_conflict(world, inspector, school):
    ground = RecusalGround.objects.create(office=world.office, name="近亲属担任该单位领导")
    return Conflict.all_objects.create(inspector=inspector, school=school, ground=ground)


def _barred_on_teams(campaign):
    pairs = TeamMember.objects.filter(
        team__campaign=campaign, team__targets__isnull=False
    ).values_list("inspector_id", "team__targets__school_id")
    return queries.barred_pairs(pairs)


def test_random_teams_never_break_recusal_nor_send_the_own_inspector(world):
    schools = _many_schools(world, 6)
    extra = [InspectorFactory(office=world.office, name=f"督学{i}") for i in range(4)]
    _record_conflict(world, world.other_inspector, world.school)
    employed = InspectorFactory(office=world.office, name="本校督学", employer_school=schools[0])
    for school, inspector in zip(schools, extra, strict=False):
        AssignmentFactory(school=school, inspector=inspector)
    for seed in ("1", "2", "3", "4", "5"):
        campaign = new_campaign(world, title=f"抽查{seed}")
        services.draw_targets(
            world.admin, campaign, seed=seed, percent=100, team_size=2, exclude_own=True
        )
        assert not _barred_on_teams(campaign)
        targets = CampaignTarget.all_objects.filter(campaign=campaign).select_related("team")
        responsible = queries.responsible_inspectors([t.school_id for t in targets])
        for target in targets:
            members = set(target.team.members.values_list("inspector_id", flat=True))
            assert len(members) == 2
            assert not set(responsible.get(target.school_id, [])) & members
            if target.school_id == schools[0].pk:
                assert employed.pk not in members
        # one team per distinct set of inspectors, named 第一组, 第二组, …
        names = list(campaign.teams.order_by("position").values_list("name", flat=True))
        assert names[0] == "第一组"


def test_random_teams_for_chosen_schools(world):
    InspectorFactory(office=world.office, name="钱督学")
    campaign = new_campaign(world)
    services.choose_targets(world.admin, campaign, "zone", zone=world.zone)
    result = services.draw_teams(world.admin, campaign, seed="7", team_size=1, exclude_own=True)
    campaign.refresh_from_db()
    assert campaign.target_rule == "zone" and campaign.draw_seed == "7"
    assert len(result.targets) == 2
    listed = CampaignTarget.all_objects.filter(campaign=campaign).order_by("position")
    assert [t.school.code for t in listed] == [t.school for t in result.targets]
    assert not CampaignTarget.all_objects.filter(campaign=campaign, team__isnull=True).exists()
    assert not _barred_on_teams(campaign)


def test_hand_made_teams_refuse_recusal(world):
    campaign, team = ready_campaign(world)
    _record_conflict(world, world.other_inspector, world.zone_school)
    employed = InspectorFactory(office=world.office, name="湖滨老师", employer_school=world.school)
    before = _rows()
    with pytest.raises(DomainError):
        services.add_member(world.admin, team, world.other_inspector)
    with pytest.raises(DomainError):
        services.add_member(world.admin, team, employed)
    with pytest.raises(DomainError):
        services.add_member(world.admin, team, world.foreign_inspector)
    assert _rows() == before
    # a school is not given to a team with a barred member either
    other = services.create_team(world.admin, campaign, name="第二组")
    services.add_member(world.admin, other, employed)
    target = CampaignTarget.all_objects.get(campaign=campaign, school=world.school)
    with pytest.raises(DomainError):
        services.assign_team(world.admin, target, other)
    assert CampaignTarget.all_objects.get(pk=target.pk).team == team


def test_recusal_covers_a_teaching_point_through_its_host(world):
    point = SchoolFactory(
        office=world.office, name="湖滨小学教学点", type="teaching_point", host_school=world.school
    )
    employed = InspectorFactory(office=world.office, name="湖滨老师", employer_school=world.school)
    assert services.recusal_refusal(employed, point)
    _record_conflict(world, world.other_inspector, world.school)
    assert services.recusal_refusal(world.other_inspector, point)
    assert services.recusal_refusal(world.inspector, point) is None


def test_team_membership_is_idempotent_and_one_leader(world):
    _campaign, team = ready_campaign(world)
    before = _rows()
    services.add_member(world.admin, team, world.inspector, is_leader=True)
    assert _rows() == before
    services.add_member(world.admin, team, world.leader, is_leader=True)
    leaders = team.members.filter(is_leader=True).values_list("inspector_id", flat=True)
    assert list(leaders) == [world.leader.pk]
    services.remove_member(world.admin, team, world.leader)
    before = _rows()
    services.remove_member(world.admin, team, world.leader)
    assert _rows() == before


def test_team_names_and_deletion(world):
    campaign, team = ready_campaign(world)
    assert team.name == "第一组"
    assert services.create_team(world.admin, campaign).name == "第二组"
    with pytest.raises(DomainError):
        services.rename_team(world.admin, team, name="第二组")
    services.delete_team(world.admin, team)
    assert not CampaignTarget.all_objects.filter(campaign=campaign, team__isnull=False).exists()
    assert services.team_name(10) == "第十组" and services.team_name(21) == "第二十一组"


# --- what schools see -----------------------------------------------------------------------


def test_unannounced_campaign_hidden_from_the_school_until_visited(world):
    campaign, _team = ready_campaign(world, unannounced=True)
    mine = scoping.campaign_targets_for(world.school_user)
    assert not mine.exists()
    services.start_campaign(world.admin, campaign)
    assert not mine.exists() and not scoping.campaigns_for(world.school_user).exists()
    CampaignTarget.all_objects.filter(campaign=campaign, school=world.school).update(
        visited_at=timezone.now()
    )
    assert list(mine.values_list("campaign_id", flat=True)) == [campaign.pk]


def test_announced_campaign_shown_to_the_school_once_running(world):
    campaign, _team = ready_campaign(world)
    assert not scoping.campaigns_for(world.school_user).exists()
    services.start_campaign(world.admin, campaign)
    assert list(scoping.campaigns_for(world.school_user)) == [campaign]


def test_the_own_inspector_is_the_one_in_charge_when_the_campaign_starts(world):
    """A draw made before the campaign starts sends nobody to a school they will be
    responsible for by then (a reassignment on the first day: the new inspector)."""
    today = timezone.localdate()
    starts = today + datetime.timedelta(days=10)
    Assignment.objects.unscoped().filter(pk=world.assignment.pk).update(
        end_date=starts - datetime.timedelta(days=1)
    )
    AssignmentFactory(school=world.school, inspector=world.other_inspector, start_date=starts)
    for seed in ("1", "2", "3", "4", "5", "6"):
        campaign = new_campaign(
            world, title=f"开学{seed}", starts_on=starts, ends_on=starts + datetime.timedelta(5)
        )
        services.choose_targets(world.admin, campaign, "list", schools=[world.school])
        services.draw_teams(world.admin, campaign, seed=seed, team_size=1, exclude_own=True)
        target = CampaignTarget.all_objects.get(campaign=campaign)
        members = set(target.team.members.values_list("inspector_id", flat=True))
        assert world.other_inspector.pk not in members
