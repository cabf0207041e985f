"""Supervision evaluation (督导评估、督政, issue 13) for the province dataset of
bench/supervision.py. Bulk rows written with COPY, as the campaigns are (campaign_data.py);
everything it needs is read back from the database, so it also runs on a database loaded
before it existed (`bench/supervision.py --add-modules`). The published results are computed
by the engine the web uses (`dudao.evaluations.engine.scoring.score_targets`), so the pages
show what they would after a real publication. No audit rows, evidence files, own indicators
or findings for failed targets are generated.

Per county (office), on the built-in frameworks:

- government units (督政对象): the county government, five departments and one government
  per township;
- a published 2025 round on the 2021 compulsory-school quality framework (27 level-scored
  points of examination) on a third of the county's primary and junior schools, each scored
  by itself (its account `s<school id>`, made by campaign_data.py) and three experts of the
  county (inspectors, every target); weights expert 0.6, self 0.4; results stored;
- the 2026 round on the same framework and schools in expert scoring: self-assessments
  submitted, two experts done, the third half-way;
- a 2026 kindergarten round (the 2017 kindergarten framework) in self-assessment on a third
  of the kindergartens, its two experts named (no scores yet);
- a published 2026 township 目标管理 round on the county's township governments, scored by
  three experts (points, yes/no and the veto item).
"""

import datetime
import json
import random
from decimal import Decimal

SEED = 20261313
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
EVENT_COLUMNS = [
    "id",
    "at",
    "actor_name",
    "action",
    "from_status",
    "to_status",
    "note",
    "data",
    "actor_id",
]
COLUMNS = {
    "organisations_governmentunit": [
        "id",
        "kind",
        "name",
        "contact",
        "phone",
        "position",
        "is_active",
        "office_id",
        "parent_id",
        "region_id",
        "version",
    ],
    "evaluations_round": [
        "id",
        "title",
        "year",
        "legal_basis",
        "description",
        "stage",
        "self_due",
        "expert_due",
        "review_due",
        "weights",
        "grades",
        "pass_grade",
        "disagreement",
        "own_indicators",
        "created_at",
        "published_at",
        "version",
        "created_by_id",
        "framework_id",
        "office_id",
    ],
    "evaluations_roundevent": [*EVENT_COLUMNS, "round_id"],
    "evaluations_roundtarget": [
        "id",
        "position",
        "self_submitted_at",
        "self_summary",
        "total",
        "max_total",
        "grade",
        "vetoed",
        "passed",
        "scores",
        "version",
        "office_id",
        "round_id",
        "school_id",
        "self_submitted_by_id",
        "unit_id",
    ],
    "evaluations_rater": ["id", "group", "indicator_codes", "user_id", "round_id", "target_id"],
    "evaluations_score": [
        "id",
        "code",
        "group",
        "value",
        "comment",
        "updated_at",
        "version",
        "rater_id",
        "target_id",
    ],
}
TABLES = list(COLUMNS)
DEPARTMENTS = [
    "县发展和改革局",
    "县财政局",
    "县人力资源和社会保障局",
    "县自然资源局",
    "县卫生健康局",
]
LEVEL_WEIGHTS = {"A": 55, "B": 30, "C": 12, "D": 3}
COMMENTS = ["材料齐全，做法规范。", "部分佐证材料不足。", "需进一步加强。", "成效明显。"]
SUMMARY = "学校对照评价指标逐项自评，查找问题，制定整改措施。"
WEIGHTS = {"expert": "0.6", "self": "0.4"}
STAGE_ACTIONS = [
    ("open", "draft", "self_assessment"),
    ("start_scoring", "self_assessment", "expert_scoring"),
    ("start_review", "expert_scoring", "review"),
    ("publish", "review", "published"),
]


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), SHANGHAI)


class EvaluationLoader:
    def __init__(self, copy_rows, today: datetime.date, now: datetime.datetime):
        self.copy_rows, self.today, self.now = copy_rows, today, now
        self.rng = random.Random(SEED)
        self.sizes: dict[str, int] = {}
        self.rows = {t: [] for t in TABLES}
        self.ids = dict.fromkeys(TABLES, 0)

    # ---- what the province already holds

    def read(self):
        from django.db import connection

        from dudao.evaluations.framework_services import spec_of
        from dudao.evaluations.models import Framework

        with connection.cursor() as cursor:
            cursor.execute("SELECT id, region_id FROM organisations_office ORDER BY id")
            self.offices = cursor.fetchall()
            cursor.execute("SELECT office_id, id FROM accounts_user WHERE role = 'office_admin'")
            self.admin_of = dict(cursor.fetchall())
            cursor.execute(
                "SELECT s.office_id, s.id, s.type, u.id FROM schools_school s "
                "LEFT JOIN accounts_user u ON u.school_id = s.id AND u.role = 'school' "
                "AND u.username = 's' || s.id ORDER BY s.id"
            )
            self.schools: dict[int, list] = {}
            for office_id, school_id, kind, user_id in cursor.fetchall():
                self.schools.setdefault(office_id, []).append((school_id, kind, user_id))
            cursor.execute(
                "SELECT office_id, id FROM accounts_user WHERE role = 'inspector' ORDER BY id"
            )
            self.inspector_users: dict[int, list] = {}
            for office_id, user_id in cursor.fetchall():
                self.inspector_users.setdefault(office_id, []).append(user_id)
            cursor.execute(
                "SELECT parent_id, id, name FROM organisations_region WHERE level = 'township' "
                "ORDER BY id"
            )
            self.townships: dict[int, list] = {}
            for county_id, region_id, name in cursor.fetchall():
                self.townships.setdefault(county_id, []).append((region_id, name))
            for table in TABLES:
                cursor.execute(f"SELECT COALESCE(max(id), 0) FROM {table}")  # noqa: S608
                self.ids[table] = cursor.fetchone()[0]
        frameworks = {
            f.key: f
            for f in Framework.objects.unscoped().filter(office__isnull=True, status="published")
        }
        self.frameworks = {
            key: (frameworks[key], spec_of(frameworks[key]))
            for key in (
                "compulsory_quality_2021",
                "kindergarten_conduct_2017",
                "township_target_management",
            )
        }

    # ---- generation

    def next_id(self, table):
        self.ids[table] += 1
        return self.ids[table]

    def load(self) -> dict[str, int]:
        self.read()
        for n, (office_id, region_id) in enumerate(self.offices, start=1):
            self.county(office_id, region_id)
            if n % 10 == 0:
                self.flush()
                print(f"  evaluations: {n} offices, {self.ids['evaluations_score']:,} scores")
        self.flush()
        return self.sizes

    def flush(self):
        for table in TABLES:
            rows, self.rows[table] = self.rows[table], []
            if rows:
                n = self.copy_rows(table, COLUMNS[table], rows)
                self.sizes[table] = self.sizes.get(table, 0) + n

    def value(self, indicator, good: float):
        """A plausible value for a leaf; `good` shifts the school towards the top."""
        rng = self.rng
        if indicator.method == "levels":
            names = [name for name, _share in indicator.levels]
            weights = [
                LEVEL_WEIGHTS.get(name, 10) * (good if name == names[0] else 1) for name in names
            ]
            return rng.choices(names, weights)[0]
        if indicator.method == "points":
            top = float(indicator.max_score)
            return str(round(min(top, max(0.0, rng.gauss(top * 0.82 * good, top * 0.1))) * 2) / 2)
        if indicator.method == "yesno":
            return "yes" if rng.random() < 0.9 else "no"
        if indicator.method == "veto":
            return "yes" if rng.random() < 0.985 else "no"
        return None

    def county(self, office_id, region_id):
        rng, today = self.rng, self.today
        admin = self.admin_of.get(office_id)
        experts = self.inspector_users.get(office_id, [])[:6]
        if len(experts) < 3:
            return
        # Government units: the county government, five departments, the townships.
        units = self.rows["organisations_governmentunit"]
        county_unit = self.next_id("organisations_governmentunit")
        units.append(
            (county_unit, "county", "县人民政府", "", "", 0, True, office_id, None, None, 1)
        )
        for i, name in enumerate(DEPARTMENTS, start=1):
            units.append(
                (
                    self.next_id("organisations_governmentunit"),
                    "department",
                    name,
                    "",
                    "",
                    i,
                    True,
                    office_id,
                    county_unit,
                    None,
                    1,
                )
            )
        township_units = []
        for i, (township_id, name) in enumerate(self.townships.get(region_id, []), start=10):
            unit = self.next_id("organisations_governmentunit")
            units.append(
                (
                    unit,
                    "township",
                    f"{name}人民政府",
                    "",
                    "",
                    i,
                    True,
                    office_id,
                    None,
                    township_id,
                    1,
                )
            )
            township_units.append(unit)
        schools = self.schools.get(office_id, [])
        compulsory = [s for s in schools if s[1] in ("primary", "junior") and s[2] is not None]
        chosen = compulsory[rng.randrange(3) :: 3]
        kindergartens = [s for s in schools if s[1] == "kindergarten"][::3]
        quality, quality_spec = self.frameworks["compulsory_quality_2021"]
        last_year = self.round(
            office_id,
            admin,
            quality,
            f"{today.year - 1}年义务教育学校办学质量评价",
            today.year - 1,
            "published",
            300,
        )
        this_year = self.round(
            office_id,
            admin,
            quality,
            f"{today.year}年义务教育学校办学质量评价",
            today.year,
            "expert_scoring",
            40,
        )
        # The same schools and experts in both rounds; each school a little better this year.
        for round_id, stage, shift in (
            (last_year, "published", 0.95),
            (this_year, "expert_scoring", 1.0),
        ):
            targets = []
            for position, (school_id, _kind, user_id) in enumerate(chosen, start=1):
                target = self.next_id("evaluations_roundtarget")
                good = rng.uniform(0.85, 1.15) * shift
                targets.append((target, school_id, user_id, good, position))
            raters = experts[:3]
            for user in raters:
                self.rows["evaluations_rater"].append(
                    (self.next_id("evaluations_rater"), "expert", "[]", user, round_id, None)
                )
            entries = self.scores(
                quality_spec,
                targets,
                raters,
                self_scores=True,
                partial=stage == "expert_scoring",
            )
            self.targets(office_id, round_id, quality_spec, targets, entries, stage)
        # Kindergartens: self-assessment just opened, experts named.
        kg, kg_spec = self.frameworks["kindergarten_conduct_2017"]
        kg_round = self.round(
            office_id,
            admin,
            kg,
            f"{today.year}年幼儿园办园行为督导评估",
            today.year,
            "self_assessment",
            10,
        )
        for user in experts[3:5]:
            self.rows["evaluations_rater"].append(
                (self.next_id("evaluations_rater"), "expert", "[]", user, kg_round, None)
            )
        kg_targets = [
            (self.next_id("evaluations_roundtarget"), school_id, None, 1.0, position)
            for position, (school_id, _k, _u) in enumerate(kindergartens, start=1)
        ]
        self.targets(office_id, kg_round, kg_spec, kg_targets, [], "self_assessment")
        # Townships: 目标管理, published, three experts.
        town, town_spec = self.frameworks["township_target_management"]
        town_round = self.round(
            office_id,
            admin,
            town,
            f"{today.year}年乡镇（街道）教育工作目标管理考核",
            today.year,
            "published",
            20,
            unit=True,
        )
        raters = experts[3:6] if len(experts) >= 6 else experts[:3]
        for user in raters:
            self.rows["evaluations_rater"].append(
                (self.next_id("evaluations_rater"), "expert", "[]", user, town_round, None)
            )
        town_targets = [
            (self.next_id("evaluations_roundtarget"), unit, None, rng.uniform(0.85, 1.15), position)
            for position, unit in enumerate(township_units, start=1)
        ]
        entries = self.scores(town_spec, town_targets, raters, self_scores=False, partial=False)
        self.targets(
            office_id, town_round, town_spec, town_targets, entries, "published", unit=True
        )

    def round(self, office_id, admin, framework, title, year, stage, days_ago, unit=False):
        today = self.today
        created = today - datetime.timedelta(days=days_ago)
        round_id = self.next_id("evaluations_round")
        published = at(created + datetime.timedelta(days=60), 10) if stage == "published" else None
        self.rows["evaluations_round"].append(
            (
                round_id,
                title,
                year,
                f"县督〔{year}〕{round_id % 50 + 1}号",
                "",
                stage,
                created + datetime.timedelta(days=20),
                created + datetime.timedelta(days=45),
                created + datetime.timedelta(days=55),
                json.dumps({"expert": "1"} if unit else WEIGHTS),
                "[]",
                "合格",
                Decimal("0.30"),
                False,
                at(created, 9),
                published,
                5,
                admin,
                framework.pk,
                office_id,
            )
        )
        events = self.rows["evaluations_roundevent"]
        events.append(
            (
                self.next_id("evaluations_roundevent"),
                at(created, 9),
                "督导室",
                "created",
                "",
                "draft",
                "",
                "{}",
                admin,
                round_id,
            )
        )
        for step, (action, before, after) in enumerate(STAGE_ACTIONS, start=1):
            events.append(
                (
                    self.next_id("evaluations_roundevent"),
                    at(created + datetime.timedelta(days=step * 15), 10),
                    "督导室",
                    action,
                    before,
                    after,
                    "",
                    "{}",
                    admin,
                    round_id,
                )
            )
            if after == stage:
                break
        return round_id

    def scores(self, spec, targets, raters, *, self_scores, partial):
        """Score rows (and the engine's entries) for the targets: the school itself, then
        each expert; `partial`: the last expert has scored half of the leaves."""
        from dudao.evaluations.engine.scoring import ScoreEntry

        rng, rows, entries = self.rng, self.rows["evaluations_score"], []
        leaves = [leaf for leaf in spec.leaves if leaf.method != "formula"]
        when = self.now - datetime.timedelta(days=rng.randint(1, 20))
        for target, _school, self_user, good, _position in targets:
            people = [("self", self_user)] if self_scores and self_user else []
            people += [("expert", user) for user in raters]
            for n, (group, user) in enumerate(people):
                last = partial and n == len(people) - 1
                for i, leaf in enumerate(leaves):
                    if last and i % 2:
                        continue
                    value = self.value(leaf, good * (1.08 if group == "self" else 1.0))
                    comment = rng.choice(COMMENTS) if rng.random() < 0.08 else ""
                    rows.append(
                        (
                            self.next_id("evaluations_score"),
                            leaf.code,
                            group,
                            value,
                            comment,
                            when,
                            1,
                            user,
                            target,
                        )
                    )
                    entries.append(
                        ScoreEntry(
                            target=str(target),
                            rater=str(user),
                            group=group,
                            code=leaf.code,
                            value=value,
                        )
                    )
        return entries

    def targets(self, office_id, round_id, spec, targets, entries, stage, unit=False):
        from dudao.evaluations.engine.scoring import score_targets

        results = {}
        if stage == "published" and targets:
            weights = (
                {"expert": Decimal(1)} if unit else {g: Decimal(w) for g, w in WEIGHTS.items()}
            )
            for result in score_targets(
                spec,
                entries,
                weights=weights,
                targets=[str(t[0]) for t in targets],
                disagreement=Decimal("0.30"),
            ):
                results[int(result.target)] = result
        submitted = stage != "self_assessment" and not unit
        for target, key, self_user, _good, position in targets:
            result = results.get(target)
            passed = None
            if result is not None:
                passed = not result.vetoed and result.grade != "不合格"
            self.rows["evaluations_roundtarget"].append(
                (
                    target,
                    position,
                    at(self.today - datetime.timedelta(days=30), 16) if submitted else None,
                    SUMMARY if submitted else "",
                    result.total if result else None,
                    result.max if result else None,
                    result.grade if result else "",
                    bool(result and result.vetoed),
                    passed,
                    json.dumps(
                        {code: str(v) for code, v in result.indicators.items()} if result else {}
                    ),
                    3 if result else 1,
                    office_id,
                    round_id,
                    None if unit else key,
                    self_user if submitted else None,
                    key if unit else None,
                )
            )
