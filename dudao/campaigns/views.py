"""Campaign screens (专项督导): the list, the campaign's form, its page (schools, teams, the
draw, the workflow's buttons) and the public page of its results once published (一公开).

Thin views: every read starts from `dudao.accounts.scoping` (not yours answers 404), every
write is a `dudao.campaigns.services` call by the office admin of the campaign's office.
Inspectors and zone leaders read the campaigns they are on a team of, and only their team's
schools. Schools see their own check through the checking screens, not here."""

from django.conf import settings
from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dudao.accounts import scoping
from dudao.accounts.models import Role
from dudao.audit.middleware import client_ip
from dudao.core import guards, ratelimit
from dudao.core.errors import DomainError
from dudao.core.forms import apply_domain_error
from dudao.core.paging import is_htmx, paginate
from dudao.core.permissions import office_admin_required, role_required
from dudao.inspectors.models import Inspector

from . import queries, services
from . import workflow as campaign_workflow
from .forms import (
    ActionForm,
    CampaignFilterForm,
    CampaignForm,
    DrawForm,
    MemberForm,
    TargetRuleForm,
    TargetTeamForm,
    TeamForm,
    filter_campaign_list,
)
from .models import Campaign, CampaignEvent, CampaignTarget, CampaignTeam

READERS = (Role.OFFICE_ADMIN, Role.VIEWER, Role.ZONE_LEADER, Role.INSPECTOR)
TEAM_ROLES = (Role.ZONE_LEADER, Role.INSPECTOR)


def _target_counts(user):
    """The schools a reader sees per campaign: all of them for the office and the viewers
    above it, the team's own for an inspector (a team sees only its targets)."""
    if user.role in TEAM_ROLES and not user.is_superuser:
        mine = Q(targets__team__members__inspector_id=user.inspector_id)
        return Count("targets", filter=mine, distinct=True)
    return Count("targets", distinct=True)


@role_required(*READERS)
def campaign_list(request):
    user = request.user
    qs = scoping.campaigns_for(user)
    form = CampaignFilterForm(request.GET or None)
    if form.is_valid():
        qs = filter_campaign_list(qs, form.cleaned_data)
    qs = qs.order_by("-starts_on", "-pk")
    page, query = paginate(request, qs.values_list("pk", flat=True))
    page.object_list = list(
        qs.filter(pk__in=list(page.object_list))
        .select_related("office", "checklist")
        .annotate(target_count=_target_counts(user))
    )
    context = {
        "form": form,
        "page": page,
        "query": query,
        "can_create": user.role == Role.OFFICE_ADMIN and bool(user.office_id),
    }
    template = "campaigns/_table.html" if is_htmx(request) else "campaigns/list.html"
    return render(request, template, context)


@office_admin_required
def campaign_create(request):
    form = CampaignForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            campaign = services.create_campaign(request.user, request.user.office, **data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("Campaign created. Now choose its schools."))
            return redirect("campaigns:detail", campaign.pk)
    return render(request, "campaigns/form.html", {"form": form})


@office_admin_required
def campaign_edit(request, pk):
    campaign = scoping.get_campaign_for(request.user, pk)
    if campaign.status != Campaign.Status.DRAFT:
        messages.error(request, _("Only a campaign in preparation can be changed."))
        return redirect("campaigns:detail", campaign.pk)
    form = CampaignForm(request.POST or None, instance=campaign, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version", None)
        data.pop("request_key", None)
        try:
            services.update_campaign(request.user, campaign, expected_version=version, **data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("Campaign saved."))
            return redirect("campaigns:detail", campaign.pk)
    return render(request, "campaigns/form.html", {"form": form, "campaign": campaign})


def _teams(campaign, user, targets):
    """The teams the page shows, each with its members and schools: every team for the
    office and the viewers, the reader's own for an inspector."""
    teams = CampaignTeam.objects.filter(campaign=campaign).order_by("position", "pk")
    if user.role in TEAM_ROLES and not user.is_superuser:
        teams = teams.filter(members__inspector_id=user.inspector_id)
    members = queries.team_members(campaign)
    schools: dict[int, list] = {}
    for target in targets:
        if target.team_id:
            schools.setdefault(target.team_id, []).append(target.school)
    return [
        {"team": team, "members": members.get(team.pk, []), "schools": schools.get(team.pk, [])}
        for team in teams
    ]


@role_required(*READERS)
def campaign_detail(request, pk):
    user = request.user
    campaign = scoping.get_campaign_for(user, pk)
    targets = list(
        scoping.campaign_targets_for(user)
        .filter(campaign=campaign)
        .select_related("school", "team")
        .order_by("position", "pk")
    )
    manage = guards.is_office_admin(user, campaign.office_id)
    context = {
        "campaign": campaign,
        "targets": targets,
        "teams": _teams(campaign, user, targets),
        "manage": manage,
        "events": CampaignEvent.objects.filter(campaign=campaign).order_by("-at", "-pk")[:20],
    }
    if manage:
        open_ = campaign.status in (Campaign.Status.DRAFT, Campaign.Status.RUNNING)
        context.update(
            actions=[
                (a, campaign_workflow.CAMPAIGN_WORKFLOW.action_label(a))
                for (status, a) in campaign_workflow.TRANSITIONS
                if status == campaign.status
            ],
            problems=(
                campaign_workflow.start_problems(campaign)
                if campaign.status == Campaign.Status.DRAFT
                else []
            ),
            is_draft=campaign.status == Campaign.Status.DRAFT,
            is_open=open_,
            rule_form=TargetRuleForm(campaign=campaign, initial={"rule": campaign.target_rule}),
            draw_form=DrawForm(
                initial={
                    "team_size": campaign.team_size,
                    "exclude_own": campaign.exclude_own,
                    "count": campaign.target_params.get("count"),
                    "strata": campaign.target_params.get("strata", ""),
                }
            ),
            team_form=TeamForm(),
            # read once: the same choice is repeated on each team's card
            inspector_choices=(
                list(
                    Inspector.objects.unscoped()
                    .filter(office_id=campaign.office_id, is_active=True)
                    .order_by("name", "pk")
                    .values_list("pk", "name")
                )
                if open_
                else []
            ),
            target_team_form=TargetTeamForm(campaign=campaign) if open_ else None,
        )
    return render(request, "campaigns/detail.html", context)


# --- writes (the office admin of the campaign's office) -------------------------------------


def _admin_campaign(request, pk) -> Campaign:
    """The campaign an office admin acts on: theirs, or 404."""
    return scoping.get_campaign_for(request.user, pk)


def _back(campaign_id, anchor=""):
    response = redirect("campaigns:detail", campaign_id)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


def _form_error(request, form):
    for errors in form.errors.values():
        messages.error(request, " ".join(str(e) for e in errors))
        return


@office_admin_required
@require_POST
def campaign_action(request, pk, action):
    campaign = _admin_campaign(request, pk)
    form = ActionForm(request.POST)
    data = form.cleaned_data if form.is_valid() else {}
    try:
        services.take_action(
            request.user,
            campaign,
            action,
            expected_version=data.get("version"),
            note=data.get("note") or "",
        )
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Done: %(action)s.") % {"action": _label(action)})
    return _back(campaign.pk)


def _label(action: str) -> str:
    return campaign_workflow.CAMPAIGN_WORKFLOW.action_label(action)


@office_admin_required
@require_POST
def choose_targets(request, pk):
    campaign = _admin_campaign(request, pk)
    form = TargetRuleForm(request.POST, campaign=campaign)
    if not form.is_valid():
        _form_error(request, form)
        return _back(campaign.pk, "targets")
    data = form.cleaned_data
    try:
        targets = services.choose_targets(
            request.user,
            campaign,
            data["rule"],
            school_types=data.get("school_types") or (),
            zone=data.get("zone"),
            schools=data.get("schools") or (),
            earlier_campaign=data.get("earlier_campaign"),
        )
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("%(n)s schools chosen.") % {"n": len(targets)})
    return _back(campaign.pk, "targets")


@office_admin_required
@require_POST
def draw(request, pk):
    campaign = _admin_campaign(request, pk)
    form = DrawForm(request.POST)
    if not form.is_valid():
        _form_error(request, form)
        return _back(campaign.pk, "draw")
    data = form.cleaned_data
    try:
        if data["what"] == "teams":
            result = services.draw_teams(
                request.user,
                campaign,
                seed=data.get("seed") or "",
                team_size=data.get("team_size") or 0,
                exclude_own=data.get("exclude_own", False),
            )
        else:
            result = services.draw_targets(
                request.user,
                campaign,
                seed=data.get("seed") or "",
                count=data.get("count"),
                percent=data.get("percent"),
                strata=data.get("strata") or None,
                team_size=data.get("team_size") or 0,
                exclude_own=data.get("exclude_own", False),
            )
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Drawn with the seed “%(seed)s”: %(n)s schools.")
            % {"seed": result.seed, "n": len(result.targets)},
        )
    return _back(campaign.pk, "draw")


@office_admin_required
@require_POST
def team_create(request, pk):
    campaign = _admin_campaign(request, pk)
    form = TeamForm(request.POST)
    name = form.cleaned_data.get("name", "") if form.is_valid() else ""
    try:
        team = services.create_team(request.user, campaign, name=name)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Team “%(team)s” created.") % {"team": team.name})
    return _back(campaign.pk, "teams")


def _admin_team(request, pk) -> CampaignTeam:
    """A team of a campaign the office admin may act on, or 404."""
    campaigns = scoping.campaigns_for(request.user).values("pk")
    team = CampaignTeam.objects.filter(pk=pk, campaign__in=campaigns).first()
    if team is None:
        raise Http404
    return team


@office_admin_required
@require_POST
def team_rename(request, pk):
    team = _admin_team(request, pk)
    form = TeamForm(request.POST)
    name = form.cleaned_data.get("name", "") if form.is_valid() else ""
    try:
        services.rename_team(request.user, team, name=name)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Team renamed."))
    return _back(team.campaign_id, "teams")


@office_admin_required
@require_POST
def team_delete(request, pk):
    team = _admin_team(request, pk)
    try:
        services.delete_team(request.user, team)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Team deleted."))
    return _back(team.campaign_id, "teams")


@office_admin_required
@require_POST
def member_add(request, pk):
    team = _admin_team(request, pk)
    form = MemberForm(request.POST, campaign=team.campaign)
    if not form.is_valid():
        _form_error(request, form)
        return _back(team.campaign_id, "teams")
    try:
        services.add_member(
            request.user,
            team,
            form.cleaned_data["inspector"],
            is_leader=form.cleaned_data.get("is_leader", False),
        )
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Inspector added to the team."))
    return _back(team.campaign_id, "teams")


@office_admin_required
@require_POST
def member_remove(request, pk, inspector_id):
    team = _admin_team(request, pk)
    inspector = scoping.get_or_404(
        Inspector.objects.unscoped().filter(office_id=request.user.office_id), pk=inspector_id
    )
    try:
        services.remove_member(request.user, team, inspector)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Inspector taken off the team."))
    return _back(team.campaign_id, "teams")


@office_admin_required
@require_POST
def target_team(request, pk):
    target = scoping.get_campaign_target_for(request.user, pk)
    form = TargetTeamForm(request.POST, campaign=target.campaign)
    if "team" not in request.POST:  # an empty POST never takes a school from its team
        messages.error(request, _("Choose a team."))
        return _back(target.campaign_id, "targets")
    if not form.is_valid():
        _form_error(request, form)
        return _back(target.campaign_id, "targets")
    try:
        services.assign_team(request.user, target, form.cleaned_data.get("team"))
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Team changed."))
    return _back(target.campaign_id, "targets")


# --- the public page (一公开) ----------------------------------------------------------------


def public_campaign(request, pk):
    """A published campaign's results, for anyone (docs/rules.md: 双随机、一公开): the notice,
    the dates, the draw's seed and method, the schools drawn with their teams (the
    inspectors' names, as 双随机 publicity does; no phone numbers) and the outcome per school.
    Not found until the office publishes it. Rate limited per client address."""
    address = client_ip(request) or "unknown"
    wait = ratelimit.count("public-campaign", address, settings.PUBLIC_PAGE_REQUEST_RATE)
    if wait:
        response = render(request, "campaigns/public_too_many.html", {"seconds": wait}, status=429)
        response["Retry-After"] = str(wait)
        return response
    # Public (no login): a published campaign only.
    campaign = (
        Campaign.objects.unscoped()
        .filter(pk=pk, status=Campaign.Status.PUBLISHED)
        .select_related("office", "checklist")
        .first()
    )
    if campaign is None:
        raise Http404
    targets = CampaignTarget.objects.unscoped().filter(campaign=campaign)
    members = queries.team_members(campaign)
    rows = queries.target_outcomes(targets)
    for row in rows:
        row["members"] = members.get(row["target"].team_id, [])
    response = render(
        request,
        "campaigns/public.html",
        {
            "campaign": campaign,
            "office": campaign.office,
            "rows": rows,
            "checked": sum(1 for r in rows if r["checked"]),
        },
    )
    patch_cache_control(response, public=True, max_age=300)
    return response
