"""The office's group robots (dudao.webhooks): the office admin's own, under /office/robots/.
Robots are made straight in the database with a loopback URL nothing listens on (port 9), so a
test message fails fast and reaches no real endpoint."""

from tests.matrix.common import ADMIN_ONLY, POST_ONLY_ADMIN, only, writes


def _robot(office):
    from dudao.webhooks.models import Robot

    return Robot.all_objects.create(
        office=office,
        kind="wecom",
        name="督导室工作群",
        url="http://127.0.0.1:9/cgi-bin/webhook/send?key=matrix",
        events=list(Robot.Event.values),
    ).pk


def robot(w):
    return [_robot(w.office)]


def foreign_robot(w):
    return [_robot(w.other_office)]


IN_COUNTY_A = only({"admin": 200, "other_admin": 404})
# POST only, needs no data: deletes the robot, or queues a test message
ACT_IN_COUNTY_A = only({"admin": writes(302), "other_admin": 404})

MATRIX = {
    "webhooks:robots": (None, ADMIN_ONLY, POST_ONLY_ADMIN),
    # an empty POST re-renders the form with its errors
    "webhooks:create": (None, ADMIN_ONLY, ADMIN_ONLY),
    "webhooks:edit": (robot, IN_COUNTY_A, IN_COUNTY_A),
    "webhooks:delete": (robot, POST_ONLY_ADMIN, ACT_IN_COUNTY_A),
    "webhooks:test": (robot, POST_ONLY_ADMIN, ACT_IN_COUNTY_A),
    "webhooks:deliveries": (None, ADMIN_ONLY, POST_ONLY_ADMIN),
}

# (delete and test are POST only: a GET is 405 before the robot is looked up; their POST rows
# show county B's admin a 404.)
OUT_OF_SCOPE = [
    ("webhooks:edit", foreign_robot, ["admin"]),
]

WRITES = {
    "webhooks:edit": robot,
    "webhooks:delete": robot,
    "webhooks:test": robot,
}
