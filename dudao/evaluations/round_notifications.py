"""Who hears about an evaluation round (消息提醒, docs/rules.md §24).

Stage changes: `on_round_transitioned` receives `dudao.core.workflow.transitioned`
(sender=Round), connected in EvaluationsConfig.ready; the signal is sent after commit, so
nobody is told about a step that was rolled back.

- open (self-assessment) → each school target's active school accounts, with its sheet;
  government units have no accounts (the office self-assesses for them) and are skipped;
- start scoring, and a round sent back from review (reopen) → each rater, once per target
  they score (their rater rows, recusal applied, rows whose indicators are not in the
  framework skipped), with the target's sheet;
- publish → each school target's accounts, with its result page.

Reminders: `send_stage_reminders`, the daily job `evaluation_stage_reminders` (`JOBS` in
dudao/core/schedule.py), before the deadline of the stage a round is at: at most once per
round, stage, deadline, recipient and days before (`RoundReminder`).
"""

import datetime
from collections import defaultdict

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from dudao.accounts.models import Role, User
from dudao.inspectors.queries import barred_pairs
from dudao.notifications.services import notify

from .framework_services import spec_of
from .models import Rater, RaterGroup, Round, RoundReminder, RoundTarget, Score
from .round_queries import own_leaf_counts

Stage = Round.Stage
# Reminders this many days before a stage's deadline (docs/rules.md §24, unconfirmed). A day
# the job did not run is made up for: two days before, the three-day reminder still goes out.
REMIND_DAYS = (3, 1)
NO_DUE = "—"


def _due(day) -> str:
    return day.isoformat() if day else NO_DUE


def _sheet(target_id) -> str:
    return reverse("evaluations:round_target", args=[target_id])


def school_users(school_ids) -> dict[int, list[User]]:
    """{school id: its active school accounts} (one query)."""
    users: dict[int, list[User]] = defaultdict(list)
    for user in User.objects.filter(
        role=Role.SCHOOL, school_id__in=set(school_ids), is_active=True
    ).order_by("pk"):
        users[user.school_id].append(user)
    return users


def _targets(round_: Round) -> list[RoundTarget]:
    return list(
        RoundTarget.objects.unscoped()
        .filter(round=round_)
        .select_related("school", "unit")
        .order_by("position", "pk")
    )


def _row_codes(spec, codes) -> set[str] | None:
    """The leaf codes a rater row scores (None: every leaf, own indicators included)."""
    if not codes:
        return None
    wanted = set()
    for code in codes:
        if code in spec:
            node = spec.get(code)
            wanted.update(i.code for i in [node, *spec.walk(code)] if i.is_leaf)
    return wanted


def rater_duties(round_: Round, targets) -> dict[tuple[int, int], dict]:
    """{(user id, target id): {"user", "group", "leaves"}}: who scores which target and how
    many leaves (the union of their rows' indicators; own indicators counted for a row on
    every indicator), as `access.rater_rows` decides — no one on a school they must recuse
    from or on their own school, nor on a row whose indicators are not in the framework. A
    fixed number of queries."""
    spec = spec_of(round_.framework)
    every = {i.code for i in spec.leaves}
    rows = list(Rater.objects.filter(round=round_).select_related("user").order_by("pk"))
    own = own_leaf_counts(round_, targets)
    barred = barred_pairs(
        {
            (row.user.inspector_id, target.school_id)
            for row in rows
            if row.user.inspector_id
            for target in targets
            if target.school_id and row.target_id in (None, target.pk)
        }
    )
    found: dict[tuple[int, int], dict] = {}
    for target in targets:
        for row in rows:
            user = row.user
            if row.target_id not in (None, target.pk) or not user.is_active:
                continue
            if target.school_id and (
                user.school_id == target.school_id
                or (user.inspector_id, target.school_id) in barred
            ):
                continue
            # A rater is in one group per target (round_services.add_rater): the first row's.
            duty = found.setdefault(
                (user.pk, target.pk), {"user": user, "group": row.group, "codes": set()}
            )
            if duty["group"] != row.group or duty["codes"] is None:
                continue
            codes = _row_codes(spec, row.indicator_codes)
            duty["codes"] = None if codes is None else duty["codes"] | codes
    duties = {}
    for (user_id, target_id), duty in found.items():
        codes = duty["codes"]
        leaves = len(every) + own.get(target_id, 0) if codes is None else len(codes)
        if leaves:
            duties[(user_id, target_id)] = {
                "user": duty["user"],
                "group": duty["group"],
                "leaves": leaves,
            }
    return duties


# ---- stage changes ---------------------------------------------------------------------------


def self_assessment_opened(round_: Round) -> None:
    targets = [t for t in _targets(round_) if t.school_id]
    users = school_users(t.school_id for t in targets)
    for target in targets:
        notify(
            users.get(target.school_id, []),
            "evaluation.self_assessment_opened",
            {"title": round_.title, "school": target.name, "due": _due(round_.self_due)},
            url=_sheet(target.pk),
        )


def scoring_opened(round_: Round, *, note: str = "", reopened: bool = False) -> None:
    targets = _targets(round_)
    by_target: dict[int, list[User]] = defaultdict(list)
    for (_user_id, target_id), duty in rater_duties(round_, targets).items():
        by_target[target_id].append(duty["user"])
    for target in targets:
        if not by_target.get(target.pk):
            continue
        params = {"title": round_.title, "school": target.name, "due": _due(round_.expert_due)}
        if reopened:
            params["description"] = note[:500]
        notify(
            by_target[target.pk],
            "evaluation.scoring_reopened" if reopened else "evaluation.scoring_opened",
            params,
            url=_sheet(target.pk),
        )


def published(round_: Round) -> None:
    targets = [t for t in _targets(round_) if t.school_id]
    users = school_users(t.school_id for t in targets)
    for target in targets:
        notify(
            users.get(target.school_id, []),
            "evaluation.published",
            {"title": round_.title, "school": target.name, "grade": target.grade or NO_DUE},
            url=reverse("evaluations:round_target_result", args=[target.pk]),
        )


def on_round_transitioned(sender, instance, event, action, **kwargs):
    """After commit, for each stage change of a round (history lines that change no stage,
    such as "raters_changed", tell nobody)."""
    if action not in ("open", "start_scoring", "reopen", "publish"):
        return
    round_ = Round.objects.unscoped().select_related("framework").get(pk=instance.pk)
    if action == "open" and round_.stage == Stage.SELF_ASSESSMENT:
        self_assessment_opened(round_)
    elif action == "start_scoring" and round_.stage == Stage.EXPERT_SCORING:
        scoring_opened(round_)
    elif action == "reopen" and round_.stage == Stage.EXPERT_SCORING:
        scoring_opened(round_, note=event.note or "", reopened=True)
    elif action == "publish" and round_.stage == Stage.PUBLISHED:
        published(round_)


# ---- reminders before a deadline ------------------------------------------------------------


def days_before(due: datetime.date | None, today: datetime.date) -> int | None:
    """The reminder `today` belongs to (3 or 1 days before `due`), None when none is due:
    3 and 2 days before → 3; 1 day before and the day itself → 1."""
    if due is None:
        return None
    left = (due - today).days
    if left < 0 or left > max(REMIND_DAYS):
        return None
    return min(d for d in REMIND_DAYS if d >= left)


def _unfinished_self(round_: Round):
    """[(user, url, params)] for the school targets that have not handed in."""
    targets = [t for t in _targets(round_) if t.school_id and t.self_submitted_at is None]
    users = school_users(t.school_id for t in targets)
    for target in targets:
        params = {"title": round_.title, "school": target.name, "due": _due(round_.self_due)}
        for user in users.get(target.school_id, []):
            yield user, _sheet(target.pk), params


def _unfinished_raters(round_: Round):
    """[(user, url, params)] for the raters with leaves still unscored: the target's sheet
    when one target is left, else the round's page."""
    targets = _targets(round_)
    duties = rater_duties(round_, targets)
    given = {
        (row["rater_id"], row["group"], row["target_id"]): row["n"]
        for row in Score.objects.filter(target__round=round_)
        .exclude(group=RaterGroup.SELF)
        .values("rater_id", "group", "target_id")
        .annotate(n=Count("pk"))
        .order_by()
    }
    left: dict[int, list[int]] = defaultdict(list)
    users = {}
    for (user_id, target_id), duty in duties.items():
        if given.get((user_id, duty["group"], target_id), 0) < duty["leaves"]:
            left[user_id].append(target_id)
            users[user_id] = duty["user"]
    for user_id, target_ids in left.items():
        url = (
            _sheet(target_ids[0])
            if len(target_ids) == 1
            else reverse("evaluations:round_detail", args=[round_.pk])
        )
        params = {"title": round_.title, "count": len(target_ids), "due": _due(round_.expert_due)}
        yield users[user_id], url, params


STAGES = {
    Stage.SELF_ASSESSMENT: ("self_due", "evaluation.self_assessment_remind", _unfinished_self),
    Stage.EXPERT_SCORING: ("expert_due", "evaluation.scoring_remind", _unfinished_raters),
}


def send_stage_reminders(today: datetime.date | None = None) -> dict[str, int]:
    """The daily job: for each round at self-assessment or expert scoring whose deadline is
    3 days away or less (docs/rules.md §24), remind those who have not finished. Idempotent:
    a `RoundReminder` row per round, stage, deadline, recipient and days before is written
    with the notification, so a second run the same day or the next sends nothing twice."""
    today = today or timezone.localdate()
    sent = {"rounds": 0, "reminders": 0}
    horizon = today + datetime.timedelta(days=max(REMIND_DAYS))
    rounds = Round.objects.unscoped().select_related("framework").order_by("pk")
    for stage, (field, key, recipients) in STAGES.items():
        for round_ in rounds.filter(
            stage=stage, **{f"{field}__gte": today, f"{field}__lte": horizon}
        ):
            due = getattr(round_, field)
            days = days_before(due, today)
            if days is None:
                continue
            done = set(
                RoundReminder.objects.filter(
                    round=round_, stage=stage, due=due, days_before=days
                ).values_list("recipient_id", flat=True)
            )
            sent["rounds"] += 1
            for user, url, params in recipients(round_):
                if user.pk in done:
                    continue
                done.add(user.pk)
                try:
                    with transaction.atomic():
                        RoundReminder.objects.create(
                            round=round_, stage=stage, due=due, recipient=user, days_before=days
                        )
                        notify([user], key, params, url=url)
                except IntegrityError:
                    continue  # another run claimed it first
                sent["reminders"] += 1
    return sent
