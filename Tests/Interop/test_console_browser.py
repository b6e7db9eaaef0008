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

import oidc_provider

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
    # Streams that end after a second: the page's EventSource reconnects mid-run, again and
    # again, resuming after the last event it saw.
    base = mlops_serve(MLOPS_VALIDATORS="secret-scan", MLOPS_SSE_PING_SECONDS="1", MLOPS_SSE_MAX_SECONDS="1")
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
    # The project's budgets, gate rule and waivers, read only: none set yet.
    usage = [row.text for row in driver.find_elements(By.CSS_SELECTOR, "main table tbody tr")]
    assert any(row.startswith("runs today 0 no limit ok") for row in usage), usage
    assert "Every version waits for a reviewer." in driver.page_source
    assert "No rule is waived." in driver.page_source
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

    wait_for(lambda: status(driver) == "waiting for approval", "the review", timeout=240)
    pages.check("review")

    # The review: the architecture drawn from the plan, the cost with its chart, policy.
    boxes = driver.find_elements(By.CSS_SELECTOR, "svg.diagram rect.box")
    components = driver.find_elements(By.CSS_SELECTOR, "#components tbody tr")
    assert boxes and len(boxes) == len(components)
    assert driver.find_elements(By.CSS_SELECTOR, "svg.bars rect.bar")
    assert "Bill of materials" in driver.page_source
    assert driver.find_elements(By.CSS_SELECTOR, ".outcome-pass")

    # The page lists every reason-card event of the run.
    set_id = decision_set.rstrip("/").split("/")[-1]
    events = httpx.get(f"{base}/v1/decision-sets/{set_id}/events?limit=500", headers=mlops_serve.headers).json()
    cards = [e for e in events["items"] if e["type"] == "reason-card"]
    assert len(driver.find_elements(By.CSS_SELECTOR, "#timeline > li")) == len(cards)

    # A page left open follows its run: another member answers a second decision set's
    # questions through the API, and the open page receives its cards as they commit, across
    # the streams' rotations (each reconnect resumes after the last event it saw), once each.
    project_id = driver.find_element(By.CSS_SELECTOR, ".crumbs a:nth-of-type(2)").get_attribute("href").split("/")[-1]
    second = httpx.post(f"{base}/v1/projects/{project_id}/decision-sets", headers=mlops_serve.headers,
                        json={"brief": HOSTILE_BRIEF}).json()["id"]
    wait_for(lambda: httpx.get(f"{base}/v1/decision-sets/{second}", headers=mlops_serve.headers).json()["status"]
             == "waiting_for_answers", "the second decision set's questions")
    driver.get(f"{base}/console/decision-sets/{second}")
    after = int(wait_for(lambda: driver.find_element(By.ID, "timeline").get_attribute("data-after"), "the page"))
    wait_for(lambda: driver.find_element(By.ID, "live-state").text == "Following the run live.", "the page's stream")
    time.sleep(2.5)  # at least two rotations of the idle stream before anything happens
    detail = httpx.get(f"{base}/v1/decision-sets/{second}", headers=mlops_serve.headers)
    answers = [{"question_id": q["id"], "value": "confidential" if q["field"] == "data_class" else "1k_5k"}
               for q in detail.json()["open_questions"]]
    answered = httpx.post(f"{base}/v1/decision-sets/{second}/answers", headers=mlops_serve.headers,
                          json={"answers": answers})
    assert answered.status_code == 202, answered.text
    wait_for(lambda: status(driver) == "waiting for approval", "the open page to reach the gate", timeout=240)
    logged = [json.loads(entry["message"])["message"] for entry in driver.get_log("performance")]
    streams = {m["params"]["requestId"] for m in logged if m.get("method") == "Network.requestWillBeSent"
               and f"/console/decision-sets/{second}/events" in m["params"]["request"]["url"]}
    received = [int(m["params"]["eventId"]) for m in logged
                if m.get("method") == "Network.eventSourceMessageReceived" and m["params"]["requestId"] in streams
                and m["params"].get("eventName") == "reason-card"]
    listed = httpx.get(f"{base}/v1/decision-sets/{second}/events?after={after}&limit=500",
                       headers=mlops_serve.headers).json()["items"]
    expected = [e["id"] for e in listed if e["type"] == "reason-card"]
    assert expected and received == expected, f"cards over the stream {received} != the run's {expected}"
    assert len(streams) > 2, "the stream never reconnected"
    pages.check("review-followed")
    driver.get(decision_set)
    wait_for(lambda: status(driver) == "waiting for approval", "the first decision set again")

    # Correct a constraint the platform read, then pick another serving candidate: each time
    # the run plans again and comes back to the gate, and the page lists what was done.
    driver.find_element(By.CSS_SELECTOR, "#correct-field option[value=latency_p95_ms]").click()
    driver.find_element(By.ID, "correct-value").send_keys("100")
    driver.find_element(By.ID, "correct-comment").send_keys("the app's budget <b>is</b> 100 ms")
    driver.find_element(By.CSS_SELECTOR, "#correct-form button").click()
    wait_for(lambda: "latency_p95_ms: 150 ms → 100 ms" in driver.find_element(By.ID, "corrections").text,
             "the correction listed")
    wait_for(lambda: status(driver) == "waiting for approval", "the gate after the correction", timeout=240)
    driver.get(decision_set)
    picked = driver.find_element(By.CSS_SELECTOR, "#pick-serve option:nth-of-type(2)").get_attribute("value")
    driver.find_element(By.CSS_SELECTOR, f"#pick-serve option[value={picked}]").click()
    driver.find_element(By.CSS_SELECTOR, "#pick-form button").click()
    wait_for(lambda: f"chose {picked}" in driver.find_element(By.ID, "corrections").text, "the pick listed")
    wait_for(lambda: status(driver) == "waiting for approval", "the gate after the pick", timeout=240)
    driver.get(decision_set)
    assert picked in driver.find_element(By.ID, "components").text
    assert "<b>is</b>" in driver.find_element(By.ID, "corrections").text
    pages.check("review-corrected")

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


def test_the_console_signs_in_at_the_configured_oidc_issuer(mlops_serve, browser, tmp_path):
    """The same flow against an issuer we did not write (authlib): the console is its public
    client, sends the browser there with a PKCE challenge, and exchanges the code it brings
    back for an access token, which the session then presents like any API token."""
    with oidc_provider.Provider(audience="mlops") as provider:
        base = mlops_serve(MLOPS_OIDC_ISSUER=provider.url, MLOPS_OIDC_AUDIENCE="mlops")
        oidc_provider.EXTRA_REDIRECT_URIS.add(f"{base}/console/callback")
        driver = browser
        driver.get(f"{base}/console")
        assert driver.find_elements(By.LINK_TEXT, "Sign in with your identity provider")
        # The provider signs in the user its login_hint names, as if they had typed a password.
        driver.get(f"{base}/console/login?login_hint=grace")
        wait_for(lambda: "Signed in as Grace Hopper (u-grace)" in driver.find_element(By.CLASS_NAME, "who").text,
                 "the console signed in at the provider")
        assert driver.find_elements(By.CLASS_NAME, "empty"), "Grace is a member of no project yet"
        Pages(driver, pathlib.Path(os.environ.get("MLOPS_SCREENSHOTS") or tmp_path)).check("oidc-signed-in")
        # A callback that did not start here (no state cookie) signs nobody in.
        refused = httpx.get(f"{base}/console/callback?code=x&state=y", follow_redirects=False)
        assert refused.status_code == 400 and "Sign-in failed" in refused.text
        assert refused.headers["content-type"].startswith("text/html")
        # The embedded issuer's endpoint is not there when an issuer is configured.
        assert httpx.get(f"{base}/oauth/authorize").status_code == 404
