#!/usr/bin/env python3
"""Browser checks of the running Zhili server, as a person would use it.

Drives Debian's chromium through Playwright (never a downloaded browser),
signs in as the demo admin, visits the main pages and takes screenshots.
A check fails on an HTTP status >= 400, a missing element, or any JS console
error / uncaught page error. Prints one line per check and, last,
"N passed, N failed". Exit code 1 on any failure.

usage: e2e_browser.py --base-url http://127.0.0.1:18080 [--out out/e2e]
"""

import argparse
import json
import time
import os
import urllib.request
import shutil
import sys
import traceback

from playwright.sync_api import sync_playwright

DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
# Every role's pages are opened at these sizes: a phone, a tablet, the office laptop, a big screen.
SIZES = [(390, 844), (768, 1024), (1366, 768), (1920, 1080)]
ROLE_USERS = ["admin", "city", "street", "community", "grid001", "civil", "resident", "volunteer", "merchant", "cobuild"]
USERNAME = os.environ.get("ZHILI_E2E_USER", "admin")
PASSWORD = os.environ.get("ZHILI_E2E_PASSWORD", "Demo@2026")
NAV_TIMEOUT_MS = 30_000
MAP_TIMEOUT_MS = 20_000


class CheckFailed(Exception):
    pass


class Runner:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def run(self, name, page_errors, fn):
        """Run one check; console/page errors raised meanwhile fail it too."""
        page_errors.clear()
        try:
            fn()
            if page_errors:
                raise CheckFailed("JS errors: " + " | ".join(page_errors[:5]))
        except CheckFailed as e:
            self.failed += 1
            print(f"FAIL {name}: {e}", flush=True)
            return False
        except Exception as e:  # Playwright timeouts and the like
            self.failed += 1
            msg = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            print(f"FAIL {name}: {type(e).__name__}: {msg}", flush=True)
            if os.environ.get("ZHILI_E2E_DEBUG"):
                traceback.print_exc()
            return False
        self.passed += 1
        print(f"PASS {name}", flush=True)
        return True


def new_page(browser, viewport, errors, **context_opts):
    context = browser.new_context(viewport=viewport, locale="zh-CN", **context_opts)
    page = context.new_page()
    page.set_default_timeout(NAV_TIMEOUT_MS)
    def on_console(m):
        if m.type == "error":
            # "Failed to load resource" names no URL in its text; the location does.
            where = (m.location or {}).get("url") or ""
            errors.append(f"console: {m.text}" + (f" [{where}]" if where else ""))

    page.on("console", on_console)
    page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    return page


def expect_ok(response, what):
    if response is None:
        raise CheckFailed(f"{what}: no HTTP response")
    if response.status >= 400:
        raise CheckFailed(f"{what}: HTTP {response.status}")


def write_png(path, width, height):
    """A small gradient PNG for the upload check, written with the standard library."""
    import struct
    import zlib
    rows = b"".join(b"\x00" + b"".join(bytes((x * 255 // width, y * 255 // height, 140)) for x in range(width))
                    for y in range(height))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def path_of(url):
    from urllib.parse import urlsplit

    return urlsplit(url).path or "/"


def visit(page, base, path):
    """Opens a page and checks it is the page asked for: a 2xx/3xx answer and no redirect
    elsewhere (a lapsed session lands on /login, which would otherwise pass)."""
    expect_ok(page.goto(f"{base}{path}", wait_until="load"), f"GET {path}")
    if path_of(page.url) != path_of(base + path):
        raise CheckFailed(f"GET {path} ended on {page.url}")


def expect_rows(page, selector, at_least, what):
    n = page.locator(selector).count()
    if n < at_least:
        raise CheckFailed(f"{what}: {n} rows ({selector}), expected at least {at_least}")


def expect_text(page, selector, text, what):
    found = page.inner_text(selector)
    if text not in found:
        raise CheckFailed(f"{what}: {selector} does not say {text!r} (it says {found[:80]!r})")


def api(base, method, path, body=None, token=None):
    """One JSON API call (for steps another person takes while the browser watches)."""
    req = urllib.request.Request(base + path, method=method,
                                 data=None if body is None else json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json",
                                          **({"Authorization": f"Bearer {token}"} if token else {})})
    with urllib.request.urlopen(req, timeout=15) as res:
        return json.loads(res.read() or b"null")


def device_post(base, key, path, body):
    """A device sending with its own key (X-Device-Key), as a real SOS button does."""
    req = urllib.request.Request(base + path, method="POST", data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json", "X-Device-Key": key})
    with urllib.request.urlopen(req, timeout=15) as res:
        return json.loads(res.read() or b"null")


def slug(path):
    s = path.strip("/").replace("/", "-").replace("?", "-").replace("=", "-").replace("&", "-")
    return s or "home"


def walk_roles(browser, base, out, r):
    """Every demo role signs in; each page of its navigation is opened at every size in SIZES.
    A page fails if it scrolls sideways (wider than the window), answers >= 400, redirects
    or logs a script error. Screenshots: out/roles/<user>/<page>-<width>.png."""
    for user in ROLE_USERS:
        errors = []
        context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
        page = context.new_page()
        page.set_default_timeout(NAV_TIMEOUT_MS)
        page.on("console", lambda m, errors=errors: errors.append(f"console: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e, errors=errors: errors.append(f"pageerror: {e}"))
        folder = f"{out}/roles/{user}"
        os.makedirs(folder, exist_ok=True)
        pages = []

        def sign_in():
            visit(page, base, "/login")
            page.fill('input[name="username"]', user)
            page.fill('input[name="password"]', PASSWORD)
            with page.expect_navigation(wait_until="load"):
                page.click("button[type=submit]")
            if path_of(page.url) != "/":
                raise CheckFailed(f"{user} landed on {page.url}")
            links = page.evaluate("() => Array.from(document.querySelectorAll('.sidenav a')).map(a => a.getAttribute('href'))")
            # The dashboard's to-do lines open filtered lists: check those too.
            links += page.evaluate("() => Array.from(document.querySelectorAll('.todo a.stat')).map(a => a.getAttribute('href'))")
            seen = set()
            for href in links:
                if href and href.startswith("/") and href not in seen:
                    seen.add(href)
                    pages.append(href)
            if not pages:
                raise CheckFailed(f"{user} has no navigation")

        if not r.run(f"{user}: signs in and has a navigation", errors, sign_in):
            context.close()
            continue

        def check_sizes():
            problems = []
            for width, height in SIZES:
                page.set_viewport_size({"width": width, "height": height})
                for href in pages:
                    visit(page, base, href.split("#")[0])
                    page.wait_for_timeout(120)
                    wide = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
                    if wide > 1:
                        problems.append(f"{href} at {width}px scrolls sideways by {wide}px")
                    full = width in (390, 1366)
                    page.screenshot(path=f"{folder}/{slug(href)}-{width}.png", full_page=full)
                if width == 390:
                    # On a phone the navigation is the bottom tab bar, and it is there.
                    if not page.is_visible(".tabbar"):
                        problems.append("no tab bar on a phone")
            if problems:
                raise CheckFailed("; ".join(problems[:6]))

        r.run(f"{user}: {len(pages)} pages at {', '.join(str(w) for w, _ in SIZES)} px, none scrolls sideways",
              errors, check_sizes)
        context.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base-url", required=True)
    ap.add_argument("--out", default="out/e2e")
    args = ap.parse_args()
    base = args.base_url.rstrip("/")
    out = args.out
    os.makedirs(out, exist_ok=True)

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        print("FAIL setup: Debian's chromium is not installed (run scripts/setup-deps.sh)")
        print("0 passed, 1 failed")
        return 1

    r = Runner()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        try:
            errors = []
            page = new_page(browser, DESKTOP, errors)

            def login_page():
                expect_ok(page.goto(f"{base}/login", wait_until="load"), "GET /login")
                for sel in ('input[name="username"]', 'input[name="password"]', "button[type=submit]"):
                    if page.query_selector(sel) is None:
                        raise CheckFailed(f"missing {sel}")
                page.screenshot(path=f"{out}/login.png")

            def sign_in():
                if page.query_selector('input[name="username"]') is None:
                    expect_ok(page.goto(f"{base}/login", wait_until="load"), "GET /login")
                page.fill('input[name="username"]', USERNAME)
                page.fill('input[name="password"]', PASSWORD)
                with page.expect_navigation(wait_until="load") as nav:
                    page.click("button[type=submit]")
                expect_ok(nav.value, "sign-in")
                if path_of(page.url) != "/":
                    raise CheckFailed(f"expected to land on /, got {page.url}")
                page.wait_for_selector("nav", state="attached")
                page.screenshot(path=f"{out}/home.png", full_page=True)

            def map_page():
                expect_ok(page.goto(f"{base}/map", wait_until="load"), "GET /map")
                page.wait_for_selector(".leaflet-interactive", state="attached", timeout=MAP_TIMEOUT_MS)
                page.wait_for_timeout(500)  # let tiles/labels settle before the picture
                page.screenshot(path=f"{out}/map.png")

            def hierarchy_page():
                visit(page, base, "/hierarchy")
                expect_text(page, "h1", "网格层级", "hierarchy page")
                # The administrator's roots: the demo city with its counts.
                expect_rows(page, "table.data tbody tr a", 1, "hierarchy roots")
                page.screenshot(path=f"{out}/hierarchy.png", full_page=True)

            def registry_pages():
                # Search finds people (initials), a result opens the profile; the care list,
                # review inbox and import page render.
                expect_ok(page.goto(f"{base}/residents?q=z", wait_until="load"), "GET /residents?q=z")
                page.wait_for_selector("table.data a", timeout=10000)
                page.screenshot(path=f"{out}/residents.png")
                href = page.get_attribute("table.data a", "href")
                expect_ok(page.goto(f"{base}{href}", wait_until="load"), f"GET {href}")
                page.wait_for_selector("h1", timeout=10000)
                page.screenshot(path=f"{out}/profile.png", full_page=True)
                # The demo city has visits due: the care list has people in it.
                visit(page, base, "/care")
                expect_text(page, "h1", "待走访", "care page")
                expect_rows(page, "table.data tbody tr a[href^='/residents/']", 1, "visits due")
                page.screenshot(path=f"{out}/care.png")
                # A grid worker changes a name: the change waits for review, and shows here.
                grid = api(base, "POST", "/api/v1/auth/token", {"username": "grid001", "password": PASSWORD})["token"]
                someone = api(base, "GET", "/api/v1/residents/search?q=z&limit=1", token=grid)["items"][0]
                api(base, "PATCH", f"/api/v1/residents/{someone['id']}", {"name": someone["name"] + "测"}, token=grid)
                visit(page, base, "/reviews?status=pending")
                expect_text(page, "h1", "信息审核", "reviews page")
                expect_rows(page, ".card.review form[action$='/approve']", 1, "pending reviews")
                page.screenshot(path=f"{out}/reviews.png")
                visit(page, base, "/exchange")
                expect_text(page, "h1", "导入导出", "exchange page")
                expect_rows(page, "input[type=file]", 1, "import form")
                page.screenshot(path=f"{out}/exchange.png")

            def complaint_pages():
                expect_ok(page.goto(f"{base}/complaints?tab=closed", wait_until="load"), "GET /complaints")
                page.wait_for_selector("table.data a", timeout=10000)
                page.screenshot(path=f"{out}/complaints.png")
                href = page.get_attribute("table.data a", "href")
                expect_ok(page.goto(f"{base}{href}", wait_until="load"), f"GET {href}")
                page.wait_for_selector("ol.timeline li", timeout=10000)
                # The small map: the complaint's grid drawn and its marker on it.
                page.wait_for_selector("#complaint-spot path.leaflet-interactive", timeout=MAP_TIMEOUT_MS)
                page.wait_for_timeout(300)
                page.screenshot(path=f"{out}/complaint.png", full_page=True)
                expect_ok(page.goto(f"{base}/tell", wait_until="load"), "GET /tell")
                page.wait_for_selector(".leaflet-interactive", timeout=20000)
                page.screenshot(path=f"{out}/tell.png", full_page=True)

            def complaint_insights():
                expect_ok(page.goto(f"{base}/complaints/stats", wait_until="load"), "GET /complaints/stats")
                page.wait_for_selector("svg.chart rect.bar", timeout=10000)
                if page.locator("table.data tr").count() < 3:
                    raise AssertionError("statistics page shows no ranking rows")
                page.screenshot(path=f"{out}/complaint-stats.png", full_page=True)
                expect_ok(page.goto(f"{base}/complaints/map", wait_until="load"), "GET /complaints/map")
                page.wait_for_selector("#map-info:not(:empty)", timeout=20000)
                info = page.inner_text("#map-info")
                if "失败" in info or "failed" in info.lower():
                    raise AssertionError(f"map data did not load: {info}")
                page.screenshot(path=f"{out}/complaint-map.png")
                expect_ok(page.goto(f"{base}/complaints/categories/property.elevator", wait_until="load"), "GET category form")
                page.wait_for_selector("textarea[name=questions]", timeout=10000)
                page.screenshot(path=f"{out}/category-form.png", full_page=True)
                expect_ok(page.goto(f"{base}/admin/integrations", wait_until="load"), "GET /admin/integrations")
                page.wait_for_selector("table.data tr", timeout=10000)
                page.screenshot(path=f"{out}/integrations.png")

            def no_badge():
                # The administrator has no messages: the badge is in the page but not shown.
                expect_ok(page.goto(f"{base}/residents", wait_until="load"), "GET /residents")
                page.wait_for_function("() => { const b = document.querySelector('.sidenav .badge'); return b && b.textContent === '0'; }", timeout=5000)
                if page.is_visible(".sidenav .badge"):
                    raise AssertionError("a badge reading 0 is shown")

            r.run("login page renders (1366x768)", errors, login_page)
            signed_in = r.run(f"sign in as {USERNAME} lands on dashboard /", errors, sign_in)
            if signed_in:
                r.run("map draws grid polygons (.leaflet-interactive)", errors, map_page)
                r.run("hierarchy page renders", errors, hierarchy_page)
                r.run("registry pages: search, profile, care, reviews, import", errors, registry_pages)
                r.run("complaint pages: inbox, a complaint with its timeline, 有事您说", errors, complaint_pages)
                r.run("complaint statistics, map, category form and integrations", errors, complaint_insights)
                r.run("no unread badge when there is nothing unread", errors, no_badge)
            else:
                # Without a session these pages would only redirect to /login.
                for name in ("map draws grid polygons (.leaflet-interactive)", "hierarchy page renders",
                             "registry pages: search, profile, care, reviews, import",
                             "complaint pages: inbox, a complaint with its timeline, 有事您说",
                             "complaint statistics, map, category form and integrations",
                             "no unread badge when there is nothing unread"):
                    r.failed += 1
                    print(f"FAIL {name}: skipped, sign-in failed", flush=True)
            page.context.close()

            phone_errors = []
            phone = new_page(browser, PHONE, phone_errors, is_mobile=True, has_touch=True, device_scale_factor=2)

            def login_phone():
                visit(phone, base, "/login")
                expect_rows(phone, "input[name=username]", 1, "sign-in form")
                expect_rows(phone, "input[name=password]", 1, "sign-in form")
                # The form fits the phone: nothing wider than the screen.
                width = phone.evaluate("() => document.documentElement.scrollWidth")
                if width > PHONE["width"]:
                    raise CheckFailed(f"sign-in page is {width} px wide on a {PHONE['width']} px phone")
                phone.screenshot(path=f"{out}/login-phone.png", full_page=True)

            def snap_on_phone():
                # A resident reports with a photo: 随手拍, location by a tap on the map.
                photo = f"{out}/e2e-photo.png"
                write_png(photo, 480, 320)
                phone.goto(f"{base}/login", wait_until="load")
                phone.fill("input[name=username]", "resident")
                phone.fill("input[name=password]", PASSWORD)
                phone.click("button[type=submit]")
                phone.wait_for_url(lambda u: path_of(u) == "/", timeout=15000)
                expect_ok(phone.goto(f"{base}/tell?mode=snap", wait_until="load"), "GET /tell?mode=snap")
                phone.set_input_files("#photos", photo)
                phone.wait_for_selector("#photo-previews img", timeout=5000)
                # Nothing is chosen for the resident: they pick the category themselves.
                if phone.input_value("#category"):
                    raise AssertionError("a category was chosen before the resident chose one")
                phone.select_option("#category", index=1)
                phone.fill("textarea[name=text]", "小区门口井盖破损，见照片（浏览器检查）")
                phone.wait_for_selector(".leaflet-interactive", timeout=20000)
                box = phone.locator("#tell-map").bounding_box()
                phone.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
                if not phone.input_value("#lat"):
                    raise AssertionError("tapping the map did not set a location")
                phone.screenshot(path=f"{out}/snap-phone.png", full_page=True)
                phone.click("form.tell-form button[type=submit]")
                phone.wait_for_url(lambda u: path_of(u).startswith("/complaints/"), timeout=20000)
                phone.wait_for_selector("img.thumb", timeout=10000)
                ok = phone.evaluate("Array.from(document.querySelectorAll('img.thumb')).every(i => i.complete && i.naturalWidth > 0)")
                if not ok:
                    raise AssertionError("the photo thumbnail did not load")
                phone.screenshot(path=f"{out}/snap-result-phone.png", full_page=True)
                snapped["id"] = path_of(phone.url).split("/")[-1]

            snapped = {}

            def messages_on_phone():
                # Community staff accept it through the API; the resident's phone shows the message.
                if "id" not in snapped:
                    raise AssertionError("no complaint from the previous check")
                token = api(base, "POST", "/api/v1/auth/token", {"username": "community", "password": PASSWORD})["token"]
                api(base, "POST", f"/api/v1/complaints/{snapped['id']}/actions", {"action": "accept"}, token)
                expect_ok(phone.goto(f"{base}/notifications", wait_until="load"), "GET /notifications")
                phone.wait_for_selector("li.message.unread", timeout=5000)
                if "诉求已受理" not in phone.inner_text("ul.messages"):
                    raise AssertionError("the acceptance message is not listed")
                phone.wait_for_selector(".tabbar .badge:not([hidden])", timeout=5000)
                phone.screenshot(path=f"{out}/notifications-phone.png", full_page=True)
                phone.click("li.message.unread button.message-open")
                phone.wait_for_url(lambda u: path_of(u) == f"/complaints/{snapped['id']}", timeout=10000)

            r.run("login page renders on a phone (390x844)", phone_errors, login_phone)
            r.run("随手拍 on a phone: photo, map tap, submit, thumbnail shown", phone_errors, snap_on_phone)
            r.run("消息 on a phone: the acceptance arrives, unread badge, opens the complaint", phone_errors, messages_on_phone)
            phone.context.close()

            # The grid worker's phone holds the alarm console open; an SOS button in the grid
            # (registered by community staff a moment before) is pressed; its row must appear
            # by the live push, without reloading, within a few seconds.
            alarm_errors = []
            grid = new_page(browser, PHONE, alarm_errors, is_mobile=True, has_touch=True, device_scale_factor=2)
            pressed = {}

            def alarm_console_live():
                visit(grid, base, "/login")
                grid.fill('input[name="username"]', "grid001")
                grid.fill('input[name="password"]', PASSWORD)
                with grid.expect_navigation(wait_until="load"):
                    grid.click("button[type=submit]")
                visit(grid, base, "/alarms")
                grid.wait_for_selector("#live-state.on", timeout=10000)
                staff = api(base, "POST", "/api/v1/auth/token", {"username": "community", "password": PASSWORD})["token"]
                me = api(base, "GET", "/api/v1/me", None,
                         api(base, "POST", "/api/v1/auth/token", {"username": "grid001", "password": PASSWORD})["token"])
                node = me.get("nodeCode") or me.get("node_code")
                code = f"E2E-SOS-{int(time.time())}"
                issued = api(base, "POST", "/api/v1/devices",
                             {"code": code, "kind": "sos", "name": "浏览器检查报警按钮", "nodeCode": node, "place": "测试楼栋"}, staff)
                started = time.time()
                receipt = device_post(base, issued["key"], "/api/v1/ingest/events", {"id": code + "-1", "kind": "sos"})
                alarm = receipt["alarms"][0]
                pressed["id"] = alarm
                grid.wait_for_selector(f'#open-alarms tr a[href="/alarms/{alarm}"]', timeout=5000)
                pressed["seconds"] = time.time() - started
                # The figures follow the list: the new SOS is critical and waits for an answer.
                if grid.inner_text(".alarm-stats .stat:nth-child(2) .figure").strip() == "0":
                    raise AssertionError("the critical count did not follow the new alarm")
                grid.wait_for_timeout(300)
                grid.screenshot(path=f"{out}/alarms-phone.png", full_page=True)

            def alarm_detail():
                if "id" not in pressed:
                    raise AssertionError("no alarm from the previous check")
                visit(grid, base, f"/alarms/{pressed['id']}")
                expect_rows(grid, "form.alarm-action", 2, "alarm actions")
                grid.click('form.alarm-action button.primary')
                grid.wait_for_load_state("load")
                expect_text(grid, ".page-head", "已响应", "acknowledged alarm")
                grid.screenshot(path=f"{out}/alarm-detail-phone.png", full_page=True)
                grid.set_viewport_size(DESKTOP)
                visit(grid, base, "/devices")
                expect_rows(grid, "table.data tbody tr", 1, "device registry")
                grid.screenshot(path=f"{out}/devices.png", full_page=True)
                grid.set_viewport_size({"width": 1920, "height": 1080})
                visit(grid, base, "/alarms")
                grid.screenshot(path=f"{out}/alarms-1920.png")
                grid.set_viewport_size(PHONE)
                visit(grid, base, "/alarm-figures")
                expect_text(grid, "h1", "告警统计", "alarm figures")
                expect_rows(grid, ".stats .stat", 5, "alarm figures' cards")
                grid.screenshot(path=f"{out}/alarm-figures-phone.png", full_page=True)

            r.run("告警中心 on a phone: an SOS pressed now appears by the live push", alarm_errors, alarm_console_live)
            r.run("告警详情: acknowledged on a phone; the device registry; the figures", alarm_errors, alarm_detail)
            if "seconds" in pressed:
                print(f"  SOS to the grid worker's screen: {pressed['seconds'] * 1000:.0f} ms (browser, loopback)", flush=True)
            grid.context.close()
            walk_roles(browser, base, out, r)
        finally:
            browser.close()

    print(f"{r.passed} passed, {r.failed} failed", flush=True)
    return 0 if r.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
