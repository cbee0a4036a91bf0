"""Browser fixtures: the real app served by werkzeug in a thread (test database, inline jobs,
Twilio at the stand-in) and headless Chromium driven by Playwright."""

from __future__ import annotations

import shutil
import threading

import pytest

from tests.builders import PASSWORD
from tests.support.twilio import standin  # noqa: F401 (fixtures)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]


@pytest.fixture
def live_server(standin, db):  # noqa: F811
    """The back office on a free port; returns its base URL."""
    from werkzeug.serving import make_server

    from backoffice.app import create_app
    from core.config import Settings

    app = create_app(Settings.from_env(), RATELIMIT_ENABLED=False)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture
def browser():
    if shutil.which(CHROMIUM) is None:
        pytest.skip("Debian's chromium is not installed (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def login(context, base: str, email: str):
    """A new page in `context`, signed in as `email` and landed on the queue."""
    page = context.new_page()
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/volantes/")
    return page

