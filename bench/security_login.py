"""Login throttling and the public page's rate limit, measured (issue 9, items 1-2).

    .venv/bin/python bench/security_login.py

Builds a throw-away test database (SQLite, or DATABASE_URL), hashes with Argon2 (the
production hasher) and times, through Django's test client:

- logins refused for a wrong password, for an existing and an unknown account (checked);
- logins refused by the throttle (no password check, a dummy hash instead), for an existing
  and an unknown account: the four medians should be close (no timing oracle);
- 160 sequential school codes on /p/<code>/ from one address: how many answer 429, and the
  total time (before the fix: 160 answers in 2.8 s, none refused).
"""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dudao.settings_test")


def main():
    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.test import Client
    from django.test.utils import (
        setup_databases,
        setup_test_environment,
        teardown_databases,
        teardown_test_environment,
    )

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    settings.ALLOWED_HOSTS = ["testserver"]
    setup_test_environment()
    config = setup_databases(verbosity=0, interactive=False)
    try:
        from tests.factories import AssignmentFactory, InspectorFactory, SchoolFactory, UserFactory

        user = UserFactory(username="leader")
        user.set_password("Right-pass-2026")
        user.save()
        cache.clear()

        def post(address, login, password="wrong-password"):  # noqa: S107
            response = Client(REMOTE_ADDR=address).post(
                "/accounts/login/", {"login": login, "password": password}
            )
            return response.status_code

        def interleaved(cases, n=15):
            """Median ms of each case, the cases taken in turn (the machine's load drifts)."""
            times = {label: [] for label, _ in cases}
            for _ in range(n):
                for label, fn in cases:
                    started = time.perf_counter()
                    fn()
                    times[label].append((time.perf_counter() - started) * 1000)
            return [(label, statistics.median(times[label])) for label, _ in cases]

        free = settings.LOGIN_FREE_ATTEMPTS
        settings.LOGIN_FREE_ATTEMPTS = settings.LOGIN_FREE_ATTEMPTS_PER_ADDRESS = 1000
        rows = interleaved(
            [
                ("wrong password, existing account", lambda: post("10.0.0.1", "leader")),
                ("wrong password, unknown account", lambda: post("10.0.0.2", "nobody")),
            ]
        )
        settings.LOGIN_FREE_ATTEMPTS, settings.LOGIN_FREE_ATTEMPTS_PER_ADDRESS = free, 20
        cache.clear()
        for _ in range(free):
            post("10.0.0.3", "leader")
            post("10.0.0.4", "nobody")
        rows += interleaved(
            [
                ("throttled, existing account", lambda: post("10.0.0.3", "leader")),
                ("throttled, unknown account", lambda: post("10.0.0.4", "nobody")),
            ]
        )
        print("Login attempts (median ms, Argon2):")
        for label, ms in rows:
            print(f"  {label:36} {ms:7.1f}")

        cache.clear()
        office = user.office
        for k in range(1, 41):
            school = SchoolFactory(office=office, code=f"31010{k:05d}")
            AssignmentFactory(inspector=InspectorFactory(office=office), school=school)
        client = Client(REMOTE_ADDR="203.0.113.80")
        statuses = []
        started = time.perf_counter()
        for k in range(1, 161):
            statuses.append(client.get(f"/p/31010{k:05d}/").status_code)
        elapsed = time.perf_counter() - started
        print(
            f"/p/<code>/ 160 sequential codes from one address: {elapsed:.2f} s; "
            f"200: {statuses.count(200)}, 404: {statuses.count(404)}, "
            f"429: {statuses.count(429)} (PUBLIC_PAGE_RATE={settings.PUBLIC_PAGE_RATE})"
        )
    finally:
        teardown_databases(config, verbosity=0)
        teardown_test_environment()


if __name__ == "__main__":
    main()
