"""The simulator page in headless Chromium: type as a phone, see the bot's answer (CSP-clean
vanilla JS, polling the conversation)."""

from __future__ import annotations

import shutil

import pytest

from core.enums import Role
from tests.builders import PASSWORD

CHROMIUM = "/usr/bin/chromium"
pytestmark = pytest.mark.browser


@pytest.fixture
def chromium():
    if shutil.which(CHROMIUM) is None:
        pytest.skip("Debian's chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"])
        yield browser
        browser.close()


def test_chat_as_a_phone(running_app, make, chromium, standin):
    from playwright.sync_api import expect

    from core.config import Settings

    base = Settings.from_env().public_base_url
    user = make.user(Role.VINCULACION)
    page = chromium.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("favicon.ico") else None)
    page.goto(f"{base}/login")
    page.fill("#email", user.email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{base}/simulador")
    page.fill("#sim-phone", "+523398765432")
    page.select_option("#sim-channel", "whatsapp")
    page.fill("#sim-body", "hola")
    page.press("#sim-body", "Enter")
    page.wait_for_selector(".sim-phone >> text=hola", timeout=90000)
    page.wait_for_selector(".sim-bot", timeout=90000)
    expect(page.locator("#sim-body")).to_have_value("", timeout=90000)
    bot_texts = page.locator(".sim-bot .sim-text").all_inner_texts()
    sent = [m["body"] for m in standin.messages(to="whatsapp:+523398765432")]
    assert bot_texts and bot_texts[0] == sent[0]
    assert page.input_value("#sim-body") == ""
    page.click("#sim-new-phone")
    new_phone = page.input_value("#sim-phone")
    assert new_phone.startswith("+5255") and len(new_phone) == 13 and new_phone != "+523398765432"
    expect(page.locator(".sim-msg")).to_have_count(0, timeout=30000)
    assert not errors
