"""Shared shorthands for matrix rows.

A row is `url name: (args_for(world) | None, GET row, POST row)`, each row `{role: status}`.
The POST row is what a POST with no data answers (a form re-rendered with its errors is 200,
a redirect with a message 302, a bad request 400; a refusal 403, 404, 405 or, for anon, the
login page). After every POST the database must be exactly as before, unless the row marks the
status with `writes(...)`: an allowed POST that needs no data (log out, mark all read, confirm
an import, delete a draft). Refusals never write.
"""

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

# The statuses a POST row may name (anything else, a 500 above all, fails the matrix).
# The API (tests/matrix/api.py) also answers 401 (no credentials) and 428 (If-Match missing).
POST_STATUSES = {200, 302, 400, 401, 403, 404, 405, 428}
REFUSED = {401, 403, 404, 405}


def everyone(status):
    return {role: status for role in ROLES if role != "anon"} | {"anon": LOGIN}


def only(allowed: dict, default=403):
    row = everyone(default)
    row.update(allowed)
    return row


class Writes(int):
    """A POST status after which the database may have changed (see `writes`)."""

    def __repr__(self):
        return f"writes({int(self)})"


def writes(status=302):
    """The role's POST is allowed, needs no data and may change the database."""
    return Writes(status)


class _AsGet:
    """The view does not look at the method: a POST reads the page like a GET (the POST row
    is the GET row) and writes nothing, for every role."""

    def __repr__(self):
        return "AS_GET"


AS_GET = _AsGet()

ADMIN_ONLY = only({"admin": 200, "other_admin": 200})
POST_ONLY_ADMIN = only({"admin": 405, "other_admin": 405})
# A POST-only action of county A's office admin on county A's object, with no data: sent
# back with a message; the other county's admin does not find the object.
ADMIN_A_ACTION = only({"admin": 302, "other_admin": 404})
