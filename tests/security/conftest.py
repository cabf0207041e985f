"""The security suite (issue: security hardening): probes of the production set-up kept as
tests. Every test here is marked `security`, so `pytest -m security` runs the suite alone."""

import pytest


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "/tests/security/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.security)


# `decoded`: the size of every frame Pillow decodes, shared with the kernel's image tests.
from tests.core.test_files_images import decoded  # noqa: E402, F401
