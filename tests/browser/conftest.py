"""The desktop page fixture; the browser itself comes from tests/browser_fixtures.py."""

import pytest


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url,
        accept_downloads=True,
        locale="zh-CN",
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()
