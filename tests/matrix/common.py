"""Shared shorthands for matrix rows."""

ROLES = [
    "anon",
    "admin",
    "zone_leader",
    "inspector",
    "school",
    "viewer",
    "other_admin",
    "superuser",
]
LOGIN = 302  # anonymous users are sent to the login page


def everyone(status):
    return {role: status for role in ROLES if role != "anon"} | {"anon": LOGIN}


def only(allowed: dict, default=403):
    row = everyone(default)
    row.update(allowed)
    return row


ADMIN_ONLY = only({"admin": 200, "other_admin": 200})
POST_ONLY_ADMIN = only({"admin": 405, "other_admin": 405})
