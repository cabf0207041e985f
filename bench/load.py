"""Load test of the production set-up: month-end at a supervision office (issue 10). Run by
hand, not a test; loopback only.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dudao_bench .venv/bin/python bench/load.py \\
        [--stages 50,100,200,300,500] [--stage-seconds 90] [--think 5,10] \\
        [--school-users 10] [--office-users 3] [--public-users 5] [--workers 5] \\
        [--worker-class sync]

The database named in DATABASE_URL (PostgreSQL; the province dataset of bench/supervision.py or
the demo county seeded into PostgreSQL) is changed: the chosen inspectors' and office admins'
passwords are set to the load test's, school accounts `load-s<school id>` are created, and
every simulated visit and rectification report is stored. Point it at a throwaway database.

It starts gunicorn as docs/deployment.md runs it (`--workers 5`, sync workers, DEBUG off,
CONN_MAX_AGE 60) on 127.0.0.1, and the task worker at `nice 10` in a CPU group weighted as
deployment.md's `CPUWeight=10` (it builds the exports of more than EXPORT_INLINE_ROWS rows),
unless `--url` names a server already running. Simulated
users, each with its own cookies, like a browser (gzip accepted, CSRF token from the cookie):

- inspectors: log in once, then loop — my schools this month → one of their schools → the
  visit form → submit a visit → the visit → the ledger, thinking 5–10 s between steps; those
  on a team of a running campaign (专项督导) then open their checks and one school's check
  form;
- schools (`--school-users`): log in, then loop — their findings → (if a periodic return
  (定期报送) has a period open that they have not reported: their returns → the report's form
  → save it as a draft) → a finding that awaits their report → respond with a text and a
  1600×1200 JPEG photo (multipart);
- office admins (`--office-users`): log in, then loop — the dashboard → the ledger → the
  ledger's Excel export (a county's is built in the background: the job's page is polled
  every 2 s until it offers the file, then the file is fetched);
- the evaluation and public-channel pages (issues 13-14, `module_paths`: data from
  bench/evaluation_data.py and public_data.py) after those steps: inspectors their
  complaints, documents and the latest notice; schools their documents, the latest one (a
  read receipt) and their published evaluation result; office admins the complaints, the
  rounds and a published round's results, the surveys and a closed one's results, the
  bulletins and who has read the latest; `--public-users` anonymous visitors (5) loop over
  the county's public page and an open survey's link (the public rate limits are lifted:
  every visitor is 127.0.0.1).

Inspectors ramp up stage by stage: each stage's newcomers log in within its first
`--ramp-seconds` (10 s: a rush far steeper than a month end, when inspectors arrive over hours
and, with "Keep me signed in", mostly do not log in at all); schools and office admins run from
the start. After each stage it prints p50/p95/p99 per endpoint once the newcomers are in
(steady), the p95 of the whole stage, of its rush (the ramp and 10 s more) and of the steady
part, the p95 of every 10 s, requests/s, errors, and the CPU used by gunicorn, PostgreSQL and
this script (% of one core; the machine has `os.cpu_count()` cores).
"""

import argparse
import asyncio
import contextlib
import gzip
import io
import os
import random
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from visit_form import visit_form_data  # bench/ is the script's folder

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PASSWORD = "Load-test-2026"  # noqa: S105 (a throwaway database's accounts)
SEED = 20261201

# --------------------------------------------------------------------------- accounts


def prepare(args):
    """Choose the simulated users in the database and set their passwords; return, per
    scenario, a list of (username, data) for the simulated users."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dudao.settings")
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.db.models import Count, Q
    from django.utils import timezone

    from dudao.accounts.models import Role, User
    from dudao.inspectors.models import Assignment
    from dudao.rectification.models import Finding, FindingStatus

    rng = random.Random(SEED)
    today = timezone.localdate()
    current = Q(start_date__lte=today) & (Q(end_date__isnull=True) | Q(end_date__gte=today))
    hashed = make_password(PASSWORD)
    needed = max(args.stages)

    # Inspectors with a login and at least one school assigned now.
    candidates = list(
        User.objects.filter(role=Role.INSPECTOR, is_active=True, inspector__isnull=False)
        .filter(inspector__assignments__in=Assignment.objects.unscoped().filter(current))
        .values_list("pk", "username", "inspector_id")
        .distinct()
        .order_by("pk")[: needed * 20]
    )
    if len(candidates) < needed:
        sys.exit(f"Only {len(candidates)} inspectors with schools; the last stage needs {needed}.")
    chosen = rng.sample(candidates, needed)
    schools = defaultdict(list)
    for inspector_id, school_id in (
        Assignment.objects.unscoped()
        .filter(current, inspector_id__in=[c[2] for c in chosen])
        .values_list("inspector_id", "school_id")
    ):
        schools[inspector_id].append(school_id)
    targets = campaign_targets([c[2] for c in chosen])
    inspectors = [
        (username, {"schools": sorted(schools[iid]), "targets": targets.get(iid, [])})
        for _, username, iid in chosen
    ]

    # Schools whose findings await a rectification report, each with a new school account.
    awaiting = [FindingStatus.NOTICE_ISSUED, FindingStatus.URGED]
    school_rows = list(
        Finding.all_objects.filter(status__in=awaiting)
        .values("school_id", "office_id")
        .annotate(n=Count("id"))
        .filter(n__gte=3)
        .order_by("-n", "school_id")[: max(args.school_users * 5, 1)]
    )
    school_rows = rng.sample(school_rows, min(args.school_users, len(school_rows)))
    schools_out = []
    offices_in_play = sorted(set(_offices_of(chosen)))
    admins = list(
        User.objects.filter(role=Role.OFFICE_ADMIN, is_active=True, office_id__in=offices_in_play)
        .order_by("pk")
        .values_list("pk", "username")[: args.office_users]
    )
    with transaction.atomic():
        User.objects.filter(pk__in=[c[0] for c in chosen] + [a[0] for a in admins]).update(
            password=hashed
        )
        for row in school_rows:
            username = f"load-s{row['school_id']}"
            User.objects.update_or_create(
                username=username,
                defaults={
                    "role": Role.SCHOOL,
                    "school_id": row["school_id"],
                    "office_id": row["office_id"],
                    "password": hashed,
                    "is_active": True,
                    "display_name": username,
                },
            )
            findings = list(
                Finding.all_objects.filter(school_id=row["school_id"], status__in=awaiting)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            schools_out.append(
                (
                    username,
                    {"findings": findings, "return": open_return(row["school_id"], today)},
                )
            )
    modules = module_paths(
        offices_in_play, [row["school_id"] for row in school_rows], [c[2] for c in chosen]
    )
    inspectors = [
        (username, {**data, "module": modules["inspector"].get(iid, [])})
        for (username, data), (_, _, iid) in zip(inspectors, chosen, strict=True)
    ]
    schools_out = [
        (username, {**data, "module": modules["school"].get(row["school_id"], [])})
        for (username, data), row in zip(schools_out, school_rows, strict=True)
    ]
    admin_offices = dict(
        User.objects.filter(pk__in=[a[0] for a in admins]).values_list("username", "office_id")
    )
    return {
        "inspector": inspectors,
        "school": schools_out,
        "office": [
            (username, {"module": modules["office"].get(admin_offices[username], [])})
            for _, username in admins
        ],
        "public": [
            (f"visitor{n}", {"module": modules["public"][n % len(modules["public"])]})
            for n in range(args.public_users if modules["public"] else 0)
        ],
    }


def module_paths(office_ids, school_ids, inspector_ids) -> dict:
    """The evaluation (issue 13) and public-channel (issue 14) pages each simulated user
    opens after its month-end steps, as [(label, path)] (bench/evaluation_data.py and
    public_data.py load them): per inspector its complaints and the latest notice sent to the
    inspectors; per school its documents, the latest sent to all schools (opening it records
    the read) and its latest published evaluation result; per office the complaints, rounds,
    the latest published round's results, the surveys, a closed survey's results and the
    bulletins with who has read the latest; public visitors the county page and an open
    survey's link."""
    from django.urls import reverse

    from dudao.bulletins.models import Bulletin
    from dudao.evaluations.models import Round, RoundTarget
    from dudao.inspectors.models import Inspector
    from dudao.organisations.models import Office
    from dudao.schools.models import School
    from dudao.surveys.models import Survey, SurveySchool

    def latest_bulletin(office_id, audience):
        return (
            Bulletin.all_objects.filter(office_id=office_id, status="published", audience=audience)
            .order_by("-published_at")
            .values_list("pk", flat=True)
            .first()
        )

    office, public = {}, []
    for office_id in office_ids:
        paths = [
            ("complaints", reverse("complaints:list")),
            ("rounds", reverse("evaluations:round_list")),
        ]
        published = (
            Round.all_objects.filter(office_id=office_id, stage="published")
            .order_by("-year", "pk")
            .values_list("pk", flat=True)
            .first()
        )
        if published:
            paths.append(("round results", reverse("evaluations:round_results", args=[published])))
        paths.append(("surveys", reverse("surveys:list")))
        closed = Survey.all_objects.filter(office_id=office_id, status="closed").first()
        if closed:
            paths.append(("survey results", reverse("surveys:results", args=[closed.pk])))
        paths.append(("bulletins", reverse("bulletins:list")))
        bulletin = latest_bulletin(office_id, "all_schools")
        if bulletin:
            paths.append(("a bulletin (office)", reverse("bulletins:detail", args=[bulletin])))
        office[office_id] = paths
        code = Office.objects.filter(pk=office_id).values_list("region__code", flat=True).first()
        visit = [("county page", reverse("bulletins_public:county", args=[code]))]
        link = SurveySchool.all_objects.filter(survey__office_id=office_id, survey__status="open")
        token = link.order_by("pk").values_list("token", flat=True).first()
        if token:
            visit.append(("survey link", reverse("surveys_public:answer", args=[token])))
        public.append(visit)
    inspector = {}
    for inspector_id, office_id in Inspector.all_objects.filter(pk__in=inspector_ids).values_list(
        "pk", "office_id"
    ):
        paths = [
            ("my complaints", reverse("complaints:mine")),
            ("my bulletins", reverse("bulletins:mine")),
        ]
        notice = latest_bulletin(office_id, "inspectors")
        if notice:
            paths.append(("a notice (inspector)", reverse("bulletins:detail", args=[notice])))
        inspector[inspector_id] = paths
    school = {}
    for school_id, office_id in School.all_objects.filter(pk__in=school_ids).values_list(
        "pk", "office_id"
    ):
        paths = [("my bulletins (school)", reverse("bulletins:mine"))]
        bulletin = latest_bulletin(office_id, "all_schools")
        if bulletin:
            paths.append(("a bulletin (school)", reverse("bulletins:detail", args=[bulletin])))
        paths.append(("rounds (school)", reverse("evaluations:round_list")))
        result = (
            RoundTarget.all_objects.filter(school_id=school_id, round__stage="published")
            .order_by("-round__year")
            .values_list("pk", flat=True)
            .first()
        )
        if result:
            paths.append(
                ("its evaluation result", reverse("evaluations:round_target_result", args=[result]))
            )
        school[school_id] = paths
    return {"office": office, "public": public, "inspector": inspector, "school": school}


def campaign_targets(inspector_ids) -> dict[int, list[int]]:
    """{inspector id: the ids of the targets their teams check in running campaigns}."""
    from dudao.campaigns.models import Campaign, CampaignTarget

    targets = defaultdict(list)
    for inspector_id, target_id in (
        CampaignTarget.all_objects.filter(
            campaign__status=Campaign.Status.RUNNING,
            team__members__inspector_id__in=inspector_ids,
        )
        .values_list("team__members__inspector_id", "pk")
        .order_by("pk")
    ):
        targets[inspector_id].append(target_id)
    return targets


def open_return(school_id, today):
    """(report id, form fields) of the school's report of a return's period open today and
    not yet sent, the fields filled as a school fills them; None if it has none."""
    from dudao.checklists.models import AnswerType
    from dudao.returns import services as return_services
    from dudao.returns.models import PeriodicReturn, ReturnSubmission

    submission = (
        ReturnSubmission.all_objects.filter(
            school_id=school_id,
            period__opens_on__lte=today,
            period__due_on__gte=today,
            period__periodic_return__status=PeriodicReturn.Status.ACTIVE,
        )
        .exclude(status=ReturnSubmission.Status.SUBMITTED)
        .select_related("period__periodic_return", "school")
        .order_by("period__due_on", "pk")
        .first()
    )
    if submission is None:
        return None
    fields = {}
    for item in return_services.items_for(submission):
        if item.answer_type == AnswerType.YES_NO:
            fields[f"item-{item.pk}"] = "yes"
        elif item.answer_type in (AnswerType.LEVEL, AnswerType.CHOICE):
            fields[f"item-{item.pk}"] = (item.compliant or item.choices)[0]
        elif item.answer_type == AnswerType.NUMBER:
            fields[f"item-{item.pk}"] = str(item.standard_min or item.standard_max or 3)
    return submission.pk, fields


def _offices_of(chosen):
    from dudao.accounts.models import User

    return (
        User.objects.filter(pk__in=[c[0] for c in chosen])
        .exclude(office_id=None)
        .values_list("office_id", flat=True)
    )


def photo_bytes() -> bytes:
    """A 1600×1200 JPEG like a phone's downscaled photo (noise, so it does not shrink)."""
    from PIL import Image

    rng = random.Random(SEED)
    small = Image.frombytes("RGB", (200, 150), bytes(rng.randrange(256) for _ in range(90000)))
    buffer = io.BytesIO()
    small.resize((1600, 1200)).save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


# --------------------------------------------------------------------------- server


def start_server(args, port):
    env = dict(os.environ)
    env.update(
        DEBUG="0",
        ALLOWED_HOSTS="127.0.0.1",
        SECRET_KEY=env.get("SECRET_KEY") or secrets.token_urlsafe(50),
        TASKS_BACKEND=env.get("TASKS_BACKEND", "db"),
        DUDAO_DEMO="0",
        # Every simulated visitor of the public pages comes from 127.0.0.1: one address
        # would hit the per-address limits that a county's parents, each on their own
        # phone, do not.
        PUBLIC_PAGE_RATE=env.get("PUBLIC_PAGE_RATE", "1000000"),
        PUBLIC_PAGE_REQUEST_RATE=env.get("PUBLIC_PAGE_REQUEST_RATE", "1000000"),
    )
    env.pop("DJANGO_SETTINGS_MODULE", None)
    python = str(ROOT / ".venv/bin/python")
    subprocess.run(  # noqa: S603 (the production set-up serves collected static files)
        [python, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    command = [
        str(ROOT / ".venv/bin/gunicorn"),
        "dudao.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(args.workers),
        "--worker-class",
        args.worker_class,
        "--timeout",
        "120",
        "--control-socket",
        f"/tmp/dudao-load-{port}.ctl",  # noqa: S108
        "--log-level",
        "warning",
    ]
    if args.worker_class == "gthread":
        command += ["--threads", str(args.threads)]
    server = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)  # noqa: S603
    # The task worker as deployment.md runs it (Nice=10): it builds the large exports.
    worker = subprocess.Popen(  # noqa: S603
        ["nice", "-n", "10", python, "manage.py", "db_worker", "--interval", "1"],  # noqa: S607
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
    )
    # deployment.md gives the worker's unit CPUWeight=10: systemd puts each service in a
    # cgroup of its own, and the kernel shares the CPU between groups before it looks at
    # nice values, so Nice=10 alone ranks the worker only against its own unit's processes.
    # The same holds for sessions here (autogroups): set the worker's group to the weight
    # CPUWeight=10 gives (nice 10 is weight 110 against 1024).
    try:
        Path(f"/proc/{worker.pid}/autogroup").write_text("10")
        server.worker_weight = "its CPU group at nice 10 (as CPUWeight=10)"
    except OSError as error:
        server.worker_weight = f"its CPU group not weighted ({error}): results are pessimistic"
    server.task_worker = worker
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    sys.exit("gunicorn did not start")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------- CPU


def _ticks(pid: int, children: bool = False) -> int:
    """utime + stime of `pid`; with `children`, also what its exited children used
    (cutime + cstime: PostgreSQL's closed connections)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    ticks = int(fields[11]) + int(fields[12])
    if children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks


def _is_postmaster(entry: Path) -> bool:
    try:
        parent = (entry / "stat").read_text().rsplit(")", 1)[1].split()[1]
        return not Path(f"/proc/{parent}/comm").read_text().startswith("postgres")
    except OSError:
        return False


def cpu_sample(server_pid: int | None) -> dict:
    """CPU ticks so far of gunicorn (master and workers), PostgreSQL's processes and us."""
    totals = {"gunicorn": 0, "postgres": 0, "worker": 0, "load": _ticks(os.getpid())}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        pid = int(entry.name)
        try:
            comm = (entry / "comm").read_text().strip()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if comm.startswith("postgres"):
            # The postmaster (its parent is not PostgreSQL) also counts its exited backends.
            totals["postgres"] += _ticks(pid, children=_is_postmaster(entry))
        elif b"gunicorn" in cmdline and b"dudao.wsgi" in cmdline:
            totals["gunicorn"] += _ticks(pid)
        elif b"manage.py\x00db_worker" in cmdline:
            totals["worker"] += _ticks(pid)
    return totals


# --------------------------------------------------------------------------- HTTP client


class HttpError(Exception):
    pass


class Browser:
    """One simulated browser: cookies, gzip, one connection at a time (reopened whenever the
    server closes it, as gunicorn's sync workers do after each response)."""

    def __init__(self, host, port, stats):
        self.host, self.port, self.stats = host, port, stats
        self.cookies = {}
        self.reader = self.writer = None

    async def close(self):
        if self.writer:
            self.writer.close()
            self.reader = self.writer = None

    async def request(self, label, method, path, body=b"", content_type=None, expect=(200,)):
        headers = {
            "Host": f"{self.host}:{self.port}",
            "User-Agent": "dudao-load/1 (Android; Mobile)",
            "Accept": "text/html,*/*",
            "Accept-Encoding": "gzip",
            "Accept-Language": "zh-CN,zh",
            "Connection": "keep-alive",
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method == "POST":
            headers["Content-Type"] = content_type or "application/x-www-form-urlencoded"
            headers["Content-Length"] = str(len(body))
            headers["Origin"] = f"http://{self.host}:{self.port}"
            headers["Referer"] = f"http://{self.host}:{self.port}{path}"
            headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
        lines = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        head = f"{method} {path} HTTP/1.1\r\n{lines}"
        started = time.monotonic()
        try:
            status, response_headers, content = await asyncio.wait_for(
                self._exchange(head.encode() + b"\r\n" + body), timeout=60
            )
        except (OSError, TimeoutError, asyncio.IncompleteReadError, HttpError) as error:
            await self.close()
            self.stats.record(label, time.monotonic() - started, f"{type(error).__name__}")
            raise HttpError(label) from error
        elapsed = time.monotonic() - started
        for name, value in response_headers:
            if name == "set-cookie":
                pair = value.split(";", 1)[0]
                key, _, cookie = pair.partition("=")
                self.cookies[key.strip()] = cookie.strip()
        error = None if status in expect else f"HTTP {status}"
        self.stats.record(label, elapsed, error)
        if error:
            raise HttpError(f"{label}: {error}")
        location = dict(response_headers).get("location")
        if dict(response_headers).get("content-encoding") == "gzip":
            content = gzip.decompress(content)
        return status, location, content

    async def _exchange(self, data):
        for attempt in (1, 2):
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
                fresh = True
            else:
                fresh = False
            try:
                self.writer.write(data)
                await self.writer.drain()
                status_line = await self.reader.readline()
                if not status_line:
                    raise ConnectionResetError
            except (ConnectionResetError, BrokenPipeError):
                await self.close()
                if fresh or attempt == 2:
                    raise
                continue
            break
        status = int(status_line.split()[1])
        headers = []
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            headers.append((name.strip().lower(), value.strip()))
        header = dict(headers)
        if header.get("transfer-encoding") == "chunked":
            chunks = []
            while True:
                size = int((await self.reader.readline()).split(b";")[0], 16)
                if size == 0:
                    await self.reader.readline()
                    break
                chunks.append(await self.reader.readexactly(size))
                await self.reader.readline()
            content = b"".join(chunks)
        elif "content-length" in header:
            content = await self.reader.readexactly(int(header["content-length"]))
        else:
            content = await self.reader.read()
        if header.get("connection", "").lower() == "close" or "content-length" not in header:
            await self.close()
        return status, headers, content

    async def get(self, label, path, **kwargs):
        return await self.request(label, "GET", path, **kwargs)

    async def post(self, label, path, fields, files=None, expect=(302,)):
        fields = {"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **fields}
        if files:
            body, content_type = multipart(fields, files)
        else:
            body = urlencode(fields, doseq=True).encode()
            content_type = None
        return await self.request(label, "POST", path, body, content_type, expect)

    async def login(self, username):
        await self.get("login (form)", "/accounts/login/")
        _, location, _ = await self.post(
            "login", "/accounts/login/", {"login": username, "password": PASSWORD}
        )
        if not location or "/login" in location:
            raise HttpError(f"login refused for {username}")


def multipart(fields, files):
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                f"{item}\r\n".encode()
            )
    for name, (filename, data, mime) in files.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: {mime}\r\n\r\n'.encode()
            + data
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


# --------------------------------------------------------------------------- statistics


class Stats:
    """Response times of one stage: (seconds into the stage, endpoint, ms)."""

    def __init__(self):
        self.reset()

    def reset(self):
        self.samples = []
        self.errors = defaultdict(int)
        self.began = time.monotonic()

    def record(self, label, seconds, error=None):
        self.samples.append((time.monotonic() - self.began, label, seconds * 1000))
        if error:
            self.errors[(label, error)] += 1


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _line(label, values):
    return (
        f"   {label:<26}{len(values):>7}{statistics.median(values):>9.0f}"
        f"{percentile(values, 0.95):>9.0f}{percentile(values, 0.99):>9.0f}{max(values):>9.0f}"
    )


def print_stage(name, users, seconds, rush, stats, cpu_before, cpu_after):
    """The stage's figures: per endpoint once the stage's newcomers have logged in (steady),
    then every request, the rush (the first `rush` seconds: logins) and the steady part."""
    steady = [(label, ms) for t, label, ms in stats.samples if t >= rush]
    print(
        f"\n== {name}: {users} inspectors, {seconds:.0f} s, "
        f"{len(stats.samples) / seconds:.1f} requests/s"
    )
    print(f"   {'endpoint (steady)':<26}{'n':>7}{'p50':>9}{'p95':>9}{'p99':>9}{'max':>9}  ms")
    by_label = defaultdict(list)
    for label, ms in steady:
        by_label[label].append(ms)
    for label in sorted(by_label):
        print(_line(label, by_label[label]))
    every = [ms for _, _, ms in stats.samples]
    rushing = [ms for t, _, ms in stats.samples if t < rush]
    calm = [ms for _, ms in steady]
    for label, values in (
        ("all, whole stage", every),
        (f"all, rush (first {rush:.0f} s)", rushing),
        ("all, steady", calm),
    ):
        if values:
            print(_line(label, values))
    windows = []
    for w in range(int(seconds // 10) + 1):
        chunk = [ms for t, _, ms in stats.samples if w * 10 <= t < (w + 1) * 10]
        windows.append(f"{percentile(chunk, 0.95):.0f}" if chunk else "—")
    print(f"   p95 per 10 s of the stage (ms): {' '.join(windows)}")
    hz = os.sysconf("SC_CLK_TCK")
    cpu = {k: (cpu_after[k] - cpu_before[k]) / hz / seconds * 100 for k in cpu_after}
    errors = sum(stats.errors.values())
    print(
        f"   errors: {errors}"
        + "".join(f"; {label} {err}: {n}" for (label, err), n in sorted(stats.errors.items()))
    )
    print(
        f"   CPU (% of one core; {os.cpu_count()} cores): gunicorn {cpu['gunicorn']:.0f}, "
        f"PostgreSQL {cpu['postgres']:.0f}, task worker {cpu['worker']:.0f}, "
        f"load generator {cpu['load']:.0f}"
    )
    return {
        "rps": len(stats.samples) / seconds,
        "p95": percentile(every, 0.95) if every else None,
        "p95_rush": percentile(rushing, 0.95) if rushing else None,
        "p95_steady": percentile(calm, 0.95) if calm else None,
        "errors": errors,
    }


# --------------------------------------------------------------------------- scenarios


class Run:
    def __init__(self, args, host, port, accounts):
        self.args, self.host, self.port = args, host, port
        self.accounts = accounts
        self.stats = Stats()
        self.stop = asyncio.Event()
        self.rng = random.Random(SEED)
        self.photo = photo_bytes() if accounts["school"] else b""

    async def think(self):
        low, high = self.args.think
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.stop.wait(), timeout=self.rng.uniform(low, high))

    async def user(self, scenario, username, data, delay):
        await asyncio.sleep(delay)
        browser = Browser(self.host, self.port, self.stats)
        try:
            while not self.stop.is_set():
                try:
                    if scenario != "public" and "sessionid" not in browser.cookies:
                        await browser.login(username)
                        await self.think()
                    await getattr(self, scenario)(browser, data)
                except HttpError:
                    await self.think()  # a failed step: think, then carry on with the loop
        finally:
            await browser.close()

    async def inspector(self, browser, data):
        await browser.get("my schools", "/visits/mine/")
        await self.think()
        school = self.rng.choice(data["schools"])
        await browser.get("a school", f"/schools/{school}/")
        await self.think()
        await browser.get("visit form", f"/visits/new/{school}/")
        await self.think()
        moment = time.time() - 3600 - self.rng.randrange(3600)
        fields = visit_form_data(time.strftime("%Y-%m-%dT%H:%M", time.localtime(moment)))
        _, location, _ = await browser.post("submit visit", f"/visits/new/{school}/", fields)
        await self.think()
        if location and location.startswith("/visits/"):
            await browser.get("the visit", location)
            await self.think()
        await browser.get("ledger", "/findings/ledger/")
        await self.think()
        if data["targets"]:  # on a team of a running campaign (专项督导)
            await browser.get("my checks", "/campaigns/checks/")
            await self.think()
            target = self.rng.choice(data["targets"])
            await browser.get("check form", f"/campaigns/checks/{target}/")
            await self.think()
        await self.module(browser, data)

    async def module(self, browser, data):
        """The evaluation and public-channel pages of `module_paths` (issues 13-14)."""
        for label, path in data.get("module") or []:
            await browser.get(label, path)
            await self.think()

    async def public(self, browser, data):
        """A parent without an account: the county's public page, then a survey's link."""
        await self.module(browser, data)

    async def school(self, browser, data):
        await browser.get("school findings", "/findings/school/")
        await self.think()
        if data["return"]:
            await self.school_return(browser, *data["return"])
        await self.module(browser, data)
        findings = data["findings"]
        if not findings:
            return
        finding = findings.pop(0)
        _, _, page = await browser.get("a finding", f"/findings/{finding}/")
        await self.think()
        match = re.search(rb'name="expected_version" value="(\d+)"', page)
        if not match:
            return
        await browser.post(
            "respond with photo",
            f"/findings/{finding}/action/respond/",
            {"expected_version": match.group(1).decode(), "text": "已整改，见照片。"},
            files={"files": ("photo.jpg", self.photo, "image/jpeg")},
        )
        await self.think()

    async def school_return(self, browser, submission, fields):
        """The school's periodic return (定期报送): its reports, the open period's form, a
        draft saved (the form's key turns after every save: read from the page)."""
        await browser.get("my returns", "/returns/mine/")
        await self.think()
        path = f"/returns/reports/{submission}/"
        _, _, page = await browser.get("return form", path)
        await self.think()
        match = re.search(rb'name="client_uuid" value="([0-9a-f-]+)"', page)
        if match:
            posted = {**fields, "action": "save", "client_uuid": match.group(1).decode()}
            await browser.post("return draft save", path, posted)
            await self.think()

    async def office(self, browser, data):
        await browser.get("dashboard", "/dashboard/")
        await self.think()
        await browser.get("ledger (office)", "/findings/ledger/")
        await self.think()
        await self.module(browser, data)
        status, location, _ = await browser.get(
            "ledger export", "/reports/ledger.xlsx", expect=(200, 303)
        )
        if status == 303 and location:
            # Built by the task worker (more than EXPORT_INLINE_ROWS rows): the job's page
            # refreshes itself every 2 s until it offers the file, as the browser's htmx does.
            started = time.monotonic()
            job = urlsplit(location).path
            while not self.stop.is_set() and time.monotonic() - started < 120:
                await asyncio.sleep(2)
                _, _, page = await browser.get("export job page", job)
                if f'href="{job}file"'.encode() in page:
                    await browser.get("export file", f"{job}file")
                    self.stats.record("export, request to file", time.monotonic() - started, None)
                    break
        await self.think()

    async def main(self, server_pid):
        tasks = []
        for scenario in ("school", "office", "public"):
            for username, data in self.accounts[scenario]:
                delay = self.rng.uniform(0, 5)
                tasks.append(asyncio.create_task(self.user(scenario, username, data, delay)))
        started_users = 0
        results = []
        for stage in self.args.stages:
            for username, data in self.accounts["inspector"][started_users:stage]:
                delay = self.rng.uniform(0, self.args.ramp_seconds)
                task = self.user("inspector", username, data, delay)
                tasks.append(asyncio.create_task(task))
            started_users = stage
            # The stage's ramp (logins) is part of what it measures: month end is a rush.
            self.stats.reset()
            cpu_before = cpu_sample(server_pid)
            began = time.monotonic()
            await asyncio.sleep(self.args.stage_seconds)
            seconds = time.monotonic() - began
            summary = print_stage(
                f"stage {len(results) + 1}",
                stage,
                seconds,
                self.args.ramp_seconds + 10,
                self.stats,
                cpu_before,
                cpu_sample(server_pid),
            )
            results.append((stage, summary))
            sys.stdout.flush()
        self.stop.set()
        await asyncio.wait(tasks, timeout=70)
        return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stages", default="50,100,200,300,500")
    parser.add_argument("--stage-seconds", type=float, default=90)
    parser.add_argument(
        "--public-users", type=int, default=5, help="visitors of the county page and surveys"
    )
    parser.add_argument("--ramp-seconds", type=float, default=10)
    parser.add_argument("--think", default="5,10", help="seconds between steps: low,high")
    parser.add_argument("--school-users", type=int, default=10)
    parser.add_argument("--office-users", type=int, default=3)
    parser.add_argument("--workers", type=int, default=5)
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--url", help="a server already running (loopback only)")
    args = parser.parse_args()
    args.stages = [int(s) for s in args.stages.split(",")]
    args.think = tuple(float(s) for s in args.think.split(","))
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL=postgres://... (the production database is PostgreSQL).")

    # One throwaway key for the preparation and the server (sessions are signed with it).
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    accounts = prepare(args)
    print(
        f"Accounts: {len(accounts['inspector'])} inspectors, {len(accounts['school'])} schools, "
        f"{len(accounts['office'])} office admins; password {PASSWORD!r}"
    )
    checking = sum(1 for _, data in accounts["inspector"] if data["targets"])
    reporting = sum(1 for _, data in accounts["school"] if data["return"])
    print(
        f"Of them {checking} inspectors on campaign teams (checks), "
        f"{reporting} schools with a return to report"
    )
    server = None
    if args.url:
        parts = urlsplit(args.url)
        host, port = parts.hostname, parts.port or 80
        if host not in ("127.0.0.1", "localhost", "::1"):
            sys.exit("Loopback only: --url must be on 127.0.0.1.")
    else:
        host, port = "127.0.0.1", free_port()
        server = start_server(args, port)
        print(
            f"gunicorn on {host}:{port}: {args.workers} {args.worker_class} workers"
            + (f" × {args.threads} threads" if args.worker_class == "gthread" else "")
            + ", DEBUG off, CONN_MAX_AGE "
            + os.environ.get("CONN_MAX_AGE", "60")
        )
        print(f"task worker at nice 10, {server.worker_weight}")
    try:
        run = Run(args, host, port, accounts)
        results = asyncio.run(run.main(server.pid if server else None))
    finally:
        if server:
            os.killpg(server.pid, signal.SIGTERM)
            os.killpg(server.task_worker.pid, signal.SIGTERM)
            server.wait(timeout=30)
            server.task_worker.wait(timeout=30)
    print("\nSummary: inspectors → requests/s; p95 ms whole stage / rush / steady; errors")
    for users, s in results:
        p95 = [
            "—" if s[key] is None else f"{s[key]:.0f}"  # a stage shorter than its rush
            for key in ("p95", "p95_rush", "p95_steady")
        ]
        print(f"  {users:>5} → {s['rps']:.1f}; {' / '.join(p95)}; {s['errors']}")


if __name__ == "__main__":
    main()
