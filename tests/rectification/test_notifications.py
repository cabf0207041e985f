"""Who is told about a finding's change: the school, its inspector or the office."""

from dudao.notifications.models import Notification
from dudao.rectification.models import Finding
from dudao.rectification.overdue import mark_overdue

from .conftest import in_a_week
from .helpers import in_days, perform


def kinds_for(user):
    return list(Notification.all_objects.filter(recipient=user).values_list("kind", flat=True))


def test_the_loop_reaches_the_right_people(world, new_finding, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        finding = new_finding(deadline_kind="by_date", deadline=in_a_week())
    assert kinds_for(world.school_user) == ["finding.created"]
    assert kinds_for(world.inspector_user) == []

    with django_capture_on_commit_callbacks(execute=True):
        perform("issue_notice", finding, world.inspector_user)
        perform("respond", finding, world.school_user)
    assert "finding.issue_notice" in kinds_for(world.school_user)
    assert kinds_for(world.inspector_user) == ["finding.respond"]
    assert kinds_for(world.admin) == []
    # Nothing leaks to the other county.
    assert kinds_for(world.other_admin) == []
    title = Notification.all_objects.get(recipient=world.inspector_user).title
    assert world.school.name in title


def test_overdue_and_escalation_reach_the_office(
    world, new_finding, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        finding = new_finding(deadline_kind="by_date", deadline=in_a_week())
    Finding.all_objects.filter(pk=finding.pk).update(deadline=in_days(-1))
    with django_capture_on_commit_callbacks(execute=True):
        mark_overdue()
    assert kinds_for(world.admin) == ["finding.overdue"]
    with django_capture_on_commit_callbacks(execute=True):
        perform("escalate", finding, world.admin)
    assert "finding.escalate" in kinds_for(world.admin)


def test_a_rolled_back_change_tells_nobody(world, new_finding):
    # Without the commit callbacks running (the test transaction never commits), no one hears.
    new_finding(deadline_kind="by_date", deadline=in_a_week())
    assert Notification.all_objects.count() == 0
