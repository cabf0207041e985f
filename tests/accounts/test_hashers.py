"""The production password hasher: Argon2id at the cost chosen in settings (issue 10: logins
must not starve pages), verifying and then upgrading hashes made with other parameters."""

from argon2 import extract_parameters
from django.contrib.auth.hashers import Argon2PasswordHasher

from dudao.accounts.hashers import TunedArgon2PasswordHasher


def test_hashes_use_the_configured_cost(settings):
    settings.ARGON2_TIME_COST, settings.ARGON2_MEMORY_KIB, settings.ARGON2_PARALLELISM = 2, 19456, 1
    encoded = TunedArgon2PasswordHasher().encode("Qinghe-2026", TunedArgon2PasswordHasher().salt())
    params = extract_parameters("$" + encoded.split("$", 1)[1])
    assert (params.time_cost, params.memory_cost, params.parallelism) == (2, 19456, 1)
    assert params.type.name == "ID"


def test_a_hash_with_the_old_cost_verifies_and_is_upgraded(settings):
    settings.ARGON2_TIME_COST, settings.ARGON2_MEMORY_KIB, settings.ARGON2_PARALLELISM = 2, 19456, 1
    old = Argon2PasswordHasher()  # Django's defaults: 100 MiB, parallelism 8
    encoded = old.encode("Qinghe-2026", old.salt())
    tuned = TunedArgon2PasswordHasher()
    assert tuned.verify("Qinghe-2026", encoded)
    assert not tuned.verify("Qinghe-2025", encoded)
    assert tuned.must_update(encoded)
    assert not tuned.must_update(tuned.encode("Qinghe-2026", tuned.salt()))


def test_production_settings_put_the_tuned_hasher_first():
    import importlib
    import os

    os.environ.setdefault("SECRET_KEY", "x")
    prod = importlib.import_module("dudao.settings")
    assert prod.PASSWORD_HASHERS[0] == "dudao.accounts.hashers.TunedArgon2PasswordHasher"
    assert (prod.ARGON2_TIME_COST, prod.ARGON2_MEMORY_KIB, prod.ARGON2_PARALLELISM) == (
        2,
        19456,
        1,
    )
