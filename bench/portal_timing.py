"""The member portal in a real browser: how soon it can be used, on loopback.

`make demo` runs in a process of its own (the stand-ins, SQLite, the in-process cache and
the built web apps, as a person starts it), and Debian's Chromium opens the portal once
per visit, each time on a fresh profile (no HTTP cache: a first visit). The browser
measures itself, with the Performance API: a script the page runs before its own notes
`performance.now()` (milliseconds since the navigation started) when the sign-in form is
shown, when it is submitted, and when the dashboard shows the amount due, one frame
after it is in the document (the frame the member sees). Playwright only types and
reads the marks: its own round trips are not in the figures.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from bench.machine import load_average
from bench.processes import free_port, start_child
from bench.results import PortalRun
from bench.stack import GATEWAY_START_TIMEOUT_S, base_environment, gateway_command
from simulators.seed import DEMO_EMAIL, DEMO_PASSWORD

CHROMIUM: Final = Path("/usr/bin/chromium")
# As the browser tests run it: headless, no sandbox (root in CI), nothing fetched from
# outside the machine.
CHROMIUM_ARGS: Final = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEMO_ACCOUNTS: Final = 40
TIMEOUT_MS: Final = 60_000
# Installed before the portal's own scripts run. It marks when the sign-in form is
# shown, when it is submitted, and when the dashboard's amount due is drawn.
MARKS_SCRIPT: Final = """
(() => {
  const marks = (window.__portalMarks = {});
  const note = (name) => { if (!(name in marks)) marks[name] = performance.now(); };
  document.addEventListener("submit", () => note("submitted"), true);
  const look = () => {
    if (!("signInShown" in marks) && document.querySelector("input[name=password]")) {
      note("signInShown");
    }
    if (!("dashboardShown" in marks) && document.querySelector("#due-heading")) {
      requestAnimationFrame(() => note("dashboardShown"));
    }
  };
  new MutationObserver(look).observe(document, { subtree: true, childList: true });
})();
"""


@dataclass(frozen=True, slots=True)
class PortalPlan:
    visits: int = 10

    @classmethod
    def quick(cls) -> PortalPlan:
        return cls(visits=3)


@dataclass(frozen=True, slots=True)
class Visit:
    dom_interactive_ms: float
    sign_in_shown_ms: float
    sign_in_to_dashboard_ms: float


class PortalFailed(RuntimeError):
    """The portal did not come up, or a visit did not reach the dashboard."""


def portal_section(
    *, work_dir: Path, plan: PortalPlan, command: str, say: Callable[[str], None]
) -> PortalRun:
    if not CHROMIUM.is_file():
        raise PortalFailed(f"no Chromium at {CHROMIUM}: run `scripts/system-packages test`")
    date = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    load_start = load_average()
    with ExitStack() as stack:
        url = _start_demo(stack, work_dir)
        say(f"[portal] {plan.visits} first visits to {url}/ in Chromium")
        visits = [_visit(url) for _ in range(plan.visits)]
    return PortalRun(
        date=date,
        command=command,
        visits=plan.visits,
        load_average_start=load_start,
        load_average_end=load_average(),
        dom_interactive_ms=[v.dom_interactive_ms for v in visits],
        sign_in_shown_ms=[v.sign_in_shown_ms for v in visits],
        sign_in_to_dashboard_ms=[v.sign_in_to_dashboard_ms for v in visits],
    )


def _start_demo(stack: ExitStack, work_dir: Path) -> str:
    port = free_port()
    data_dir = work_dir / "portal-demo"
    demo = start_child(
        "portal-demo",
        gateway_command(
            "demo",
            "--port",
            str(port),
            "--accounts",
            str(DEMO_ACCOUNTS),
            "--seed",
            "1",
            "--data-dir",
            str(data_dir),
        ),
        env=base_environment(),
        log_dir=work_dir,
    )
    stack.callback(demo.stop)
    url = f"http://127.0.0.1:{port}"
    demo.wait_for_http(f"{url}/readyz", timeout_s=GATEWAY_START_TIMEOUT_S)
    return url


def _visit(url: str) -> Visit:
    # Imported here: the other sections run without the browser tooling.
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as profile, sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
        )
        try:
            page = context.pages[0] if context.pages else context.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            page.add_init_script(MARKS_SCRIPT)
            page.goto(f"{url}/")
            page.get_by_label("Email").fill(DEMO_EMAIL)
            page.get_by_label("Password").fill(DEMO_PASSWORD)
            page.get_by_label("Password").press("Enter")
            page.wait_for_function("() => 'dashboardShown' in (window.__portalMarks || {})")
            marks: dict[str, float] = page.evaluate("() => window.__portalMarks")
            interactive: float = page.evaluate(
                "() => performance.getEntriesByType('navigation')[0].domInteractive"
            )
        finally:
            context.close()
    if not {"signInShown", "submitted", "dashboardShown"} <= set(marks):
        raise PortalFailed(f"the visit left marks {sorted(marks)}")
    return Visit(
        dom_interactive_ms=interactive,
        sign_in_shown_ms=marks["signInShown"],
        sign_in_to_dashboard_ms=marks["dashboardShown"] - marks["submitted"],
    )
