"""The password hasher: Argon2id with parameters chosen for a known cost per login.

Django's defaults (time 2, memory 100 MiB, parallelism 8) cost about 265 ms of CPU per hash on
the 2-core reference machine, and at month end logins queued behind every page (issue 10).
OWASP's password storage guidance lists argon2id with 19 MiB, 2 iterations and parallelism 1
as a sound minimum: about 28 ms per hash there (bench/login_cost.py; docs/benchmarks.md).
Online guessing is held back by the login throttle (dudao/accounts/throttle.py); the hash's
cost protects a stolen database. Hashes made with other parameters are upgraded at the
user's next login (Django calls `must_update`)."""

from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher


class TunedArgon2PasswordHasher(Argon2PasswordHasher):
    # The algorithm name stays "argon2", so existing hashes verify and are then upgraded.

    @property
    def time_cost(self):
        return settings.ARGON2_TIME_COST

    @property
    def memory_cost(self):
        return settings.ARGON2_MEMORY_KIB

    @property
    def parallelism(self):
        return settings.ARGON2_PARALLELISM
