"""Through the services, as the demo drives them: every notification links to the page of
its object, which its recipient can open, and only the school's current inspector is told."""

import datetime

from django.urls import reverse
from django.utils import timezone

from dudao.accounts.models import Role
from dudao.notifications.messages import MESSAGES
from dudao.notifications.models import Notification
from dudao.rectification import services
from dudao.rectification.models import Finding, Notice
from dudao.rectification.overdue import daily_check
from tests.factories import AssignmentFactory, InspectorFactory, UserFactory
from tests.rectification.helpers import in_days, perform


def run_the_loop(world, new_finding, capture):
    """One finding through notice, response, rejection, escalations; a serious one marked
    as needing another department; one that goes overdue; one escalated automatically."""
    with capture(execute=True):
        finding = new_finding()
        perform("issue_notice", finding, world.inspector_user)
        perform("respond", finding, world.school_user)
        perform("reject", finding, world.inspector_user)
        perform("escalate", finding, world.inspector_user)
        perform("escalate_to_city", finding, world.admin)
        perform("escalate_to_province", finding, world.admin)

        serious = new_finding(severity="serious", description="食堂无证经营")
        perform("mark_needs_other_department", serious, world.inspector_user)

        urged = new_finding(description="作业量超标")
        perform("issue_notice", urged, world.inspector_user)
        for _ in range(2):  # two failed follow-ups: reported to the county automatically
            perform("respond", urged, world.school_user)
            perform("reject", urged, world.inspector_user)

        late = new_finding(description="课后服务未备案")
        ignored = new_finding(description="校车台账缺失")
        perform("issue_notice", ignored, world.inspector_user)
    # Set-up: both are late; the school never answered the notice.
    Finding.all_objects.filter(pk__in=[late.pk, ignored.pk]).update(deadline=in_days(-1))
    with capture(execute=True):
        daily_check()  # overdue, and the ignored notice urged (finding.urge)
    return finding


def test_every_kind_links_to_a_page_its_recipient_can_open(
    world, new_finding, client, django_capture_on_commit_callbacks
):
    finding = run_the_loop(world, new_finding, django_capture_on_commit_callbacks)
    notifications = list(Notification.all_objects.select_related("recipient"))
    # Every finding's kind (export.ready: tests/reports/test_background_export.py).
    assert {n.kind for n in notifications} == {k for k in MESSAGES if k.startswith("finding.")}
    for n in notifications:
        assert n.url, n.kind
        client.force_login(n.recipient)
        opened = client.post(reverse("notifications:open", args=[n.pk]))
        assert opened.status_code == 302
        assert opened["Location"] == n.url
        assert client.get(n.url).status_code == 200, (n.kind, n.recipient.username, n.url)
        n.refresh_from_db()
        assert n.is_read

    # The notice's notification opens the notice; every other one opens its finding.
    notice = Notice.all_objects.get(findings=finding)
    link = reverse("rectification:notice_detail", args=[notice.pk])
    issued = Notification.all_objects.get(kind="finding.issue_notice", url=link)
    assert issued.recipient == world.school_user
    findings = {
        reverse("rectification:finding_detail", args=[pk])
        for pk in Finding.all_objects.values_list("pk", flat=True)
    }
    others = Notification.all_objects.exclude(kind="finding.issue_notice")
    assert set(others.values_list("url", flat=True)) <= findings


def test_the_office_hears_of_a_serious_finding_and_the_school_of_a_new_one(
    world, new_finding, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        new_finding(severity="serious")
    assert list(Notification.all_objects.filter(recipient=world.admin).values_list("kind")) == [
        ("finding.serious",)
    ]
    assert list(
        Notification.all_objects.filter(recipient=world.school_user).values_list("kind")
    ) == [("finding.created",)]


def test_a_reader_who_lost_access_gets_a_404(
    world, new_finding, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        new_finding()
    (n,) = Notification.all_objects.filter(recipient=world.school_user)
    world.school_user.school = world.far_school  # the clerk moved to another school
    world.school_user.save()
    client.force_login(world.school_user)
    opened = client.post(reverse("notifications:open", args=[n.pk]))
    assert opened["Location"] == n.url
    assert client.get(n.url).status_code == 404


def test_only_the_schools_current_inspector_hears_its_response(
    world, new_finding, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    day = datetime.timedelta(days=1)

    def inspector_user(name):
        inspector = InspectorFactory(office=world.office, name=name)
        user = UserFactory(role=Role.INSPECTOR, office=world.office, inspector=inspector)
        return inspector, user

    # Left the school yesterday, still current at another school.
    former, former_user = inspector_user("王督学")
    AssignmentFactory(
        inspector=former, school=world.school, start_date=today - 400 * day, end_date=today - day
    )
    AssignmentFactory(inspector=former, school=world.far_school, start_date=today - day)
    # Takes the school over tomorrow, and held it once before.
    future, future_user = inspector_user("陈督学")
    AssignmentFactory(
        inspector=future,
        school=world.school,
        start_date=today - 800 * day,
        end_date=today - 500 * day,
    )
    AssignmentFactory(
        inspector=future, school=world.school, start_date=today + day, end_date=today + 365 * day
    )

    with django_capture_on_commit_callbacks(execute=True):
        finding = new_finding()
        perform("issue_notice", finding, world.inspector_user)
        perform("respond", finding, world.school_user)
    told = set(
        Notification.all_objects.filter(kind="finding.respond").values_list("recipient", flat=True)
    )
    assert told == {world.inspector_user.pk}
    assert not Notification.all_objects.filter(recipient__in=[former_user, future_user]).exists()


def test_the_office_responds_for_a_school_and_its_inspector_is_told(
    world, new_finding, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        finding = new_finding()
        perform("issue_notice", finding, world.inspector_user)
        services.respond(
            world.admin,
            finding,
            expected_version=Finding.all_objects.get(pk=finding.pk).version,
            text="督导室代为录入整改情况",
        )
    (n,) = Notification.all_objects.filter(kind="finding.respond")
    assert n.recipient == world.inspector_user
