"""Writes to special supervision campaigns (专项督导): the campaign itself, its schools (督查对象,
chosen by a rule or drawn at random, 双随机), its teams (督查组) and their members, and the
workflow actions. Every write is the office admin's of the campaign's office, checked first
(`dudao/core/guards.py`), in one transaction with the campaign's row locked and an audit row.

Recusal (回避, docs/rules.md §3) holds for teams as for assignments: an inspector employed by a
school (or by its host school), or with a conflict recorded with either, is never on the team
of that school's target, whether the team was formed by hand or drawn
(`dudao.inspectors.queries.barred_pairs`)."""

import secrets

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from dudao.accounts.models import Role, User
from dudao.audit import services as audit
from dudao.checklists.models import ChecklistTemplate, Purpose
from dudao.core import guards, idempotency
from dudao.core.errors import DomainError, StaleObject
from dudao.inspectors.models import Inspector, Zone
from dudao.notifications.services import notify
from dudao.schools.models import School, SchoolType

from . import queries
from . import workflow as campaign_workflow
from .models import Campaign, CampaignTarget, CampaignTeam, TargetRule, TeamMember

Status = Campaign.Status
CAMPAIGN_FIELDS = [
    "title",
    "theme",
    "legal_basis",
    "starts_on",
    "ends_on",
    "checklist",
    "unannounced",
]
MAX_TEAM_SIZE = 10
SEED_MAX_LENGTH = 64


# --- checks -------------------------------------------------------------------------------


def check_checklist(office_id: int, checklist: ChecklistTemplate) -> None:
    """A campaign runs a published revision of a campaign checklist its office may use: a
    built-in one (no office) or its own."""
    if checklist is None:
        raise DomainError(_("Choose a checklist."), field="checklist")
    if checklist.office_id not in (None, office_id):
        raise DomainError(_("The checklist belongs to another office."), field="checklist")
    if checklist.status != ChecklistTemplate.Status.PUBLISHED:
        raise DomainError(_("Choose a published checklist."), field="checklist")
    if checklist.purpose != Purpose.CAMPAIGN:
        raise DomainError(_("This checklist is not for special supervision."), field="checklist")


def check_campaign(campaign: Campaign) -> None:
    """The campaign's own fields: a title and ordered dates."""
    if not (campaign.title or "").strip():
        raise DomainError(_("Enter a title."), field="title")
    if not campaign.starts_on or not campaign.ends_on:
        raise DomainError(_("Enter the dates of the campaign."), field="starts_on")
    if campaign.ends_on < campaign.starts_on:
        raise DomainError(_("The campaign cannot end before it starts."), field="ends_on")


def recusal_refusal(inspector: Inspector, school: School) -> str | None:
    """Why `inspector` may not check `school` in a campaign (回避), or None."""
    return queries.barred_pairs([(inspector.pk, school.pk)]).get((inspector.pk, school.pk))


def _lock(campaign, expected_version=None) -> Campaign:
    """The campaign's row, locked; StaleObject if it is not the version the user saw."""
    pk = campaign.pk if isinstance(campaign, Campaign) else campaign
    locked = (
        Campaign.objects.unscoped()
        .select_for_update(of=("self",))
        .select_related("checklist", "office")
        .get(pk=pk)
    )
    if expected_version is not None and locked.version != int(expected_version):
        raise StaleObject(_("Someone else changed this campaign; reload it and try again."))
    return locked


def _require_draft(campaign: Campaign, message=None) -> None:
    if campaign.status != Status.DRAFT:
        raise DomainError(message or _("Only a campaign in preparation can be changed."))


def _require_open(campaign: Campaign) -> None:
    """Teams change while the campaign is prepared or runs (an inspector falls ill)."""
    if campaign.status not in (Status.DRAFT, Status.RUNNING):
        raise DomainError(_("The teams of a finished campaign cannot be changed."))


# --- the campaign ---------------------------------------------------------------------------


@transaction.atomic
def create_campaign(
    actor,
    office,
    *,
    title: str,
    starts_on,
    ends_on,
    checklist: ChecklistTemplate,
    theme: str = "",
    legal_basis: str = "",
    unannounced: bool = False,
    request_key=None,
) -> Campaign:
    """A new campaign in preparation (draft), with a "created" history line. With the form's
    one-time `request_key`, a second submission returns the first campaign
    (dudao.core.idempotency)."""
    guards.require_office_admin(actor, office)
    guards.require_person(actor)
    office_id = office.pk if hasattr(office, "pk") else office

    def create():
        campaign = Campaign(
            office_id=office_id,
            title=(title or "").strip(),
            theme=(theme or "").strip(),
            legal_basis=(legal_basis or "").strip(),
            starts_on=starts_on,
            ends_on=ends_on,
            checklist=checklist,
            unannounced=bool(unannounced),
            created_by=actor,
        )
        check_campaign(campaign)
        check_checklist(office_id, checklist)
        campaign.save()
        audit.record_create(actor, campaign)
        campaign_workflow.record_event(campaign, campaign_workflow.CREATED, actor)
        return campaign

    return idempotency.once(
        actor,
        request_key,
        "campaigns.create_campaign",
        create,
        lambda pk: Campaign.objects.unscoped().get(pk=pk),
    )


@transaction.atomic
def update_campaign(actor, campaign, *, expected_version=None, **fields) -> Campaign:
    """Change a campaign in preparation: its title, theme, legal basis, dates, checklist and
    whether it is unannounced (四不两直). `fields` are among CAMPAIGN_FIELDS."""
    campaign = _lock(campaign, expected_version)
    guards.require_office_admin(actor, campaign.office_id)
    _require_draft(campaign)
    unknown = set(fields) - set(CAMPAIGN_FIELDS)
    if unknown:
        raise DomainError(_("Unknown fields: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    before = audit.snapshot(campaign)
    for name, value in fields.items():
        if isinstance(value, str):
            value = value.strip()
        setattr(campaign, name, value)
    check_campaign(campaign)
    if "checklist" in fields and campaign.checklist_id != before.get("checklist"):
        check_checklist(campaign.office_id, campaign.checklist)
    if audit.diff(before, audit.snapshot(campaign)):
        campaign.version += 1
        campaign.save()
        audit.record_update(actor, campaign, before)
    return campaign


def take_action(actor, campaign, action: str, *, expected_version=None, note: str = ""):
    """Start, close, publish (一公开) or cancel: the workflow's table and rules decide."""
    if action not in campaign_workflow.Action.values:
        raise DomainError(_("Unknown action."))
    with transaction.atomic():
        campaign = campaign_workflow.take(
            campaign, action, actor, expected_version=expected_version, note=note
        )
        if action == campaign_workflow.Action.START:
            transaction.on_commit(lambda: notify_started(campaign.pk))
    return campaign


def notify_started(campaign_id: int) -> None:
    """Tell the members of each team of a started campaign (their active accounts) which
    schools their team checks, with a link to the campaign's page (which they see: a team
    sees its own schools). Called after commit."""
    campaign = Campaign.objects.unscoped().filter(pk=campaign_id).first()
    if campaign is None or campaign.status != Status.RUNNING:
        return
    schools: dict[int, list[str]] = {}
    for team_id, name in (
        CampaignTarget.objects.unscoped()
        .filter(campaign=campaign, team__isnull=False)
        .order_by("position", "pk")
        .values_list("team_id", "school__name")
    ):
        schools.setdefault(team_id, []).append(name)
    users: dict[int, list] = {}
    for user in User.objects.filter(
        inspector__campaign_memberships__team__campaign=campaign,
        role__in=[Role.INSPECTOR, Role.ZONE_LEADER],
        is_active=True,
    ).annotate(team_id=F("inspector__campaign_memberships__team_id")):
        users.setdefault(user.team_id, []).append(user)
    dates = f"{campaign.starts_on:%Y-%m-%d} – {campaign.ends_on:%Y-%m-%d}"
    url = reverse("campaigns:detail", args=[campaign.pk])
    for team_id, names in schools.items():
        params = {"title": campaign.title, "school": "、".join(names), "description": dates}
        notify(users.get(team_id, []), "campaign.started", params, url=url)


def start_campaign(actor, campaign, *, expected_version=None) -> Campaign:
    return take_action(
        actor, campaign, campaign_workflow.Action.START, expected_version=expected_version
    )


def close_campaign(actor, campaign, *, expected_version=None) -> Campaign:
    return take_action(
        actor, campaign, campaign_workflow.Action.CLOSE, expected_version=expected_version
    )


def publish_campaign(actor, campaign, *, expected_version=None) -> Campaign:
    return take_action(
        actor, campaign, campaign_workflow.Action.PUBLISH, expected_version=expected_version
    )


def cancel_campaign(actor, campaign, *, note: str, expected_version=None) -> Campaign:
    return take_action(
        actor,
        campaign,
        campaign_workflow.Action.CANCEL,
        expected_version=expected_version,
        note=note,
    )


# --- targets --------------------------------------------------------------------------------


def _office_schools(office_id: int):
    """The schools a campaign of `office_id` may check: the office's active ones."""
    return School.objects.unscoped().filter(office_id=office_id, is_active=True)


def rule_schools(
    campaign: Campaign, rule: str, *, school_types=(), zone=None, schools=(), earlier_campaign=None
) -> tuple[list[int], dict]:
    """The school ids a non-random rule chooses, in order, and the parameters to record."""
    pool = _office_schools(campaign.office_id)
    if rule == TargetRule.SCHOOL_TYPES:
        types = [t for t in dict.fromkeys(school_types or []) if t]
        if not types or set(types) - set(SchoolType.values):
            raise DomainError(_("Choose at least one school type."), field="school_types")
        ids = pool.filter(type__in=types).order_by("type", "code").values_list("pk", flat=True)
        return list(ids), {"school_types": types}
    if rule == TargetRule.ZONE:
        zone_id = zone.pk if hasattr(zone, "pk") else zone
        if (
            not zone_id
            or not Zone.objects.unscoped().filter(pk=zone_id, office_id=campaign.office_id).exists()
        ):
            raise DomainError(_("Choose a zone of the office."), field="zone")
        ids = pool.filter(zone_id=zone_id).order_by("code").values_list("pk", flat=True)
        return list(ids), {"zone": zone_id}
    if rule == TargetRule.LIST:
        wanted = [s.pk if hasattr(s, "pk") else int(s) for s in schools or []]
        wanted = list(dict.fromkeys(wanted))
        if not wanted:
            raise DomainError(_("Choose at least one school."), field="schools")
        found = set(pool.filter(pk__in=wanted).values_list("pk", flat=True))
        if len(found) != len(wanted):
            raise DomainError(_("Choose active schools of the office only."), field="schools")
        return wanted, {}
    if rule == TargetRule.RECHECK:
        earlier_id = earlier_campaign.pk if hasattr(earlier_campaign, "pk") else earlier_campaign
        earlier = (
            Campaign.objects.unscoped()
            .filter(
                pk=earlier_id or 0,
                office_id=campaign.office_id,
                status__in=[Status.CLOSED, Status.PUBLISHED],
            )
            .exclude(pk=campaign.pk)
            .first()
        )
        if earlier is None:
            raise DomainError(
                _("Choose an earlier closed campaign of the office."), field="earlier_campaign"
            )
        ids = set(queries.open_finding_schools(earlier))
        ordered = pool.filter(pk__in=ids).order_by("code").values_list("pk", flat=True)
        return list(ordered), {"campaign": earlier.pk}
    raise DomainError(_("Choose how the schools are chosen."), field="rule")


def _replace_targets(campaign: Campaign, school_ids: list[int]) -> tuple[list[str], list[str]]:
    """Make the campaign's targets exactly `school_ids`, in that order (position 1, 2, …).
    A school that stays keeps its row and team. Returns the school codes before and after."""
    current = {
        t.school_id: t
        for t in CampaignTarget.objects.unscoped()
        .filter(campaign=campaign)
        .select_related("school")
    }
    before = [t.school.code for t in sorted(current.values(), key=lambda t: (t.position, t.pk))]
    gone = [t.pk for sid, t in current.items() if sid not in set(school_ids)]
    if gone:
        CampaignTarget.objects.unscoped().filter(pk__in=gone).delete()
    new_rows, changed = [], []
    for position, school_id in enumerate(school_ids, start=1):
        target = current.get(school_id)
        if target is None:
            new_rows.append(
                CampaignTarget(
                    campaign=campaign,
                    office_id=campaign.office_id,
                    school_id=school_id,
                    position=position,
                )
            )
        elif target.position != position:
            target.position = position
            changed.append(target)
    if changed:
        CampaignTarget.objects.unscoped().bulk_update(changed, ["position"])
    if new_rows:
        CampaignTarget.objects.unscoped().bulk_create(new_rows)
    codes = dict(School.objects.unscoped().filter(pk__in=school_ids).values_list("pk", "code"))
    return before, [codes[s] for s in school_ids]


@transaction.atomic
def choose_targets(
    actor,
    campaign,
    rule: str,
    *,
    school_types=(),
    zone=None,
    schools=(),
    earlier_campaign=None,
    expected_version=None,
) -> list[CampaignTarget]:
    """Replace a draft campaign's schools by a rule: all active schools of chosen types, a
    zone's, a hand-picked list, or 回头看 (the schools with findings still open that were
    raised from an earlier closed campaign's answers). For a random sample use
    `draw_targets`. Choosing the same schools again changes nothing."""
    campaign = _lock(campaign, expected_version)
    guards.require_office_admin(actor, campaign.office_id)
    _require_draft(campaign)
    if rule == TargetRule.RANDOM:
        raise DomainError(_("Draw a random sample with the draw."), field="rule")
    school_ids, params = rule_schools(
        campaign,
        rule,
        school_types=school_types,
        zone=zone,
        schools=schools,
        earlier_campaign=earlier_campaign,
    )
    if not school_ids:
        raise DomainError(_("The rule chooses no school."), field="rule")
    snapshot = audit.snapshot(campaign)
    before_codes, after_codes = _replace_targets(campaign, school_ids)
    campaign.target_rule, campaign.target_params = rule, params
    # A draw no longer describes the schools once another rule chose them.
    if campaign.drawn_at is not None:
        campaign.draw_seed, campaign.draw_method = "", ""
        campaign.drawn_at, campaign.drawn_by = None, None
    changes = audit.diff(snapshot, audit.snapshot(campaign))
    if before_codes != after_codes:
        changes["targets"] = [before_codes, after_codes]
    if changes:
        campaign.version += 1
        campaign.save()
        audit.record(actor, audit.Action.UPDATE, campaign, changes)
        campaign_workflow.record_event(
            campaign,
            campaign_workflow.TARGETS_CHOSEN,
            actor,
            data={"rule": rule, "params": params, "schools": after_codes},
        )
    return list(
        CampaignTarget.objects.unscoped().filter(campaign=campaign).order_by("position", "pk")
    )


# --- the draw (双随机) ------------------------------------------------------------------------


def new_seed() -> str:
    """A seed when the office gives none: 12 decimal digits, easy to read out and publish."""
    return str(10**11 + secrets.randbelow(9 * 10**11))


def _clean_seed(seed) -> str:
    seed = str(seed or "").strip()
    if len(seed) > SEED_MAX_LENGTH:
        raise DomainError(
            _("The seed is at most %(n)s characters.") % {"n": SEED_MAX_LENGTH}, field="seed"
        )
    return seed or new_seed()


def _check_team_size(team_size) -> int:
    team_size = int(team_size or 0)
    if team_size < 0 or team_size > MAX_TEAM_SIZE:
        raise DomainError(
            _("A team has between 1 and %(n)s inspectors.") % {"n": MAX_TEAM_SIZE},
            field="team_size",
        )
    return team_size


def draw_rows(campaign: Campaign, school_ids: list[int], *, exclude_own: bool = False):
    """The draw's input built from the database: the schools (with zone and responsible
    inspector), the office's active inspectors, and every (inspector, school) pair barred by
    recusal (回避). Returns (schools, inspectors, conflicts, codes) where `codes` maps a school
    code back to its id.

    Responsible inspectors are those on the campaign's first day (or today, once it has
    begun). A school's row names one (the smallest id, so the draw never depends on the
    database's order); with `exclude_own` its other responsible inspectors, if any, join
    the conflicts, so none of them is sent to it either."""
    from .draw import InspectorRow, SchoolRow

    schools = list(
        School.objects.unscoped().filter(pk__in=school_ids).select_related("zone").order_by("code")
    )
    on = max(timezone.localdate(), campaign.starts_on) if campaign.starts_on else None
    responsible = queries.responsible_inspectors(school_ids, on)
    inspectors = list(
        Inspector.objects.unscoped()
        .filter(office_id=campaign.office_id, is_active=True)
        .select_related("employer_school")
        .order_by("pk")
    )
    barred = queries.barred_pairs((i.pk, s.pk) for i in inspectors for s in schools)
    code_of = {s.pk: s.code for s in schools}
    school_rows = [
        SchoolRow(
            code=s.code,
            name=s.name,
            type=s.type,
            zone=s.zone.name if s.zone_id else "",
            responsible_inspector=str(responsible[s.pk][0]) if s.pk in responsible else "",
        )
        for s in schools
    ]
    inspector_rows = [
        InspectorRow(
            id=str(i.pk),
            name=i.name,
            employer_school_code=i.employer_school.code if i.employer_school_id else "",
        )
        for i in inspectors
    ]
    conflicts = {(str(i), code_of[s]) for i, s in barred}
    if exclude_own:
        active = {str(i.pk) for i in inspectors}
        for school_id, ids in responsible.items():
            conflicts |= {(str(i), code_of[school_id]) for i in ids[1:] if str(i) in active}
    return school_rows, inspector_rows, conflicts, {s.code: s.pk for s in schools}


def _run_draw(*args, **kwargs):
    from .draw import DrawError, draw

    try:
        return draw(*args, **kwargs)
    except DrawError as error:
        raise DomainError(str(error)) from error


def _teams_from_draw(campaign: Campaign, result, codes: dict[str, int]) -> dict[int, CampaignTeam]:
    """Replace the campaign's teams by one per distinct set of drawn inspectors (第一组, 第二组,
    … in draw order; the first drawn is the leader, 组长). Returns {school id: team}."""
    CampaignTeam.objects.filter(campaign=campaign).delete()
    teams: dict[tuple, CampaignTeam] = {}
    by_school: dict[int, CampaignTeam] = {}
    members = []
    for target in result.targets:
        key = tuple(sorted(str(i) for i in target.inspectors))
        if not key:
            continue
        team = teams.get(key)
        if team is None:
            team = CampaignTeam.objects.create(
                campaign=campaign, name=team_name(len(teams) + 1), position=len(teams) + 1
            )
            teams[key] = team
            members.extend(
                TeamMember(team=team, inspector_id=int(i), is_leader=n == 0)
                for n, i in enumerate(target.inspectors)
            )
        by_school[codes[str(target.school)]] = team
    TeamMember.objects.bulk_create(members)
    return by_school


def _check_no_barred(campaign: Campaign) -> None:
    """Never store a team that breaks recusal, whoever formed it (the draw is given the
    barred pairs; this is the last word)."""
    pairs = list(
        TeamMember.objects.filter(team__campaign=campaign, team__targets__isnull=False).values_list(
            "inspector_id", "team__targets__school_id"
        )
    )
    barred = queries.barred_pairs(pairs)
    if barred:
        raise DomainError(next(iter(barred.values())))


def _current_draw_state(campaign: Campaign) -> list[tuple[int, frozenset]]:
    members = queries.team_members(campaign)
    return [
        (t.school_id, frozenset(m.inspector_id for m in members.get(t.team_id, [])))
        for t in CampaignTarget.objects.unscoped()
        .filter(campaign=campaign)
        .order_by("position", "pk")
    ]


@transaction.atomic
def draw_targets(
    actor,
    campaign,
    *,
    seed="",
    count=None,
    percent=None,
    strata=None,
    team_size=0,
    exclude_own=False,
    expected_version=None,
):
    """双随机: draw a random sample of the office's active schools (`count` schools or
    `percent` of them, within `strata` "zone" or "type" if given) and, with `team_size` K > 0,
    K inspectors for each (never one who must recuse; with `exclude_own`, never the school's
    responsible inspector). Without a seed one is generated (`secrets`); the seed, the method
    and who drew when are recorded and published with the results, so anyone can draw again
    and get the same schools. The draw replaces the targets (in draw order) and, with
    K > 0, the teams. The same seed and parameters again change nothing. Returns the draw's
    result."""
    campaign = _lock(campaign, expected_version)
    guards.require_office_admin(actor, campaign.office_id)
    guards.require_person(actor)
    _require_draft(campaign)
    seed = _clean_seed(seed)
    team_size = _check_team_size(team_size)
    if (count in (None, "")) == (percent in (None, "")):
        raise DomainError(_("Give either a number of schools or a percentage."), field="count")
    if strata not in (None, "", "zone", "type"):
        raise DomainError(_("Unknown strata."), field="strata")
    pool = list(_office_schools(campaign.office_id).values_list("pk", flat=True))
    rows = draw_rows(campaign, pool, exclude_own=bool(exclude_own))
    result = _run_draw(
        rows[0],
        rows[1],
        rows[2],
        seed=seed,
        count=count if count not in (None, "") else None,
        percent=percent if percent not in (None, "") else None,
        strata=strata or None,
        team_size=team_size,
        exclude_own=bool(exclude_own),
    )
    codes = rows[3]
    params = {"count": result.count}
    if result.percent is not None:
        params = {"percent": str(result.percent), "count": result.count}
    if strata:
        params["strata"] = strata
    school_ids = [codes[str(t.school)] for t in result.targets]
    wanted = [
        (codes[str(t.school)], frozenset(int(i) for i in t.inspectors)) for t in result.targets
    ]
    same = (
        campaign.drawn_at is not None
        and campaign.draw_seed == seed
        and campaign.target_rule == TargetRule.RANDOM
        and campaign.target_params == params
        and campaign.team_size == team_size
        and campaign.exclude_own == bool(exclude_own)
        and (team_size == 0 or _current_draw_state(campaign) == wanted)
        and [s for s, _m in _current_draw_state(campaign)] == school_ids
    )
    if same:  # a retried request
        return result
    snapshot = audit.snapshot(campaign)
    before_codes, after_codes = _replace_targets(campaign, school_ids)
    if team_size:
        by_school = _teams_from_draw(campaign, result, codes)
        targets = list(CampaignTarget.objects.unscoped().filter(campaign=campaign))
        for target in targets:
            target.team = by_school.get(target.school_id)
        CampaignTarget.objects.unscoped().bulk_update(targets, ["team"])
        _check_no_barred(campaign)
    _record_draw(
        actor,
        campaign,
        result,
        seed,
        snapshot,
        before_codes,
        after_codes,
        target_rule=TargetRule.RANDOM,
        target_params=params,
        team_size=team_size,
        exclude_own=bool(exclude_own),
    )
    return result


@transaction.atomic
def draw_teams(actor, campaign, *, seed="", team_size, exclude_own=False, expected_version=None):
    """双随机 for the inspectors only: draw a team of `team_size` inspectors for each of the
    campaign's schools as they were chosen (never one who must recuse; with `exclude_own`,
    never the school's responsible inspector). Replaces the campaign's teams; the seed and
    method are recorded as for `draw_targets`."""
    campaign = _lock(campaign, expected_version)
    guards.require_office_admin(actor, campaign.office_id)
    guards.require_person(actor)
    _require_draft(campaign)
    seed = _clean_seed(seed)
    team_size = _check_team_size(team_size)
    if not team_size:
        raise DomainError(_("Say how many inspectors check each school."), field="team_size")
    targets = list(
        CampaignTarget.objects.unscoped().filter(campaign=campaign).order_by("position", "pk")
    )
    if not targets:
        raise DomainError(_("Choose the schools to check first."))
    rows = draw_rows(campaign, [t.school_id for t in targets], exclude_own=bool(exclude_own))
    result = _run_draw(
        rows[0],
        rows[1],
        rows[2],
        seed=seed,
        count=len(targets),
        team_size=team_size,
        exclude_own=bool(exclude_own),
    )
    codes = rows[3]
    wanted = {codes[str(t.school)]: frozenset(int(i) for i in t.inspectors) for t in result.targets}
    same = (
        campaign.drawn_at is not None
        and campaign.draw_seed == seed
        and campaign.team_size == team_size
        and campaign.exclude_own == bool(exclude_own)
        and dict(_current_draw_state(campaign)) == wanted
    )
    if same:
        return result
    snapshot = audit.snapshot(campaign)
    code_of = {pk: code for code, pk in codes.items()}
    before_codes = [code_of[t.school_id] for t in targets]
    by_school = _teams_from_draw(campaign, result, codes)
    # The schools are listed in the draw's order, as its published method says.
    order = {codes[str(t.school)]: n for n, t in enumerate(result.targets, start=1)}
    for target in targets:
        target.team = by_school.get(target.school_id)
        target.position = order[target.school_id]
    CampaignTarget.objects.unscoped().bulk_update(targets, ["team", "position"])
    _check_no_barred(campaign)
    _record_draw(
        actor,
        campaign,
        result,
        seed,
        snapshot,
        before_codes,
        [str(t.school) for t in result.targets],
        target_rule=campaign.target_rule,
        target_params=campaign.target_params,
        team_size=team_size,
        exclude_own=bool(exclude_own),
    )
    return result


def _record_draw(actor, campaign, result, seed, snapshot, before_codes, after_codes, **fields):
    for name, value in fields.items():
        setattr(campaign, name, value)
    campaign.draw_seed = seed
    # Published as the office wrote it (一公开), whatever language the admin's screen speaks.
    with translation.override(settings.LANGUAGE_CODE):
        campaign.draw_method = str(result.method)
    campaign.drawn_at = timezone.now()
    campaign.drawn_by = actor
    campaign.version += 1
    campaign.save()
    changes = audit.diff(snapshot, audit.snapshot(campaign))
    if before_codes != after_codes:
        changes["targets"] = [before_codes, after_codes]
    audit.record(actor, audit.Action.UPDATE, campaign, changes)
    data = result.to_dict()
    campaign_workflow.record_event(
        campaign,
        campaign_workflow.DRAWN,
        actor,
        note=campaign.draw_method,
        data=data,
    )


# --- teams ----------------------------------------------------------------------------------

CHINESE_DIGITS = "零一二三四五六七八九"


def team_name(n: int) -> str:
    """第一组, 第二组, … 第九十九组, then 第100组: team names are the office's data, written in
    the office's language as its documents are."""
    if 1 <= n <= 99:
        tens, units = divmod(n, 10)
        text = (CHINESE_DIGITS[tens] if tens > 1 else "") + ("十" if tens else "")
        text += CHINESE_DIGITS[units] if units else ""
        return f"第{text}组"
    return f"第{n}组"


def _check_team_name(campaign: Campaign, name: str, exclude_pk=None) -> str:
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Enter the team's name."), field="name")
    if len(name) > 100:
        raise DomainError(_("The name is at most 100 characters."), field="name")
    clash = CampaignTeam.objects.filter(campaign=campaign, name=name).exclude(pk=exclude_pk)
    if clash.exists():
        raise DomainError(_("The campaign has a team of that name already."), field="name")
    return name


def _lock_team(team) -> tuple[CampaignTeam, Campaign]:
    pk = team.pk if isinstance(team, CampaignTeam) else team
    campaign_id = CampaignTeam.objects.filter(pk=pk).values_list("campaign_id", flat=True).first()
    if campaign_id is None:
        raise DomainError(_("The team no longer exists."))
    campaign = _lock(campaign_id)
    return CampaignTeam.objects.select_for_update().get(pk=pk), campaign


def _team_audit(actor, action, team, campaign, changes):
    audit.record(actor, action, team, changes, office_id=campaign.office_id)


@transaction.atomic
def create_team(actor, campaign, *, name: str = "") -> CampaignTeam:
    """A new, empty team (督查组); without a name it is the next 第N组."""
    campaign = _lock(campaign)
    guards.require_office_admin(actor, campaign.office_id)
    _require_open(campaign)
    count = CampaignTeam.objects.filter(campaign=campaign).count()
    if not (name or "").strip():
        taken = set(CampaignTeam.objects.filter(campaign=campaign).values_list("name", flat=True))
        n = count + 1
        while team_name(n) in taken:
            n += 1
        name = team_name(n)
    name = _check_team_name(campaign, name)
    team = CampaignTeam.objects.create(campaign=campaign, name=name, position=count + 1)
    _team_audit(actor, audit.Action.CREATE, team, campaign, {"after": audit.snapshot(team)})
    return team


@transaction.atomic
def rename_team(actor, team, *, name: str) -> CampaignTeam:
    team, campaign = _lock_team(team)
    guards.require_office_admin(actor, campaign.office_id)
    _require_open(campaign)
    before = audit.snapshot(team)
    team.name = _check_team_name(campaign, name, exclude_pk=team.pk)
    if team.name != before["name"]:
        team.save(update_fields=["name"])
        _team_audit(
            actor, audit.Action.UPDATE, team, campaign, audit.diff(before, audit.snapshot(team))
        )
    return team


@transaction.atomic
def delete_team(actor, team) -> None:
    """Delete a team of a draft campaign; its schools are left without a team."""
    team, campaign = _lock_team(team)
    guards.require_office_admin(actor, campaign.office_id)
    _require_draft(campaign, _("Teams are deleted only while the campaign is prepared."))
    members = list(team.members.values_list("inspector__name", flat=True))
    schools = list(team.targets.values_list("school__code", flat=True))
    _team_audit(
        actor,
        audit.Action.DELETE,
        team,
        campaign,
        {"before": audit.snapshot(team) | {"members": members, "schools": schools}},
    )
    CampaignTarget.objects.unscoped().filter(team=team).update(team=None)
    team.delete()


@transaction.atomic
def add_member(actor, team, inspector: Inspector, *, is_leader: bool = False) -> TeamMember:
    """Put an active inspector of the campaign's office on a team (any kind: responsible,
    principal, parent or invited; not necessarily the schools' own). Refused if they must
    recuse from any of the team's schools. Adding a member again changes nothing but the
    leader mark. One leader (组长) per team."""
    team, campaign = _lock_team(team)
    guards.require_office_admin(actor, campaign.office_id)
    _require_open(campaign)
    inspector = Inspector.objects.unscoped().filter(pk=getattr(inspector, "pk", inspector)).first()
    if inspector is None or inspector.office_id != campaign.office_id:
        raise DomainError(_("Choose an inspector of the office."), field="inspector")
    if not inspector.is_active:
        raise DomainError(
            _("%(inspector)s is inactive.") % {"inspector": inspector.name}, field="inspector"
        )
    pairs = [(inspector.pk, s) for s in team.targets.values_list("school_id", flat=True)]
    barred = queries.barred_pairs(pairs)
    if barred:
        raise DomainError(next(iter(barred.values())), field="inspector")
    member = TeamMember.objects.filter(team=team, inspector=inspector).first()
    if member is not None and member.is_leader == bool(is_leader):
        return member
    if is_leader:
        team.members.filter(is_leader=True).exclude(inspector=inspector).update(is_leader=False)
    if member is None:
        member = TeamMember.objects.create(
            team=team, inspector=inspector, is_leader=bool(is_leader)
        )
        action = audit.Action.CREATE
    else:
        member.is_leader = bool(is_leader)
        member.save(update_fields=["is_leader"])
        action = audit.Action.UPDATE
    _team_audit(
        actor,
        action,
        team,
        campaign,
        {"member": inspector.name, "inspector": inspector.pk, "leader": bool(is_leader)},
    )
    return member


@transaction.atomic
def remove_member(actor, team, inspector: Inspector) -> None:
    """Take an inspector off a team; nothing happens if they are not on it."""
    team, campaign = _lock_team(team)
    guards.require_office_admin(actor, campaign.office_id)
    _require_open(campaign)
    inspector_id = getattr(inspector, "pk", inspector)
    member = (
        TeamMember.objects.filter(team=team, inspector_id=inspector_id)
        .select_related("inspector")
        .first()
    )
    if member is None:
        return
    _team_audit(
        actor,
        audit.Action.DELETE,
        team,
        campaign,
        {"member": member.inspector.name, "inspector": inspector_id, "removed": True},
    )
    member.delete()


@transaction.atomic
def assign_team(actor, target, team: CampaignTeam | None) -> CampaignTarget:
    """Give a school (target) to a team by hand, or take it from its team (`team` None).
    Refused if a member of the team must recuse from the school."""
    target_pk = getattr(target, "pk", target)
    campaign_id = (
        CampaignTarget.objects.unscoped()
        .filter(pk=target_pk)
        .values_list("campaign_id", flat=True)
        .first()
    )
    if campaign_id is None:
        raise DomainError(_("The school is no longer in the campaign."))
    campaign = _lock(campaign_id)
    guards.require_office_admin(actor, campaign.office_id)
    _require_open(campaign)
    target = CampaignTarget.objects.unscoped().select_related("school").get(pk=target_pk)
    team_id = getattr(team, "pk", team)
    if (
        team_id is not None
        and not CampaignTeam.objects.filter(pk=team_id, campaign=campaign).exists()
    ):
        raise DomainError(_("Choose a team of this campaign."), field="team")
    if target.team_id == team_id:
        return target
    if team_id is not None:
        pairs = [
            (i, target.school_id)
            for i in TeamMember.objects.filter(team_id=team_id).values_list(
                "inspector_id", flat=True
            )
        ]
        barred = queries.barred_pairs(pairs)
        if barred:
            raise DomainError(next(iter(barred.values())), field="team")
    before = audit.snapshot(target)
    target.team_id = team_id
    target.save(update_fields=["team"])
    audit.record_update(actor, target, before)
    return target
