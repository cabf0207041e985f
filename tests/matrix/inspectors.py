"""Inspectors' terms and certificates (docs/rules.md §31): county A's office admin records
them on the inspector's page; the inspector, their zone leader and the viewers above read the
scans; school users get 403 and another county's admin does not find them."""

import datetime

from .common import ADMIN_ONLY, AS_GET, POST_ONLY_ADMIN, everyone, only, writes

ADMIN_A = only({"admin": 200, "other_admin": 404})
WRITE_A = only({"admin": writes(302), "other_admin": 404})
SEE_A = everyone(200) | {"school": 403, "other_admin": 404}


def term(w):
    from dudao.inspectors.models import Term

    return [
        Term.all_objects.create(
            office=w.office,
            inspector=w.inspector,
            start_date=datetime.date(2024, 9, 1),
            end_date=datetime.date(2027, 8, 31),
            letter_number="上督〔2024〕3号",
        ).pk
    ]


def certificate(w, inspector=None):
    from dudao.inspectors.models import Certificate

    inspector = inspector or w.inspector
    return Certificate.all_objects.create(
        office=inspector.office,
        inspector=inspector,
        kind="qualification",
        name="督学资格证",
        issued_on=datetime.date(2025, 6, 1),
    )


def certificate_a(w):
    return [certificate(w).pk]


def scan(w, inspector=None):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from dudao.inspectors import term_services

    cert = certificate(w, inspector)
    upload = SimpleUploadedFile("证书.pdf", b"%PDF-1.4\n" + b"x" * 100)
    actor = w.admin if cert.office_id == w.office.pk else w.other_admin
    term_services.update_certificate(actor, cert, upload=upload)
    return [cert.files.get().pk]


MATRIX = {
    "inspectors:term_add": (lambda w: [w.inspector.pk], ADMIN_A, ADMIN_A),
    "inspectors:term_edit": (term, ADMIN_A, ADMIN_A),
    "inspectors:term_delete": (term, POST_ONLY_ADMIN, WRITE_A),
    "inspectors:certificate_add": (lambda w: [w.inspector.pk], ADMIN_A, ADMIN_A),
    "inspectors:certificate_edit": (certificate_a, ADMIN_A, ADMIN_A),
    "inspectors:certificate_delete": (certificate_a, POST_ONLY_ADMIN, WRITE_A),
    "inspectors:certificate_file": (scan, SEE_A, AS_GET),
    "inspectors:certificate_file_delete": (scan, POST_ONLY_ADMIN, WRITE_A),
    "inspectors:reminder_days": (None, ADMIN_ONLY, ADMIN_ONLY),  # an empty form again
}

OUT_OF_SCOPE = [
    # Another inspector's scan: the inspector sees only their own.
    ("inspectors:certificate_file", lambda w: scan(w, w.other_inspector), ["inspector"]),
    ("inspectors:certificate_file", lambda w: scan(w, w.foreign_inspector), ["admin", "viewer"]),
    ("inspectors:term_edit", lambda w: [term(w)[0]], ["other_admin"]),
]

WRITES = {
    "inspectors:term_add": lambda w: [w.inspector.pk],
    "inspectors:term_edit": term,
    "inspectors:term_delete": term,
    "inspectors:certificate_delete": certificate_a,
}
# (The reminder days are each office's own: county B's admin saves county B's.)
