"""The 双随机 draw of a special supervision campaign (双随机、一公开): which schools are checked
and by which inspectors, from a recorded seed and the published lists (docs/rules.md §21).

    result = draw(schools, inspectors, conflicts, seed="临教督〔2026〕3号", percent=10,
                  strata="zone", team_size=2, exclude_own=True)
    result.targets    # [Target(school="3301000007", inspectors=("D03", "D11")), …] (draw order)
    result.to_json()  # {"seed": …, "targets": [{"school": …, "inspectors": […]}, …]}
    result.method     # the method and its parameters in words, for the public page

Anyone holding the seed and the lists can reproduce a draw in any language: every choice is
made by sorting on SHA-256 keys of short texts ("seed|school|code"), never by a language's
random generator, and the input's order does not matter. `draw` is pure Python (standard
library only) and touches no database: the offline command (`dudao campaigns draw`,
dudao/campaigns/cli.py) and the web app call the same function with rows built from a CSV
file or from the database.

A refused draw raises `DrawError` (a code for programs, an English message template and its
parameters); its text is translated when Django's translations are configured (the message
templates are gettext msgids) and English otherwise.
"""

from __future__ import annotations

import hashlib
import json
from collections import deque
from dataclasses import astuple, dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from math import floor

METHOD = "dudao-draw-1"
STRATA = ("zone", "type")


def gettext_noop(message: str) -> str:
    """Marks a msgid for `makemessages`; the text is translated when it is shown (`_`)."""
    return message


def _(message: str) -> str:
    """gettext when Django's settings are configured (a request, the offline command), the
    English text otherwise: this module imports nothing from Django at load time."""
    try:
        from django.conf import settings
    except ImportError:  # pragma: no cover - Django is a dependency of the project
        return message
    if not settings.configured:
        return message
    from django.core.exceptions import AppRegistryNotReady
    from django.utils.translation import gettext

    try:
        return gettext(message)
    except AppRegistryNotReady:  # settings configured, django.setup() not run yet
        return message


class DrawError(ValueError):
    """A refused draw: `code` for programs, `template` (an English msgid) and `params` for
    the message, which `str()` gives translated where Django's translations are set up."""

    def __init__(self, code: str, template: str, /, **params):
        self.code = code
        self.template = template
        self.params = params
        super().__init__(code)

    @property
    def message(self) -> str:
        return _(self.template) % self.params

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class SchoolRow:
    """A school that may be drawn. `type` and `zone` are free text (the strata);
    `responsible_inspector` is the id of its responsible inspector (责任督学) or ""."""

    code: str
    name: str = ""
    type: str = ""
    zone: str = ""
    responsible_inspector: str = ""


@dataclass(frozen=True)
class InspectorRow:
    """An inspector who may be drawn into a team; `employer_school_code` is the code of the
    school that employs them, or "" (an inspector never checks their employer, §3)."""

    id: str
    name: str = ""
    employer_school_code: str = ""


@dataclass(frozen=True)
class Target:
    """A drawn school and its team (inspector ids in team-key order; empty without teams)."""

    school: str
    inspectors: tuple[str, ...] = ()


@dataclass(frozen=True)
class Stratum:
    name: str
    size: int  # schools that can be drawn in it
    drawn: int


@dataclass
class DrawResult:
    seed: str
    targets: list[Target]
    listed: int  # schools in the list
    eligible: tuple[str, ...]  # codes of the schools that could be drawn (sorted)
    left_out: tuple[str, ...]  # codes of those that could not: no team can be formed (sorted)
    count: int
    percent: Decimal | None = None
    strata: str | None = None
    shares: tuple[Stratum, ...] = ()
    team_size: int = 0
    exclude_own: bool = False
    inspectors: int = 0  # inspectors in the list
    loads: dict[str, int] = field(default_factory=dict)  # targets per inspector id

    def to_dict(self) -> dict:
        return {
            "seed": self.seed,
            "targets": [
                {"school": t.school, "inspectors": list(t.inspectors)} for t in self.targets
            ],
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    @property
    def method(self) -> str:
        """The method and its parameters in words, one sentence a line (translated when it
        is read), for the campaign's public page."""
        lines = [
            _("Method: %(method)s (双随机), as docs/rules.md §21 describes it; seed “%(seed)s”.")
            % {"method": METHOD, "seed": self.seed}
        ]
        if self.left_out:
            lines.append(
                _(
                    "Schools: %(listed)s listed, %(eligible)s can be drawn; %(left_out)s left "
                    "out, as fewer than %(team)s inspectors are free of conflict there."
                )
                % {
                    "listed": self.listed,
                    "eligible": len(self.eligible),
                    "left_out": len(self.left_out),
                    "team": self.team_size,
                }
            )
        else:
            lines.append(
                _("Schools: %(listed)s listed, all can be drawn.") % {"listed": self.listed}
            )
        if self.percent is not None:
            lines.append(
                _("Targets: %(count)s, %(percent)s%% of %(eligible)s rounded half up.")
                % {
                    "count": self.count,
                    "percent": _plain(self.percent),
                    "eligible": len(self.eligible),
                }
            )
        else:
            lines.append(_("Targets: %(count)s.") % {"count": self.count})
        if self.strata:
            shares = "; ".join(f"{s.name or _('(blank)')} {s.drawn}/{s.size}" for s in self.shares)
            template = (
                _("Stratified by zone, shares by largest remainder: %(shares)s.")
                if self.strata == "zone"
                else _("Stratified by school type, shares by largest remainder: %(shares)s.")
            )
            lines.append(template % {"shares": shares})
        lines.append(
            _(
                "The schools with the smallest SHA-256 of “%(text)s” are drawn and listed in "
                "that order."
            )
            % {"text": "seed|school|code"}
        )
        if self.team_size:
            template = (
                _(
                    "Teams: %(team)s different inspectors per school out of %(inspectors)s, "
                    "never one with a recorded conflict (回避), employed by the school or "
                    "responsible for it."
                )
                if self.exclude_own
                else _(
                    "Teams: %(team)s different inspectors per school out of %(inspectors)s, "
                    "never one with a recorded conflict (回避) or employed by the school."
                )
            )
            lines.append(template % {"team": self.team_size, "inspectors": self.inspectors})
            loads = self.loads.values()
            lines.append(
                _(
                    "The least loaded are chosen first, ties by the smallest SHA-256 of "
                    "“%(text)s”, then the loads are evened out: %(low)s to %(high)s targets "
                    "per inspector."
                )
                % {"text": "seed|team|school|id", "low": min(loads), "high": max(loads)}
            )
        else:
            lines.append(_("No inspectors are drawn."))
        return "\n".join(lines)


def _plain(number: Decimal) -> str:
    """12.50 → "12.5", 10 → "10" (no exponent)."""
    text = format(number, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def sha_key(seed: str, *parts: str) -> str:
    """The sort key of a choice: the lowercase hex SHA-256 of the UTF-8 text
    "seed|part|part…" (`printf '%s' 'seed|school|3301000001' | sha256sum`)."""
    return hashlib.sha256("|".join((seed, *parts)).encode("utf-8")).hexdigest()


def school_key(seed: str, code: str) -> str:
    return sha_key(seed, "school", code)


def stratum_key(seed: str, name: str) -> str:
    return sha_key(seed, "stratum", name)


def team_key(seed: str, school: str, inspector: str) -> str:
    return sha_key(seed, "team", school, inspector)


def inspector_key(seed: str, inspector: str) -> str:
    return sha_key(seed, "inspector", inspector)


def round_half_up(value: Fraction) -> int:
    return floor(value + Fraction(1, 2))


def parse_count(value) -> int:
    """A count of schools: a whole number of 1 or more (text or int)."""
    if isinstance(value, bool):
        raise _bad_count(value)
    if isinstance(value, int):
        number = value
    else:
        text = str(value).strip()
        if not text.isdigit() or not text.isascii():
            raise _bad_count(value)
        number = int(text)
    if number < 1:
        raise _bad_count(value)
    return number


def _bad_count(value) -> DrawError:
    return DrawError(
        "count",
        gettext_noop("The count must be a whole number of 1 or more (%(value)s)."),
        value=value,
    )


def parse_percent(value) -> Decimal:
    """A percentage above 0 and at most 100: a number, or text such as "12.5" or "10%"."""
    if isinstance(value, bool):
        raise _bad_percent(value)
    text = str(value).strip().removesuffix("%").strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise _bad_percent(value) from None
    if not number.is_finite() or not 0 < number <= 100:
        raise _bad_percent(value)
    return number


def _bad_percent(value) -> DrawError:
    return DrawError(
        "percent",
        gettext_noop("The percentage must be a number above 0 and at most 100 (%(value)s)."),
        value=value,
    )


def parse_team_size(value) -> int:
    if isinstance(value, bool):
        raise _bad_team(value)
    if isinstance(value, int):
        number = value
    else:
        text = str(value).strip()
        if not text.isdigit() or not text.isascii():
            raise _bad_team(value)
        number = int(text)
    if number < 0:
        raise _bad_team(value)
    return number


def _bad_team(value) -> DrawError:
    return DrawError(
        "team_size",
        gettext_noop("The team size must be a whole number of 0 or more (%(value)s)."),
        value=value,
    )


def draw(
    schools,
    inspectors=(),
    conflicts=(),
    *,
    seed: str,
    count=None,
    percent=None,
    strata: str | None = None,
    team_size=0,
    exclude_own: bool = False,
) -> DrawResult:
    """Draw `count` schools (or `percent` % of those that can be drawn, rounded half up),
    optionally stratified by "zone" or "type", and for each a team of `team_size` different
    inspectors (0: schools only), as docs/rules.md §21 describes.

    Every code, id and text is read as text without the spaces at its ends (None is blank),
    so the ids of the result are texts even when numbers were given.
    `schools`: `SchoolRow`s; `inspectors`: `InspectorRow`s; `conflicts`: (inspector id,
    school code) pairs of recorded recusal (回避) — the caller adds what its registry knows
    (Dudao's `recusal_reason` also counts a teaching point's host school); pairs naming
    someone or something not listed are ignored. `exclude_own`: never send a school its
    responsible inspector. Raises `DrawError` when the request cannot be met."""
    seed = "" if seed is None else str(seed)
    if not seed.strip():
        raise DrawError("seed", gettext_noop("The seed is empty."))
    if (count is None) == (percent is None):
        raise DrawError("how_many", gettext_noop("Give either a count or a percentage of schools."))
    count = None if count is None else parse_count(count)
    percent = None if percent is None else parse_percent(percent)
    if strata is not None and strata not in STRATA:
        raise DrawError(
            "strata",
            gettext_noop("Strata must be “zone” or “type” (%(value)s)."),
            value=strata,
        )
    team_size = parse_team_size(team_size)
    schools = [SchoolRow(*map(_text, astuple(s))) for s in schools]
    inspectors = [InspectorRow(*map(_text, astuple(i))) for i in inspectors]
    _check_unique(schools, inspectors)
    if team_size > len(inspectors):
        raise DrawError(
            "team_too_large",
            gettext_noop(
                "A team of %(team)s inspectors cannot be formed: only %(count)s inspectors "
                "are listed."
            ),
            team=team_size,
            count=len(inspectors),
        )
    conflicts = {(_text(i), _text(s)) for i, s in conflicts}

    # (a) Who may check which school, and the schools a team can be formed for.
    free: dict[str, list[str]] = {}
    eligible, left_out = [], []
    for school in schools:
        ids = [
            i.id
            for i in inspectors
            if (i.id, school.code) not in conflicts
            and i.employer_school_code != school.code
            and not (exclude_own and school.responsible_inspector == i.id)
        ]
        if len(ids) >= team_size:
            free[school.code] = ids
            eligible.append(school)
        else:
            left_out.append(school.code)

    # (b) How many.
    if percent is not None:
        count = round_half_up(Fraction(percent) * len(eligible) / 100)
        if count == 0:
            raise DrawError(
                "percent_none",
                gettext_noop("%(percent)s%% of %(eligible)s schools rounds to no school."),
                percent=_plain(percent),
                eligible=len(eligible),
            )
    if count > len(eligible):
        if left_out:
            raise DrawError(
                "too_many",
                gettext_noop(
                    "%(count)s schools are asked for, but only %(eligible)s of the %(listed)s "
                    "can be drawn: at %(left_out)s, fewer than %(team)s inspectors are free "
                    "of conflict."
                ),
                count=count,
                eligible=len(eligible),
                listed=len(schools),
                left_out=len(left_out),
                team=team_size,
            )
        raise DrawError(
            "too_many",
            gettext_noop("%(count)s schools are asked for, but only %(eligible)s are listed."),
            count=count,
            eligible=len(eligible),
        )

    # (c) Which schools: the smallest keys, within each stratum's share.
    keys = {s.code: school_key(seed, s.code) for s in eligible}
    shares: tuple[Stratum, ...] = ()
    if strata:
        groups: dict[str, list[SchoolRow]] = {}
        for school in eligible:
            groups.setdefault(getattr(school, strata), []).append(school)
        quotas = largest_remainder(
            {name: len(members) for name, members in groups.items()}, count, seed
        )
        drawn = []
        for name, members in groups.items():
            members.sort(key=lambda s: keys[s.code])
            drawn += members[: quotas[name]]
        shares = tuple(Stratum(name, len(groups[name]), quotas[name]) for name in sorted(groups))
    else:
        drawn = sorted(eligible, key=lambda s: keys[s.code])[:count]
    order = [s.code for s in sorted(drawn, key=lambda s: keys[s.code])]

    # (d) The teams.
    ids = [i.id for i in inspectors]
    loads = dict.fromkeys(ids, 0)
    teams: dict[str, list[str]] = {code: [] for code in order}
    if team_size:
        teams = assign_teams(seed, order, {c: free[c] for c in order}, ids, team_size)
        for team in teams.values():
            for inspector in team:
                loads[inspector] += 1
    targets = [
        Target(code, tuple(sorted(teams[code], key=lambda i, c=code: team_key(seed, c, i))))
        for code in order
    ]
    return DrawResult(
        seed=seed,
        targets=targets,
        listed=len(schools),
        eligible=tuple(sorted(s.code for s in eligible)),
        left_out=tuple(sorted(left_out)),
        count=count,
        percent=percent,
        strata=strata,
        shares=shares,
        team_size=team_size,
        exclude_own=exclude_own,
        inspectors=len(inspectors),
        loads=loads if team_size else {},
    )


def _text(value) -> str:
    """A value as the draw reads it: text without the spaces at its ends; None is blank
    (ids may be given as numbers: 7 and "7" are the same inspector)."""
    return "" if value is None else str(value).strip()


def _check_unique(schools, inspectors):
    seen = set()
    for school in schools:
        if not school.code:
            raise DrawError("school_code", gettext_noop("A school has no code."))
        if school.code in seen:
            raise DrawError(
                "duplicate_school",
                gettext_noop("The school code %(code)s is listed twice."),
                code=school.code,
            )
        seen.add(school.code)
    seen = set()
    for inspector in inspectors:
        if not inspector.id:
            raise DrawError("inspector_id", gettext_noop("An inspector has no id."))
        if inspector.id in seen:
            raise DrawError(
                "duplicate_inspector",
                gettext_noop("The inspector id %(id)s is listed twice."),
                id=inspector.id,
            )
        seen.add(inspector.id)


def largest_remainder(sizes: dict[str, int], count: int, seed: str) -> dict[str, int]:
    """Each stratum's share of `count` (at most the sum of `sizes`): the whole part of
    count × size / total, then one more for the largest remainders, ties to the smallest
    SHA-256 of "seed|stratum|name"."""
    total = sum(sizes.values())
    exact = {name: Fraction(count * size, total) for name, size in sizes.items()}
    shares = {name: floor(q) for name, q in exact.items()}
    extra = count - sum(shares.values())
    ranked = sorted(sizes, key=lambda n: (-(exact[n] - shares[n]), stratum_key(seed, n)))
    for name in ranked[:extra]:
        shares[name] += 1
    return shares


def assign_teams(
    seed: str, order: list[str], free: dict[str, list[str]], ids: list[str], team_size: int
) -> dict[str, list[str]]:
    """The teams of the drawn schools (`order`, the draw order), each `team_size` ids out of
    the school's `free` inspectors, with the loads (targets per inspector, over every id of
    `ids`) as even as the conflicts allow.

    1. Greedy: school by school in draw order, the free inspectors with the fewest targets so
       far, ties to the smallest key "seed|team|school|id".
    2. Evening out: while some inspector A has a target that, through a chain of replacements
       (A's place at school 1 taken by B, B's place at school 2 by C, …), could pass to an
       inspector Z with at least two targets fewer than A, the first such chain found is
       applied (A loses one target, Z gains one, everyone between keeps theirs). The search is
       breadth-first from every inspector of the highest load that has a chain (then the next
       load down): the sources in the order of "seed|inspector|id", each one's schools in draw
       order, each school's free inspectors not in its team in key order; the first reached
       inspector with a load at most A's minus two ends the chain. No such chain left means the
       loads cannot be made more even by any assignment (the busiest are as few and as little
       busy, the least busy as busy, as the conflicts allow)."""
    ranked = {
        code: sorted(free[code], key=lambda i, c=code: team_key(seed, c, i)) for code in order
    }
    loads = dict.fromkeys(ids, 0)
    teams: dict[str, list[str]] = {}
    for code in order:
        team = sorted(ranked[code], key=lambda i: loads[i])[:team_size]  # stable: key order
        for inspector in team:
            loads[inspector] += 1
        teams[code] = team
    sources = sorted(ids, key=lambda i: inspector_key(seed, i))
    while _even_out_once(order, ranked, teams, loads, sources):
        pass
    return teams


def _even_out_once(order, ranked, teams, loads, sources) -> bool:
    """Apply the first chain that evens out the loads; False when there is none."""
    low = min(loads.values())
    for level in sorted(set(loads.values()), reverse=True):
        if level < low + 2:
            return False
        chain = _find_chain(order, ranked, teams, loads, sources, level)
        if chain:
            for code, leaving, coming in chain:
                team = teams[code]
                team[team.index(leaving)] = coming
            loads[chain[0][1]] -= 1
            loads[chain[-1][2]] += 1
            return True
    return False


def _find_chain(order, ranked, teams, loads, sources, level):
    """[(school, leaving id, coming id), …] from an inspector of load `level` to one of load
    `level - 2` or less, breadth-first, or None."""
    held: dict[str, list[str]] = {}
    for code in order:
        for inspector in teams[code]:
            held.setdefault(inspector, []).append(code)
    start = [i for i in sources if loads[i] == level]
    came_from: dict[str, tuple[str, str]] = {}
    seen = set(start)
    queue = deque(start)
    while queue:
        inspector = queue.popleft()
        for code in held.get(inspector, ()):
            team = teams[code]
            for other in ranked[code]:
                if other in seen or other in team:
                    continue
                seen.add(other)
                came_from[other] = (inspector, code)
                if loads[other] <= level - 2:
                    chain = []
                    coming = other
                    while coming in came_from:
                        leaving, school = came_from[coming]
                        chain.append((school, leaving, coming))
                        coming = leaving
                    chain.reverse()
                    return chain
                queue.append(other)
    return None
