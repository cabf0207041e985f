"""HTML goes out gzipped for clients that accept it (weak mobile signals), except pages that
show a secret (BREACH): the authenticator key on the two-step setup page."""

import gzip

import pytest

ACCEPT = {"HTTP_ACCEPT_ENCODING": "gzip, deflate"}


@pytest.fixture
def admin_client(client, world):
    client.force_login(world.admin)
    return client


def test_pages_are_compressed_when_the_client_accepts_it(admin_client):
    plain = admin_client.get("/findings/ledger/")
    packed = admin_client.get("/findings/ledger/", **ACCEPT)
    assert plain.status_code == packed.status_code == 200
    assert "Content-Encoding" not in plain
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    html = gzip.decompress(packed.content)
    assert b"</html>" in html
    assert len(packed.content) < len(plain.content) / 2


def test_the_two_step_setup_page_is_not_compressed(admin_client):
    response = admin_client.get("/accounts/twofactor/", **ACCEPT)
    assert response.status_code == 200
    assert "Content-Encoding" not in response


def test_the_public_page_is_compressed_too(client, world):
    response = client.get(f"/p/{world.school.code}/", **ACCEPT)
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"


def test_downloads_that_are_compressed_already_go_out_as_they_are(admin_client):
    response = admin_client.get("/reports/ledger.xlsx", **ACCEPT)
    assert response.status_code == 200
    assert "spreadsheetml" in response["Content-Type"]
    assert "Content-Encoding" not in response
