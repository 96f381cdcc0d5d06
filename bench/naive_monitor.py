"""The anchor: a monitor written the way synthetic-monitoring tutorials write it. Not a test.

    .venv/bin/python bench/naive_monitor.py [--per-profile 9] [--educonnect-per-profile 2]
        [--latency 0] [--urls-file F]

For every account: a new browser (Playwright's sync API, Debian's headless shell), `goto`
the ENT and wait for `networkidle`, the WAYF choice, the login form (`#username`,
`#password`, the lab's Kosmos markup in `lab/templates/cas/`), click, `networkidle`,
click the "Pronote" shortcut, `networkidle` on the new page, read PRONOTE's banner
`.ObjetBandeauEspace .ibe_util_texte`, close the browser. ÉduConnect accounts are
driven the same naive way (WAYF "Élève ou parent", profile button, login form).
No evidence, no diagnosis: an account passes when the banner names the space.

It starts its own lab (cold, like `pytest e2e/`) unless `--urls-file` names a running
one. It prints one line per account and a summary; exit code 1 if any account failed,
since a naive monitor that fails is no anchor.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import sys
import time
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
# What `p.chromium.launch()` runs with Playwright's own download: the headless shell (Debian's
# package of it here, where Playwright cannot download one), the same browser as ours.
CHROMIUM = next(
    (
        c
        for c in ("/usr/lib/chromium/chromium-headless-shell", "/usr/bin/chromium")
        if Path(c).exists()
    ),
    "/usr/bin/chromium",
)
TIMEOUT_MS = 30_000


def check_account(pw, ent_url: str, account: dict) -> str:
    """One account, the tutorial way; returns the banner text (raises on any failure)."""
    browser = pw.chromium.launch(executable_path=CHROMIUM)
    try:
        page = browser.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(ent_url, wait_until="networkidle")
        if account.get("route") == "educonnect":
            page.click("button.js-wayftoggle")  # "Élève ou parent"
            page.click("#idp-EDU_parent_eleve")
            page.click("#button-submit")
            page.wait_for_load_state("networkidle")
            page.click(f"#bouton_{account.get('educonnect_profile') or 'eleve'}")
            page.fill("#username", account["login"])
            page.fill("#password", account["password"])
            page.click("#bouton_valider")
        else:
            page.click("#idp-ATS_parent_eleve")  # "Compte ENT (personnels, invités)"
            page.click("#button-submit")
            page.wait_for_load_state("networkidle")
            page.fill("#username", account["login"])
            page.fill("#password", account["password"])
            page.click("#button-submit")
        page.wait_for_load_state("networkidle")
        pronote = open_shortcut(page)
        pronote.wait_for_load_state("networkidle")
        banner = pronote.locator(".ObjetBandeauEspace .ibe_util_texte").inner_text()
        if not banner.startswith("Espace"):
            raise AssertionError(f"unexpected banner: {banner!r}")
        return banner
    finally:
        browser.close()


def open_shortcut(page: Page) -> Page:
    """Click the "Pronote" shortcut; the lab's portal opens it in a new tab."""
    link = page.get_by_role("link", name="Pronote")
    if link.get_attribute("target") == "_blank":
        with page.context.expect_page() as new:
            link.click()
        return new.value
    link.click()
    return page


def run(info: dict, *, limit: int | None = None, out=sys.stdout) -> dict:
    accounts = info["accounts"][:limit] if limit else info["accounts"]
    durations, failures = [], []
    began = time.perf_counter()
    with sync_playwright() as pw:
        for account in accounts:
            start = time.perf_counter()
            try:
                banner = check_account(pw, info["ent"], account)
            except Exception as exc:  # a monitor reports, it does not stop
                first = (str(exc).splitlines() or [type(exc).__name__])[0]
                failures.append(account["login"])
                print(f"FAIL {account['login']:<24} {first}", file=out)
            else:
                print(f"OK   {account['login']:<24} {banner}", file=out)
            durations.append(time.perf_counter() - start)
    wall = time.perf_counter() - began
    routes = [a.get("route", "local") for a in accounts]
    return {
        "accounts": len(accounts),
        "local": routes.count("local"),
        "educonnect": routes.count("educonnect"),
        "passed": len(accounts) - len(failures),
        "failed": failures,
        "seconds": round(wall, 2),
        "median_account_s": round(statistics.median(durations), 3) if durations else None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-profile", type=int, default=9, help="lab accounts per profile")
    parser.add_argument(
        "--educonnect-per-profile",
        type=int,
        default=2,
        help="lab ÉduConnect accounts per élève and parent profile",
    )
    parser.add_argument("--latency", type=float, default=0.0, help="lab latency per hop, s")
    parser.add_argument("--urls-file", type=Path, help="a running lab's --urls-file JSON")
    parser.add_argument("--limit", type=int, help="check only the first N accounts")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON last")
    args = parser.parse_args(argv)

    began = time.perf_counter()
    with contextlib.ExitStack() as stack:
        if args.urls_file:
            info = json.loads(args.urls_file.read_text(encoding="utf-8"))
        else:
            sys.path.insert(0, str(ROOT))
            from lab.client import running_lab

            info = stack.enter_context(
                running_lab(
                    per_profile=args.per_profile,
                    educonnect_per_profile=args.educonnect_per_profile,
                    latency=args.latency,
                )
            ).info
        summary = run(info, limit=args.limit)
    summary["total_s"] = round(time.perf_counter() - began, 2)
    print(
        f"naive monitor: {summary['passed']}/{summary['accounts']} passed "
        f"({summary['local']} local, {summary['educonnect']} ÉduConnect), "
        f"{summary['seconds']} s for the accounts, {summary['total_s']} s with the lab start"
    )
    if args.json:
        print(json.dumps(summary))
    return 0 if not summary["failed"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
