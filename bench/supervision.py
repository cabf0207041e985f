"""Province-sized supervision benchmark (issue #3 item 11). Run by hand, not a test.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dudao_bench .venv/bin/python \\
        bench/supervision.py [--schools 20000 --inspectors 10000 --months 36 \\
        --findings 1000000 --campaign-share 15 --return-periods 6 --complaints 60 \\
        --survey-answers 10] [--skip-load | --add-modules] [--only-modules] [--runs 7] \\
        [--show-sql N]

PostgreSQL only. Without --skip-load the database named in DATABASE_URL is dropped and
re-created (point it at a throwaway database), migrated and filled with COPY: one province,
~100 counties (each with an office, ten townships and zones), the schools, the inspectors
with one current assignment per school, user accounts (an office admin per office, a login
per inspector, a province viewer), one submitted visit per school per month and findings over
those visits with a realistic mix of statuses (closed on time or late, withdrawn, open,
notice issued, responded, urged, overdue, escalated, needing another department, serious).
Area checks, notices and events are not generated for the bulk rows. Then campaigns and
periodic returns (issue 12, `campaign_data.py`): per county a running campaign, three
published ones, teams and answers, and a half-monthly return with its periods, the reporting
schools' accounts, reports and answers. Then supervision evaluation (issue 13,
`evaluation_data.py`: per county the government units, a published and a running round on
the 2021 school framework, a kindergarten round, a published township 目标管理 round, raters
and scores) and the public channels (issue 14, `public_data.py`: complaints in every state,
a closed and an open survey with responses, numbered bulletins with recipients and reads).
`--add-modules` adds (again) only those two to a database loaded before, without dropping it.

Then VACUUM ANALYZE, and the median (of --runs runs after one warm-up) of:
- the server time of each page (the dashboards, the ledgers, the inspector's, office's,
  viewer's and school's pages, the campaign and return pages, the evaluation, complaint,
  survey and bulletin pages and the county's public page), through the Django test
  Client, beside the time of executing exactly the SQL statements of one such request with a
  raw cursor, the number of statements and this process's CPU time per request (Python
  alone: the figure to trust on a busy machine); statements repeated with other literals
  (an N+1) are listed after the table; `--only-modules` times only the issue 13-14 pages;
- submitting a visit with `dudao.visits.services.submit_visit` (new UUID each time) and
  through the form (`visits:new` POST); a campaign check's autosave and a school's return
  draft (POST).
URL names that do not resolve are reported "not available".
"""

import argparse
import datetime
import json
import os
import random
import re
import statistics
import sys
import time
import uuid
from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

import campaign_data  # bench/ is the script's folder
import evaluation_data
import public_data
from campaign_data import CampaignLoader
from evaluation_data import EvaluationLoader
from public_data import PublicLoader
from visit_form import visit_form_data

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dudao.settings")
os.environ.setdefault("DUDAO_DEMO", "1")
os.environ.setdefault("TASKS_BACKEND", "immediate")
os.environ.setdefault("DUDAO_PLAIN_STATIC", "1")
os.environ["ALLOWED_HOSTS"] = "*"  # the test Client's "testserver"
# The public pages (county page, survey links) are rate limited per address; the Client is
# one address asking the same page again and again.
os.environ.setdefault("PUBLIC_PAGE_REQUEST_RATE", "1000000")
os.environ.setdefault("PUBLIC_PAGE_RATE", "1000000")

SHANGHAI = ZoneInfo("Asia/Shanghai")
PROVINCE = ("970000", "北江省")
CITY_COUNT = 10
TOWNSHIPS_PER_COUNTY = 10
SCHOOLS_PER_ZONE = 30
SEED = 20260901


# --------------------------------------------------------------------------- database


def prepare_database(load: bool) -> None:
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("bench/supervision.py needs PostgreSQL: set DATABASE_URL=postgres://...")
    name = connection.settings_dict["NAME"]
    connection.close()
    with connection._nodb_cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        exists = cursor.fetchone() is not None
        if load and exists:
            cursor.execute(f'DROP DATABASE "{name}"')
            exists = False
        if not exists:
            cursor.execute(f'CREATE DATABASE "{name}"')
    call_command("migrate", verbosity=0)


def copy_rows(table: str, columns: list[str], rows) -> int:
    """COPY `rows` (tuples in `columns` order) into `table`; returns the row count."""
    from django.db import connection

    n = 0
    with connection.cursor() as cursor:
        names = ", ".join(f'"{column}"' for column in columns)  # "group" is a keyword
        sql = f"COPY {table} ({names}) FROM STDIN"
        with cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
                n += 1
    return n


def reset_sequences(tables: list[str]) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for table in tables:
            # Table names are constants of this script.
            sql = f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {{}}, false)"
            cursor.execute(sql.format(f"COALESCE((SELECT max(id) FROM {table}), 0) + 1"))  # noqa: S608


# --------------------------------------------------------------------------- generation


def split(total: int, parts: int) -> list[int]:
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def month_starts(today: datetime.date, months: int) -> list[datetime.date]:
    year, month = today.year, today.month
    result = []
    for _ in range(months):
        result.append(datetime.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return result[::-1]


def working_days(first: datetime.date, today: datetime.date) -> list[datetime.date]:
    days, day = [], first
    while day.month == first.month:
        if day.weekday() < 5 and day < today:
            days.append(day)
        day += datetime.timedelta(days=1)
    return days


def load_modules(args, today, now) -> dict[str, int]:
    """Supervision evaluation (issue 13, evaluation_data.py) and the public channels (issue
    14, public_data.py), read from and added to what is loaded already."""
    sizes = EvaluationLoader(copy_rows, today, now).load()
    sizes.update(
        PublicLoader(
            copy_rows,
            today,
            now,
            complaints=args.complaints,
            survey_answers=args.survey_answers,
        ).load()
    )
    return sizes


class Loader:
    def __init__(self, args):
        self.args = args
        self.rng = random.Random(SEED)
        self.now = datetime.datetime.now(datetime.UTC)
        self.today = self.now.astimezone(SHANGHAI).date()
        self.counties = min(100, max(2, args.schools // 200))
        self.sizes: dict[str, int] = {}

    def load(self) -> None:
        from django.contrib.auth.hashers import make_password

        rng, now = self.rng, self.now
        n_counties = self.counties
        # Regions: province, cities, counties, townships.
        regions, region_id = [], 0

        def region(code, name, level, parent_id, path):
            nonlocal region_id
            region_id += 1
            regions.append((region_id, code, name, level, path, parent_id))
            return region_id

        province_id = region(PROVINCE[0], PROVINCE[1], "province", None, f"/{PROVINCE[0]}/")
        county_ids, townships, cities = [], {}, {}
        for city_no in range(1, min(CITY_COUNT, n_counties) + 1):
            city_code = f"97{city_no:02d}00"
            cities[city_no] = (
                region(
                    city_code, f"第{city_no}市", "city", province_id, f"/{PROVINCE[0]}/{city_code}/"
                ),
                f"/{PROVINCE[0]}/{city_code}/",
            )
        for c in range(n_counties):
            city_no = c % CITY_COUNT + 1
            city_id, city_path = cities[city_no]
            county_code = f"97{city_no:02d}{c // CITY_COUNT + 1:02d}"
            county_path = f"{city_path}{county_code}/"
            county_id = region(county_code, f"县{c + 1}", "county", city_id, county_path)
            county_ids.append(county_id)
            townships[c] = [
                region(
                    f"{county_code}{t + 1:03d}",
                    f"县{c + 1}第{t + 1}镇",
                    "township",
                    county_id,
                    f"{county_path}{county_code}{t + 1:03d}/",
                )
                for t in range(TOWNSHIPS_PER_COUNTY)
            ]
        self.sizes["regions"] = copy_rows(
            "organisations_region", ["id", "code", "name", "level", "path", "parent_id"], regions
        )
        offices = [
            (c + 1, f"县{c + 1}人民政府教育督导室", "", "", "", f"县{c + 1}督", county_ids[c], "")
            for c in range(n_counties)
        ]
        self.sizes["offices"] = copy_rows(
            "organisations_office",
            [
                "id",
                "name",
                "hotline",
                "email",
                "address",
                "document_prefix",
                "region_id",
                "public_phone",
            ],
            offices,
        )
        # Zones, inspectors, schools, assignments, county by county.
        school_counts = split(self.args.schools, n_counties)
        inspector_counts = split(self.args.inspectors, n_counties)
        zones, inspectors, schools, assignments = [], [], [], []
        self.schools = []  # (school id, office id, inspector id)
        self.school_info = {}  # school id: (type, zone id, name)
        self.inspector_offices = {}  # inspector id: office id
        zone_id = inspector_id = school_id = 0
        for c in range(n_counties):
            office_id = c + 1
            n_zones = max(1, school_counts[c] // SCHOOLS_PER_ZONE)
            county_zones = []
            for z in range(n_zones):
                zone_id += 1
                zones.append((zone_id, f"第{z + 1}责任区", None, office_id))
                county_zones.append(zone_id)
            county_inspectors = []
            for k in range(inspector_counts[c]):
                inspector_id += 1
                zone = county_zones[k % n_zones]
                inspectors.append(
                    (
                        inspector_id,
                        f"督学{inspector_id}",
                        rng.choice(["male", "female"]),
                        f"1{inspector_id:010d}",
                        "",
                        "",
                        "part_time",
                        "responsible",
                        "",
                        True,
                        now,
                        now,
                        None,
                        office_id,
                        zone,
                        False,
                    )
                )
                county_inspectors.append((inspector_id, zone))
                self.inspector_offices[inspector_id] = office_id
            for j in range(school_counts[c]):
                school_id += 1
                inspector, zone = county_inspectors[j % len(county_inspectors)]
                kind = rng.choices(["primary", "kindergarten", "junior"], [5, 4, 1])[0]
                enrolment = rng.randint(80, 2400)
                schools.append(
                    (
                        school_id,
                        f"{3000000000 + school_id}",
                        f"县{c + 1}第{j + 1}学校",
                        kind,
                        "public",
                        rng.choice(["urban", "rural"]),
                        "",
                        "",
                        "",
                        enrolment if kind == "kindergarten" else 0,
                        enrolment if kind == "primary" else 0,
                        enrolment if kind == "junior" else 0,
                        0,
                        True,
                        now,
                        now,
                        None,
                        office_id,
                        townships[c][j % TOWNSHIPS_PER_COUNTY],
                        zone,
                    )
                )
                assignments.append(
                    (school_id, datetime.date(2023, 9, 1), None, "", now, school_id, inspector)
                )
                self.schools.append((school_id, office_id, inspector))
                self.school_info[school_id] = (kind, zone, f"县{c + 1}第{j + 1}学校")
        self.sizes["zones"] = copy_rows(
            "inspectors_zone", ["id", "name", "leader_id", "office_id"], zones
        )
        self.sizes["inspectors"] = copy_rows(
            "inspectors_inspector",
            [
                "id",
                "name",
                "gender",
                "phone",
                "email",
                "photo",
                "employment",
                "kind",
                "employer_name",
                "is_active",
                "created_at",
                "updated_at",
                "employer_school_id",
                "office_id",
                "zone_id",
                "show_mobile_publicly",
            ],
            inspectors,
        )
        self.sizes["schools"] = copy_rows(
            "schools_school",
            [
                "id",
                "code",
                "name",
                "type",
                "ownership",
                "location",
                "address",
                "principal",
                "phone",
                "enrolment_kindergarten",
                "enrolment_primary",
                "enrolment_junior",
                "enrolment_senior",
                "is_active",
                "created_at",
                "updated_at",
                "host_school_id",
                "office_id",
                "township_id",
                "zone_id",
            ],
            schools,
        )
        self.sizes["assignments"] = copy_rows(
            "inspectors_assignment",
            ["id", "start_date", "end_date", "note", "created_at", "school_id", "inspector_id"],
            assignments,
        )
        # Users: an office admin per office, a login per inspector, a province viewer.
        password = make_password("bench-2026")
        users, user_id = [], 0
        self.user_of_inspector = {}

        def user(username, role, display, phone=None, inspector=None, office=None, region=None):
            nonlocal user_id
            user_id += 1
            users.append(
                (
                    user_id,
                    password,
                    False,
                    username,
                    "",
                    "",
                    "",
                    False,
                    True,
                    now,
                    role,
                    display,
                    phone,
                    0,
                    inspector,
                    office,
                    region,
                    None,
                    "",
                    now,
                )
            )
            return user_id

        self.admin_of = {}  # office id: its admin's user id
        for c in range(n_counties):
            self.admin_of[c + 1] = user(
                f"admin{c + 1}", "office_admin", f"县{c + 1}督导室", office=c + 1
            )
        user("viewer", "viewer", "北江省教育督导室（只读）", region=province_id)
        for row in inspectors:
            self.user_of_inspector[row[0]] = user(
                f"i{row[0]}", "inspector", row[1], row[3], inspector=row[0], office=row[13]
            )
        self.sizes["users"] = copy_rows(
            "accounts_user",
            [
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
            ],
            users,
        )
        self.load_visits_and_findings()
        self.sizes.update(
            CampaignLoader(
                self, copy_rows, self.args.campaign_share, self.args.return_periods
            ).load()
        )
        self.sizes.update(load_modules(self.args, self.today, self.now))
        reset_sequences(
            [
                "organisations_region",
                "organisations_office",
                "inspectors_zone",
                "inspectors_inspector",
                "schools_school",
                "inspectors_assignment",
                "accounts_user",
                "visits_visit",
                "rectification_finding",
                *campaign_data.TABLES,
                *evaluation_data.TABLES,
                *public_data.TABLES,
            ]
        )

    VISIT_COLUMNS = [
        "id",
        "client_uuid",
        "status",
        "visited_at",
        "visited_on",
        "unannounced",
        "methods",
        "minimums",
        "feedback",
        "summary",
        "notes",
        "next_visit_plan",
        "submitted_at",
        "created_at",
        "updated_at",
        "version",
        "created_by_id",
        "inspector_id",
        "office_id",
        "school_id",
    ]
    FINDING_COLUMNS = [
        "id",
        "area",
        "description",
        "evidence",
        "severity",
        "deadline_kind",
        "deadline",
        "required_action",
        "status",
        "urge_count",
        "needs_other_department",
        "escalated_to",
        "is_overdue",
        "created_at",
        "updated_at",
        "closed_at",
        "version",
        "created_by_id",
        "office_id",
        "school_id",
        "visit_id",
        "found_on",
        "inspector_id",
    ]

    def load_visits_and_findings(self) -> None:
        """Month by month: one visit per school (a COPY), then that month's findings."""
        from dudao.demo.wording import problems_for
        from dudao.schools.models import SchoolType

        rng, today = self.rng, self.today
        methods_pool = [
            json.dumps(m)
            for m in (
                ["campus_walk", "class_visit"],
                ["campus_walk", "document_review"],
                ["campus_walk", "interviews", "principal_briefing"],
                ["class_visit", "questionnaire"],
            )
        ]
        minimums_pool = [
            json.dumps(m)
            for m in (
                ["class_attended"],
                ["homework_check", "forum"],
                ["after_school_service"],
                ["lesson_preparation", "principal_briefing"],
                [],
            )
        ]
        # A primary school's pool: the findings' texts do not change the queries measured.
        problems = [
            (area, d, a) for area, rows in problems_for(SchoolType.PRIMARY).items() for d, a in rows
        ]
        months = month_starts(today, self.args.months)
        total_visits = len(self.schools) * len(months)
        rate = min(3.0, self.args.findings / max(1, total_visits)) / 3
        visit_id = finding_id = 0
        self.sizes["visits"] = self.sizes["findings"] = 0
        status_count: dict[str, int] = {}
        for first in months:
            days = working_days(first, today)
            if not days:
                continue
            visits, findings = [], []
            for school_id, office_id, inspector_id in self.schools:
                day = rng.choice(days)
                visit_id += 1
                local = datetime.datetime.combine(
                    day, datetime.time(rng.randint(8, 15), rng.randrange(0, 60, 5)), SHANGHAI
                )
                submitted = local + datetime.timedelta(minutes=rng.randint(60, 180))
                user_id = self.user_of_inspector[inspector_id]
                visits.append(
                    (
                        visit_id,
                        uuid.UUID(int=rng.getrandbits(128), version=4),
                        "submitted",
                        local,
                        day,
                        True,
                        rng.choice(methods_pool),
                        rng.choice(minimums_pool),
                        "总体情况良好，发现的问题请按要求整改。",
                        "",
                        "",
                        "",
                        submitted,
                        submitted,
                        submitted,
                        2,
                        user_id,
                        inspector_id,
                        office_id,
                        school_id,
                    )
                )
                n = (rng.random() < rate) + (rng.random() < rate) + (rng.random() < rate)
                for _ in range(n):
                    finding_id += 1
                    row = self.finding(
                        finding_id, rng.choice(problems), day, submitted, user_id, inspector_id
                    )
                    findings.append((*row, office_id, school_id, visit_id, day, inspector_id))
                    status_count[row[8]] = status_count.get(row[8], 0) + 1
            self.sizes["visits"] += copy_rows("visits_visit", self.VISIT_COLUMNS, visits)
            self.sizes["findings"] += copy_rows(
                "rectification_finding", self.FINDING_COLUMNS, findings
            )
            print(f"  {first:%Y-%m}: {self.sizes['visits']} visits, {finding_id} findings")
        self.status_count = status_count

    def finding(self, pk, problem, day, submitted, user_id, inspector_id):
        """One finding's columns up to `created_by_id`: status by age, realistic mix."""
        rng, today = self.rng, self.today
        area, description, action = problem
        created = submitted + datetime.timedelta(minutes=rng.randint(2, 30))
        severity, escalated, other_dept, urge, overdue = "general", "none", False, 0, False
        closed_at = None
        if rng.random() < 0.15:  # fixed on the spot
            kind, deadline, status = "on_the_spot", day, "closed"
            closed_at = created + datetime.timedelta(minutes=rng.randint(10, 40))
        else:
            kind = "by_date"
            span = rng.choice([7, 14, 15, 20, 30])
            deadline = day + datetime.timedelta(days=span)
            age = (today - day).days
            r = rng.random()
            if age > span + 45:
                if r < 0.8:
                    status = "closed"
                    closed_at = created + datetime.timedelta(days=rng.randint(1, span))
                elif r < 0.9:
                    status = "closed"
                    closed_at = created + datetime.timedelta(days=span + rng.randint(1, 40))
                elif r < 0.93:
                    status = "withdrawn"
                else:
                    status = rng.choice(["notice_issued", "responded", "urged", "urged"])
            else:
                status = rng.choices(
                    ["open", "notice_issued", "responded", "urged", "closed"], [8, 30, 25, 7, 30]
                )[0]
                if status == "closed":
                    closed_at = created + datetime.timedelta(days=rng.randint(1, max(1, age)))
            if closed_at is not None and closed_at > self.now:
                closed_at = self.now
            if status == "urged":
                urge = rng.choice([1, 1, 2])
                if urge >= 2:
                    escalated, severity = "county", "key"
            active = status not in ("closed", "withdrawn")
            overdue = active and deadline < today
            if active and rng.random() < 0.03:
                other_dept, escalated, severity = True, "county", "difficult"
            if active and escalated == "county" and rng.random() < 0.15:
                escalated = "city"
        if rng.random() < 0.001:
            severity = "serious"
        updated = closed_at or created
        version = {"open": 1, "notice_issued": 2, "responded": 3, "urged": 4}.get(status, 4)
        return (
            pk,
            area,
            description,
            "",
            severity,
            kind,
            deadline,
            action,
            status,
            urge,
            other_dept,
            escalated,
            overdue,
            created,
            updated,
            closed_at,
            version,
            user_id,
        )


# --------------------------------------------------------------------------- measuring


def median_ms(func, runs: int) -> float:
    func()  # warm-up
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        func()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def resolve(name, *args):
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


SHOW_SQL = 0  # --show-sql N: print the N slowest statements of each view
SQL_WIDTH = 400
SKIP_SQL = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")
CPU = {}  # label: this process's CPU ms per request (Python; PostgreSQL's is not in it)
REPEATS = {}  # label: (times, statement) of a statement repeated with other literals (N+1)
REPEAT_LIMIT = 3
LITERALS = re.compile(r"'(?:[^']|'')*'|\b\d+\b")


def most_repeated(statements) -> tuple[int, str]:
    """The statement run most often with different literals (ids, texts): an N+1 shows as
    one shape repeated once per row."""
    shapes = Counter(LITERALS.sub("?", sql) for sql in statements)
    if not shapes:
        return 0, ""
    shape, times = shapes.most_common(1)[0]
    return times, shape


def measure_view(label, user, url, runs):
    """(label, status, server ms, raw SQL ms, queries) for GET `url` as `user`."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    if url is None:
        return (label, "not available", None, None, None)
    client = Client()
    if user is not None:  # None: an anonymous visitor (the public pages)
        client.force_login(user)
    response = client.get(url)
    if response.status_code != 200:
        return (label, f"HTTP {response.status_code}", None, None, None)
    client.get(url)  # warm-up
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        client.get(url)
        cpus.append((time.process_time() - cpu) * 1000)
        walls.append((time.perf_counter() - wall) * 1000)
    server = statistics.median(walls)
    CPU[label] = statistics.median(cpus)
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    statements = []
    for query in captured.captured_queries:
        sql = query["sql"]
        if sql.startswith(SKIP_SQL):
            continue
        if sql.startswith("DECLARE "):  # a server-side cursor (.iterator()): run its query
            sql = sql.split(" FOR ", 1)[1]
        statements.append(sql)
    times, shape = most_repeated(statements)
    if times >= REPEAT_LIMIT:
        REPEATS[label] = (times, shape)

    def run_sql():
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql.replace("%", "%%"))
                if cursor.description is not None:
                    cursor.fetchall()

    raw = median_ms(run_sql, runs)
    if SHOW_SQL:
        timed = []
        with connection.cursor() as cursor:
            for sql in statements:
                started = time.perf_counter()
                cursor.execute(sql.replace("%", "%%"))
                if cursor.description is not None:
                    cursor.fetchall()
                timed.append(((time.perf_counter() - started) * 1000, sql))
        print(f"\n{label}: slowest statements")
        for ms, sql in sorted(timed, reverse=True)[:SHOW_SQL]:
            print(f"  {ms:8.1f} ms  {sql[:SQL_WIDTH]}")
    return (label, "ok", server, raw, len(statements))


def measure_submit(user, school, runs):
    from django.utils import timezone

    from dudao.visits import services

    def submit():
        services.submit_visit(
            user,
            uuid.uuid4(),
            school=school,
            areas=[{"area": n, "status": "fine", "note": "良好"} for n in range(1, 9)],
            visited_at=timezone.now() - datetime.timedelta(hours=1),
            methods=["campus_walk", "class_visit"],
            minimums=["class_attended"],
            feedback="总体情况良好。",
        )

    return median_ms(submit, runs)


def measure_submit_http(user, school, runs):
    from django.test import Client
    from django.utils import timezone

    url = resolve("visits:new", school.pk)
    if url is None:
        return None, "not available"
    client = Client()
    client.force_login(user)
    statuses = []

    def post():
        moment = timezone.localtime() - datetime.timedelta(hours=1)
        data = visit_form_data(moment.strftime("%Y-%m-%dT%H:%M"))
        statuses.append(client.post(url, data).status_code)

    ms = median_ms(post, runs)
    status = "ok" if set(statuses) == {302} else f"HTTP {sorted(set(statuses))}"
    return ms, status


def campaign_subjects(admin):
    """What the campaign and return pages are measured on, in the admin's county: its running
    campaign and a published one, a team leader of the running campaign and one of their
    targets being checked, its return, the period open now and the last one due, and a
    reporting school whose report of the open period is not yet sent (its account). None
    for what the database does not hold."""
    from django.utils import timezone

    from dudao.accounts.models import User
    from dudao.campaigns.models import Campaign, CampaignTarget, TeamMember
    from dudao.returns.models import PeriodicReturn, ReturnPeriod, ReturnSubmission

    today = timezone.localdate()
    campaigns = Campaign.all_objects.filter(office=admin.office)
    running = campaigns.filter(status=Campaign.Status.RUNNING).order_by("-starts_on").first()
    published = campaigns.filter(status=Campaign.Status.PUBLISHED).order_by("-starts_on").first()
    subjects = {"running": running, "published": published}
    if running is not None:
        target = (
            CampaignTarget.all_objects.filter(
                campaign=running, status=CampaignTarget.Status.IN_PROGRESS
            )
            .order_by("position")
            .first()
        )
        leader = (
            TeamMember.objects.filter(team=target.team_id, is_leader=True).first()
            if target
            else None
        )
        subjects["target"] = target
        subjects["checker"] = (
            User.objects.filter(inspector_id=leader.inspector_id).first() if leader else None
        )
    periodic_return = PeriodicReturn.all_objects.filter(office=admin.office).first()
    subjects["return"] = periodic_return
    if periodic_return is not None:
        periods = ReturnPeriod.all_objects.filter(
            periodic_return=periodic_return, opens_on__lte=today
        )
        subjects["open"] = periods.filter(due_on__gte=today).order_by("due_on").first()
        subjects["due"] = periods.filter(due_on__lt=today).order_by("-due_on").first()
        submission = (
            ReturnSubmission.all_objects.filter(
                period=subjects["open"], status=ReturnSubmission.Status.PENDING
            )
            .order_by("school_id")
            .first()
        )
        subjects["submission"] = submission
        subjects["school"] = (
            User.objects.filter(school_id=submission.school_id, username__startswith="s")
            .order_by("pk")
            .first()
            if submission
            else None
        )
    return subjects


def campaign_views(subjects, admin, viewer, inspector, runs):
    """The campaign and return pages (issue 12), like the pages above."""
    get = subjects.get

    def pk(name):
        return get(name).pk if get(name) is not None else None

    def url(name, key=None):
        if key is not None and pk(key) is None:
            return None
        return resolve(name, pk(key)) if key else resolve(name)

    checker, school = get("checker"), get("school")
    rows = [
        measure_view("campaigns (office admin)", admin, url("campaigns:list"), runs),
        measure_view("a campaign (office admin)", admin, url("campaigns:detail", "running"), runs),
        measure_view(
            "its results, running (office admin)", admin, url("campaigns:results", "running"), runs
        ),
        measure_view(
            "results, published (office admin)", admin, url("campaigns:results", "published"), runs
        ),
        measure_view("campaigns (province viewer)", viewer, url("campaigns:list"), runs),
        measure_view(
            "results, running (province viewer)", viewer, url("campaigns:results", "running"), runs
        ),
    ]
    if checker is not None:
        rows += [
            measure_view("campaigns (team inspector)", checker, url("campaigns:list"), runs),
            measure_view(
                "a campaign (team inspector)", checker, url("campaigns:detail", "running"), runs
            ),
            measure_view("my checks (team inspector)", checker, url("campaigns:my_checks"), runs),
            measure_view(
                "check form (team inspector)", checker, url("campaigns:check", "target"), runs
            ),
        ]
    else:
        rows.append(("campaign pages (team inspector)", "no team inspector", None, None, None))
    rows += [
        measure_view("returns (office admin)", admin, url("returns:list"), runs),
        measure_view("a return (office admin)", admin, url("returns:detail", "return"), runs),
        measure_view("period open now (office admin)", admin, url("returns:period", "open"), runs),
        measure_view("period last due (office admin)", admin, url("returns:period", "due"), runs),
        measure_view(
            "return figures (office admin)", admin, url("returns:figures", "return"), runs
        ),
        measure_view("returns (province viewer)", viewer, url("returns:list"), runs),
        measure_view(
            "period last due (province viewer)", viewer, url("returns:period", "due"), runs
        ),
        measure_view(
            "return figures (province viewer)", viewer, url("returns:figures", "return"), runs
        ),
        measure_view("returns (inspector)", inspector, url("returns:list"), runs),
        measure_view("period last due (inspector)", inspector, url("returns:period", "due"), runs),
    ]
    if school is not None:
        rows += [
            measure_view("my returns (school)", school, url("returns:mine"), runs),
            measure_view(
                "return form (school)", school, url("returns:submission", "submission"), runs
            ),
        ]
    else:
        rows.append(("return pages (school)", "no reporting school", None, None, None))
    return rows


def module_subjects(admin):
    """The objects of county 1 that the issue 13-14 pages show (evaluation_data.py and
    public_data.py): None where the data has none."""
    from dudao.accounts.models import Role, User
    from dudao.bulletins.models import Bulletin, BulletinRecipient
    from dudao.complaints.models import Complaint
    from dudao.evaluations.models import Rater, Round, RoundTarget
    from dudao.surveys.models import Survey, SurveySchool

    office = admin.office
    rounds = Round.all_objects.filter(office=office).order_by("-year", "pk")
    now = rounds.filter(stage="expert_scoring").first()
    last = rounds.filter(stage="published", framework__kind="school").first()
    town = rounds.filter(stage="published", framework__kind="township").first()
    subjects = {"round_now": now, "round_last": last, "round_town": town}
    if now is not None:
        target = RoundTarget.all_objects.filter(round=now).order_by("position").first()
        subjects["target_now"] = target
        subjects["target_school"] = User.objects.filter(
            role=Role.SCHOOL, school_id=target.school_id
        ).first()
        rater = Rater.objects.filter(round=now).order_by("pk").first()
        subjects["expert"] = rater.user if rater else None
        if last is not None:
            subjects["target_last"] = RoundTarget.all_objects.filter(
                round=last, school_id=target.school_id
            ).first()
    if town is not None:
        subjects["target_town"] = (
            RoundTarget.all_objects.filter(round=town).order_by("position").first()
        )
    complaints = Complaint.all_objects.filter(office=office)
    subjects["complaint"] = complaints.filter(status="closed").order_by("-received_at").first()
    busy = complaints.exclude(inspector=None).order_by("-received_at").first()
    subjects["complaint_inspector"] = (
        User.objects.filter(inspector_id=busy.inspector_id).first() if busy else None
    )
    surveys = Survey.all_objects.filter(office=office)
    subjects["survey_closed"] = surveys.filter(status="closed").first()
    subjects["survey_open"] = surveys.filter(status="open").first()
    link = (
        SurveySchool.all_objects.filter(survey=subjects["survey_open"]).order_by("pk").first()
        if subjects["survey_open"]
        else None
    )
    subjects["survey_token"] = link.token if link else None
    bulletins = Bulletin.all_objects.filter(office=office, status="published")
    subjects["bulletin"] = (
        bulletins.filter(audience="all_schools").order_by("-published_at").first()
    )
    subjects["bulletin_inspector"] = None
    if subjects["bulletin"] is not None and subjects.get("target_school") is not None:
        recipient = BulletinRecipient.all_objects.filter(
            bulletin=subjects["bulletin"], school_id=subjects["target_school"].school_id
        ).exists()
        subjects["bulletin_for_school"] = recipient
    notice = bulletins.filter(audience="inspectors").order_by("-published_at").first()
    subjects["bulletin_notice"] = notice
    subjects["county_code"] = office.region.code
    return subjects


def module_views(subjects, admin, viewer, inspector, runs):
    """The evaluation (issue 13) and public-channel (issue 14) pages, as each role opens them."""
    s = subjects

    def url(name, key=None, attr="pk"):
        if key is None:
            return resolve(name)
        obj = s.get(key)
        if obj is None:
            return None
        return resolve(name, obj if isinstance(obj, str) else getattr(obj, attr))

    school, expert = s.get("target_school"), s.get("expert")
    officer = s.get("complaint_inspector") or inspector
    code = s["county_code"]
    rows = [
        # Supervision evaluation (issue 13).
        measure_view(
            "evaluation rounds (office admin)", admin, url("evaluations:round_list"), runs
        ),
        measure_view(
            "a round in scoring (office admin)",
            admin,
            url("evaluations:round_detail", "round_now"),
            runs,
        ),
        measure_view(
            "its targets (office admin)", admin, url("evaluations:round_targets", "round_now"), runs
        ),
        measure_view(
            "results, published (office admin)",
            admin,
            url("evaluations:round_results", "round_last"),
            runs,
        ),
        measure_view(
            "results, in scoring (office admin)",
            admin,
            url("evaluations:round_results", "round_now"),
            runs,
        ),
        measure_view(
            "a target's result + radar (office admin)",
            admin,
            url("evaluations:round_target_result", "target_now"),
            runs,
        ),
        measure_view(
            "a township's result (office admin)",
            admin,
            url("evaluations:round_target_result", "target_town"),
            runs,
        ),
        measure_view(
            "evaluation rounds (province viewer)", viewer, url("evaluations:round_list"), runs
        ),
        measure_view(
            "results, published (province viewer)",
            viewer,
            url("evaluations:round_results", "round_last"),
            runs,
        ),
    ]
    if expert is not None:
        rows += [
            measure_view("evaluation rounds (expert)", expert, url("evaluations:round_list"), runs),
            measure_view(
                "a round in scoring (expert)",
                expert,
                url("evaluations:round_detail", "round_now"),
                runs,
            ),
            measure_view(
                "score sheet (expert)", expert, url("evaluations:round_target", "target_now"), runs
            ),
        ]
    if school is not None:
        rows += [
            measure_view("evaluation rounds (school)", school, url("evaluations:round_list"), runs),
            measure_view(
                "its self-assessment (school)",
                school,
                url("evaluations:round_target", "target_now"),
                runs,
            ),
            measure_view(
                "its published result (school)",
                school,
                url("evaluations:round_target_result", "target_last"),
                runs,
            ),
        ]
    rows += [
        # Complaints (issue 14 §1).
        measure_view("complaints (office admin)", admin, url("complaints:list"), runs),
        measure_view(
            "a complaint (office admin)", admin, url("complaints:detail", "complaint"), runs
        ),
        measure_view("complaint figures (office admin)", admin, url("complaints:figures"), runs),
        measure_view(
            "complaint figures (province viewer)", viewer, url("complaints:figures"), runs
        ),
        measure_view("my complaints (inspector)", officer, url("complaints:mine"), runs),
        # Surveys (§3).
        measure_view("surveys (office admin)", admin, url("surveys:list"), runs),
        measure_view("a survey (office admin)", admin, url("surveys:detail", "survey_open"), runs),
        measure_view(
            "survey results, closed (office admin)",
            admin,
            url("surveys:results", "survey_closed"),
            runs,
        ),
        measure_view(
            "survey results, open (office admin)",
            admin,
            url("surveys:results", "survey_open"),
            runs,
        ),
        measure_view("surveys (province viewer)", viewer, url("surveys:list"), runs),
        measure_view(
            "survey results (province viewer)",
            viewer,
            url("surveys:results", "survey_closed"),
            runs,
        ),
        measure_view(
            "survey link (anonymous parent)",
            None,
            url("surveys_public:answer", "survey_token"),
            runs,
        ),
        # Bulletins (§4) and the county's public page (§5).
        measure_view("bulletins (office admin)", admin, url("bulletins:list"), runs),
        measure_view(
            "a bulletin + who read (office admin)", admin, url("bulletins:detail", "bulletin"), runs
        ),
        measure_view("bulletins (province viewer)", viewer, url("bulletins:list"), runs),
        measure_view(
            "a bulletin (province viewer)", viewer, url("bulletins:detail", "bulletin"), runs
        ),
        measure_view("my bulletins (inspector)", officer, url("bulletins:mine"), runs),
        measure_view(
            "a notice (inspector)", officer, url("bulletins:detail", "bulletin_notice"), runs
        ),
        measure_view("county page (public)", None, resolve("bulletins_public:county", code), runs),
        measure_view(
            "county bulletins (public)", None, resolve("bulletins_public:bulletins", code), runs
        ),
        measure_view(
            "county evaluation (public)",
            None,
            resolve("bulletins_public:evaluation", code, s["round_last"].pk)
            if s.get("round_last")
            else None,
            runs,
        ),
    ]
    if school is not None:
        rows += [
            measure_view("my bulletins (school)", school, url("bulletins:mine"), runs),
            measure_view(
                "a bulletin (school)",
                school,
                url("bulletins:detail", "bulletin") if s.get("bulletin_for_school") else None,
                runs,
            ),
        ]
    return rows


def check_answers(target):
    """A full form of answers for a target's applicable items, as the check form posts them."""
    from dudao.campaigns import checks
    from dudao.checklists.models import AnswerType

    data = {}
    for item in checks.applicable_items(target):
        kind = item.answer_type
        if kind == AnswerType.YES_NO:
            value = "yes"
        elif kind in (AnswerType.LEVEL, AnswerType.CHOICE):
            value = (item.compliant or item.choices)[0]
        elif kind == AnswerType.NUMBER:
            value = str(item.standard_min if item.standard_min is not None else 1)
        elif kind == AnswerType.TEXT:
            value = "总体情况良好。"
        else:
            continue
        data[checks.item_field(item)] = value
    return data


def measure_campaign_writes(subjects, runs):
    """The check form's autosave (htmx POST, one answer changed each time) and a school's
    draft of its return (POST "save"; the form's key read from the database each time)."""
    from django.test import Client

    from dudao.checklists.models import AnswerType
    from dudao.returns import services as return_services
    from dudao.returns.models import ReturnSubmission

    results = []
    target, checker = subjects.get("target"), subjects.get("checker")
    if target is not None and checker is not None:
        client = Client()
        client.force_login(checker)
        data = check_answers(target)
        flip = next((k for k, v in data.items() if v == "yes"), None)
        url = resolve("campaigns:check_autosave", target.pk)
        statuses = []

        def autosave():
            if flip:
                data[flip] = "no" if data[flip] == "yes" else "yes"
            statuses.append(client.post(url, data, HTTP_HX_REQUEST="true").status_code)

        ms = median_ms(autosave, runs)
        status = "ok" if set(statuses) == {200} else f"HTTP {sorted(set(statuses))}"
        results.append(("check autosave (POST, team inspector)", ms, status))
    submission, school = subjects.get("submission"), subjects.get("school")
    if submission is not None and school is not None:
        client = Client()
        client.force_login(school)
        row = ReturnSubmission.all_objects.select_related("period__periodic_return", "school")
        items = return_services.items_for(row.get(pk=submission.pk))
        data = {"action": "save"}
        for item in items:
            if item.answer_type == AnswerType.YES_NO:
                data[f"item-{item.pk}"] = "yes"
            elif item.answer_type == AnswerType.CHOICE:
                data[f"item-{item.pk}"] = (item.compliant or item.choices)[0]
            elif item.answer_type == AnswerType.NUMBER:
                data[f"item-{item.pk}"] = "3"
        number = next((k for k, v in data.items() if v == "3"), None)
        url = resolve("returns:submission", submission.pk)
        statuses = []

        def save():
            if number:
                data[number] = "4" if data[number] == "3" else "3"
            data["client_uuid"] = str(row.get(pk=submission.pk).client_uuid)
            statuses.append(client.post(url, data).status_code)

        ms = median_ms(save, runs)
        status = "ok" if set(statuses) == {302} else f"HTTP {sorted(set(statuses))}"
        results.append(("return draft (POST, school)", ms, status))
    return results


def every(model):
    """All rows of `model`, scoped (dudao.core.scopes) or not."""
    manager = model.objects
    return manager.unscoped() if hasattr(manager, "unscoped") else manager.all()


def print_rows(rows, runs):
    print(f"\nMedian of {runs} runs after one warm-up (ms)")
    print(f"  {'':<40}{'server':>9}{'raw SQL':>9}{'queries':>9}{'ratio':>7}{'CPU':>9}  status")
    for label, status, server, raw, queries in rows:
        q = f"{'':>9}" if queries is None else f"{queries:>9}"
        ratio = f"{server / raw:>6.1f}×" if server and raw else f"{'':>7}"
        cpu = fmt(CPU.get(label)) if server else ""
        print(f"  {label:<40}{fmt(server):>9}{fmt(raw):>9}{q}{ratio}{cpu:>9}  {status}")


def print_repeats():
    if REPEATS:
        print(f"\nStatements repeated {REPEAT_LIMIT} times or more with other literals (N+1?)")
        for label, (times, shape) in REPEATS.items():
            print(f"  {label}: {times}× {shape[:SQL_WIDTH]}")


def fmt(value):
    return "—" if value is None else f"{value:8.1f}"


def report(args, load_seconds):
    from django.db import connection

    from dudao.accounts.models import Role, User
    from dudao.bulletins.models import BulletinRead
    from dudao.campaigns.models import Answer, Campaign, CampaignTarget
    from dudao.complaints.models import Complaint
    from dudao.evaluations.models import Round, RoundTarget, Score
    from dudao.inspectors.models import Assignment
    from dudao.rectification.models import Finding
    from dudao.returns.models import ReturnAnswer, ReturnSubmission
    from dudao.schools.models import School
    from dudao.surveys.models import Answer as SurveyAnswer
    from dudao.visits.models import Visit

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        db_size = cursor.fetchone()[0]
    print("\nDataset")
    sizes = {
        "schools": School.all_objects.count(),
        "inspectors": User.objects.filter(role=Role.INSPECTOR).count(),
        "offices": User.objects.filter(role=Role.OFFICE_ADMIN).count(),
        "visits": Visit.all_objects.count(),
        "findings": Finding.all_objects.count(),
        "campaigns": Campaign.all_objects.count(),
        "targets": CampaignTarget.all_objects.count(),
        "answers": Answer.objects.count(),
        "reports": ReturnSubmission.all_objects.count(),
        "report answers": ReturnAnswer.objects.count(),
        "eval. rounds": Round.all_objects.count(),
        "eval. targets": RoundTarget.all_objects.count(),
        "eval. scores": every(Score).count(),
        "complaints": Complaint.all_objects.count(),
        "survey answers": every(SurveyAnswer).count(),
        "bulletin reads": every(BulletinRead).count(),
    }
    for key, value in sizes.items():
        print(f"  {key:<15}{value:>12,}")
    print(f"  {'database':<15}{db_size:>12}")
    if load_seconds is not None:
        print(f"  load time   {load_seconds:>10.1f} s (COPY + indexes + VACUUM ANALYZE)")

    admin = User.objects.filter(role=Role.OFFICE_ADMIN).order_by("pk").first()
    viewer = User.objects.filter(role=Role.VIEWER).order_by("pk").first()
    assignment = (
        Assignment.all_objects.filter(end_date__isnull=True, school__office=admin.office)
        .select_related("school", "inspector")
        .order_by("pk")
        .first()
    )
    inspector = User.objects.get(inspector=assignment.inspector)
    school = assignment.school
    # The bulk load makes no school accounts: one for the school with the most findings.
    from django.db.models import Count

    busy = (
        Finding.all_objects.filter(office=admin.office)
        .values("school_id")
        .annotate(n=Count("id"))
        .order_by("-n", "school_id")
        .first()
    )
    school_user, _ = User.objects.get_or_create(
        username="bench-school",
        defaults={"role": Role.SCHOOL, "office": admin.office, "school_id": busy["school_id"]},
    )
    finding = Finding.all_objects.filter(school_id=school_user.school_id).order_by("-pk").first()
    runs = args.runs
    if args.only_modules:
        rows = module_views(module_subjects(admin), admin, viewer, inspector, runs)
        print_rows(rows, runs)
        print_repeats()
        return
    overview = resolve("dashboards:overview")
    rows = [
        measure_view("county dashboard (office admin)", admin, overview, runs),
        measure_view("province dashboard (province viewer)", viewer, overview, runs),
        measure_view(
            "ledger, first page (office admin)", admin, resolve("rectification:ledger"), runs
        ),
        measure_view(
            "ledger, first page (province viewer)", viewer, resolve("rectification:ledger"), runs
        ),
        # The inspector's month-end pages (issue 10's load scenario).
        measure_view("my schools (inspector)", inspector, resolve("visits:my_schools"), runs),
        measure_view("a school (inspector)", inspector, resolve("schools:detail", school.pk), runs),
        measure_view("visit form (inspector)", inspector, resolve("visits:new", school.pk), runs),
        measure_view("visits (inspector)", inspector, resolve("visits:list"), runs),
        measure_view(
            "ledger, first page (inspector)", inspector, resolve("rectification:ledger"), runs
        ),
        measure_view("notices (inspector)", inspector, resolve("rectification:notice_list"), runs),
        measure_view("home (inspector)", inspector, resolve("core:home"), runs),
        # The office's other list pages and one finding.
        measure_view("home (office admin)", admin, resolve("core:home"), runs),
        measure_view("schools (office admin)", admin, resolve("schools:list"), runs),
        measure_view("inspectors (office admin)", admin, resolve("inspectors:list"), runs),
        measure_view("visits (office admin)", admin, resolve("visits:list"), runs),
        measure_view(
            "escalations (office admin)", admin, resolve("rectification:escalations"), runs
        ),
        measure_view("notices (office admin)", admin, resolve("rectification:notice_list"), runs),
        measure_view(
            "a finding (office admin)",
            admin,
            resolve("rectification:finding_detail", finding.pk) if finding else None,
            runs,
        ),
        measure_view("reports (office admin)", admin, resolve("reports:index"), runs),
        measure_view("audit log (office admin)", admin, resolve("audit:list"), runs),
        measure_view("visits (province viewer)", viewer, resolve("visits:list"), runs),
        measure_view("schools (province viewer)", viewer, resolve("schools:list"), runs),
        # The school's pages (issue 10's school scenario).
        measure_view("home (school)", school_user, resolve("core:home"), runs),
        measure_view(
            "its findings (school)", school_user, resolve("rectification:school_findings"), runs
        ),
        measure_view(
            "a finding (school)",
            school_user,
            resolve("rectification:finding_detail", finding.pk) if finding else None,
            runs,
        ),
    ]
    # Campaigns and periodic returns (issue 12).
    subjects = campaign_subjects(admin)
    rows += campaign_views(subjects, admin, viewer, inspector, runs)
    # Supervision evaluation and the public channels (issues 13-14).
    rows += module_views(module_subjects(admin), admin, viewer, inspector, runs)
    writes = measure_campaign_writes(subjects, runs)
    submit_ms = measure_submit(inspector, school, runs)
    http_ms, http_status = measure_submit_http(inspector, school, runs)

    print_rows(rows, runs)
    print(f"  {'submit_visit (service)':<40}{fmt(submit_ms):>9}")
    print(f"  {'submit a visit (visits:new POST)':<40}{fmt(http_ms):>9}{'':>18}  {http_status}")
    for label, ms, status in writes:
        print(f"  {label:<40}{fmt(ms):>9}{'':>25}  {status}")
    print_repeats()

    print("\nGoals")
    county = rows[0]
    if county[2] is None:
        print("  county dashboard ≤ 150 ms and ≤ 3× raw SQL: not measured (" + county[1] + ")")
    else:
        ok = county[2] <= 150 and county[2] <= 3 * county[3]
        print(
            f"  county dashboard {county[2]:.1f} ms ≤ 150 ms and ≤ 3× raw SQL "
            f"({3 * county[3]:.1f} ms): {'PASS' if ok else 'FAIL'}"
        )
    ok = submit_ms <= 100
    print(f"  visit submission {submit_ms:.1f} ms ≤ 100 ms: {'PASS' if ok else 'FAIL'}")
    if http_ms is not None:
        print(
            f"  (through the form: {http_ms:.1f} ms ≤ 100 ms: "
            f"{'PASS' if http_ms <= 100 else 'FAIL'})"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--schools", type=int, default=20000)
    parser.add_argument("--inspectors", type=int, default=10000)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--findings", type=int, default=1_000_000)
    parser.add_argument(
        "--campaign-share", type=float, default=15, help="%% of a county's schools per campaign"
    )
    parser.add_argument(
        "--return-periods", type=int, default=6, help="half-months of the return before today's"
    )
    parser.add_argument(
        "--complaints", type=int, default=60, help="complaints per county over twelve months"
    )
    parser.add_argument(
        "--survey-answers", type=int, default=10, help="mean responses per school and survey"
    )
    parser.add_argument(
        "--add-modules",
        action="store_true",
        help="add only the evaluations and public channels (issues 13-14) to the loaded data",
    )
    parser.add_argument(
        "--only-modules",
        action="store_true",
        help="time only the evaluation and public-channel pages (issues 13-14)",
    )
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument(
        "--skip-load", action="store_true", help="measure the data already in the database"
    )
    parser.add_argument(
        "--show-sql", type=int, default=0, metavar="N", help="print each view's N slowest queries"
    )
    args = parser.parse_args()
    global SHOW_SQL
    SHOW_SQL = args.show_sql
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL=postgres://... (PostgreSQL only).")

    import django

    django.setup()
    from django.db import connection

    load_seconds = None
    if args.add_modules:
        prepare_database(load=False)
        started = time.monotonic()
        with connection.cursor() as cursor:  # a second run replaces the first's rows
            tables = ", ".join([*evaluation_data.TABLES, *public_data.TABLES])
            cursor.execute(f"TRUNCATE {tables} CASCADE")
        today = datetime.datetime.now(datetime.UTC).astimezone(SHANGHAI).date()
        print(load_modules(args, today, datetime.datetime.now(datetime.UTC)))
        reset_sequences([*evaluation_data.TABLES, *public_data.TABLES])
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
        print(f"Added in {time.monotonic() - started:.1f} s")
    elif args.skip_load:
        prepare_database(load=False)
    else:
        started = time.monotonic()
        prepare_database(load=True)
        print(f"Migrated in {time.monotonic() - started:.1f} s; loading …")
        started = time.monotonic()
        loader = Loader(args)
        loader.load()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
        load_seconds = time.monotonic() - started
        print(f"Findings by status: {dict(sorted(loader.status_count.items()))}")
    report(args, load_seconds)


if __name__ == "__main__":
    main()
