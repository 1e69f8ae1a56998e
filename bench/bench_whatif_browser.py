"""What-if as the analyst feels it: a slider move to updated numbers in real headless Chromium (not a test).

Starts ``streamlit run app.py`` on a free port of 127.0.0.1 with ``FBA_HEALTH_DB`` set to ``--db``
(default: a fresh copy of the demo account, loaded with ``fba-health load-sample``), opens the
app and then the What-if page by the sidebar, waits until it is ready (the script idle, the metrics
and the projection chart drawn), then moves the service-level slider and the lead-time slider
``--moves`` times each with the keyboard (one arrow press on the focused thumb, as a keyboard user
does, the same step every time).
Each move is timed inside the page, from just before the key press until the metric tiles' text has
changed and Streamlit says the script is no longer running (``data-test-script-state`` of
``stApp`` back to ``notRunning``, the status widget gone): what the analyst sees as "done".

Prints the median and p90 per slider, the median CPU time the server and the browser (Chromium and
Playwright's driver) used per move (the machine may be shared: wall time under load grows, CPU time
much less; the 1-minute load average is printed too), and a JSON summary on the last line.

    .venv/bin/python bench/bench_whatif_browser.py [--db PATH] [--moves 15] [--warmup 2] [--profile DIR]

Needs Debian's chromium at /usr/bin/chromium and Playwright's Python package (never downloads a
browser). The goal (issue 14): <= 250 ms on the demo, <= 500 ms on the 10,000-SKU account.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.served_app import CHROMIUM, CHROMIUM_ARGS, IDLE, STREAMLIT, ServerDidNotStart, serve  # noqa: E402

SLIDERS = {"service level": "Service level, every SKU", "lead time": "Lead-time shift"}
TOGGLE = "One service level for every SKU"  # the toggle the slider needed before issue 14

# The numbers the analyst reads: every metric tile's value and delta, as one string (textContent: no
# layout forced).
METRICS_TEXT = """() => Array.from(document.querySelectorAll("[data-testid='stMetric']"))
    .map(m => m.textContent).join(" | ")"""
# Arms a watcher, then starts the clock: window.__done resolves with the ms from the start until the
# numbers differ from `before` and the script is idle. A MutationObserver checks after each batch of
# changes to the page, so watching costs the browser next to nothing between them.
ARM = """([before, timeoutMs]) => {
    const done = () => {
        const app = document.querySelector("[data-testid='stApp']");
        if (!app || app.getAttribute("data-test-script-state") !== "notRunning") return false;
        if (document.querySelector("[data-testid='stStatusWidgetRunningIcon']")) return false;
        return Array.from(document.querySelectorAll("[data-testid='stMetric']"))
            .map(m => m.textContent).join(" | ") !== before;
    };
    window.__done = new Promise(resolve => {
        const observer = new MutationObserver(() => {
            if (done()) { observer.disconnect(); resolve(performance.now() - window.__t0); }
        });
        observer.observe(document.body, {subtree: true, childList: true, characterData: true, attributes: true});
        setTimeout(() => { observer.disconnect(); resolve(-1); }, timeoutMs);
    });
    window.__t0 = performance.now();
}"""


def demo_copy(folder: Path) -> Path:
    """A fresh database holding the demo account, loaded by the command a seller would run."""
    path = folder / "demo.duckdb"
    command = [str(Path(sys.executable).with_name("fba-health")), "load-sample", "--db", str(path)]
    if not Path(command[0]).exists():
        command = [sys.executable, "-m", "core.cli", "load-sample", "--db", str(path)]
    subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
                   env={**os.environ, "PYTHONPATH": str(ROOT)})
    return path


@contextmanager
def streamlit_server(db_path: Path, log_path: Path, profile_dir: Path | None = None):
    """``streamlit run app.py`` on a free port with ``FBA_HEALTH_DB=db_path``; stopped on exit. With
    ``profile_dir``, every script run is profiled there (bench/_profiled_streamlit.py)."""
    env = {**os.environ, "FBA_HEALTH_DB": str(db_path), "FBA_HEALTH_NO_DEMO": "1", "PYTHONPATH": str(ROOT)}
    runner = ([sys.executable, str(ROOT / "bench" / "_profiled_streamlit.py"), str(profile_dir)] if profile_dir
              else STREAMLIT)
    try:
        with serve(env, log_path, runner=runner, timeout=90, extra_args=("--server.address", "127.0.0.1")) as served:
            yield served
    except ServerDidNotStart as error:
        sys.exit(str(error))


def open_whatif(page, url: str, timeout_ms: int) -> float:
    """Open the app, then the What-if page by the sidebar, as a seller does, and wait until it is
    ready; the seconds it took. (Not a deep link: the first session of a fresh server that opens
    /whatif directly gets the page without app.py, as if there were no st.navigation.)"""
    started = time.perf_counter()
    page.goto(url)
    page.wait_for_selector("[data-testid='stSidebarNav'] a", timeout=timeout_ms)
    page.wait_for_selector(IDLE, timeout=timeout_ms)
    page.locator("[data-testid='stSidebarNav'] a", has_text="What-if").click()
    page.get_by_role("heading", name="What-if").wait_for(timeout=timeout_ms)
    page.wait_for_selector("[data-testid='stMetric']", timeout=timeout_ms)
    page.wait_for_selector(".main-svg", timeout=timeout_ms)  # the projection chart
    page.wait_for_selector(IDLE, timeout=timeout_ms)
    return time.perf_counter() - started


def thumb(page, label: str):
    return page.locator("[data-testid='stSlider']", has_text=label).get_by_role("slider")


def cpu_ms(pid: int) -> float:
    """CPU time the process has used so far (user + system, its finished threads included), in ms."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def memory_mib(pid: int) -> tuple[float, float]:
    """The process's resident memory now and at its peak (VmRSS, VmHWM), in MiB."""
    status = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return tuple(int(status[k].split()[0]) / 1024 for k in ("VmRSS", "VmHWM"))


def browser_pids(server_pid: int) -> list[int]:
    """This process's descendants but the server: Playwright's driver and Chromium's processes."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError):
            pass
    found, frontier = [], [os.getpid()]
    while frontier:
        children = [pid for pid, parent in parents.items() if parent in frontier and pid != server_pid]
        found += children
        frontier = children
    return found


def cpu_sum(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        try:
            total += cpu_ms(pid)
        except OSError:  # gone meanwhile
            pass
    return total


def one_move(page, label: str, key: str, timeout_ms: int, server_pid: int) -> tuple[float, float, float]:
    """Press ``key`` on the slider's focused thumb: (ms until the numbers changed and the script is
    idle, the server's CPU ms meanwhile, the browser's CPU ms meanwhile)."""
    slider = thumb(page, label)
    slider.focus()
    before = page.evaluate(METRICS_TEXT)
    browser = browser_pids(server_pid)
    cpu, browser_cpu = cpu_ms(server_pid), cpu_sum(browser)
    page.evaluate(ARM, [before, timeout_ms])
    page.keyboard.press(key)
    elapsed = float(page.evaluate("() => window.__done"))
    if elapsed < 0:
        sys.exit(f"the numbers did not change within {timeout_ms / 1000:.0f} s of a {key} on {label!r}")
    return elapsed, cpu_ms(server_pid) - cpu, cpu_sum(browser) - browser_cpu


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (p90 of 15 moves is the 14th smallest)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="the account database (default: a fresh copy of the demo)")
    parser.add_argument("--moves", type=int, default=15, help="timed moves per slider")
    parser.add_argument("--warmup", type=int, default=2, help="untimed moves per slider first")
    parser.add_argument("--timeout", type=float, default=600, help="seconds to wait for the page to open")
    parser.add_argument("--profile", type=Path, help="cProfile every script run of the server into this folder "
                                                      "(slower: for finding where the time goes, not for figures)")
    args = parser.parse_args()
    if not CHROMIUM.is_file():
        sys.exit("Chromium is missing at /usr/bin/chromium: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    work = Path(tempfile.mkdtemp(prefix="fba-whatif-bench-"))
    try:
        db_path = args.db.resolve() if args.db else demo_copy(work)
        if not db_path.exists():
            sys.exit(f"{db_path} not found")
        timeout_ms = int(args.timeout * 1000)
        results: dict[str, list[float]] = {}
        cpu: dict[str, list[float]] = {}
        browser_cpu: dict[str, list[float]] = {}
        with streamlit_server(db_path, work / "streamlit.log", args.profile) as (url, pid), \
                sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1440, "height": 1000})
            open_s = open_whatif(page, url, timeout_ms)
            rss_open = memory_mib(pid)[0]
            if not thumb(page, SLIDERS["service level"]).is_enabled():  # the page before issue 14
                page.evaluate(ARM, [page.evaluate(METRICS_TEXT), timeout_ms])
                page.get_by_text(TOGGLE).click()
                page.evaluate("() => window.__done")
            for name, label in SLIDERS.items():
                results[name], cpu[name], browser_cpu[name] = [], [], []
                for n in range(args.warmup + args.moves):
                    elapsed, server_ms, browser_ms = one_move(page, label, "ArrowRight", 60_000, pid)
                    if n >= args.warmup:
                        results[name].append(elapsed)
                        cpu[name].append(server_ms)
                        browser_cpu[name].append(browser_ms)
            rss_end, rss_peak = memory_mib(pid)
            browser.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    load = os.getloadavg()[0]  # the machine is shared: a figure means little without it
    summary = {"db": str(args.db) if args.db else "demo (fresh copy)", "cores": os.cpu_count(),
               "load_1min": round(load, 1),
               "first_open_s": round(open_s, 2), "moves": args.moves,
               "server_rss_mib": {"page_open": round(rss_open), "after_moves": round(rss_end), "peak": round(rss_peak)},
               **{f"{name.replace(' ', '_')}_ms": {"median": round(statistics.median(t)),
                                                   "p90": round(percentile(t, 0.9)),
                                                   "min": round(min(t)), "max": round(max(t)),
                                                   "server_cpu_median": round(statistics.median(cpu[name])),
                                                   "browser_cpu_median": round(statistics.median(browser_cpu[name]))}
                  for name, t in results.items()}}
    print(f"\nWhat-if page in Chromium, {summary['db']}; {os.cpu_count()} cores, load {load:.1f}; page ready in {open_s:.1f} s; "
          f"{args.moves} moves per slider after {args.warmup} untimed; server memory {rss_open:,.0f} MiB with the "
          f"page open, {rss_end:,.0f} MiB after the moves (peak {rss_peak:,.0f} MiB)\n")
    print("| Slider | Median | p90 | CPU per move (median): server | browser |")
    print("|---|---|---|---|---|")
    for name, t in results.items():
        print(f"| {name} | {statistics.median(t):.0f} ms | {percentile(t, 0.9):.0f} ms | "
              f"{statistics.median(cpu[name]):.0f} ms | {statistics.median(browser_cpu[name]):.0f} ms |")
    print()
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
