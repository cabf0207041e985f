"""Requests (issue 9, items 10 and 11): forwarded headers are believed only from the proxies
the operator names (TRUSTED_PROXIES), and a NUL byte anywhere in a request is refused in one
place (it used to reach PostgreSQL, which answers a NUL in a text parameter with an error)."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from dudao.audit.middleware import client_ip
from dudao.audit.models import AuditEntry
from tests.conftest import PASSWORD
from tests.test_authorization_matrix import MATRIX

# --- forwarded headers -------------------------------------------------------------------


def edit_school(client, world, **extra):
    school = world.far_school
    return client.post(
        reverse("schools:edit", args=[school.pk]),
        {
            "code": school.code,
            "name": "城东中学（新）",
            "type": "junior",
            "ownership": "public",
            "location": "urban",
            "enrolment_kindergarten": 0,
            "enrolment_primary": 0,
            "enrolment_junior": 800,
            "enrolment_senior": 0,
            "is_active": "on",
        },
        **extra,
    )


def school_update_entry():
    return AuditEntry.all_objects.get(action="update", target_type="schools.School")


def test_forged_forwarded_for_from_an_untrusted_peer_is_ignored(world, login, settings):
    settings.TRUSTED_PROXIES = []
    client = login(world.admin)
    response = edit_school(
        client,
        world,
        REMOTE_ADDR="198.51.100.9",
        HTTP_X_FORWARDED_FOR="203.0.113.66",
        HTTP_X_REAL_IP="203.0.113.67",
    )
    assert response.status_code == 302
    assert school_update_entry().ip == "198.51.100.9"


def test_forwarded_for_from_a_peer_not_in_the_list_is_ignored(world, login, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    client = login(world.admin)
    edit_school(client, world, REMOTE_ADDR="198.51.100.9", HTTP_X_FORWARDED_FOR="203.0.113.66")
    assert school_update_entry().ip == "198.51.100.9"


@pytest.mark.parametrize("trusted", [[], ["127.0.0.1"]])
@pytest.mark.parametrize("forged", ["notanip", "1.2.3.4.5", "::1%eth0", "", " , ", "x" * 500])
def test_a_forwarded_value_that_is_not_an_address_never_breaks_an_audited_write(
    world, login, settings, trusted, forged
):
    settings.TRUSTED_PROXIES = trusted
    client = login(world.admin)
    client.raise_request_exception = False
    response = edit_school(
        client, world, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forged, HTTP_X_REAL_IP=forged
    )
    assert response.status_code == 302
    assert school_update_entry().ip == "127.0.0.1"


@pytest.mark.parametrize("trusted", [[], ["127.0.0.1"]])
def test_a_forwarded_value_that_is_not_an_address_never_breaks_login(
    world, client, settings, trusted
):
    settings.TRUSTED_PROXIES = trusted
    client.raise_request_exception = False
    response = client.post(
        reverse("accounts:login"),
        {"login": "admin", "password": PASSWORD},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="notanip",
        HTTP_X_REAL_IP="notanip",
    )
    assert response.status_code == 302
    assert AuditEntry.all_objects.get(action="login").ip == "127.0.0.1"


def test_the_client_behind_a_trusted_proxy_is_recorded(world, login, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    client = login(world.admin)
    edit_school(client, world, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert school_update_entry().ip == "203.0.113.5"


def ip_of(remote, forwarded=None, real=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    if real is not None:
        meta["HTTP_X_REAL_IP"] = real
    return client_ip(RequestFactory().get("/", **meta))


@pytest.mark.parametrize(
    ("remote", "forwarded", "real", "expected"),
    [
        # no proxy configured: the peer, whatever the headers say
        ("198.51.100.1", "203.0.113.1", "203.0.113.2", "198.51.100.1"),
        # a chain through two trusted proxies: walk from the right past them
        ("10.0.0.2", "203.0.113.1, 10.0.0.1", None, "203.0.113.1"),
        # the client prepended a forged hop: the first untrusted hop from the right wins
        ("10.0.0.2", "6.6.6.6, 203.0.113.1, 10.0.0.1", None, "203.0.113.1"),
        # only proxies in the chain: the leftmost one is the client
        ("10.0.0.2", "10.0.0.1", None, "10.0.0.1"),
        # X-Real-IP when there is no X-Forwarded-For
        ("127.0.0.1", None, "203.0.113.9", "203.0.113.9"),
        # garbage anywhere falls back to the peer
        ("127.0.0.1", "203.0.113.1, notanip", None, "127.0.0.1"),
        ("127.0.0.1", "10.0.0.1, notanip, 10.0.0.3", None, "127.0.0.1"),
        # …but what the client wrote left of the first outside address is not read
        ("127.0.0.1", "notanip, 203.0.113.1", None, "203.0.113.1"),
        ("127.0.0.1", None, "notanip", "127.0.0.1"),
        # IPv6 client through an IPv4 proxy
        ("127.0.0.1", "2001:db8::7", None, "2001:db8::7"),
        # a peer that is not an address (a unix socket) records nothing
        ("", "203.0.113.1", None, None),
    ],
)
def test_client_ip_walks_the_trusted_chain(settings, remote, forwarded, real, expected):
    settings.TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8"]
    if remote == "198.51.100.1":
        settings.TRUSTED_PROXIES = []
    assert ip_of(remote, forwarded, real) == expected


def test_forwarded_proto_is_honoured_only_from_a_trusted_proxy(world, login, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_HSTS_SECONDS = 3600
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    client = login(world.admin)
    spoofed = client.get("/", REMOTE_ADDR="198.51.100.9", HTTP_X_FORWARDED_PROTO="https")
    assert "Strict-Transport-Security" not in spoofed.headers
    proxied = client.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
    assert proxied.headers["Strict-Transport-Security"] == "max-age=3600"


# --- NUL bytes ---------------------------------------------------------------------------


def test_nul_in_a_query_parameter_is_refused_with_a_short_page(world, login):
    client = login(world.admin)
    for url in ("/audit/", "/accounts/users/", "/inspectors/"):
        response = client.get(url, {"q": "\x00"})
        assert response.status_code == 400, url
        assert "NUL" in response.content.decode() or "空字符" in response.content.decode()


def test_nul_in_a_parameter_name_a_form_field_or_the_path_is_refused(world, login):
    client = login(world.admin)
    client.raise_request_exception = False
    assert client.get("/audit/?a%00b=1").status_code == 400
    assert client.get("/inspectors/%00/").status_code == 400
    response = edit_school(client, world)  # a valid form passes…
    assert response.status_code == 302
    school = world.far_school
    response = client.post(
        reverse("schools:edit", args=[school.pk]), {"code": school.code, "name": "城\x00东"}
    )
    assert response.status_code == 400  # …one with a NUL does not reach the form


def test_nul_is_refused_before_login_too(db, client):
    client.raise_request_exception = False
    response = client.post(reverse("accounts:login"), {"login": "ad\x00min", "password": "x"})
    assert response.status_code == 400


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_nul_in_any_parameter_of_any_page_never_500(world, client, settings, tmp_path, name):
    """Every GET URL of the app with a NUL in the usual filter parameters, as an office admin:
    refused (400), never a server error (PostgreSQL rejects a NUL in text)."""
    settings.MEDIA_ROOT = tmp_path
    args_for, _expected = MATRIX[name]
    url = reverse(name, args=args_for(world) if args_for else None)
    client.raise_request_exception = False
    client.force_login(world.admin)
    params = dict.fromkeys(
        ("q", "month", "page", "status", "school", "inspector", "zone", "office"), "a\x00b"
    )
    response = client.get(url, params)
    assert response.status_code == 400, f"GET {url}?…%00 → {response.status_code}"
