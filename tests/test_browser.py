"""A real browser (Debian Chromium driven by Playwright) uses the page like a person would:
upload, set a scale, run, read the reported output size, save a screenshot."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from app_server import running_app
from conftest import EXAMPLES, ROOT

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync"]

if not Path(CHROMIUM).exists():
    if os.environ.get("SR_REQUIRE_BROWSER"):
        raise RuntimeError("SR_REQUIRE_BROWSER is set but /usr/bin/chromium is missing")
    pytest.skip("Debian chromium not installed (apt-get install chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")


def test_upload_scale_run_screenshot(tmp_path):
    artifacts = ROOT / "artifacts"
    artifacts.mkdir(exist_ok=True)
    with running_app() as (url, proc), sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(url)
        page.locator("input[type=file]").first.set_input_files(str(EXAMPLES / "chelsea.png"))
        page.get_by_text("451×300 →").wait_for(timeout=60_000)        # size readout after upload
        number = page.locator('input[aria-label="number input for Scale factor"]')
        number.fill("2.5")
        number.press("Enter")
        page.get_by_text("451×300 → 1128×750").first.wait_for(timeout=30_000)  # live readout
        page.get_by_role("button", name="Upscale").click()
        status = page.locator("#status")
        status.get_by_text(re.compile(r"1128×750.*on CPU")).wait_for(timeout=120_000)
        assert "451×300 → 1128×750" in status.inner_text()
        page.wait_for_timeout(1000)  # let the slider images paint
        page.screenshot(path=str(artifacts / "browser.png"), full_page=True)
        browser.close()
        assert proc.poll() is None
