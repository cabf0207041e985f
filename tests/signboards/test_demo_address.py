"""The QR codes follow the address the demo serves on: `make demo PORT=8101` passes
PUBLIC_BASE_URL=http://127.0.0.1:8101 (and that host as an allowed host) to every process it
starts, unless the user set PUBLIC_BASE_URL. The QR code itself is built from the setting
(`test_render.test_qr_code_opens_the_public_page`). Dry runs only (`make -n`): nothing starts."""

import os
import re
import shutil
import subprocess
import sys

import pytest
from django.conf import settings

ROOT = settings.BASE_DIR
pytestmark = pytest.mark.skipif(
    shutil.which("make") is None or not (ROOT / "Makefile").exists(), reason="needs make"
)
SET_BY_USER = ("PUBLIC_BASE_URL", "ALLOWED_HOSTS", "HOST", "PORT", "MAKEFLAGS", "MAKELEVEL")


def clean_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in SET_BY_USER}
    return env | extra


def demo_commands(*args, env=None) -> list[str]:
    """The manage.py commands `make demo` would run (each with its environment prefix)."""
    out = subprocess.run(  # noqa: S603 - our own Makefile, dry run
        ["make", "-n", "demo", *args],  # noqa: S607
        cwd=ROOT,
        env=env or clean_env(),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    return [line for line in out.splitlines() if "manage.py" in line]


def environment_of(command: str) -> dict[str, str]:
    return dict(re.findall(r"\b([A-Z_]+)='([^']*)'", command))


def test_the_demo_passes_the_address_it_serves_on():
    commands = demo_commands("PORT=8101")
    assert {"migrate", "seed_demo", "db_worker", "run_schedule", "runserver"} <= {
        word for line in commands for word in line.split()
    }
    for command in commands:
        env = environment_of(command)
        assert env["PUBLIC_BASE_URL"] == "http://127.0.0.1:8101", command
        assert "127.0.0.1" in env["ALLOWED_HOSTS"].split(","), command
    [serve] = [c for c in commands if "runserver" in c]
    assert serve.rstrip().endswith("runserver --noreload 127.0.0.1:8101")


def test_a_lan_address_is_the_qr_address_and_an_allowed_host():
    [serve] = [c for c in demo_commands("HOST=192.168.1.20") if "runserver" in c]
    env = environment_of(serve)
    assert env["PUBLIC_BASE_URL"] == "http://192.168.1.20:8000"
    assert env["ALLOWED_HOSTS"].split(",") == ["127.0.0.1", "localhost", "192.168.1.20"]


def test_a_public_base_url_set_by_the_user_wins():
    env = clean_env(PUBLIC_BASE_URL="https://dudao.example.gov.cn", ALLOWED_HOSTS="a.example")
    for command in demo_commands("PORT=8101", env=env):
        assert environment_of(command)["PUBLIC_BASE_URL"] == "https://dudao.example.gov.cn"
        assert environment_of(command)["ALLOWED_HOSTS"] == "a.example"
    [serve] = [c for c in demo_commands("PUBLIC_BASE_URL=https://b.example") if "runserver" in c]
    assert environment_of(serve)["PUBLIC_BASE_URL"] == "https://b.example"


def test_the_settings_default_is_the_demo_default():
    """Without PUBLIC_BASE_URL, the settings and `make demo` agree on http://127.0.0.1:8000."""
    [serve] = [c for c in demo_commands() if "runserver" in c]
    default = subprocess.run(
        [sys.executable, "-c", "from dudao import settings; print(settings.PUBLIC_BASE_URL)"],
        cwd=ROOT,
        env=clean_env(SECRET_KEY="x"),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.strip()
    assert environment_of(serve)["PUBLIC_BASE_URL"] == default == "http://127.0.0.1:8000"
