"""The dashboard in headless Chromium: Chart.js loads from static files, every chart draws, and
clicking a bar opens the queue on exactly the cases it counts."""

from __future__ import annotations

import shutil
import threading

import pytest

from tests.builders import PASSWORD

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
def live(db, settings):
    from werkzeug.serving import make_server

    from backoffice.app import create_app

    app = create_app(settings, RATELIMIT_ENABLED=False)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(5)


def test_charts_draw_offline_and_bars_open_the_queue(live, make, scenario):
    if shutil.which(CHROMIUM) is None:
        pytest.skip("Debian's chromium is not installed")
    from playwright.sync_api import sync_playwright

    dps = make.user("participacion_social")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        external, errors = [], []
        page.on("request", lambda r: external.append(r.url) if not r.url.startswith(live) else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{live}/login")
        page.fill("input[name=email]", dps.email)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.goto(f"{live}/informe/?mes=2026-10")
        page.wait_for_function("window.Chart && Object.keys(Chart.instances).length === 5")
        assert errors == [] and external == []
        bars = page.evaluate("Chart.getChart(document.getElementById('chart-plazo')).data.datasets[0].data")
        assert bars == [5, 1, 2]  # en plazo, fuera de plazo, vencidos (October)
        point = page.evaluate("""() => {
            const chart = Chart.getChart(document.getElementById('chart-plazo'));
            chart.canvas.scrollIntoView();
            const bar = chart.getDatasetMeta(0).data[2];
            const box = chart.canvas.getBoundingClientRect();
            return {x: box.left + bar.x, y: box.top + (bar.y + bar.base) / 2};
        }""")
        with page.expect_navigation():
            page.mouse.click(point["x"], point["y"])
        assert "/volantes/?" in page.url
        assert "cifra=volantes_vencidos" in page.url and "mes=2026-10" in page.url
        # the list holds exactly the two cases the bar counts, closed ones included
        assert page.locator("[data-testid=figure-cases]").inner_text() == "2"
        assert page.locator("[data-testid=queue] tbody tr").count() == 2
        browser.close()
