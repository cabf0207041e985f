"""Work summaries (issue 15 §4): the office admin (its office, zones and inspectors), the
zone leader (the zones they lead, their inspectors) and the inspector (their own) read the
page and download the documents; the school, the viewer (the city's roll-up is theirs) and
the superuser (no office) are refused. Only POSTs with the office admin's section text
write; an empty POST is a bad request and writes nothing. Other subjects (another zone,
another inspector, the other county) answer 404: tests/summaries/test_views.py."""

from .common import AS_GET, LOGIN, everyone, only

READERS = only({"admin": 200, "zone_leader": 200, "inspector": 200, "other_admin": 200})

MATRIX = {
    "summaries:index": (None, READERS, AS_GET),
    "summaries:file": (lambda w: ["docx"], READERS, AS_GET),
    # POST only; an empty form is a bad request for a reader, a refusal for the others
    "summaries:text": (
        None,
        everyone(405) | {"anon": LOGIN},
        only({"admin": 400, "zone_leader": 400, "inspector": 400, "other_admin": 400}),
    ),
}

__all__ = ["MATRIX"]
