"""The dashboard in a real browser: headless Chromium (Debian's chromium + chromium-driver,
driven by Selenium) watches a session appear and its commands arrive live while an MCP client
works. A screenshot of each page is saved under test-artifacts/."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from mcp_clients import mcp_http, text_of
from system import REPO, dashboard_ticket

pytestmark = pytest.mark.anyio
ARTIFACTS = Path(os.environ.get("BMCP_TEST_ARTIFACTS", REPO / "test-artifacts"))
# Safety nets for a loaded 2-core machine, not speed assertions.
PAGE_WAIT = 60


@pytest.fixture(scope="module")
def browser():
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    if not chromium or not driver_path:
        pytest.fail("headless Chromium is needed: apt-get install -y chromium chromium-driver", pytrace=False)
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1000"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    yield driver
    driver.quit()


def wait_until(browser, condition, what):
    try:
        return WebDriverWait(browser, PAGE_WAIT, poll_frequency=0.1).until(lambda _: condition())
    except Exception as error:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        browser.save_screenshot(str(ARTIFACTS / "dashboard-failure.png"))
        raise AssertionError(f"the dashboard never showed {what}; console: {browser.get_log('browser')}") from error


async def test_dashboard_shows_a_new_session_and_its_commands_live(front, browser):
    # Signed in as a user would be: the one-time link sets the cookie and lands on the page.
    browser.get(front.url + "/login?ticket=" + dashboard_ticket(front.token))
    assert browser.current_url.rstrip("/") == front.url and "ticket" not in browser.current_url
    wait_until(browser, lambda: browser.find_elements(By.ID, "sessions"), "the sessions table")
    wait_until(browser, lambda: browser.find_element(By.ID, "live").text == "live", "a live event stream")

    async with mcp_http(front.url + "/mcp", front.token) as client:
        created = json.loads(text_of(await client.call_tool("create_session", {"name": "Dashboard pavilion"})))
        session = created["session_id"]
        row = f"tr[data-session='{session}']"
        wait_until(browser, lambda: browser.find_elements(By.CSS_SELECTOR, row), f"session {session} in the list")
        assert "Dashboard pavilion" in browser.find_element(By.CSS_SELECTOR, row).text
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        browser.save_screenshot(str(ARTIFACTS / "dashboard-sessions.png"))

        browser.find_element(By.CSS_SELECTOR, f"{row} a").click()
        wait_until(browser, lambda: browser.find_elements(By.ID, "log-rows"), "the session page")
        wall = await client.call_tool("create_wall", {"start": [0, 0], "end": [4, 0], "height": 2.7, "session_id": session})
        assert not wall.is_error, text_of(wall)
        wait_until(browser, lambda: "create_wall" in browser.find_element(By.ID, "log-rows").text, "create_wall in the live log")
        render = await client.call_tool("render_image", {"width": 320, "height": 240, "view": "iso", "session_id": session})
        assert not render.is_error, text_of(render)
        assert any(getattr(part, "type", "") == "image" for part in render.content)
        wait_until(browser, lambda: browser.find_elements(By.CSS_SELECTOR, "#render img"), "the latest render")
        wait_until(browser, lambda: "Wall" in browser.find_element(By.ID, "state").text, "the wall in the scene tree")
        # design.md's drawings beside the render: the plan and the elevation, drawn from the wall's facts.
        wait_until(browser, lambda: len(browser.find_elements(By.CSS_SELECTOR, "#drawings img.drawing")) == 2, "the plan and elevation")
        wait_until(browser, lambda: "The building" in browser.find_element(By.ID, "design").text, "the building in design.md")
        browser.save_screenshot(str(ARTIFACTS / "dashboard-session.png"))

    browser.get(front.url + "/#/instances")
    wait_until(browser, lambda: browser.find_elements(By.CSS_SELECTOR, "#instances tbody tr td"), "the instances table")
    assert "session-broker" in browser.find_element(By.TAG_NAME, "main").text
    browser.save_screenshot(str(ARTIFACTS / "dashboard-instances.png"))
