"""The city and province roll-up (dudao/rollup, docs/rules.md §28): read-only pages for a
viewer over a region and the superuser; GET only (a POST is 405 for everyone signed in),
except the drill-down, which redirects whatever the method."""

from .common import AS_GET, LOGIN, everyone, only

READERS = only({"viewer": 200, "superuser": 200})
GET_ONLY = everyone(405) | {"anon": LOGIN}
# The drill-down sends the reader to the county's own (read-only) dashboard.
DRILL_DOWN = only({"viewer": 302, "superuser": 302})

MATRIX = {
    "rollup:overview": (None, READERS, GET_ONLY),
    "rollup:overview_data": (None, READERS, GET_ONLY),
    "rollup:county": (lambda w: [w.office.pk], DRILL_DOWN, AS_GET),
    "rollup:summary": (None, READERS, GET_ONLY),
    "rollup:summary_xlsx": (None, READERS, GET_ONLY),
}

OUT_OF_SCOPE = [
    # a county outside the viewer's city: not found
    ("rollup:county", lambda w: [w.other_office.pk], ["viewer"]),
]

WRITES = {}

__all__ = ["MATRIX", "OUT_OF_SCOPE", "WRITES"]
