"""The web console in a real browser (Debian's chromium, driven by selenium): sign in through
the embedded issuer, create a project and submit a brief, answer the questions, watch the
Reason Cards arrive live, review the architecture, cost and policy, approve with an inline
comment, download the bundle, revise and open the Change Summary. axe-core (through
axe-selenium-python) checks each page for serious or critical accessibility violations, and
the hostile texts a person may type render as text, never as script.

Screenshots of every page land in $MLOPS_SCREENSHOTS (default: the test's tmp folder).
"""

import json
import os
import pathlib
import shutil
import time

import httpx
import pytest
from axe_selenium_python import Axe
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

HOSTILE_NAME = '<script>window.__pwned = "name"</script>Churn <b>team</b>'
HOSTILE_BRIEF = (
    "Churn prediction for our telecom customers, online via API, p95 under 150 ms, 300 requests per second, "
    "EU only. <img src=x onerror=\"window.__pwned='brief'\"> \"quotes\" & 'apostrophes'"
)


@pytest.fixture
def browser(tmp_path):
    chromium = shutil.which("chromium")
    driver_path = shutil.which("chromedriver")
    if not chromium or not driver_path:
        pytest.fail("chromium and chromium-driver are not installed: run scripts/bootstrap")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,1600",
                     f"--user-data-dir={tmp_path / 'chromium'}"):
        options.add_argument(argument)
    # The DevTools network log shows what the page's EventSource received.
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.implicitly_wait(0)
    yield driver
    driver.quit()


def wait_for(predicate, what, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = predicate()
            if value:
                return value
        except Exception:  # the page may be reloading under us
            pass
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}")


class Pages:
    def __init__(self, driver, folder):
        self.driver = driver
        self.folder = folder
        self.count = 0

    def check(self, name):
        """Screenshot, no script ran from a hostile text, and no serious accessibility issue."""
        self.count += 1
        self.driver.save_screenshot(str(self.folder / f"{self.count:02d}-{name}.png"))
        assert self.driver.execute_script("return window.__pwned === undefined"), f"{name}: a hostile text ran"
        axe = Axe(self.driver)
        axe.inject()
        results = axe.run()
        serious = [v for v in results["violations"] if v.get("impact") in ("serious", "critical")]
        assert not serious, f"{name}: " + "; ".join(
            f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}" for v in serious)


def status(driver):
    return driver.find_element(By.ID, "status").text.strip()


def test_a_person_takes_a_brief_to_an_approved_bundle_in_the_console(mlops_serve, browser, tmp_path):
    base = mlops_serve(MLOPS_VALIDATORS="secret-scan", MLOPS_SSE_PING_SECONDS="1")
    folder = pathlib.Path(os.environ.get("MLOPS_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    pages = Pages(browser, folder)
    driver = browser

    # Every console page carries a strict policy: no inline script, no framing.
    head = httpx.get(f"{base}/console")
    policy = head.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy

    # Sign in through the embedded issuer (authorization code with PKCE).
    driver.get(f"{base}/console")
    pages.check("sign-in")
    driver.find_element(By.LINK_TEXT, "Sign in with the local issuer").click()
    wait_for(lambda: driver.find_element(By.ID, "continue"), "the issuer's page")
    pages.check("authorize")
    driver.find_element(By.ID, "continue").click()
    wait_for(lambda: "Signed in as" in driver.find_element(By.CLASS_NAME, "who").text, "the signed-in console")
    cookie = driver.get_cookie("mlops_session")
    assert cookie and cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    pages.check("projects-empty")

    # A project whose name is hostile HTML, and a brief that is too.
    driver.find_element(By.ID, "project-name").send_keys(HOSTILE_NAME)
    driver.find_element(By.NAME, "allow_incomplete_bundles").click()
    driver.find_element(By.CSS_SELECTOR, "form[action='/console/projects'] button").click()
    wait_for(lambda: driver.find_element(By.TAG_NAME, "h1").text == HOSTILE_NAME, "the project page")
    pages.check("project")
    driver.find_element(By.ID, "brief").send_keys(HOSTILE_BRIEF)
    driver.find_element(By.CSS_SELECTOR, "form[action$='/decision-sets'] button").click()
    wait_for(lambda: driver.find_element(By.CSS_SELECTOR, "blockquote.brief").text == HOSTILE_BRIEF, "the decision set")
    decision_set = driver.current_url

    # The questions, as a typed form: confidential data and a budget of $1,000–5,000 a
    # month (the plan costs about $1,200), else the first choice.
    wait_for(lambda: driver.find_elements(By.ID, "questions"), "the questions", timeout=180)
    pages.check("questions")
    for fieldset in driver.find_elements(By.CSS_SELECTOR, "#questions fieldset"):
        choices = fieldset.find_elements(By.CSS_SELECTOR, "input[type=radio]")
        if choices:
            preferred = [c for c in choices if c.get_attribute("value") in ("confidential", "1k_5k")]
            (preferred or choices)[0].click()
        else:
            field = fieldset.find_element(By.CSS_SELECTOR, "input")
            field.send_keys("1000" if field.get_attribute("type") == "number" else "internal")
    driver.find_element(By.CSS_SELECTOR, "#questions button").click()

    # The run goes on while the page follows it: its EventSource receives the cards as they
    # commit (the DevTools network log), and the page reloads itself at the gate.
    wait_for(lambda: status(driver) == "waiting for approval", "the review", timeout=240)
    received = [json.loads(entry["message"])["message"] for entry in driver.get_log("performance")]
    live = [m["params"] for m in received if m.get("method") == "Network.eventSourceMessageReceived"]
    assert any(m.get("eventName") == "reason-card" for m in live), "no card arrived over the page's stream"
    pages.check("review")

    # The review: the architecture drawn from the plan, the cost with its chart, policy.
    boxes = driver.find_elements(By.CSS_SELECTOR, "svg.diagram rect.box")
    components = driver.find_elements(By.CSS_SELECTOR, "#review table:first-of-type tbody tr")
    assert boxes and len(boxes) == len(components)
    assert driver.find_elements(By.CSS_SELECTOR, "svg.bars rect.bar")
    assert "Bill of materials" in driver.page_source
    assert driver.find_elements(By.CSS_SELECTOR, ".outcome-pass")

    # No card was lost on the way: the page lists every reason-card event of the run.
    set_id = decision_set.rstrip("/").split("/")[-1]
    events = httpx.get(f"{base}/v1/decision-sets/{set_id}/events?limit=500", headers=mlops_serve.headers).json()
    cards = [e for e in events["items"] if e["type"] == "reason-card"]
    assert len(driver.find_elements(By.CSS_SELECTOR, "#timeline > li")) == len(cards)

    # Approve with a comment and an inline comment on the serving component.
    driver.find_element(By.CSS_SELECTOR, "input[name=status][value=approved]").click()
    driver.find_element(By.ID, "comment").send_keys("Ship it <script>window.__pwned='comment'</script>")
    driver.find_element(By.CSS_SELECTOR, "#approve-form summary").click()
    driver.find_element(By.ID, "inline-serve").send_keys("Keep two tasks behind the load balancer.")
    driver.find_element(By.CSS_SELECTOR, "#approve-form button").click()
    wait_for(lambda: status(driver) == "completed", "the completed run", timeout=300)
    approval = driver.find_element(By.ID, "approval").text
    assert "Approved by Local user (local-user)" in approval
    assert "plan.components.serve: Keep two tasks behind the load balancer." in approval
    assert "<script>" in approval
    pages.check("completed")

    # The bundle downloads from its signed link.
    link = driver.find_element(By.CSS_SELECTOR, "a.download").get_attribute("href")
    bundle = httpx.get(link)
    assert bundle.status_code == 200 and bundle.content[:2] == b"PK"

    # Revise, approve again, and open the Change Summary side by side.
    driver.find_element(By.ID, "addendum").send_keys("Triple the traffic: 900 requests per second.")
    driver.find_element(By.CSS_SELECTOR, "form[action$='/revisions'] button").click()
    wait_for(lambda: status(driver) == "waiting for approval", "version 2 at the gate", timeout=300)
    driver.find_element(By.CSS_SELECTOR, "input[name=status][value=approved]").click()
    driver.find_element(By.CSS_SELECTOR, "#approve-form button").click()
    wait_for(lambda: status(driver) == "completed", "version 2 completed", timeout=300)
    driver.find_element(By.PARTIAL_LINK_TEXT, "Changes from v1 to v2").click()
    wait_for(lambda: driver.find_element(By.TAG_NAME, "h1").text == "Changes from v1 to v2", "the Change Summary")
    assert driver.find_elements(By.CSS_SELECTOR, "table.diff td.added") or driver.find_elements(
        By.CSS_SELECTOR, "table.diff td.removed")
    pages.check("changes")

    # A form posted without the session's CSRF token is refused.
    forged = httpx.post(f"{base}/console/projects", data={"name": "forged"},
                        cookies={"mlops_session": cookie["value"]}, follow_redirects=False)
    assert forged.status_code == 403
    # Signing out ends the session: the cookie no longer opens a page.
    driver.find_element(By.CSS_SELECTOR, "form[action='/console/logout'] button").click()
    wait_for(lambda: driver.find_elements(By.LINK_TEXT, "Sign in with the local issuer"), "the sign-in page")
    after = httpx.get(f"{base}/console/projects/x", cookies={"mlops_session": cookie["value"]}, follow_redirects=False)
    assert after.status_code == 303
