"""Accessibility in a real browser, as the readers of the console and the verification page meet it.

axe-core (npm, pinned in tests/a11y/package.json) runs in Debian's Chromium over every console
page each demo role reaches (a crawl of the console's own links, one page per route shape) and
over the verification page in every status, at 1280 px and 375 px: WCAG 2.1 A/AA, no violation
of any impact. The checks axe cannot make are tests of their own: a focus ring of ≥ 3:1 on
every background, no sideways scroll at 320 px, text that follows a 24 px browser default, an
action completed by keyboard alone with the error focused after a failed submit, and the idle
warning whose "继续办理" keeps the session.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from app.cli.demo import DEMO_PASSWORD, STAFF, load_demo_data
from app.licences.documents import verification_url
from tests.api.test_verify_page import STATES
from tests.conftest import CHROMIUM, CHROMIUM_ARGS

AXE = Path(__file__).resolve().parents[1] / "a11y" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
WIDTHS = {"desktop": 1280, "phone": 375}
# Links that are not pages: files, exports, state changes reached by GET.
NOT_A_PAGE = re.compile(
    r"/(logout|display/|documents/|notices/\d+|label|export)|\.(pdf|csv|xlsx)|format="
)
PAGES_PER_ROLE = 40
# Pictures of 长辈模式 and of reflowed pages; they replace docs/accessibility/ only when asked
# (UPDATE_DOCS_SCREENSHOTS=1), so a test run leaves the work tree clean.
SHOTS = (
    Path(__file__).resolve().parents[2] / "docs" / "accessibility"
    if os.environ.get("UPDATE_DOCS_SCREENSHOTS")
    else Path(tempfile.gettempdir()) / "zerovisit-a11y-shots"
)

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed"),
    pytest.mark.skipif(
        not AXE.exists(), reason="axe-core is not installed (npm ci --prefix tests/a11y)"
    ),
]


@pytest.fixture
def demo_office(app):
    """The demo's year of office: cases in every state, licences, requests, statistics."""
    load_demo_data()


def _log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/console/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/console/(?!login)"))


def _axe(page) -> list[dict]:
    """axe's WCAG 2.1 A/AA violations on the page (its context must bypass the pages' CSP)."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "targets": [n["target"] for n in v["nodes"][:3]],
            "summary": v["nodes"][0].get("failureSummary", "")[:200],
        }
        for v in result["violations"]
    ]


def _shape(path: str) -> str:
    return re.sub(r"\d+", "N", path)


def _crawl(page, base: str) -> Iterator[str]:
    """Every page reachable from the console's links, one per route shape."""
    start = page.url
    queue, seen = [urlsplit(start).path], set()
    while queue and len(seen) < PAGES_PER_ROLE:
        path = queue.pop(0)
        if _shape(path) in seen:
            continue
        seen.add(_shape(path))
        response = page.goto(f"{base}{path}")
        if response is None or "text/html" not in response.headers.get("content-type", ""):
            continue
        yield path
        hrefs = page.eval_on_selector_all(
            "a[href^='/console/']", "as => as.map(a => a.getAttribute('href'))"
        )
        for href in hrefs:
            target = href.split("#")[0]
            if not NOT_A_PAGE.search(target) and _shape(urlsplit(target).path) not in seen:
                queue.append(target)


def test_every_console_page_of_every_role_passes_axe(demo_office, live_server, browser):
    findings, visited = {}, 0
    phone_shapes: set[str] = set()
    for username, _roles, _region in STAFF:
        for width_name, width in WIDTHS.items():
            context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
            page = context.new_page()
            _log_in(page, live_server, username)
            for path in _crawl(page, live_server):
                if width_name == "phone" and _shape(path) in phone_shapes:
                    continue
                phone_shapes.add(_shape(path)) if width_name == "phone" else None
                visited += 1
                violations = _axe(page)
                if violations:
                    findings[f"{username} {width_name} {path}"] = violations
            context.close()
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.goto(f"{live_server}/console/login")
    visited += 1
    if violations := _axe(page):
        findings["login"] = violations
    context.close()
    assert visited > 30, f"the crawl reached only {visited} pages"
    assert not findings, json.dumps(findings, ensure_ascii=False, indent=1)


@pytest.mark.parametrize("width", WIDTHS.values())
def test_the_verification_page_passes_axe_in_every_status(live_server, browser, make, width):
    firm = make.enterprise(make.applicant())
    urls = [verification_url(make.licence(firm, **overrides)) for overrides, _, _ in STATES]
    urls.append(f"{live_server}/api/v1/verify/NOPE?code=WRONG1")
    context = browser.new_context(viewport={"width": width, "height": 800}, bypass_csp=True)
    page = context.new_page()
    findings = {}
    for url in urls:
        parts = urlsplit(url)
        page.goto(f"{live_server}{parts.path}?{parts.query}")
        if width == WIDTHS["phone"] and url == urls[0]:
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.get_by_role("link", name="长辈模式").click()
            page.screenshot(path=SHOTS / "verify-elder-mode-375px.png", full_page=True)
            page.get_by_role("link", name="退出长辈模式").click()
        for mode in ("normal", "elder"):
            if violations := _axe(page):
                findings[
                    f"{mode} {page.locator('section.verdict').get_attribute('data-status')}"
                ] = violations
            if mode == "normal":
                page.get_by_role("link", name="长辈模式").click()
        page.get_by_role("link", name="退出长辈模式").click()
    context.close()
    assert not findings, json.dumps(findings, ensure_ascii=False, indent=1)


def _contrast(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    def luminance(rgb: tuple[int, ...]) -> float:
        channels = [c / 255 for c in rgb[:3]]
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


FOCUS_STYLE = """el => {
  const rgb = s => (s.match(/\\d+(\\.\\d+)?/g) || []).slice(0, 3).map(Number);
  let node = el.parentElement, bg = 'rgb(255, 255, 255)';
  while (node) {
    const c = getComputedStyle(node).backgroundColor;
    if (c && c !== 'rgba(0, 0, 0, 0)' && c !== 'transparent') { bg = c; break; }
    node = node.parentElement;
  }
  const style = getComputedStyle(el);
  const shadow = style.boxShadow === 'none' ? null : rgb(style.boxShadow);
  const name = el.tagName + ' ' + (el.textContent || '').trim().slice(0, 20);
  return {outline: rgb(style.outlineColor), width: parseFloat(style.outlineWidth),
          shadow, background: rgb(bg), tag: name};
}"""


def test_focus_is_visible_with_3_to_1_on_every_background(demo_office, live_server, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    _log_in(page, live_server, "reviewer")
    weak = []
    for path in ("/console/queue", "/console/cases", "/console/licences"):
        page.goto(f"{live_server}{path}")
        for _ in range(25):  # the header (dark), the page (grey), cards (white), buttons
            page.keyboard.press("Tab")
            ring = page.evaluate(f"({FOCUS_STYLE})(document.activeElement)")
            colours = [ring["outline"]] + ([ring["shadow"]] if ring["shadow"] else [])
            best = max(_contrast(tuple(c), tuple(ring["background"])) for c in colours)
            if ring["width"] < 2 or best < 3:
                weak.append((path, ring["tag"], round(best, 2)))
    assert not weak, weak


def test_no_page_scrolls_sideways_at_320_px(demo_office, live_server, browser):
    """400 % zoom of a 1280 px window is a 320 CSS px viewport (WCAG 1.4.10 Reflow)."""
    wide = []
    for username in ("reviewer", "dispatcher", "admin", "clerk"):
        context = browser.new_context(viewport={"width": 320, "height": 640})
        page = context.new_page()
        _log_in(page, live_server, username)
        for path in _crawl(page, live_server):
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            if overflow > 1:
                wide.append((username, path, overflow))
            if username == "reviewer" and re.fullmatch(r"/console/(cases/\d+|licences/\d+)", path):
                SHOTS.mkdir(parents=True, exist_ok=True)
                name = path.strip("/").split("/")[1]
                page.screenshot(path=SHOTS / f"reflow-320px-{name}.png", full_page=True)
        context.close()
    assert not wide, wide


def test_text_follows_a_24_px_browser_default(demo_office, live_server, tmp_path):
    profile = tmp_path / "profile" / "Default"
    profile.mkdir(parents=True)
    prefs = {"webkit": {"webprefs": {"default_font_size": 24}}}
    (profile / "Preferences").write_text(json.dumps(prefs))
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        page = context.new_page()
        page.goto(f"{live_server}/console/login")
        console_px = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
        page.goto(f"{live_server}/api/v1/verify/NOPE?code=WRONG1")
        verify_px = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
        context.close()
    assert console_px == pytest.approx(24 * 0.9375) and verify_px == pytest.approx(24)


def test_an_action_by_keyboard_alone_focuses_its_error_after_a_failed_submit(
    demo_office, live_server, browser
):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    _log_in(page, live_server, "approver")
    page.goto(f"{live_server}/console/queue")
    page.locator("a[href^='/console/cases/']").first.click()
    page.get_by_role("link", name="跳到办理").focus()
    page.keyboard.press("Enter")
    form = page.locator("form.action").filter(has=page.locator("textarea[name=comment]")).first
    action = form.locator("[name=action]").input_value()
    textarea = form.locator("textarea[name=comment]")
    textarea.evaluate("t => t.removeAttribute('required')")  # let the server judge it
    textarea.focus()
    page.keyboard.type(" ")
    page.keyboard.press("Shift+Tab")  # back into the form, then forward to its button
    while page.evaluate("document.activeElement.type") != "submit":
        page.keyboard.press("Tab")
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_function("document.activeElement !== document.body")
    focused = page.evaluate(
        "({id: document.activeElement.id, role: document.activeElement.getAttribute('role')})"
    )
    assert focused == {"id": f"err-{action}", "role": "alert"}
    failed = page.locator(f"#act-{action}")
    summary_box = page.locator(f"#err-{action}").bounding_box()
    form_box = failed.bounding_box()
    assert form_box["y"] <= summary_box["y"] <= form_box["y"] + 200  # the error is at the form
    assert failed.locator("[aria-invalid=true]").count() >= 1
    described = failed.locator("[aria-invalid=true]").first.get_attribute("aria-describedby")
    assert described == f"err-{action}"


def test_the_idle_warning_appears_and_continue_keeps_the_session(
    app, demo_office, live_server, browser
):
    app.config["CONSOLE_IDLE_TIMEOUT"] = timedelta(seconds=6)
    app.config["CONSOLE_IDLE_WARNING"] = timedelta(seconds=5)
    page = browser.new_page()
    _log_in(page, live_server, "reviewer")
    page.goto(f"{live_server}/console/cases")
    dialog = page.locator("#session-warning")
    dialog.wait_for(state="visible", timeout=5_000)
    assert "即将自动退出" in dialog.inner_text()
    with page.expect_response(re.compile(r"/console/session/keepalive")) as kept:
        page.get_by_role("button", name="继续办理").click()
    assert kept.value.status == 204
    dialog.wait_for(state="hidden", timeout=3_000)
    page.goto(f"{live_server}/console/cases")
    assert page.url.endswith("/console/cases")  # still logged in


def test_elder_mode_is_remembered_by_the_browser(demo_office, live_server, browser):
    page = browser.new_page()
    _log_in(page, live_server, "reviewer")
    page.get_by_role("button", name="长辈模式").click()
    page.goto(f"{live_server}/console/licences")
    assert page.evaluate("document.documentElement.classList.contains('elder')")
    assert page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)") == 20
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / "console-elder-mode.png", full_page=True)
    page.goto(f"{live_server}/api/v1/verify/NOPE?code=WRONG1")
    assert page.evaluate("document.documentElement.classList.contains('elder')")
