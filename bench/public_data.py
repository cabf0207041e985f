"""Public channels (issue 14) for the province dataset of bench/supervision.py: complaints,
satisfaction surveys and bulletins, written with COPY like campaign_data.py and read from
the database like evaluation_data.py (so `--add-modules` loads them into an existing
database). No audit rows, photos, attachments or findings from complaints are generated.

Per county (office):

- complaints (投诉举报) over the last twelve months (`--complaints`, 60 by default): every
  category, most about a school; every state — received, assigned, investigating, replied,
  closed (most), transferred, merged as a duplicate; the active ones assigned to the
  school's inspector with a deadline ten days on, some overdue and urged; an event per step;
- a closed balanced-development parents' survey (优质均衡家长问卷, built in) of last
  semester and an open 双减 parents' survey, each on the county's primary and junior schools
  with a link per school and about `--survey-answers` (10) responses per school (about half
  the schools under the minimum of 10 answers), every counted question answered (mostly
  satisfied), the scale, a multiple choice and a few free texts;
- bulletins (通报、通知、简报) of this year and last: 24 published and numbered
  (县督通〔2026〕3号, 〔2026〕第2期), sent to all schools, a zone, the inspectors or chosen
  schools, half shown on the county's public page, two drafts; recipients fixed, ~75 % of
  those with an account have read it.
"""

import datetime
import hashlib
import json
import random

SEED = 20261414
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
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
    "complaints_complaint": [
        "id",
        "category",
        "text",
        "sender_name",
        "sender_phone",
        "anonymous",
        "tracking_code",
        "status",
        "assigned_at",
        "deadline",
        "is_overdue",
        "urge_count",
        "last_urged_on",
        "reply_text",
        "replied_at",
        "transferred_to",
        "received_at",
        "closed_at",
        "client_hash",
        "text_hash",
        "version",
        "duplicate_of_id",
        "finding_id",
        "inspector_id",
        "office_id",
        "school_id",
    ],
    "complaints_complaintevent": [*EVENT_COLUMNS, "complaint_id"],
    "surveys_survey": [
        "id",
        "title",
        "opens_on",
        "closes_on",
        "school_rule",
        "school_types",
        "min_answers",
        "pass_percent",
        "status",
        "created_at",
        "updated_at",
        "opened_at",
        "closed_at",
        "version",
        "created_by_id",
        "office_id",
        "questionnaire_id",
        "zone_id",
    ],
    "surveys_surveyevent": [*EVENT_COLUMNS, "survey_id"],
    "surveys_surveyschool": ["id", "token", "position", "office_id", "school_id", "survey_id"],
    "surveys_response": [
        "id",
        "submitted_at",
        "day",
        "client_hash",
        "office_id",
        "school_id",
        "survey_id",
        "link_id",
    ],
    "surveys_answer": [
        "id",
        "choice",
        "text",
        "satisfied",
        "office_id",
        "school_id",
        "question_id",
        "response_id",
        "survey_id",
    ],
    "bulletins_bulletin": [
        "id",
        "kind",
        "topic",
        "title",
        "body",
        "audience",
        "publish_on_public_page",
        "status",
        "year",
        "sequence",
        "number",
        "published_at",
        "withdrawn_at",
        "created_at",
        "updated_at",
        "version",
        "created_by_id",
        "office_id",
        "published_by_id",
        "zone_id",
    ],
    "bulletins_bulletin_chosen_schools": ["id", "bulletin_id", "school_id"],
    "bulletins_bulletinsequence": ["id", "kind", "year", "last_number", "office_id"],
    "bulletins_bulletinrecipient": [
        "id",
        "reminders_sent",
        "last_reminded_at",
        "bulletin_id",
        "inspector_id",
        "office_id",
        "school_id",
    ],
    "bulletins_bulletinread": [
        "id",
        "read_at",
        "bulletin_id",
        "office_id",
        "user_id",
        "recipient_id",
    ],
    "bulletins_bulletinevent": [*EVENT_COLUMNS, "bulletin_id"],
}
TABLES = list(COLUMNS)
CATEGORIES = [
    ("complaint", 45),
    ("tip_off", 10),
    ("double_reduction", 20),
    ("enquiry", 15),
    ("suggestion", 10),
]
# (status, share); the path of actions that leads there.
STATES = [
    ("received", 6),
    ("assigned", 6),
    ("investigating", 8),
    ("replied", 10),
    ("closed", 56),
    ("transferred", 6),
    ("merged", 8),
]
PATHS = {
    "received": [],
    "assigned": [("assign", "received", "assigned")],
    "investigating": [
        ("assign", "received", "assigned"),
        ("investigate", "assigned", "investigating"),
    ],
    "replied": [
        ("assign", "received", "assigned"),
        ("investigate", "assigned", "investigating"),
        ("reply", "investigating", "replied"),
    ],
    "closed": [
        ("assign", "received", "assigned"),
        ("investigate", "assigned", "investigating"),
        ("reply", "investigating", "replied"),
        ("close", "replied", "closed"),
    ],
    "transferred": [("transfer", "received", "transferred")],
    "merged": [("merge", "received", "merged")],
}
TEXTS = [
    "学校周末组织学生集体补课，并收取资料费。",
    "校门口上下学时段交通拥堵，缺少护导人员。",
    "孩子反映作业量大，每天写到晚上十点以后。",
    "学校食堂饭菜分量少，价格偏高。",
    "有校外培训机构在小区内违规开展学科类培训。",
    "想咨询课后服务的收费标准和报名方式。",
    "建议学校增加体育活动时间。",
    "教师在课堂上推荐学生购买教辅资料。",
]
REPLY = "经督学现场核查，情况已向学校反馈，学校已整改。感谢您的监督。"
BULLETINS = [
    # kind, topic, audience, title
    ("bulletin", "figures", "all_schools", "关于{year}年{month}月责任督学挂牌督导情况的通报"),
    ("bulletin", "results", "all_schools", "关于秋季开学工作专项督导结果的通报"),
    ("bulletin", "praise", "schools", "关于表扬{year}年度挂牌督导工作先进学校的通报"),
    ("bulletin", "criticism", "schools", "关于部分学校违规补课问题的通报"),
    ("notice", "campaign", "all_schools", "关于开展校园安全专项督导的通知"),
    ("notice", "training", "inspectors", "关于举办责任督学业务培训的通知"),
    ("briefing", "work", "all_schools", "教育督导简报"),
    ("notice", "other", "zone", "关于报送责任区工作总结的通知"),
]
PREFIX = {"bulletin": "通", "notice": "知", "briefing": "简"}


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), SHANGHAI)


class PublicLoader:
    def __init__(self, copy_rows, today, now, *, complaints=60, survey_answers=10):
        self.copy_rows, self.today, self.now = copy_rows, today, now
        self.complaints, self.survey_answers = complaints, survey_answers
        self.rng = random.Random(SEED)
        self.sizes: dict[str, int] = {}
        self.rows = {t: [] for t in TABLES}
        self.ids = dict.fromkeys(TABLES, 0)
        self.codes: set[str] = set()

    def read(self):
        from django.db import connection

        from dudao.surveys.models import Question, Questionnaire

        with connection.cursor() as cursor:
            cursor.execute("SELECT id FROM organisations_office ORDER BY id")
            self.offices = [row[0] for row in cursor.fetchall()]
            cursor.execute("SELECT office_id, id FROM accounts_user WHERE role = 'office_admin'")
            self.admin_of = dict(cursor.fetchall())
            cursor.execute(
                "SELECT s.office_id, s.id, s.type, s.zone_id, a.inspector_id, u.id "
                "FROM schools_school s "
                "LEFT JOIN inspectors_assignment a ON a.school_id = s.id AND a.end_date IS NULL "
                "LEFT JOIN accounts_user u ON u.school_id = s.id AND u.role = 'school' "
                "AND u.username = 's' || s.id ORDER BY s.id"
            )
            self.schools: dict[int, list] = {}
            for office_id, *rest in cursor.fetchall():
                self.schools.setdefault(office_id, []).append(tuple(rest))
            cursor.execute(
                "SELECT i.office_id, i.id, u.id FROM inspectors_inspector i "
                "JOIN accounts_user u ON u.inspector_id = i.id ORDER BY i.id"
            )
            self.inspectors: dict[int, list] = {}
            for office_id, inspector_id, user_id in cursor.fetchall():
                self.inspectors.setdefault(office_id, []).append((inspector_id, user_id))
            for table in TABLES:
                cursor.execute(f"SELECT COALESCE(max(id), 0) FROM {table}")  # noqa: S608
                self.ids[table] = cursor.fetchone()[0]
        latest = {}
        for q in Questionnaire.objects.unscoped().filter(office__isnull=True, status="published"):
            if q.key not in latest or q.revision > latest[q.key].revision:
                latest[q.key] = q
        self.questionnaires = {}
        for key in ("youzhi-junheng-jiazhang", "shuangjian-jiazhang"):
            q = latest[key]
            self.questionnaires[key] = (
                q,
                list(Question.objects.filter(questionnaire=q).order_by("position")),
            )

    def next_id(self, table):
        self.ids[table] += 1
        return self.ids[table]

    def load(self) -> dict[str, int]:
        self.read()
        for n, office_id in enumerate(self.offices, start=1):
            self.complaints_of(office_id)
            self.surveys_of(office_id)
            self.bulletins_of(office_id)
            if n % 10 == 0:
                self.flush()
                print(
                    f"  public channels: {n} offices, {self.ids['complaints_complaint']:,} "
                    f"complaints, {self.ids['surveys_answer']:,} survey answers, "
                    f"{self.ids['bulletins_bulletinread']:,} reads"
                )
        self.flush()
        return self.sizes

    def flush(self):
        for table in TABLES:
            rows, self.rows[table] = self.rows[table], []
            if rows:
                n = self.copy_rows(table, COLUMNS[table], rows)
                self.sizes[table] = self.sizes.get(table, 0) + n

    def event(self, table, fk, when, action, before, after, actor, actor_name="督导室", note=""):
        self.rows[table].append(
            (self.next_id(table), when, actor_name, action, before, after, note, "{}", actor, fk)
        )

    # ---- complaints

    def code(self):
        while True:
            code = "".join(self.rng.choice(ALPHABET) for _ in range(10))
            if code not in self.codes:
                self.codes.add(code)
                return code

    def complaints_of(self, office_id):
        rng, today = self.rng, self.today
        schools = self.schools.get(office_id, [])
        admin = self.admin_of.get(office_id)
        if not schools:
            return
        statuses, weights = zip(*STATES, strict=True)
        categories, cweights = zip(*CATEGORIES, strict=True)
        last = None  # (id, school, text, about the school) of the latest original
        for _ in range(self.complaints):
            status = rng.choices(statuses, weights)[0]
            school_id, _kind, _zone, inspector_id, _user = rng.choice(schools)
            about_school = rng.random() < 0.9
            text = rng.choice(TEXTS)
            if status == "merged":  # the same text again, about the same school
                if last is None:
                    status = "closed"
                else:
                    original, school_id, text, about_school = last
            received_day = today - datetime.timedelta(
                days=rng.randint(0 if status == "received" else 3, 365)
            )
            if status in ("received", "assigned", "investigating", "replied"):
                received_day = today - datetime.timedelta(days=rng.randint(0, 25))
            received = at(received_day, rng.randint(7, 22), rng.randrange(60))
            deadline = received_day + datetime.timedelta(days=10)
            complaint_id = self.next_id("complaints_complaint")
            steps = PATHS[status]
            assigned = (
                received + datetime.timedelta(hours=rng.randint(2, 30))
                if steps and steps[0][0] == "assign"
                else None
            )
            replied = (
                at(received_day + datetime.timedelta(days=rng.randint(2, 14)), 15)
                if status in ("replied", "closed")
                else None
            )
            closed = (
                replied + datetime.timedelta(days=rng.randint(1, 5)) if status == "closed" else None
            )
            active = status in ("received", "assigned", "investigating")
            overdue = active and deadline < today
            duplicate = original if status == "merged" else None
            anonymous = rng.random() < 0.6
            self.rows["complaints_complaint"].append(
                (
                    complaint_id,
                    rng.choices(categories, cweights)[0],
                    text,
                    "" if anonymous else "张女士",
                    "" if anonymous else f"139{rng.randrange(10**8):08d}",
                    anonymous,
                    self.code(),
                    status,
                    assigned,
                    deadline,
                    overdue,
                    1 if overdue else 0,
                    today - datetime.timedelta(days=1) if overdue else None,
                    REPLY if replied else "",
                    replied,
                    "县市场监督管理局" if status == "transferred" else "",
                    received,
                    closed
                    or (
                        received + datetime.timedelta(days=1)
                        if status in ("transferred", "merged")
                        else None
                    ),
                    hashlib.sha256(f"{office_id}-{rng.randrange(5000)}".encode()).hexdigest(),
                    hashlib.sha256(text.encode()).hexdigest(),
                    1 + len(steps),
                    duplicate,
                    None,
                    inspector_id if assigned else None,
                    office_id,
                    school_id if about_school else None,
                )
            )
            if status != "merged":
                last = (complaint_id, school_id, text, about_school)
            table = "complaints_complaintevent"
            self.event(table, complaint_id, received, "received", "", "received", None, "公众")
            when = received
            for action, before, after in steps:
                when = {"assign": assigned, "reply": replied, "close": closed}.get(action) or (
                    when + datetime.timedelta(hours=rng.randint(1, 48))
                )
                self.event(table, complaint_id, when, action, before, after, admin)

    # ---- surveys

    def surveys_of(self, office_id):
        rng, today = self.rng, self.today
        schools = [s for s in self.schools.get(office_id, []) if s[1] in ("primary", "junior")]
        admin = self.admin_of.get(office_id)
        if not schools:
            return
        specs = [
            ("youzhi-junheng-jiazhang", "义务教育优质均衡发展家长满意度调查", "closed", 150),
            ("shuangjian-jiazhang", "“双减”工作家长满意度调查", "open", 10),
        ]
        for key, title, status, days_ago in specs:
            questionnaire, questions = self.questionnaires[key]
            opens = today - datetime.timedelta(days=days_ago)
            closes = opens + datetime.timedelta(days=30)
            survey = self.next_id("surveys_survey")
            self.rows["surveys_survey"].append(
                (
                    survey,
                    title,
                    opens,
                    closes,
                    "all",
                    json.dumps(["primary", "junior"]),
                    10,
                    85,
                    status,
                    at(opens - datetime.timedelta(days=3), 9),
                    at(opens, 9),
                    at(opens, 9),
                    at(closes, 23) if status == "closed" else None,
                    3 if status == "closed" else 2,
                    admin,
                    office_id,
                    questionnaire.pk,
                    None,
                )
            )
            self.event(
                "surveys_surveyevent",
                survey,
                at(opens - datetime.timedelta(days=3), 9),
                "created",
                "",
                "draft",
                admin,
            )
            self.event("surveys_surveyevent", survey, at(opens, 9), "open", "draft", "open", admin)
            if status == "closed":
                self.event(
                    "surveys_surveyevent", survey, at(closes, 23), "close", "open", "closed", admin
                )
            answered_days = max(1, min(30, (today - opens).days))
            for position, (school_id, *_rest) in enumerate(schools, start=1):
                link = self.next_id("surveys_surveyschool")
                token = "".join(rng.choice(ALPHABET) for _ in range(20)) + f"{link:x}"
                self.rows["surveys_surveyschool"].append(
                    (link, token[:32], position, office_id, school_id, survey)
                )
                happy = rng.uniform(0.75, 0.98)
                n = max(0, int(rng.gauss(self.survey_answers, self.survey_answers / 2)))
                for _ in range(n):
                    response = self.next_id("surveys_response")
                    day = opens + datetime.timedelta(days=rng.randrange(answered_days))
                    self.rows["surveys_response"].append(
                        (
                            response,
                            at(day, rng.randint(7, 22), rng.randrange(60)),
                            day,
                            hashlib.sha256(f"{response}".encode()).hexdigest(),
                            office_id,
                            school_id,
                            survey,
                            link,
                        )
                    )
                    self.answers(office_id, school_id, survey, response, questions, happy)

    def answers(self, office_id, school_id, survey, response, questions, happy):
        rng, rows = self.rng, self.rows["surveys_answer"]
        for q in questions:
            chosen, text = [], ""
            if q.type == "single":
                if q.counts and q.satisfied:
                    good = rng.random() < happy
                    pool = q.satisfied if good else [o for o in q.options if o not in q.satisfied]
                    chosen = [rng.choice(pool)]
                else:
                    chosen = [rng.choice(q.options)]
            elif q.type == "scale":
                chosen = [rng.choice(["4", "5"] if rng.random() < happy else ["1", "2", "3"])]
            elif q.type == "multiple":
                chosen = rng.sample(q.options, rng.randint(1, 3)) if rng.random() < 0.6 else []
            elif q.type == "text" and rng.random() < 0.1:
                text = "希望学校继续加强家校沟通。"
            for choice in chosen:
                satisfied = None
                if q.counts and choice not in (q.ignored or []):
                    satisfied = choice in (q.satisfied or [])
                rows.append(
                    (
                        self.next_id("surveys_answer"),
                        choice,
                        "",
                        satisfied,
                        office_id,
                        school_id,
                        q.pk,
                        response,
                        survey,
                    )
                )
            if text:
                rows.append(
                    (
                        self.next_id("surveys_answer"),
                        "",
                        text,
                        None,
                        office_id,
                        school_id,
                        q.pk,
                        response,
                        survey,
                    )
                )

    # ---- bulletins

    def bulletins_of(self, office_id):
        rng, today = self.rng, self.today
        schools = self.schools.get(office_id, [])
        inspectors = self.inspectors.get(office_id, [])
        admin = self.admin_of.get(office_id)
        if not schools:
            return
        zones = sorted({s[2] for s in schools})
        sequence: dict[tuple, int] = {}
        for n in range(26):
            kind, topic, audience, title = BULLETINS[n % len(BULLETINS)]
            days_ago = 700 * (26 - n) // 26
            day = today - datetime.timedelta(days=days_ago)
            draft = n >= 24
            year = day.year
            zone = rng.choice(zones) if audience == "zone" else None
            chosen = rng.sample(schools, min(8, len(schools))) if audience == "schools" else []
            bulletin = self.next_id("bulletins_bulletin")
            number, seq = "", None
            if not draft:
                seq = sequence[(kind, year)] = sequence.get((kind, year), 0) + 1
                number = (
                    f"〔{year}〕第{seq}期"
                    if kind == "briefing"
                    else f"县督{PREFIX[kind]}〔{year}〕{seq}号"
                )
            published = at(day, 10) if not draft else None
            self.rows["bulletins_bulletin"].append(
                (
                    bulletin,
                    kind,
                    topic,
                    title.format(year=year, month=day.month),
                    "各学校：\n\n" + "根据工作安排，现将有关情况通报如下。" * 20,
                    audience,
                    not draft and n % 2 == 0,
                    "draft" if draft else "published",
                    year if not draft else None,
                    seq,
                    number,
                    published,
                    None,
                    at(day - datetime.timedelta(days=1), 16),
                    published or at(day, 9),
                    2 if not draft else 1,
                    admin,
                    office_id,
                    admin if not draft else None,
                    zone,
                )
            )
            for school in chosen:
                self.rows["bulletins_bulletin_chosen_schools"].append(
                    (self.next_id("bulletins_bulletin_chosen_schools"), bulletin, school[0])
                )
            self.event(
                "bulletins_bulletinevent",
                bulletin,
                at(day - datetime.timedelta(days=1), 16),
                "created",
                "",
                "draft",
                admin,
            )
            if draft:
                continue
            self.event(
                "bulletins_bulletinevent",
                bulletin,
                published,
                "publish",
                "draft",
                "published",
                admin,
            )
            if audience == "inspectors":
                targets = [(None, inspector_id, user_id) for inspector_id, user_id in inspectors]
            else:
                pool = (
                    chosen
                    if audience == "schools"
                    else [s for s in schools if audience == "all_schools" or s[2] == zone]
                )
                targets = [(s[0], None, s[4]) for s in pool]
            for school_id, inspector_id, user_id in targets:
                recipient = self.next_id("bulletins_bulletinrecipient")
                reminded = rng.random() < 0.1
                self.rows["bulletins_bulletinrecipient"].append(
                    (
                        recipient,
                        1 if reminded else 0,
                        published + datetime.timedelta(days=3) if reminded else None,
                        bulletin,
                        inspector_id,
                        office_id,
                        school_id,
                    )
                )
                if user_id is not None and rng.random() < 0.75:
                    self.rows["bulletins_bulletinread"].append(
                        (
                            self.next_id("bulletins_bulletinread"),
                            published + datetime.timedelta(hours=rng.randint(1, 96)),
                            bulletin,
                            office_id,
                            user_id,
                            recipient,
                        )
                    )
        for (kind, year), last in sequence.items():
            self.rows["bulletins_bulletinsequence"].append(
                (self.next_id("bulletins_bulletinsequence"), kind, year, last, office_id)
            )
