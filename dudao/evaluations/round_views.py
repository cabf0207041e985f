"""Evaluation round screens (评估轮次, issue 13 §4 and §6): the list, the round's form and page
(stages, targets and their progress, raters, history), a target's score sheet (self-assessment
with evidence, expert scoring on a phone, own indicators), and the results (ranking, a
target's groups side by side, charts, earlier rounds).

Thin views: every read starts from `dudao.accounts.scoping` (not yours answers 404), who scores
and reads which scores is `access`, every write is a `round_services` call, which decides."""

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from dudao.accounts import scoping
from dudao.accounts.models import Role
from dudao.core.errors import DomainError
from dudao.core.files import file_response
from dudao.core.forms import apply_domain_error
from dudao.core.paging import is_htmx, paginate
from dudao.core.permissions import office_admin_required, role_required

from . import access, round_queries, round_services, round_workflow
from .engine import EngineError, compile_formula
from .engine.framework import FrameworkSpec, IndicatorSpec
from .engine.scoring import points, to_decimal, yes_no
from .framework_services import spec_of
from .models import (
    Evidence,
    Method,
    OwnIndicator,
    Rater,
    RaterGroup,
    Round,
    RoundEvent,
    RoundTarget,
    Score,
    TargetKind,
)
from .round_forms import (
    WEIGHT_GROUPS,
    ActionForm,
    OwnIndicatorFormSet,
    RaterForm,
    RoundFilterForm,
    RoundForm,
    TargetFilterForm,
    filter_round_list,
    weight_field,
)

Stage = Round.Stage
ALL_ROLES = (Role.OFFICE_ADMIN, Role.VIEWER, Role.ZONE_LEADER, Role.INSPECTOR, Role.SCHOOL)
READERS = (Role.OFFICE_ADMIN, Role.VIEWER)
CANDIDATES_PER_PAGE = 100
EVENTS_SHOWN = 50
SUMMARY_MAX = 5000


def _reads_all(user, round_) -> bool:
    """The office, the viewers above it and the superuser read every score of the round."""
    return user.is_superuser or access.is_reader_above(user, round_)


def _message_error(request, error) -> None:
    messages.error(request, str(error))


def _form_error(request, form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        text = " ".join(str(e) for e in errors)
        messages.error(request, f"{label}: {text}" if label else text)
        return


def _back(round_id, anchor=""):
    response = redirect("evaluations:round_detail", round_id)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


def _action_label(action: str) -> str:
    return round_workflow.ROUND_WORKFLOW.action_label(action)


# ---- the list --------------------------------------------------------------------------------


@role_required(*ALL_ROLES)
def round_list(request):
    """The office's rounds (a viewer's offices'), or the rounds a user takes part in with what
    they must do next and by when."""
    user = request.user
    qs = scoping.rounds_for(user)
    form = RoundFilterForm(request.GET or None)
    form.is_valid()
    qs = filter_round_list(qs, getattr(form, "cleaned_data", {}))
    qs = qs.order_by("-year", "-created_at", "-pk")
    page, query = paginate(request, qs.values_list("pk", flat=True))
    rounds = list(qs.filter(pk__in=list(page.object_list)).select_related("office", "framework"))
    page.object_list = rounds
    reader = user.is_superuser or user.role in READERS
    counts = round_queries.office_counts(rounds) if reader else {}
    steps = {} if reader else round_queries.next_steps(user, rounds)
    rows = [
        {
            "round": r,
            "due": round_queries.stage_due(r),
            "counts": counts.get(r.pk, {}),
            "step": steps.get(r.pk),
        }
        for r in rounds
    ]
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "query": query,
        "reader": reader,
        "today": timezone.localdate(),
        "can_create": user.role == Role.OFFICE_ADMIN and bool(user.office_id),
    }
    if is_htmx(request):
        return render(request, "evaluations/rounds/_table.html", context)
    return render(request, "evaluations/rounds/list.html", context)


# ---- the round's form --------------------------------------------------------------------------


def _weight_rows(form):
    return [form[weight_field(group)] for group, _label in WEIGHT_GROUPS]


def _form_page(request, form, round_=None):
    context = {"form": form, "round": round_, "weight_fields": _weight_rows(form)}
    return render(request, "evaluations/rounds/form.html", context)


def _apply(form, error: DomainError) -> None:
    """A service's refusal on its field; the weights' on the experts' weight."""
    if error.field == "weights":
        form.add_error(weight_field(RaterGroup.EXPERT), str(error))
    else:
        apply_domain_error(form, error)


@office_admin_required
def round_create(request):
    form = RoundForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            round_ = round_services.create_round(
                request.user,
                request.user.office,
                request_key=form.cleaned_data.get("request_key"),
                **form.round_fields(),
            )
        except DomainError as error:
            _apply(form, error)
        else:
            messages.success(request, _("Round created. Now choose its targets and raters."))
            return redirect("evaluations:round_detail", round_.pk)
    return _form_page(request, form)


@office_admin_required
def round_edit(request, pk):
    round_ = scoping.get_round_for(request.user, pk)
    if round_.stage == Stage.PUBLISHED:
        messages.error(request, _("A published round is not changed."))
        return _back(round_.pk)
    form = RoundForm(request.POST or None, user=request.user, instance=round_)
    if request.method == "POST" and form.is_valid():
        try:
            round_services.update_round(
                request.user,
                round_,
                expected_version=form.cleaned_data.get("version"),
                **form.round_fields(),
            )
        except DomainError as error:
            _apply(form, error)
        else:
            messages.success(request, _("Round saved."))
            return _back(round_.pk)
    return _form_page(request, form, round_)


# ---- the round's page --------------------------------------------------------------------------


EVENT_LABELS = {
    round_workflow.CREATED: gettext_lazy("Round created"),
    round_workflow.TARGETS_CHANGED: gettext_lazy("Targets changed"),
    round_workflow.RATERS_CHANGED: gettext_lazy("Raters changed"),
}


def _event_rows(round_):
    stage_labels = dict(Stage.choices)
    rows = []
    for event in RoundEvent.objects.filter(round=round_).order_by("-at", "-pk")[:EVENTS_SHOWN]:
        if event.action in EVENT_LABELS:
            label = str(EVENT_LABELS[event.action])
        else:
            label = _action_label(event.action)
        data = event.data or {}
        details = []
        if "added" in data:
            added = data["added"]
            if isinstance(added, int):
                details.append(_("%(n)s added") % {"n": added})
            else:
                details.append(
                    _("%(user)s added (%(group)s)")
                    % {
                        "user": added,
                        "group": dict(RaterGroup.choices).get(data.get("group"), data.get("group")),
                    }
                )
        if "removed" in data:
            details.append(_("%(name)s removed") % {"name": data["removed"]})
        if "failed" in data:
            details.append(
                _("%(failed)s of %(targets)s below the pass grade")
                % {"failed": data["failed"], "targets": data.get("targets", 0)}
            )
        changed = event.from_status != event.to_status
        rows.append(
            {
                "event": event,
                "label": label,
                "details": details,
                "stage": stage_labels.get(event.to_status, event.to_status) if changed else "",
            }
        )
    return rows


@role_required(*ALL_ROLES)
def round_detail(request, pk):
    user = request.user
    round_ = scoping.get_round_for(user, pk)
    manage = access.is_office(user, round_)
    reader = manage or _reads_all(user, round_)
    targets = list(
        scoping.round_targets_for(user)
        .filter(round=round_)
        .select_related("school", "unit")
        .order_by("position", "pk")
    )
    spec = spec_of(round_.framework)
    today = timezone.localdate()
    progress = round_queries.target_progress(round_, targets, spec)
    mine = {} if reader else round_queries.my_scores(user, targets)
    rows = [
        {
            "target": t,
            "progress": progress.get(t.pk),
            "mine": mine.get(t.pk, 0),
            "percent": round_queries.percent(t.total, t.max_total),
        }
        for t in targets
    ]
    context = {
        "round": round_,
        "rows": rows,
        "manage": manage,
        "reader": reader,
        "leaves": len(spec.leaves),
        "due": round_queries.stage_due(round_),
        "is_draft": round_.stage == Stage.DRAFT,
        "weights": [
            (label, (round_.weights or {}).get(group))
            for group, label in WEIGHT_GROUPS
            if group in (round_.weights or {})
        ],
        "grades": round_services.grades_of(round_),
        "show_results": reader and round_.stage != Stage.DRAFT,
        # "overdue" is said of the deadline of the stage the round is at only
        "today_if_self": today if round_.stage == Stage.SELF_ASSESSMENT else None,
        "today_if_expert": today if round_.stage == Stage.EXPERT_SCORING else None,
        "today_if_review": today if round_.stage == Stage.REVIEW else None,
    }
    if reader:
        raters = list(
            Rater.objects.filter(round=round_)
            .select_related("user", "target__school", "target__unit")
            .order_by("group", "pk")
        )
        rater_progress = round_queries.rater_progress(round_, raters, targets, spec)
        context.update(
            raters=[{"rater": r, "progress": rater_progress[r.pk]} for r in raters],
            events=_event_rows(round_),
        )
    if manage:
        context.update(
            actions=[(a, _action_label(a)) for a in round_workflow.allowed_actions(round_, user)],
            problems=round_services.open_problems(round_) if round_.stage == Stage.DRAFT else [],
            may_change_raters=round_.stage
            in (Stage.DRAFT, Stage.SELF_ASSESSMENT, Stage.EXPERT_SCORING),
            rater_form=RaterForm(round_=round_, spec=spec),
        )
    return render(request, "evaluations/rounds/detail.html", context)


@office_admin_required
@require_POST
def round_action(request, pk, action):
    round_ = scoping.get_round_for(request.user, pk)
    form = ActionForm(request.POST)
    data = form.cleaned_data if form.is_valid() else {}
    try:
        round_services.take_action(
            request.user,
            round_,
            action,
            expected_version=data.get("version"),
            note=data.get("note") or "",
        )
    except (DomainError, EngineError) as error:
        _message_error(request, error)
    else:
        messages.success(request, _("Done: %(action)s.") % {"action": _action_label(action)})
    return _back(round_.pk)


# ---- targets -----------------------------------------------------------------------------------


def _candidates(user, round_, data):
    """The schools or government units that may still be added, filtered."""
    kind = round_.framework.kind
    taken = RoundTarget.objects.unscoped().filter(round=round_)
    if kind in (TargetKind.SCHOOL, TargetKind.KINDERGARTEN):
        qs = scoping.schools_for(user).filter(office_id=round_.office_id, is_active=True)
        if kind == TargetKind.KINDERGARTEN:
            qs = qs.filter(type="kindergarten")
        else:
            qs = qs.exclude(type="kindergarten")
        qs = qs.exclude(pk__in=taken.exclude(school=None).values("school_id"))
        if data.get("zone"):
            qs = qs.filter(zone=data["zone"])
        if data.get("type"):
            qs = qs.filter(type=data["type"])
        if data.get("q"):
            qs = qs.filter(name__icontains=data["q"]) | qs.filter(code__startswith=data["q"])
        return "schools", qs.select_related("zone").order_by("code", "pk")
    qs = scoping.government_units_for(user).filter(
        office_id=round_.office_id,
        is_active=True,
        kind__in=sorted(round_services.UNIT_KINDS.get(kind, ())),
    )
    qs = qs.exclude(pk__in=taken.exclude(unit=None).values("unit_id"))
    if data.get("kind"):
        qs = qs.filter(kind=data["kind"])
    if data.get("q"):
        qs = qs.filter(name__icontains=data["q"])
    return "units", qs.order_by("kind", "position", "name", "pk")


def _ids(values) -> list[int]:
    ids = []
    for value in values:
        try:
            ids.append(int(value))
        except (TypeError, ValueError):
            continue
    return ids


@office_admin_required
def round_targets(request, pk):
    """Choose the round's targets: schools of the framework's kind (by zone and type) or
    government units of the fitting kinds; those ticked, or all that the filter shows."""
    user = request.user
    round_ = scoping.get_round_for(user, pk)
    if request.method == "POST":
        if round_.stage != Stage.DRAFT:
            messages.error(request, _("Targets are chosen while the round is in preparation."))
            return _back(round_.pk, "targets")
        what = "units" if round_.framework.kind in round_services.UNIT_KINDS else "schools"
        if "all" in request.POST:
            form = TargetFilterForm(request.POST, round_=round_)
            form.is_valid()
            what, qs = _candidates(user, round_, getattr(form, "cleaned_data", {}))
            ids = list(qs.values_list("pk", flat=True))
        else:
            ids = _ids(request.POST.getlist(what))
        if not ids:
            messages.error(request, _("Choose at least one target."))
            return redirect("evaluations:round_targets", round_.pk)
        try:
            added = round_services.add_targets(user, round_, **{what: ids})
        except DomainError as error:
            _message_error(request, error)
            return redirect("evaluations:round_targets", round_.pk)
        messages.success(request, _("%(n)s targets added.") % {"n": added})
        return _back(round_.pk, "targets")
    form = TargetFilterForm(request.GET or None, round_=round_)
    form.is_valid()
    what, qs = _candidates(user, round_, getattr(form, "cleaned_data", {}))
    page, query = paginate(request, qs, per_page=CANDIDATES_PER_PAGE)
    context = {
        "round": round_,
        "form": form,
        "page": page,
        "query": query,
        "what": what,
        "open": round_.stage == Stage.DRAFT,
    }
    if is_htmx(request):
        return render(request, "evaluations/rounds/_candidates.html", context)
    return render(request, "evaluations/rounds/targets.html", context)


@office_admin_required
@require_POST
def round_target_remove(request, pk):
    target = scoping.get_round_target_for(request.user, pk)
    try:
        round_services.remove_target(request.user, target)
    except DomainError as error:
        _message_error(request, error)
    else:
        messages.success(request, _("%(name)s taken off the round.") % {"name": target.name})
    return _back(target.round_id, "targets")


# ---- raters ------------------------------------------------------------------------------------


@office_admin_required
@require_POST
def round_rater_add(request, pk):
    round_ = scoping.get_round_for(request.user, pk)
    form = RaterForm(request.POST, round_=round_, spec=spec_of(round_.framework))
    if not form.is_valid():
        _form_error(request, form)
        return _back(round_.pk, "raters")
    data = form.cleaned_data
    try:
        rater = round_services.add_rater(
            request.user,
            round_,
            user=data["user"],
            group=data["group"],
            target=data.get("target"),
            indicator_codes=data.get("indicator_codes") or (),
        )
    except DomainError as error:
        _message_error(request, error)
    else:
        messages.success(
            request,
            _("%(user)s rates as %(group)s.")
            % {"user": rater.user, "group": rater.get_group_display()},
        )
    return _back(round_.pk, "raters")


@office_admin_required
@require_POST
def round_rater_remove(request, pk):
    rater = scoping.get_or_404(
        Rater.objects.filter(round__in=scoping.rounds_for(request.user)).select_related("user"),
        pk=pk,
    )
    try:
        round_services.remove_rater(request.user, rater)
    except DomainError as error:
        _message_error(request, error)
    else:
        messages.success(request, _("%(user)s no longer rates.") % {"user": rater.user})
    return _back(rater.round_id, "raters")


# ---- the score sheet -----------------------------------------------------------------------------


def _shown(indicator: IndicatorSpec | None, value: str) -> str:
    """A stored value as a reader sees it: 是/否 for yes/no, a level with its points."""
    if indicator is None:
        return value
    if indicator.method in (Method.YESNO, Method.VETO):
        answer = yes_no(value)
        if answer is None:
            return value
        return _("Yes") if answer else _("No")
    if indicator.method == Method.LEVELS:
        try:
            return f"{value} ({to_decimal(points(indicator, value))})"
        except EngineError:
            return value
    return value


def _formula_names(indicator: IndicatorSpec) -> str:
    if indicator.method != Method.FORMULA or not indicator.formula:
        return ""
    try:
        names = compile_formula(indicator.formula).names
    except EngineError:
        return ""
    return ";".join(f"{name}=" for name in names)


def _editable_groups(user, target) -> list[str]:
    """The groups the user scores on this target now, whose scores may still change (a
    submitted self-assessment only by the office)."""
    groups = access.scoring_groups(user, target)
    if target.self_submitted_at and not access.is_office(user, target.round):
        groups = [g for g in groups if g != RaterGroup.SELF]
    return groups


def _field(prefix, group, code) -> str:
    return f"{prefix}__{group}__{code}"


def _section_codes(spec: FrameworkSpec, section: str | None) -> set[str] | None:
    """The leaves of one top-level indicator (None: every leaf)."""
    if not section or section not in spec:
        return None
    root = spec.get(section)
    codes = {i.code for i in spec.walk(section) if i.is_leaf}
    if root.is_leaf:
        codes.add(root.code)
    return codes


def _sheet_state(user, target):
    """What the user may do on the sheet: the framework, the groups scored, their codes."""
    spec = round_services.spec_for_target(target)
    groups = _editable_groups(user, target)
    scorable = {g: access.scorable_codes(user, target, g, spec) for g in groups}
    return spec, groups, scorable


def _posted(post, groups, scorable, codes=None):
    """{group: {code: {"value", "comment"}}} for the fields the form sent, and the errors
    found before the services: {(group, code): message}."""
    values: dict[str, dict] = {}
    errors: dict[tuple[str, str], str] = {}
    for group in groups:
        for code in sorted(scorable[group]):
            if codes is not None and code not in codes:
                continue
            name, comment_name = _field("score", group, code), _field("comment", group, code)
            if name not in post and comment_name not in post:
                continue
            value = (post.get(name) or "").strip()
            comment = (post.get(comment_name) or "").strip()
            if comment and not value:
                errors[(group, code)] = _("Give a score with the comment.")
                continue
            values.setdefault(group, {})[code] = {"value": value, "comment": comment}
    return values, errors


def _save(user, target, values) -> tuple[int, dict]:
    saved, errors = 0, {}
    for group, entries in values.items():
        if not entries:
            continue
        try:
            saved += round_services.save_scores(user, target, entries, group=group)
        except round_services.ScoreErrors as error:
            errors.update({(group, code): message for code, message in error.errors.items()})
        except DomainError as error:
            errors[(group, "")] = str(error)
    return saved, errors


def _sheet_context(request, target, *, errors=None, posted=None):
    """The sheet: the tree (framework and own indicators), each leaf with its inputs for the
    groups the user scores now, the scores the user may read, and the evidence (a fixed
    number of queries)."""
    user = request.user
    round_ = target.round
    spec, groups, scorable = _sheet_state(user, target)
    errors = errors or {}
    reader = _reads_all(user, round_)
    scores = list(
        Score.objects.filter(target=target).select_related("rater").order_by("code", "group", "pk")
    )
    visible = access.visible_scores(user, target, scores)
    mine = {(s.group, s.code): s for s in scores if s.rater_id == user.pk}
    by_code: dict[str, list] = {}
    for score in visible:
        if score.group in groups and score.rater_id == user.pk:
            continue  # shown in its input
        by_code.setdefault(score.code, []).append(score)
    evidence: dict[str, list] = {}
    for file in Evidence.objects.filter(target=target).order_by("code", "created_at", "pk"):
        evidence.setdefault(file.code, []).append(file)
    may_upload = access.may_self_assess(user, target) and (
        not target.self_submitted_at or access.is_office(user, round_)
    )
    group_labels = dict(RaterGroup.choices)
    own_codes = (
        set(OwnIndicator.objects.filter(target=target).values_list("code", flat=True))
        if round_.own_indicators
        else set()
    )
    sections, index = [], 0
    counted = {g: [0, len(scorable[g])] for g in groups}
    for indicator in spec.walk():
        index += 1
        depth = spec.depth(indicator.code)
        inputs = []
        if indicator.is_leaf:
            for group in groups:
                if indicator.code not in scorable[group]:
                    continue
                name = _field("score", group, indicator.code)
                comment_name = _field("comment", group, indicator.code)
                saved = mine.get((group, indicator.code))
                value = saved.value if saved else ""
                comment = saved.comment if saved else ""
                if posted is not None and (name in posted or comment_name in posted):
                    value = posted.get(name, "")
                    comment = posted.get(comment_name, "")
                if saved:
                    counted[group][0] += 1
                if indicator.method in (Method.YESNO, Method.VETO):
                    answer = yes_no(value) if value else None
                    value = "" if answer is None else ("yes" if answer else "no")
                inputs.append(
                    {
                        "group": group,
                        "label": group_labels.get(group, group),
                        "name": name,
                        "comment_name": comment_name,
                        "value": value,
                        "comment": comment,
                        "error": errors.get((group, indicator.code)),
                        "id": f"f{index}-{group}",
                    }
                )
        row = {
            "ind": indicator,
            "idx": index,
            "depth": depth,
            "leaf": indicator.is_leaf,
            "method": Method(indicator.method).label if indicator.is_leaf else "",
            "levels": [name for name, _share in indicator.levels],
            "formula_names": _formula_names(indicator),
            "inputs": inputs,
            "scores": [
                {
                    "score": s,
                    "group": group_labels.get(s.group, s.group),
                    "who": s.rater if (reader or s.rater_id == user.pk) else "",
                    "shown": _shown(indicator, s.value),
                }
                for s in by_code.get(indicator.code, [])
            ],
            "evidence": evidence.get(indicator.code, []),
            "own": indicator.code in own_codes,
        }
        if depth == 1:
            sections.append({"root": row, "rows": [], "idx": len(sections) + 1})
        else:
            sections[-1]["rows"].append(row)
    other_errors = [m for (g, code), m in errors.items() if not code]
    is_office = access.is_office(user, round_)
    context = {
        "target": target,
        "round": round_,
        "sections": sections,
        "groups": [(g, group_labels.get(g, g)) for g in groups],
        "counted": [
            {"label": group_labels.get(g, g), "done": n, "of": of} for g, (n, of) in counted.items()
        ],
        "editing": bool(groups),
        "may_upload": may_upload,
        "other_errors": other_errors,
        "reader": reader,
        "is_office": is_office,
        "may_submit": access.may_self_assess(user, target) and not target.self_submitted_at,
        "may_reopen": is_office
        and round_.stage == Stage.SELF_ASSESSMENT
        and bool(target.self_submitted_at),
        "may_own": round_.own_indicators
        and round_.stage in (Stage.DRAFT, Stage.SELF_ASSESSMENT)
        and (access.is_target_itself(user, target) or is_office),
        "may_see_result": round_.stage == Stage.PUBLISHED or reader,
        "summary": (posted or {}).get("summary", target.self_summary),
        "all_rows": [row for section in sections for row in [section["root"], *section["rows"]]],
        "leaves": len(spec.leaves),
    }
    return context


@role_required(*ALL_ROLES)
def round_target(request, pk):
    """A target's score sheet: on a phone for the expert, at the school for its
    self-assessment, read-only for the others who see it."""
    target = scoping.get_round_target_for(request.user, pk)
    if request.method == "POST":
        return _save_sheet(request, target)
    return render(request, "evaluations/rounds/sheet.html", _sheet_context(request, target))


def _save_sheet(request, target):
    """The whole sheet: save the user's scores (all or nothing per group) and, with the
    submit button, hand in the self-assessment with its summary."""
    user = request.user
    _spec, groups, scorable = _sheet_state(user, target)
    url = reverse("evaluations:round_target", args=[target.pk])
    if not groups:
        messages.error(request, _("You do not score this target now."))
        return redirect(url)
    values, errors = _posted(request.POST, groups, scorable)
    changed = any(values.values())
    if not errors and changed:
        _saved, errors = _save(user, target, values)
    if errors:
        context = _sheet_context(request, target, errors=errors, posted=request.POST)
        return render(request, "evaluations/rounds/sheet.html", context)
    if "submit_self" in request.POST:
        summary = (request.POST.get("summary") or "")[:SUMMARY_MAX]
        try:
            round_services.submit_self_assessment(user, target, summary=summary)
        except DomainError as error:
            _message_error(request, error)
        else:
            messages.success(request, _("Self-assessment submitted."))
    elif changed:
        messages.success(request, _("Scores saved."))
    else:
        messages.info(request, _("Nothing to save."))
    return redirect(url)


@role_required(*ALL_ROLES)
@require_POST
def round_target_save(request, pk):
    """htmx: save one section of the sheet (a top-level indicator's leaves) and answer its
    status line, each leaf's error slot and the progress."""
    user = request.user
    target = scoping.get_round_target_for(user, pk)
    spec, groups, scorable = _sheet_state(user, target)
    section = request.POST.get("section") or ""
    codes = _section_codes(spec, section)
    context = {"section": section, "saved_at": None, "error": None, "slots": []}
    if not groups:
        context["error"] = _("You do not score this target now.")
        return render(request, "evaluations/rounds/_sheet_saved.html", context)
    values, errors = _posted(request.POST, groups, scorable, codes)
    if not errors:
        _saved, errors = _save(user, target, values)
    context["error"] = (
        _("Not saved: correct the scores marked.")
        if any(code for _g, code in errors)
        else next(iter(errors.values()), None)
    )
    if not errors:
        context["saved_at"] = timezone.localtime()
    # every leaf of the section gets its error slot again (emptied when saved)
    for index, indicator in enumerate(spec.walk(), start=1):
        if indicator.is_leaf and (codes is None or indicator.code in codes):
            for group in groups:
                if indicator.code in scorable[group]:
                    context["slots"].append(
                        {"id": f"f{index}-{group}", "error": errors.get((group, indicator.code))}
                    )
    mine = Score.objects.filter(target=target, rater=user)
    context["counted"] = [
        {
            "label": dict(RaterGroup.choices).get(g, g),
            "done": mine.filter(group=g, code__in=scorable[g]).count(),
            "of": len(scorable[g]),
        }
        for g in groups
    ]
    return render(request, "evaluations/rounds/_sheet_saved.html", context)


@office_admin_required
@require_POST
def round_target_reopen(request, pk):
    target = scoping.get_round_target_for(request.user, pk)
    try:
        round_services.reopen_self_assessment(request.user, target)
    except DomainError as error:
        _message_error(request, error)
    else:
        messages.success(request, _("The self-assessment is open again."))
    return redirect("evaluations:round_target", target.pk)


# ---- evidence ----------------------------------------------------------------------------------


def _evidence_in_scope(user, pk) -> Evidence:
    return scoping.get_or_404(
        Evidence.objects.filter(target__in=scoping.round_targets_for(user)).select_related(
            "target__round"
        ),
        pk=pk,
    )


@role_required(*ALL_ROLES)
@require_POST
def round_evidence_add(request, pk):
    """Attach a file to an indicator during self-assessment (佐证材料)."""
    target = scoping.get_round_target_for(request.user, pk)
    code = (request.POST.get("code") or "").strip()
    uploaded = request.FILES.get("file")
    back = reverse("evaluations:round_target", args=[target.pk])
    if uploaded is None or not code:
        messages.error(request, _("Choose a file to upload."))
        return redirect(back)
    try:
        round_services.add_evidence(request.user, target, code, uploaded)
    except DomainError as error:
        _message_error(request, error)
    else:
        messages.success(request, _("File added."))
    return redirect(back)


@role_required(*ALL_ROLES)
def round_evidence_file(request, pk):
    """One evidence file, through its target's scope."""
    evidence = _evidence_in_scope(request.user, pk)
    if request.GET.get("preview") and evidence.preview:
        return file_response(evidence.preview, "image/jpeg", None)
    return file_response(evidence.file, evidence.content_type, evidence.original_name)


@role_required(*ALL_ROLES)
@require_POST
def round_evidence_delete(request, pk):
    evidence = _evidence_in_scope(request.user, pk)
    try:
        round_services.delete_evidence(request.user, evidence)
    except DomainError as error:
        _message_error(request, error)
    else:
        messages.success(request, _("File deleted."))
    return redirect("evaluations:round_target", evidence.target_id)


# ---- own indicators (合格+订单) -----------------------------------------------------------------


@role_required(*ALL_ROLES)
def round_own_indicators(request, pk):
    """The target's own indicators from its three-year plan, while the round is in
    preparation or at self-assessment: the target itself or its office."""
    user = request.user
    target = scoping.get_round_target_for(user, pk)
    round_ = target.round
    if not round_.own_indicators:
        raise Http404
    if not (access.is_target_itself(user, target) or access.is_office(user, round_)):
        raise PermissionDenied
    rows = list(OwnIndicator.objects.filter(target=target).order_by("position"))
    initial = [
        {
            "code": row.code,
            "title": row.title,
            "max_score": row.max_score,
            "method": row.method,
            "levels": ",".join(f"{name}:{share}" for name, share in row.levels),
            "guide": row.guide,
        }
        for row in rows
    ]
    formset = OwnIndicatorFormSet(request.POST or None, initial=initial, prefix="own")
    if request.method == "POST" and formset.is_valid():
        wanted = [form.cleaned_data for form in formset if not form.is_blank()]
        try:
            round_services.set_own_indicators(user, target, wanted)
        except DomainError as error:
            formset._non_form_errors = formset.error_class([str(error)])
        else:
            messages.success(request, _("Own indicators saved."))
            return redirect("evaluations:round_target", target.pk)
    context = {
        "target": target,
        "round": round_,
        "formset": formset,
        "open": round_.stage in (Stage.DRAFT, Stage.SELF_ASSESSMENT),
    }
    return render(request, "evaluations/rounds/own_indicators.html", context)


# ---- results -----------------------------------------------------------------------------------


def _number(value) -> float | None:
    return None if value is None else float(value)


def _results(round_, targets):
    try:
        return round_services.compute_results(round_, targets), None
    except EngineError as error:
        return {}, str(error)


@role_required(*READERS)
def round_results(request, pk):
    """The ranking, with the engine's live (provisional) results before publication and the
    stored ones after; the totals as a bar chart."""
    user = request.user
    round_ = scoping.get_round_for(user, pk)
    targets = list(
        scoping.round_targets_for(user)
        .filter(round=round_)
        .select_related("school", "unit")
        .order_by("position", "pk")
    )
    # A published round reads the results stored on each target at publication (no engine
    # run per request); only a target without a stored result is scored live.
    if round_.stage == Stage.PUBLISHED:
        live = [target for target in targets if target.total is None]
        results, problem = _results(round_, live) if live else ({}, None)
    else:
        results, problem = _results(round_, targets)
    rows = round_queries.ranking(round_, targets, results)
    chart = {
        "names": [row["target"].name for row in rows],
        "totals": [_number(row["total"]) for row in rows],
        "max": [_number(row["max"]) for row in rows],
    }
    context = {
        "round": round_,
        "rows": rows,
        "problem": problem,
        "provisional": round_.stage != Stage.PUBLISHED,
        "chart": chart,
        "grades": round_services.grades_of(round_),
        "passed": sum(1 for row in rows if row["passed"]),
    }
    return render(request, "evaluations/rounds/results.html", context)


@role_required(*ALL_ROLES)
def round_target_result(request, pk):
    """One target's result: the tree with each group's score side by side, disagreements and
    missing leaves, a radar of its areas, and its earlier rounds on the same framework. The
    office and the viewers read it at any stage (provisional before publication); the target
    and its raters once published."""
    user = request.user
    target = scoping.get_round_target_for(user, pk)
    round_ = target.round
    reader = _reads_all(user, round_)
    published = round_.stage == Stage.PUBLISHED
    if not (reader or published):
        raise Http404
    spec = round_services.spec_for_target(target)
    results, problem = _results(round_, [target])
    result = results.get(target.pk)
    if published and target.total is not None:
        scores = {code: Decimal(str(v)) for code, v in (target.scores or {}).items()}
        headline = {
            "total": target.total,
            "max": target.max_total,
            "grade": target.grade,
            "vetoed": target.vetoed,
            "passed": bool(target.passed),
        }
    elif result is not None:
        scores = result.indicators
        headline = {
            "total": result.total,
            "max": result.max,
            "grade": result.grade,
            "vetoed": result.vetoed,
            "passed": round_services.passes(round_, result),
        }
    else:
        scores, headline = {}, None
    if headline:
        headline["percent"] = round_queries.percent(headline["total"], headline["max"])
    by_group = result.by_group if result else {}
    group_order = [g for g in RaterGroup.values if g in by_group]
    group_labels = dict(RaterGroup.choices)
    flagged = {d.code: d for d in (result.disagreements if result else ())}
    missing = set(result.missing if result else ())
    vetoed_by = set(result.vetoed_by if result else ())
    vetoes = result.vetoes if result else {}
    comments: dict[str, list] = {}
    for score in access.visible_scores(
        user,
        target,
        Score.objects.filter(target=target).exclude(comment="").select_related("rater"),
    ):
        comments.setdefault(score.code, []).append(
            {"group": group_labels.get(score.group, score.group), "score": score}
        )
    evidence: dict[str, list] = {}
    for file in Evidence.objects.filter(target=target).order_by("code", "created_at", "pk"):
        evidence.setdefault(file.code, []).append(file)
    rows = [
        {
            "ind": indicator,
            "depth": spec.depth(indicator.code),
            "score": scores.get(indicator.code),
            "groups": [by_group[g].get(indicator.code) for g in group_order],
            "flag": flagged.get(indicator.code),
            "missing": indicator.code in missing,
            "vetoed": indicator.code in vetoed_by,
            "veto": vetoes.get(indicator.code),
            "comments": comments.get(indicator.code, []),
            "evidence": evidence.get(indicator.code, []),
        }
        for indicator in spec.walk()
    ]
    area_rows = round_queries.areas(spec, scores)
    chart = {
        "areas": [f"{a['code']} {a['title']}" for a in area_rows],
        "series": [
            {
                "name": _("Result"),
                "values": [_number(a["percent"]) or 0 for a in area_rows],
            }
        ]
        + [
            {
                "name": str(group_labels.get(g, g)),
                "values": [
                    _number(round_queries.percent(by_group[g].get(a["code"]), a["max"])) or 0
                    for a in area_rows
                ],
            }
            for g in group_order
        ],
    }
    earlier = round_queries.earlier_results(user, target)
    # The radar compares with the latest earlier published round on the same framework.
    previous = earlier[0] if earlier else None
    before = (
        round_queries.previous_areas(previous, [a["code"] for a in area_rows])
        if previous is not None and area_rows
        else None
    )
    if before is not None:
        title, year = previous.round.title, str(previous.round.year)
        chart["previous"] = {
            "name": title if year in title else f"{title}（{year}）",
            "values": [_number(value) for value in before],
        }
    context = {
        "target": target,
        "round": round_,
        "rows": rows,
        "headline": headline,
        "problem": problem,
        "provisional": not published,
        "groups": [group_labels.get(g, g) for g in group_order],
        "raters": [
            (group_labels.get(g, g), n) for g, n in (result.raters.items() if result else ())
        ],
        "areas": area_rows,
        "chart": chart,
        "earlier": [
            {"target": t, "percent": round_queries.percent(t.total, t.max_total)} for t in earlier
        ],
        "reader": reader,
        "summary": target.self_summary,
    }
    return render(request, "evaluations/rounds/target_result.html", context)
