"""How heavy the main pages are on the wire: bytes of HTML as sent, without and with gzip
(dudao/core/compression.py), for each demo persona's pages. Run against a seeded database
(`make demo` seeds var/dudao.sqlite3; or DATABASE_URL):

    DUDAO_DEMO=1 .venv/bin/python bench/page_weight.py
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dudao.settings")
os.environ.setdefault("DUDAO_DEMO", "1")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.test import Client  # noqa: E402

from dudao.accounts.models import User  # noqa: E402
from dudao.schools.models import School  # noqa: E402

PAGES = {
    "admin": ["/", "/dashboard/", "/findings/ledger/", "/visits/", "/schools/", "/audit/"],
    "inspector": ["/", "/visits/mine/", "/findings/ledger/"],
    "school": ["/"],
    "viewer": ["/dashboard/", "/findings/ledger/"],
}


def main():
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    school = School.objects.unscoped().order_by("pk").first()
    if school is None:
        raise SystemExit("No data: seed the demo first (make demo, or manage.py seed_demo).")
    rows = []
    anonymous = Client()
    for label, url in [("public", f"/p/{school.code}/")]:
        rows.append((label, url, anonymous))
    for username, urls in PAGES.items():
        user = User.objects.filter(username=username).first()
        if user is None:
            continue
        client = Client()
        client.force_login(user)
        rows.extend((username, url, client) for url in urls)
    print(f"{'persona':<10} {'page':<24} {'status':>6} {'plain KB':>9} {'gzip KB':>8} {'ratio':>6}")
    for persona, url, client in rows:
        plain = client.get(url)
        packed = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
        compressed = packed.get("Content-Encoding") == "gzip"
        size = len(packed.content)
        print(
            f"{persona:<10} {url:<24} {plain.status_code:>6} {len(plain.content) / 1024:9.1f} "
            f"{size / 1024:8.1f} {len(plain.content) / size if compressed else 1:6.1f}"
        )


if __name__ == "__main__":
    main()
