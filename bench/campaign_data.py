"""Campaigns (专项督导) and periodic returns (定期报送) for the province dataset of
bench/supervision.py (issue 12). Bulk rows written with COPY, as the visits are: the services
(see dudao/demo/campaigns.py) take minutes for one county. No audit rows, target or
submission events, evidence files or findings from answers are generated.

Per county (office):

- campaigns: one running 开学工作督查 (built-in `kaixue`, all school types) drawn at random
  (`--campaign-share` % of the county's schools, stratified by zone) two weeks into its
  month, and three earlier published ones (`shuangjian-wuxiang` at primary and junior
  schools, `xiaoyuan-anquan`, the previous `kaixue`), each with the same share. Teams of
  three inspectors of the county (a leader first) check about five schools each and are
  never a school's own inspector. The running campaign's checks are ~45 % submitted, ~15 %
  in progress (half the items answered) and the rest pending; the earlier campaigns' are all
  submitted. Answers follow the item's type: mostly compliant, ~7 % of assessed answers not
  (with a note), a few highlight notes; `compliant` is `ChecklistItem.assess(value)`, values
  stored as `campaigns.checks.clean_value` stores them (a number as its decimal text).
- one active "双减"工作半月报 (built-in `shuangjian-banyue`) asked of the county's primary and
  junior schools since `--return-periods` half-months before the current one, with an
  account per reporting school (`s<school id>`) and a row per school and period: past periods
  ~88 % on time, ~7 % late, ~2 % a draft and the rest not reported (reminded once or twice);
  the current period partly reported. Values stored as `returns.services.clean_answer` stores
  them (JSON numbers).
"""

import datetime
import json
import math
import random
import uuid

SEED = 20261212
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
TEAM_SIZE = 3
SCHOOLS_PER_TEAM = 5
RETURN_TYPES = ("primary", "junior")
CAMPAIGNS = (
    # (checklist key, theme, title, days before today it started, school types or None)
    ("kaixue", "开学", "{year}年秋季开学工作督查", 14, None),
    ("shuangjian-wuxiang", "双减", "{year}年“双减”与“五项管理”专项督导", 120, RETURN_TYPES),
    ("xiaoyuan-anquan", "安全", "{year}年校园及周边安全专项督导", 240, None),
    ("kaixue", "开学", "{year}年春季开学工作督查", 300, None),
)
PROBLEM_NOTES = [
    "台账资料不全，已当场指出。",
    "现场查看发现问题，要求限期整改。",
    "制度已建立但落实不到位。",
    "相关记录未及时更新。",
]
HIGHLIGHT_NOTES = ["做法规范，可在全县推广。", "资料整理规范，台账清晰。"]
CHECK_NOTES = [
    "听取学校工作汇报，查阅相关台账，实地查看校园，随机走访师生。",
    "查阅资料、实地查看教室和食堂，抽查两个班级。",
    "现场查看校门值守和校舍安全，听取汇报并与部分教师座谈。",
]
TARGET_COLUMNS = [
    "id",
    "position",
    "status",
    "visited_at",
    "notes",
    "submitted_at",
    "version",
    "campaign_id",
    "office_id",
    "school_id",
    "submitted_by_id",
    "team_id",
]
ANSWER_COLUMNS = [
    "id",
    "value",
    "compliant",
    "note",
    "client_uuid",
    "answered_at",
    "answered_by_id",
    "finding_id",
    "item_id",
    "target_id",
]
SUBMISSION_COLUMNS = [
    "id",
    "status",
    "submitted_at",
    "is_late",
    "reminders_sent",
    "last_reminded_at",
    "client_uuid",
    "version",
    "office_id",
    "period_id",
    "school_id",
    "submitted_by_id",
]
RETURN_ANSWER_COLUMNS = ["id", "value", "compliant", "note", "item_id", "submission_id"]
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
USER_COLUMNS = [
    "id",
    "password",
    "is_superuser",
    "username",
    "first_name",
    "last_name",
    "email",
    "is_staff",
    "is_active",
    "date_joined",
    "role",
    "display_name",
    "phone",
    "failed_login_count",
    "inspector_id",
    "office_id",
    "region_id",
    "school_id",
    "language",
    "password_changed_at",
]
COLUMNS = {
    "campaigns_campaign": [
        "id",
        "title",
        "theme",
        "legal_basis",
        "starts_on",
        "ends_on",
        "unannounced",
        "target_rule",
        "target_params",
        "team_size",
        "exclude_own",
        "draw_seed",
        "draw_method",
        "drawn_at",
        "status",
        "created_at",
        "updated_at",
        "closed_at",
        "published_at",
        "version",
        "checklist_id",
        "created_by_id",
        "drawn_by_id",
        "office_id",
    ],
    "campaigns_campaignevent": [*EVENT_COLUMNS, "campaign_id"],
    "campaigns_campaignteam": ["id", "name", "position", "campaign_id"],
    "campaigns_teammember": ["id", "is_leader", "inspector_id", "team_id"],
    "campaigns_campaigntarget": TARGET_COLUMNS,
    "campaigns_answer": ANSWER_COLUMNS,
    "returns_periodicreturn": [
        "id",
        "title",
        "schedule",
        "due_day",
        "starts_on",
        "ends_on",
        "remind_days_before",
        "status",
        "created_at",
        "updated_at",
        "version",
        "checklist_id",
        "created_by_id",
        "office_id",
    ],
    "returns_periodicreturn_schools": ["id", "periodicreturn_id", "school_id"],
    "returns_returnevent": [*EVENT_COLUMNS, "periodic_return_id"],
    "returns_returnperiod": ["id", "opens_on", "due_on", "office_id", "periodic_return_id"],
    "returns_returnsubmission": SUBMISSION_COLUMNS,
    "returns_returnanswer": RETURN_ANSWER_COLUMNS,
}
TABLES = [
    "campaigns_campaign",
    "campaigns_campaignevent",
    "campaigns_campaignteam",
    "campaigns_teammember",
    "campaigns_campaigntarget",
    "campaigns_answer",
    "returns_periodicreturn",
    "returns_periodicreturn_schools",
    "returns_returnevent",
    "returns_returnperiod",
    "returns_returnsubmission",
    "returns_returnanswer",
]


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), SHANGHAI)


def uuid4(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def half_month_start(day: datetime.date, back: int) -> datetime.date:
    """The first day of the half-month `back` half-months before the one holding `day`."""
    year, month, half = day.year, day.month, 1 if day.day >= 16 else 0
    index = (year * 12 + month - 1) * 2 + half - back
    year, rest = divmod(index, 24)
    return datetime.date(year, rest // 2 + 1, 16 if rest % 2 else 1)


class Items:
    """A checklist's items (model instances, for `assess` and `applies_to`) by key."""

    def __init__(self):
        from dudao.checklists.models import ChecklistItem, ChecklistTemplate

        self.templates, self.items = {}, {}
        for template in ChecklistTemplate.objects.unscoped().filter(
            office__isnull=True, status=ChecklistTemplate.Status.PUBLISHED
        ):
            current = self.templates.get(template.key)
            if current is None or template.revision > current.revision:
                self.templates[template.key] = template
        for key, template in self.templates.items():
            self.items[key] = list(
                ChecklistItem.objects.filter(template=template).order_by("position")
            )

    def applicable(self, key, school_type):
        return [item for item in self.items[key] if item.applies_to(school_type)]


def number_value(rng, item, comply: bool):
    """A plausible number for `item`, inside its standard when `comply` (and it has one)."""
    low = float(item.standard_min) if item.standard_min is not None else None
    high = float(item.standard_max) if item.standard_max is not None else None
    if low is None and high is None:
        return rng.randint(0, 400)
    if comply:
        if low is not None and high is not None:
            return round(rng.uniform(low, high), 1)
        if low is not None:
            return round(low + rng.uniform(0, max(1.0, low * 0.05)), 1) if low else 0
        return round(high * rng.uniform(0.6, 1.0), 1) if high else 0
    if low is not None:
        return round(low - rng.uniform(0.1, max(0.5, low * 0.1)), 1)
    return round(high + rng.uniform(1, max(2.0, high * 0.2)), 1)


def answer_value(rng, item, comply: bool):
    """A raw answer (before it is stored) mostly compliant; None for photos."""
    kind = item.answer_type
    if kind == "yes_no":
        wanted = bool(item.compliant[0]) if item.compliant else True
        return wanted if comply else not wanted
    if kind in ("level", "choice"):
        good = [c for c in item.choices if c in (item.compliant or [])] or item.choices[:1]
        bad = [c for c in item.choices if c not in good] or good
        return rng.choice(good if comply else bad)
    if kind == "number":
        return number_value(rng, item, comply)
    if kind == "text":
        return rng.choice(CHECK_NOTES)
    return None


class CampaignLoader:
    def __init__(self, loader, copy_rows, share: float, return_periods: int):
        self.loader, self.copy_rows = loader, copy_rows
        self.rng = random.Random(SEED)
        self.share, self.return_periods = share, return_periods
        self.today, self.now = loader.today, loader.now
        self.sizes = {}

    def load(self) -> dict[str, int]:
        from django.contrib.auth.hashers import make_password
        from django.db import connection

        self.items = Items()
        by_office: dict[int, list] = {}
        for school_id, office_id, inspector_id in self.loader.schools:
            school_type, zone_id, _name = self.loader.school_info[school_id]
            by_office.setdefault(office_id, []).append(
                (school_id, school_type, zone_id, inspector_id)
            )
        self.inspectors: dict[int, list[int]] = {}
        for inspector_id, office_id in self.loader.inspector_offices.items():
            self.inspectors.setdefault(office_id, []).append(inspector_id)
        self.admin_of = self.loader.admin_of
        with connection.cursor() as cursor:
            cursor.execute("SELECT COALESCE(max(id), 0) FROM accounts_user")
            self.next_user = cursor.fetchone()[0] + 1
        self.password = make_password("bench-2026")
        self.ids = dict.fromkeys(TABLES, 0)
        self.rows = {t: [] for t in TABLES}
        self.school_users = []
        for office_id in sorted(by_office):
            schools = by_office[office_id]
            for n, spec in enumerate(CAMPAIGNS):
                self.campaign(office_id, schools, n, *spec)
            self.periodic_return(office_id, schools)
            if office_id % 10 == 0:
                self.flush()
                print(
                    f"  campaigns and returns: {office_id} offices, "
                    f"{self.ids['campaigns_answer']:,} answers, "
                    f"{self.ids['returns_returnanswer']:,} return answers"
                )
        self.flush()
        return self.sizes

    def next_id(self, table):
        self.ids[table] += 1
        return self.ids[table]

    def flush(self):
        """COPY what was generated so far, parents first."""
        if self.school_users:
            self.sizes["school accounts"] = self.sizes.get("school accounts", 0) + self.copy_rows(
                "accounts_user", USER_COLUMNS, self.school_users
            )
            self.school_users = []
        for table in TABLES:
            rows, self.rows[table] = self.rows[table], []
            if rows:
                columns = COLUMNS[table]
                self.sizes[table] = self.sizes.get(table, 0) + self.copy_rows(table, columns, rows)

    # ------------------------------------------------------------------ campaigns

    def campaign(self, office_id, schools, n, key, theme, title, days_ago, types):
        rng, today = self.rng, self.today
        running = n == 0
        starts_on = today - datetime.timedelta(days=days_ago)
        ends_on = starts_on + datetime.timedelta(days=30)
        created = at(starts_on - datetime.timedelta(days=14), 10, 30)
        drawn = at(starts_on - datetime.timedelta(days=7), 15)
        closed = None if running else at(ends_on + datetime.timedelta(days=1), 16, 30)
        published = None if running else at(ends_on + datetime.timedelta(days=5), 10)
        status = "running" if running else "published"
        campaign_id = self.next_id("campaigns_campaign")
        admin = self.admin_of[office_id]
        seed = f"县{office_id}督〔{starts_on.year}〕{rng.randint(5, 40)}号"
        checklist = self.items.templates[key]
        self.rows["campaigns_campaign"].append(
            (
                campaign_id,
                title.format(year=starts_on.year),
                theme,
                seed,
                starts_on,
                ends_on,
                False,
                "random",
                json.dumps({"percent": self.share, "strata": "zone"}),
                TEAM_SIZE,
                True,
                seed,
                "按责任区分层，随机抽取学校；督学随机组队，不派本校责任督学。",
                drawn,
                status,
                created,
                published or drawn,
                closed,
                published,
                4 if running else 6,
                checklist.pk,
                admin,
                admin,
                office_id,
            )
        )
        events = [
            (created, "created", "", "draft"),
            (at(starts_on, 8), "start", "draft", "running"),
        ]
        if not running:
            events += [
                (closed, "close", "running", "closed"),
                (published, "publish", "closed", "published"),
            ]
        for moment, action, before, after in events:
            self.rows["campaigns_campaignevent"].append(
                (
                    self.next_id("campaigns_campaignevent"),
                    moment,
                    f"县{office_id}督导室",
                    action,
                    before,
                    after,
                    "",
                    "{}",
                    admin,
                    campaign_id,
                )
            )
        # Targets: a share of the eligible schools, per zone (strata).
        eligible = [s for s in schools if types is None or s[1] in types]
        by_zone: dict[int, list] = {}
        for school in eligible:
            by_zone.setdefault(school[2], []).append(school)
        chosen = []
        for zone in sorted(by_zone):
            pool = by_zone[zone]
            chosen += rng.sample(pool, max(1, round(len(pool) * self.share / 100)))
        rng.shuffle(chosen)
        # Teams of three of the county's inspectors, about five schools each.
        n_teams = max(1, math.ceil(len(chosen) / SCHOOLS_PER_TEAM))
        members = rng.sample(
            self.inspectors[office_id], min(len(self.inspectors[office_id]), n_teams * TEAM_SIZE)
        )
        teams = []
        for t in range(n_teams):
            team_id = self.next_id("campaigns_campaignteam")
            self.rows["campaigns_campaignteam"].append(
                (team_id, f"第{t + 1}组", t + 1, campaign_id)
            )
            crew = members[t * TEAM_SIZE : (t + 1) * TEAM_SIZE]
            for k, inspector_id in enumerate(crew):
                self.rows["campaigns_teammember"].append(
                    (self.next_id("campaigns_teammember"), k == 0, inspector_id, team_id)
                )
            teams.append((team_id, set(crew), crew[0] if crew else None))
        load = {team_id: 0 for team_id, _crew, _lead in teams}
        for position, (school_id, school_type, _zone, own) in enumerate(chosen, start=1):
            # The least loaded team that does not hold the school's own inspector.
            fits = [t for t in teams if own not in t[1]] or teams
            team_id, _crew, leader = min(fits, key=lambda t: (load[t[0]], t[0]))
            load[team_id] += 1
            if running:
                status = rng.choices(["submitted", "in_progress", "pending"], [45, 15, 40])[0]
                day = starts_on + datetime.timedelta(days=rng.randint(0, days_ago - 1))
            else:
                status = "submitted"
                day = starts_on + datetime.timedelta(days=rng.randint(0, 20))
            self.target(
                campaign_id,
                office_id,
                key,
                school_id,
                school_type,
                team_id,
                leader,
                position,
                status,
                day,
            )

    def target(
        self,
        campaign_id,
        office_id,
        key,
        school_id,
        school_type,
        team_id,
        leader,
        position,
        status,
        day,
    ):
        rng = self.rng
        target_id = self.next_id("campaigns_campaigntarget")
        leader_user = self.loader.user_of_inspector.get(leader)
        visited = at(day, rng.randint(8, 14), rng.randrange(0, 60, 5))
        submitted = visited + datetime.timedelta(minutes=rng.randint(60, 180))
        pending = status == "pending"
        self.rows["campaigns_campaigntarget"].append(
            (
                target_id,
                position,
                status,
                None if pending else visited,
                rng.choice(CHECK_NOTES) if status == "submitted" else "",
                submitted if status == "submitted" else None,
                {"pending": 1, "in_progress": 3, "submitted": 5}[status],
                campaign_id,
                office_id,
                school_id,
                leader_user if status == "submitted" else None,
                team_id,
            )
        )
        if pending:
            return
        items = self.items.applicable(key, school_type)
        if status == "in_progress":
            items = items[: len(items) // 2]
        for item in items:
            comply = rng.random() > 0.07
            value = answer_value(rng, item, comply)
            stored = str(value) if item.answer_type == "number" else value
            compliant = item.assess(stored)
            note = ""
            if compliant is False:
                note = rng.choice(PROBLEM_NOTES)
            elif compliant and rng.random() < 0.02:
                note = rng.choice(HIGHLIGHT_NOTES)
            self.rows["campaigns_answer"].append(
                (
                    self.next_id("campaigns_answer"),
                    None if stored is None else json.dumps(stored, ensure_ascii=False),
                    compliant,
                    note,
                    uuid4(rng),
                    visited + datetime.timedelta(minutes=rng.randint(5, 55)),
                    leader_user,
                    None,
                    item.pk,
                    target_id,
                )
            )

    # ------------------------------------------------------------------ the return

    def periodic_return(self, office_id, schools):
        rng, today = self.rng, self.today
        key = "shuangjian-banyue"
        checklist = self.items.templates[key]
        admin = self.admin_of[office_id]
        starts_on = half_month_start(today, self.return_periods)
        created = at(starts_on - datetime.timedelta(days=7), 10)
        return_id = self.next_id("returns_periodicreturn")
        self.rows["returns_periodicreturn"].append(
            (
                return_id,
                "“双减”工作半月报",
                "half_monthly",
                None,
                starts_on,
                None,
                1,
                "active",
                created,
                created + datetime.timedelta(days=2),
                2,
                checklist.pk,
                admin,
                office_id,
            )
        )
        for moment, action, before, after in (
            (created, "created", "", "draft"),
            (created + datetime.timedelta(days=2), "activate", "draft", "active"),
        ):
            self.rows["returns_returnevent"].append(
                (
                    self.next_id("returns_returnevent"),
                    moment,
                    f"县{office_id}督导室",
                    action,
                    before,
                    after,
                    "",
                    "{}",
                    admin,
                    return_id,
                )
            )
        reporting = [s for s in schools if s[1] in RETURN_TYPES]
        users = {}
        for school_id, _type, _zone, _own in reporting:
            self.rows["returns_periodicreturn_schools"].append(
                (self.next_id("returns_periodicreturn_schools"), return_id, school_id)
            )
            users[school_id] = self.school_user(school_id, office_id, created)
        from dudao.returns import schedule as return_schedule

        periods = return_schedule.periods("half_monthly", None, starts_on, today)
        for opens_on, due_on in periods:
            period_id = self.next_id("returns_returnperiod")
            self.rows["returns_returnperiod"].append(
                (period_id, opens_on, due_on, office_id, return_id)
            )
            is_due = due_on < today
            elapsed = (min(today, due_on) - opens_on).days + 1
            length = (due_on - opens_on).days + 1
            for school_id, school_type, _zone, _own in reporting:
                if is_due:
                    status = rng.choices(["on_time", "late", "draft", "pending"], [88, 7, 2, 3])[0]
                else:
                    reported = 0.5 * elapsed / length
                    status = rng.choices(
                        ["on_time", "draft", "pending"], [reported, 0.1, 1 - reported - 0.1]
                    )[0]
                self.submission(
                    office_id,
                    period_id,
                    opens_on,
                    due_on,
                    school_id,
                    school_type,
                    users[school_id],
                    status,
                    is_due,
                )

    def school_user(self, school_id, office_id, joined):
        user_id = self.next_user
        self.next_user += 1
        self.school_users.append(
            (
                user_id,
                self.password,
                False,
                f"s{school_id}",
                "",
                "",
                "",
                False,
                True,
                joined,
                "school",
                self.loader.school_info[school_id][2],
                None,
                0,
                None,
                office_id,
                None,
                school_id,
                "",
                self.now,  # a password older than the policy's limit must change first
            )
        )
        return user_id

    def submission(
        self,
        office_id,
        period_id,
        opens_on,
        due_on,
        school_id,
        school_type,
        user_id,
        status,
        is_due,
    ):
        rng = self.rng
        submission_id = self.next_id("returns_returnsubmission")
        submitted_at = None
        if status == "on_time":
            day = max(opens_on, due_on - datetime.timedelta(days=rng.choice([0, 0, 1, 1, 2, 3, 5])))
            day = min(day, self.today)
            submitted_at = at(day, rng.randint(8, 17), rng.randrange(0, 60, 5))
            if submitted_at > self.now:
                submitted_at = self.now - datetime.timedelta(minutes=rng.randint(5, 600))
        elif status == "late":
            submitted_at = at(due_on + datetime.timedelta(days=rng.randint(1, 4)), 9)
        reported = status in ("on_time", "late")
        reminded = is_due and not reported
        self.rows["returns_returnsubmission"].append(
            (
                submission_id,
                "submitted" if reported else status,
                submitted_at,
                status == "late",
                rng.choice([1, 2]) if reminded else 0,
                at(due_on + datetime.timedelta(days=1), 9, 15) if reminded else None,
                uuid4(rng),
                {"pending": 1, "draft": 2}.get(status, 3),
                office_id,
                period_id,
                school_id,
                user_id if reported else None,
            )
        )
        if status == "pending":
            return
        items = self.items.applicable("shuangjian-banyue", school_type)
        if status == "draft":
            items = items[: len(items) // 2]
        for item in items:
            value = answer_value(rng, item, rng.random() > 0.04)
            if item.answer_type == "text":
                if rng.random() < 0.8:
                    continue  # left empty: no row (returns.services writes none)
                value = "本期开展作业设计专题教研一次。"
            elif item.answer_type == "number" and float(value) == int(value):
                value = int(value)
            self.rows["returns_returnanswer"].append(
                (
                    self.next_id("returns_returnanswer"),
                    json.dumps(value, ensure_ascii=False),
                    item.assess(value),
                    "",
                    item.pk,
                    submission_id,
                )
            )
