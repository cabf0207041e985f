"""Security headers (issue 9, item 12): a Content-Security-Policy without inline script or
style, HSTS when HTTPS is on, Permissions-Policy, Referrer-Policy and Cross-Origin-Opener-
Policy; a scan of every template for what the policy would block; and the busiest pages in a
real browser, with the policy enforced, report no violation and still draw their charts."""

import io
import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from PIL import Image

import dudao
from dudao.core.security import content_security_policy
from tests.browser_fixtures import log_in
from tests.dashboards.conftest import figures_world  # noqa: F401 (a fixture)

PACKAGE = Path(dudao.__file__).resolve().parent


def directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


# --- headers -----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["anonymous", "admin"])
def test_pages_carry_the_security_headers(world, client, who):
    if who == "admin":
        client.force_login(world.admin)
        url = reverse("core:home")
    else:
        url = reverse("accounts:login")
    response = client.get(url)
    assert response.status_code == 200
    csp = directives(response.headers["Content-Security-Policy"])
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["img-src"] == ["'self'", "data:"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["form-action"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert not any("unsafe" in value for values in csp.values() for value in values)
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert "geolocation=()" in response.headers["Permissions-Policy"]
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_the_public_school_page_carries_the_policy_too(world, client):
    response = client.get(f"/p/{world.school.code}/")
    assert response.status_code == 200
    assert "style-src 'self';" in response.headers["Content-Security-Policy"]


def test_a_nonce_is_named_only_when_a_page_uses_it(rf):
    from dudao.core.security import CSPNonce

    nonce = CSPNonce()
    assert "nonce" not in content_security_policy(nonce)
    html = f'<style nonce="{nonce}">'
    policy = directives(content_security_policy(nonce))
    assert f"'nonce-{nonce.value}'" in policy["style-src"]
    assert f"'nonce-{nonce.value}'" in policy["script-src"]
    assert nonce.value in html


def test_every_request_gets_its_own_nonce(world, client):
    client.force_login(world.admin)
    first = client.get(reverse("core:home")).wsgi_request.csp_nonce.value
    second = client.get(reverse("core:home")).wsgi_request.csp_nonce.value
    assert first != second and len(first) >= 16


def test_debug_error_pages_keep_their_inline_styles(world, client, settings):
    """DEBUG's technical 404 page is styled inline: no policy there (and only with DEBUG)."""
    client.force_login(world.admin)
    assert "Content-Security-Policy" in client.get("/no-such-page/").headers
    settings.DEBUG = True
    assert "Content-Security-Policy" not in client.get("/no-such-page/").headers
    assert "Content-Security-Policy" in client.get(reverse("core:home")).headers


def test_object_store_origin_is_allowed_for_images(world, client, settings):
    settings.CSP_MEDIA_ORIGINS = ["https://s3.example.internal"]
    client.force_login(world.admin)
    csp = directives(client.get(reverse("core:home")).headers["Content-Security-Policy"])
    assert csp["img-src"] == ["'self'", "data:", "https://s3.example.internal"]


def test_hsts_over_https_only(world, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    client = Client()
    client.force_login(world.admin)
    plain = client.get(reverse("core:home"), REMOTE_ADDR="127.0.0.1")
    assert "Strict-Transport-Security" not in plain.headers
    secure = client.get(reverse("core:home"), secure=True)
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000"
    proxied = client.get(
        reverse("core:home"), REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_PROTO="https"
    )
    assert proxied.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_https_settings_turn_hsts_on(monkeypatch):
    """DUDAO_HTTPS=1 (without DEBUG) sets HSTS for a year, subdomains only when asked."""
    import importlib

    import dudao.settings

    monkeypatch.setenv("DUDAO_HTTPS", "1")
    monkeypatch.setenv("SECRET_KEY", "x" * 50)
    monkeypatch.delenv("DEBUG", raising=False)
    monkeypatch.setenv("TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8")
    try:
        fresh = importlib.reload(dudao.settings)
        assert fresh.SECURE_HSTS_SECONDS == 31536000
        assert fresh.SECURE_HSTS_INCLUDE_SUBDOMAINS is False
        assert fresh.SECURE_PROXY_SSL_HEADER == ("HTTP_X_FORWARDED_PROTO", "https")
        assert fresh.TRUSTED_PROXIES == ["127.0.0.1", "10.0.0.0/8"]
        monkeypatch.setenv("TRUSTED_PROXIES", "nginx")
        from django.core.exceptions import ImproperlyConfigured

        with pytest.raises(ImproperlyConfigured, match="TRUSTED_PROXIES"):
            importlib.reload(dudao.settings)
    finally:
        monkeypatch.undo()
        importlib.reload(dudao.settings)


def test_deploy_check_warns_when_https_has_no_trusted_proxy(settings):
    from dudao.core.security import check_trusted_proxies

    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.TRUSTED_PROXIES = []
    assert [w.id for w in check_trusted_proxies()] == ["dudao.W001"]
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    assert check_trusted_proxies() == []


# --- templates: nothing the policy would block -------------------------------------------

# Rendered by WeasyPrint into PDFs on the server, never sent to a browser.
PRINT_TEMPLATES = {
    "signboards/templates/signboards/board.html",
    "reports/templates/reports/document.html",
}

INLINE = [
    (
        "an inline <script> (no src)",
        re.compile(
            r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/(ld\+)?json\")[^>]*>", re.I
        ),
    ),
    ("a <style> block without a nonce", re.compile(r"<style\b(?![^>]*\bnonce=)[^>]*>", re.I)),
    ('a style="" attribute', re.compile(r"\sstyle\s*=", re.I)),
    ("an on*= event handler", re.compile(r"\son[a-z]+\s*=", re.I)),
    ("an hx-on attribute", re.compile(r"\s(hx|data-hx)-on", re.I)),
    ("a javascript: URL", re.compile(r"javascript:", re.I)),
    (
        "js: or javascript: in hx-vals",
        re.compile(r"hx-(vals|vars)\s*=\s*['\"]\s*(js|javascript):", re.I),
    ),
]


def templates():
    for path in sorted(PACKAGE.rglob("templates/**/*.html")):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative not in PRINT_TEMPLATES:
            yield relative, path.read_text(encoding="utf-8")


def test_the_scan_finds_what_it_looks_for():
    bad = (
        '<script>alert(1)</script><style>p{}</style><p style="x">'
        '<select onchange="x"><div hx-on:click="x"><a href="javascript:x">'
        "<div hx-vals='js:{a: 1}'>"
    )
    assert all(pattern.search(bad) for _what, pattern in INLINE)
    good = (
        '<script src="/static/x.js" defer></script><style nonce="{{ request.csp_nonce }}">'
        '<script id="d" type="application/json">{}</script><p class="style-x" data-onchange>'
    )
    assert not [what for what, pattern in INLINE if pattern.search(good)]


def test_no_template_has_inline_script_style_or_handlers():
    assert len(list(templates())) > 50
    found = [
        f"{name}: {what}: {match.group(0).strip()}"
        for name, text in templates()
        for what, pattern in INLINE
        for match in pattern.finditer(text)
    ]
    assert not found, "\n".join(found)


def test_no_script_builds_inline_handlers_or_uses_eval():
    found = []
    for path in sorted((PACKAGE / "static" / "js").glob("*.js")):
        text = path.read_text(encoding="utf-8")
        for pattern in (
            r"\beval\(",
            r"new Function\(",
            r"setAttribute\(\s*['\"](on|style)",
            r"\.innerHTML\s*=\s*['\"][^'\"]*style=",
        ):
            if re.search(pattern, text):
                found.append(f"{path.name}: {pattern}")
    assert not found


# --- in a real browser -------------------------------------------------------------------

COLLECT = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push([e.violatedDirective, e.blockedURI || "inline", e.sourceFile, e.lineNumber]
    .join(" "));
});
"""


def watch(page):
    """Violations seen by the page (securitypolicyviolation events, console errors, script
    errors), read with `seen()`."""
    console = []
    page.add_init_script(COLLECT)
    page.on("console", lambda m: console.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda exc: console.append(f"pageerror: {exc}"))

    def seen():
        events = page.evaluate("window.__csp || []")
        policy = [m for m in console if "Content Security Policy" in m or "pageerror" in m]
        return events + policy

    return seen


def photo(path):
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), "gray").save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return str(path)


@pytest.mark.browser
def test_busy_pages_run_under_the_policy(figures_world, page, tmp_path, shot):  # noqa: F811
    world = figures_world.world
    seen = watch(page)

    # The office dashboard: every chart is drawn at its full width, a tooltip opens.
    log_in(page, world.admin)
    assert "script-src 'self'" in page.goto("/dashboard/").headers["content-security-policy"]
    page.locator("section.has-chart [data-chart=coverage] svg").wait_for()
    charts = page.locator("[data-chart]")
    assert page.locator("section.has-chart [data-chart] svg").count() == charts.count() >= 5
    chart = page.locator("[data-chart=months]")
    chart.scroll_into_view_if_needed()
    box = chart.bounding_box()
    assert float(chart.locator("svg").get_attribute("width")) > 300  # not drawn hidden
    texts = chart.locator("svg text").count()
    for step in range(1, 10):
        page.mouse.move(box["x"] + box["width"] * step / 10, box["y"] + box["height"] / 2)
    page.wait_for_timeout(300)
    assert chart.locator("svg text").count() > texts  # the tooltip, drawn inside the chart
    shot(page, "csp-dashboard")
    assert seen() == [], "dashboard"

    # The ledger: the htmx filter swaps the table in place and pushes the URL.
    page.goto("/findings/ledger/")
    page.locator("details.filters-wrap summary").click()
    page.locator("input[name=q]").press_sequentially("x")
    page.wait_for_function("() => location.search.indexOf('q=x') !== -1")
    assert seen() == [], "ledger"

    # The audit log, and the language switcher (a data-autosubmit select).
    page.goto("/audit/")
    # Each switch is a navigation; waiting for it to finish (not only for the new <html>)
    # lets the deferred script bind the select before the next choice is made.
    with page.expect_navigation():
        page.select_option("select[name=language]", "en")
    page.wait_for_selector("html[lang=en]")
    with page.expect_navigation():
        page.select_option("select[name=language]", "zh-hans")
    page.wait_for_selector("html[lang=zh-hans]")
    assert seen() == [], "audit"

    # Django admin as the superuser.
    log_in(page, world.superuser)
    page.goto("/admin/")
    page.goto("/admin/accounts/user/")
    page.locator("#changelist").wait_for()
    page.goto(f"/admin/accounts/user/{world.admin.pk}/change/")
    page.locator("#user_form, form[method=post]").first.wait_for()
    page.goto("/admin/audit/auditentry/")
    page.locator("#changelist").wait_for()
    assert seen() == [], "admin"

    # The visit form as the inspector: htmx autosave, a photo uploaded by visits.js.
    log_in(page, world.inspector_user)
    page.goto(f"/visits/new/{world.school.pk}/")
    page.check("input[name=methods][value=campus_walk]")
    page.set_input_files("input[name=files][capture]", photo(tmp_path / "p.jpg"))
    page.locator("#attachment-list img.thumb").wait_for()
    shot(page, "csp-visit-form")
    assert seen() == [], "visit form"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_monitoring_charts_run_under_the_policy(world, page):
    from dudao.monitoring import services
    from tests.monitoring.webdata import seed

    seed(world)
    seen = watch(page)
    log_in(page, world.admin)
    ruleset = services.default_ruleset(world.office, "basic")
    page.goto(f"/monitoring/2025/rules/{ruleset.pk}/")
    page.locator("[data-chart=trend] svg").wait_for()
    assert page.locator("[data-chart=schools] svg").count() == 2
    chart = page.locator("[data-chart=trend]")
    box = chart.bounding_box()
    for step in range(1, 10):
        page.mouse.move(box["x"] + box["width"] * step / 10, box["y"] + box["height"] / 2)
    page.wait_for_timeout(300)
    assert seen() == []
