"""Evaluation round fixtures written straight to the models (the framework services are
another module's): a published framework of 100 points — A1 (A1.1 points 30, A1.2 levels 20),
A2 (A2.1 yes/no 10, A2.2 points 40), and a veto item V1 — and a round of county A on
`school` and `zone_school` with two experts. `build_round` is a plain function so the
authorisation matrix can build the same."""

import datetime
from decimal import Decimal
from itertools import count

from django.utils import timezone

from dudao.accounts.models import Role
from dudao.evaluations import round_services
from dudao.evaluations.models import Framework, Indicator, Round, TargetKind
from tests.factories import InspectorFactory, UserFactory

_keys = count(1)
LEVELS = [["A", "1"], ["B", "0.8"], ["C", "0.6"], ["D", "0"]]
ROWS = [
    # code, parent, title, max, method
    ("A1", None, "办学方向", "50", ""),
    ("A1.1", "A1", "党建工作", "30", "points"),
    ("A1.2", "A1", "立德树人", "20", "levels"),
    ("A2", None, "学校管理", "50", ""),
    ("A2.1", "A2", "制度公示", "10", "yesno"),
    ("A2.2", "A2", "安全管理", "40", "points"),
    ("V1", None, "未发生重大安全责任事故", "0", "veto"),
]


def build_framework(office=None, *, kind=TargetKind.SCHOOL, status="published") -> Framework:
    framework = Framework.all_objects.create(
        office=office,
        key=f"test-framework-{next(_keys)}",
        title="学校督导评估指标",
        kind=kind,
        status=status,
        total_max=Decimal(100),
        published_at=timezone.now() if status == "published" else None,
    )
    by_code = {}
    for position, (code, parent, title, maximum, method) in enumerate(ROWS, start=1):
        by_code[code] = Indicator.objects.create(
            framework=framework,
            parent=by_code.get(parent),
            position=position,
            depth=0 if parent is None else 1,
            code=code,
            title=title,
            max_score=Decimal(maximum),
            method=method,
            levels=LEVELS if method == "levels" else [],
        )
    return framework


def expert(world, username):
    """An inspector of the office with an account, who scores as an expert (专家)."""
    inspector = InspectorFactory(office=world.office, name=f"{username}督学")
    return UserFactory(
        username=username, role=Role.INSPECTOR, office=world.office, inspector=inspector
    )


def build_round(world, *, stage=Round.Stage.DRAFT, weights=None, **fields) -> Round:
    """The round through the services (create, targets, two experts on every target), then
    moved to `stage` by the workflow."""
    framework = build_framework()
    today = timezone.localdate()
    round_ = round_services.create_round(
        world.admin,
        world.office,
        framework=framework,
        title="2026年学校督导评估",
        year=today.year,
        self_due=today + datetime.timedelta(days=10),
        expert_due=today + datetime.timedelta(days=20),
        weights=weights if weights is not None else {"expert": "0.6", "self": "0.4"},
        **fields,
    )
    round_services.add_targets(world.admin, round_, schools=[world.school, world.zone_school])
    for name in ("expert1", "expert2"):
        round_services.add_rater(world.admin, round_, user=expert(world, name), group="expert")
    order = [
        Round.Stage.SELF_ASSESSMENT,
        Round.Stage.EXPERT_SCORING,
        Round.Stage.REVIEW,
        Round.Stage.PUBLISHED,
    ]
    actions = ["open", "start_scoring", "start_review", "publish"]
    for to_stage, action in zip(order, actions, strict=True):
        if stage == Round.Stage.DRAFT or order.index(to_stage) > order.index(stage):
            break
        round_ = round_services.take_action(world.admin, round_, action)
    return Round.objects.unscoped().get(pk=round_.pk)
