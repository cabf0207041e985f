"""Who scores what, and who reads which scores, on a target the user may already see
(`scoping.round_targets_for`). One place for the rules of docs/rules.md §24:

- Self-assessment (自评): the target's school accounts, or the round's office admin (for a
  government unit, or on a school's behalf), while the round is at self-assessment.
- Raters (专家、互评、上评、下评): the users named on the round's rater rows, on the targets and
  indicators the row names, while the round is at expert scoring — never on a school they
  must recuse from (回避: employed there, or a recorded conflict), nor a peer on its own
  school.
- Reading: the office and viewers above it read every score; before publication a target
  reads only its self-assessment, and a rater the self-assessment and their own scores;
  once published, everyone who sees the target reads every group's result.
"""

from collections.abc import Iterable

from dudao.accounts.models import Role
from dudao.accounts.scoping import offices_for
from dudao.core import guards
from dudao.inspectors.queries import barred_pairs

from .engine.framework import FrameworkSpec
from .models import Rater, RaterGroup, Round, RoundTarget

Stage = Round.Stage


def is_office(user, round_: Round) -> bool:
    return guards.is_office_admin(user, round_.office_id)


def is_reader_above(user, round_: Round) -> bool:
    """The office admin or a viewer above the office (city, province)."""
    if is_office(user, round_):
        return True
    return user.role == Role.VIEWER and offices_for(user).filter(pk=round_.office_id).exists()


def is_target_itself(user, target: RoundTarget) -> bool:
    return (
        bool(target.school_id) and user.role == Role.SCHOOL and user.school_id == target.school_id
    )


def may_self_assess(user, target: RoundTarget) -> bool:
    round_ = target.round
    if round_.stage != Stage.SELF_ASSESSMENT:
        return False
    return is_target_itself(user, target) or is_office(user, round_)


def rater_rows(user, target: RoundTarget) -> list[Rater]:
    """The user's rater rows that cover this target, recusal applied."""
    rows = [
        row
        for row in Rater.objects.filter(round_id=target.round_id, user_id=user.pk).order_by("pk")
        if row.target_id in (None, target.pk)
    ]
    if not rows:
        return []
    if target.school_id:
        if user.school_id == target.school_id:  # a peer never rates its own school
            return []
        if user.inspector_id and barred_pairs([(user.inspector_id, target.school_id)]):
            return []
    return rows


def scoring_groups(user, target: RoundTarget) -> list[str]:
    """The groups in which the user may score this target now (at most one rater group: a
    rater is in one group per target, as the engine requires)."""
    groups = []
    if may_self_assess(user, target):
        groups.append(RaterGroup.SELF)
    if target.round.stage == Stage.EXPERT_SCORING:
        rows = rater_rows(user, target)
        if rows:
            groups.append(rows[0].group)
    return groups


def scorable_codes(user, target: RoundTarget, group: str, spec: FrameworkSpec) -> set[str]:
    """The leaf codes the user scores in `group` (their subtrees for a rater row that names
    indicators; the target's own indicators count as the framework's)."""
    leaves = {i.code for i in spec.leaves}
    if group == RaterGroup.SELF:
        return leaves
    wanted: set[str] = set()
    for row in rater_rows(user, target):
        if row.group != group:
            continue
        if not row.indicator_codes:
            return leaves
        for code in row.indicator_codes:
            if code in spec:
                # The code itself when it is a leaf, else the leaves beneath it.
                subtree = [spec.get(code), *spec.walk(code)]
                wanted.update(i.code for i in subtree if i.is_leaf)
    return wanted


def readable_groups(user, target: RoundTarget) -> set[str] | None:
    """The groups whose scores the user reads on this target; None: every group, every
    rater's. Otherwise the set holds SELF when they read the self-assessment, and the user's
    own scores are always theirs to read."""
    round_ = target.round
    if user.is_superuser or is_reader_above(user, round_) or round_.stage == Stage.PUBLISHED:
        return None
    groups: set[str] = set()
    if is_target_itself(user, target) or rater_rows(user, target):
        groups.add(RaterGroup.SELF)
    return groups


def visible_scores(user, target: RoundTarget, scores: Iterable):
    """Filter `scores` (Score rows of the target) by `readable_groups`."""
    groups = readable_groups(user, target)
    if groups is None:
        return list(scores)
    return [s for s in scores if s.group in groups or s.rater_id == user.pk]
