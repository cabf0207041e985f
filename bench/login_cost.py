"""What one login's password check costs: Argon2id with Django's default parameters against
the tuned parameters of dudao/accounts/hashers.py (settings ARGON2_*). Prints the median CPU
and wall time of verifying one hash, and how many logins a second one core can check.

    .venv/bin/python bench/login_cost.py [--runs 15]
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dudao.settings")
os.environ.setdefault("DEBUG", "1")

import django

django.setup()

from django.contrib.auth.hashers import Argon2PasswordHasher  # noqa: E402

from dudao.accounts.hashers import TunedArgon2PasswordHasher  # noqa: E402


def measure(hasher, runs: int) -> tuple[float, float]:
    encoded = hasher.encode("Qinghe-2026", hasher.salt())
    cpu, wall = [], []
    for _ in range(runs):
        c, w = time.process_time(), time.perf_counter()
        if not hasher.verify("Qinghe-2026", encoded):
            raise SystemExit("the hash does not verify")
        cpu.append((time.process_time() - c) * 1000)
        wall.append((time.perf_counter() - w) * 1000)
    return statistics.median(cpu), statistics.median(wall)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    print(f"{'hasher':<46} {'CPU ms':>8} {'wall ms':>8} {'logins/s/core':>14}")
    default = Argon2PasswordHasher()
    tuned = TunedArgon2PasswordHasher()
    for label, hasher in [
        (
            f"Django default (t={default.time_cost}, m={default.memory_cost // 1024} MiB, "
            f"p={default.parallelism})",
            default,
        ),
        (
            f"Dudao (t={tuned.time_cost}, m={tuned.memory_cost // 1024} MiB, "
            f"p={tuned.parallelism})",
            tuned,
        ),
    ]:
        cpu, wall = measure(hasher, args.runs)
        print(f"{label:<46} {cpu:8.1f} {wall:8.1f} {1000 / cpu:14.1f}")


if __name__ == "__main__":
    main()
