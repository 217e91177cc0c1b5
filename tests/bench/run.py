"""Run the benchmark suite: ``python -m tests.bench.run [--runs N] [--quick]``.

Starts the scripted server in its own process on 127.0.0.1, runs every
benchmark in a fresh process several times, prints a table of medians with
the targets, and writes the table as JSON (tests/bench/results.json).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server() -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "chatui.demo.server", "--port", str(port), "--pace", "1"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = proc.stdout.readline()  # "chatui scripted server on URL": the server is listening
    return proc, line.strip().rsplit(" ", 1)[-1]


def bench(url: str, name: str, *args: str, timeout: float = 900) -> dict:
    env = {**os.environ, "CHATUI_BENCH_URL": url}
    out = subprocess.run([sys.executable, "-m", "tests.bench.benches", name, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    if out.returncode != 0:
        raise RuntimeError(f"{name} {args} failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def median_of(url: str, runs: int, name: str, *args: str, key: str = "seconds") -> dict:
    results = [bench(url, name, *args) for _ in range(runs)]
    merged = {k: statistics.median(r[k] for r in results) for k in results[0] if isinstance(results[0][k], (int, float)) and not isinstance(results[0][k], bool)}
    merged["runs"] = runs
    return merged


def tmux_start(command: str, env: dict[str, str], needle: str, key: str | None, timeout: float = 30.0) -> tuple[float, float | None]:
    """Seconds from launch until ``needle`` is painted, and until a typed key shows."""
    session = f"chatui-bench-{os.getpid()}-{time.monotonic_ns()}"
    exports = " ".join(f"{k}={v}" for k, v in env.items())
    t0 = time.perf_counter()
    # -u PYTHONDONTWRITEBYTECODE: measure with compiled bytecode, as an installed chatui runs
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "120", "-y", "40", f"env -u PYTHONDONTWRITEBYTECODE {exports} {command}"], check=True)
    try:
        first = None
        deadline = t0 + timeout
        while time.perf_counter() < deadline:
            screen = subprocess.run(["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True).stdout
            if needle in screen:
                first = time.perf_counter() - t0
                break
        if first is None:
            raise RuntimeError(f"'{needle}' never appeared")
        typed = None
        if key:
            subprocess.run(["tmux", "send-keys", "-t", session, "-l", key], check=True)
            while time.perf_counter() < deadline:
                screen = subprocess.run(["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True).stdout
                if key in screen:
                    typed = time.perf_counter() - t0
                    break
        return first, typed
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)


BARE_APP = """from textual.app import App
from textual.widgets import Footer


class Bare(App):
    def compose(self):
        yield Footer()


Bare().run()
"""


def cold_start(url: str, runs: int) -> dict:
    if not shutil.which("tmux"):
        return {"skipped": "tmux not installed"}
    env = {"CHATUI_API_KEY": "bench", "XDG_DATA_HOME": "/tmp/chatui-bench-data", "TERM": "xterm-256color"}
    chatui = f"{sys.executable} -m chatui --base-url {url} --model chatui-demo --no-save"
    bare_file = Path("/tmp/chatui-bench-bare-app.py")
    bare_file.write_text(BARE_APP)
    bare = f"{sys.executable} {bare_file}"
    tmux_start(chatui, env, "palette", None)  # warm the bytecode cache once
    firsts, keys, bares = [], [], []
    for _ in range(runs):
        first, typed = tmux_start(chatui, env, "palette", "qzq")
        firsts.append(first)
        keys.append(typed)
        bares.append(tmux_start(bare, env, "palette", None)[0])
    return {"first_frame": statistics.median(firsts), "first_key": statistics.median(keys), "bare_textual_first_frame": statistics.median(bares), "runs": runs}


TERMINAL_STREAMS = (
    # (label, model, nominal seconds the server takes to send it)
    ("100/s", "steady-100-20-100000", 20.0),  # 2,000 deltas of 50 characters
    ("1,000/s", "steady-1000-20-100000", 20.0),  # 20,000 deltas of 5 characters
    ("full speed", "bulk-20000-100000", 0.0),
)


def expected_last_line(size: int = 100_000) -> str:
    """The answer's last line as the terminal shows it (the mixed answer ends inside a code fence)."""
    from chatui.demo import content

    return [line for line in content.bulk_markdown(size).splitlines() if line.strip()][-1].strip()


def stream_on_terminal(url: str, model: str, runs: int, root: Path = ROOT, timeout: float = 180.0, settle: float = 1.0) -> dict:
    """Seconds from pressing enter until the answer's last line is on the terminal (tmux 120x40).

    A run whose last line never shows (the view stopped following) is a failure, not a number.
    """
    if not shutil.which("tmux"):
        return {"skipped": "tmux not installed"}
    needle = expected_last_line()
    env = {"CHATUI_API_KEY": "bench", "XDG_DATA_HOME": "/tmp/chatui-bench-data", "TERM": "xterm-256color"}
    times, failures = [], 0
    for _ in range(runs):
        session = f"chatui-term-{os.getpid()}-{time.monotonic_ns()}"
        exports = " ".join(f"{k}={v}" for k, v in env.items())
        command = f"cd {root} && env -u PYTHONDONTWRITEBYTECODE {exports} {sys.executable} -m chatui --base-url {url} --model {model} --no-save"
        subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "120", "-y", "40", command], check=True)
        try:
            def screen() -> str:
                return subprocess.run(["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True).stdout

            deadline = time.perf_counter() + 30
            while "palette" not in screen():
                if time.perf_counter() > deadline:
                    raise RuntimeError("chatui never drew its first frame")
                time.sleep(0.02)
            # a person takes longer than this to type a prompt: the start-up work done after
            # the first frame (importing the network stack) is not part of the stream's time
            time.sleep(settle)
            subprocess.run(["tmux", "send-keys", "-t", session, "-l", "go"], check=True)
            t0 = time.perf_counter()
            subprocess.run(["tmux", "send-keys", "-t", session, "Enter"], check=True)
            seen = None
            while time.perf_counter() - t0 < timeout:
                if needle in screen():
                    seen = time.perf_counter() - t0
                    break
                time.sleep(0.02)
            if seen is None:
                failures += 1
            else:
                times.append(seen)
        finally:
            subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
    return {"seconds": statistics.median(times) if times else None, "failures": failures, "runs": runs}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="skip the slow MarkdownStream baseline")
    parser.add_argument("--out", default=str(HERE / "results.json"))
    parser.add_argument("--readme", action="store_true", help="only rewrite the README table from --out")
    parser.add_argument("--root", default=str(ROOT), help="run this checkout's chatui on the terminal (for before/after)")
    opts = parser.parse_args()
    if opts.readme:
        update_readme(json.loads(Path(opts.out).read_text()))
        return 0
    server, url = start_server()
    runs = opts.runs
    r: dict[str, dict] = {}
    # one idle session keeps the tmux server up between runs (a server that exits while the
    # next session starts fails it with "server exited unexpectedly")
    keeper = f"chatui-bench-keeper-{os.getpid()}"
    if shutil.which("tmux"):
        subprocess.run(["tmux", "new-session", "-d", "-s", keeper, "sleep 86400"], check=False)
    try:
        r["cold_start"] = cold_start(url, runs)
        for label, model, _ in TERMINAL_STREAMS:
            r[f"terminal_{label}"] = stream_on_terminal(url, model, runs, Path(opts.root))
        for label, model in (("mixed_20k", "bulk-20000-100000"), ("mixed_2k", "bulk-2000-100000")):
            r[f"{label}_bare"] = median_of(url, runs, "bare", model)
            r[f"{label}_core"] = median_of(url, runs, "core", model)
            r[f"{label}_render_once"] = median_of(url, runs, "render_once", model)
            r[f"{label}_chatui"] = median_of(url, runs, "display", model)
            if not opts.quick:
                r[f"{label}_markdownstream"] = bench(url, "markdownstream", model)
        for label, model in (("list_20k", "bulklist-20000-100000"), ("code_20k", "bulkcode-20000-100000"), ("para_20k", "bulkpara-20000-100000")):
            r[f"{label}_chatui"] = median_of(url, runs, "display", model)
            r[f"{label}_bare"] = median_of(url, runs, "bare", model)
            r[f"{label}_render_once"] = median_of(url, runs, "render_once", model)
        r["cpu_100_per_s"] = median_of(url, runs, "steady_cpu", "steady-100-10")
        r["typing"] = median_of(url, runs, "typing", "steady-1000-6")
        r["typing_compare"] = median_of(url, runs, "typing_compare", "steady-1000-10")
        r["attach_big"] = median_of(url, runs, "attach_big")
        r["huge_10mb"] = median_of(url, runs, "typing_huge", "bulk-100000-10000000", "30")
        r["paragraph_1mb"] = median_of(url, runs, "typing_huge", "bulkline-20000-1000000", "30")
        r["endless_60s"] = median_of(url, runs, "endless", "endless-1000-200", "60")
        r["saving_200mb"] = median_of(url, runs, "typing_saving", "100")
        r["open_1000_turns"] = median_of(url, runs, "open_large", "1000")
        r["history_1000"] = median_of(url, runs, "history_list", "1000")
    finally:
        server.terminate()
        subprocess.run(["tmux", "kill-session", "-t", keeper], capture_output=True, check=False)
    rows = table(r)
    width = max(len(a) for a, _, _ in rows) + 2
    print(f"\nchatui benchmarks · {time.strftime('%Y-%m-%d')} · {platform.machine()} {os.cpu_count()} cores · Python {platform.python_version()} · median of {runs}\n")
    print(f"{'measure':{width}}{'result':>22}   target")
    for name, value, target in rows:
        print(f"{name:{width}}{value:>22}   {target}")
    payload = {"date": time.strftime("%Y-%m-%d"), "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}", "runs": runs, "raw": r, "table": rows}
    Path(opts.out).write_text(json.dumps(payload, indent=2) + "\n")
    print(f"\nwrote {opts.out}")
    update_readme(payload)
    return 0


def update_readme(payload: dict) -> None:
    """Replace the table between the bench markers in README.md."""
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    start, end = "<!-- bench:start -->", "<!-- bench:end -->"
    if start not in text or end not in text:
        return
    lines = [start, "", f"*{payload['date']} · {payload['machine']} · tmux 120x40 · loopback server · median of {payload['runs']} runs*", ""]
    lines += ["| measure | result | target |", "|---|---|---|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in payload["table"]]
    lines += ["", end]
    before, rest = text.split(start, 1)
    after = rest.split(end, 1)[1]
    readme.write_text(before + "\n".join(lines) + after, encoding="utf-8")


def table(r: dict[str, dict]) -> list[tuple[str, str, str]]:
    """Rows: (measure, result, target and verdict)."""
    rows = []

    def ok(good: bool) -> str:
        return "✅" if good else "❌"

    cs = r.get("cold_start", {})
    if "first_frame" in cs:
        rows.append(("cold start: first frame (tmux)", f"{cs['first_frame']:.2f} s", f"< 0.5 s {ok(cs['first_frame'] < 0.5)}  (bare Textual app: {cs['bare_textual_first_frame']:.2f} s)"))
        rows.append(("cold start: first keystroke shown", f"{cs['first_key']:.2f} s", ""))
    floor_20k = r["mixed_20k_bare"]["seconds"] + r["mixed_20k_render_once"]["seconds"]
    for label, model, nominal in TERMINAL_STREAMS:
        t = r.get(f"terminal_{label}") or {}
        if "runs" not in t:
            continue
        name = f"100 KB Markdown at {label}: enter → last line on the terminal"
        if t["failures"] or t["seconds"] is None:
            rows.append((name, f"never visible in {t['failures']} of {t['runs']} runs", "follows at every rate ❌"))
        elif nominal:
            rows.append((name, f"{t['seconds']:.2f} s", f"follows ✅ (the server takes {nominal:.0f} s to send it)"))
        else:
            rows.append((name, f"{t['seconds']:.2f} s", f"≤ 1.5× floor {ok(t['seconds'] <= 1.5 * floor_20k)} ({t['seconds'] / floor_20k:.2f}× of {floor_20k:.2f} s)"))
    for label, title in (("mixed_20k", "100 KB Markdown, 20,000 deltas"), ("mixed_2k", "100 KB Markdown, 2,000 deltas")):
        chat, bare, once = r[f"{label}_chatui"], r[f"{label}_bare"], r[f"{label}_render_once"]
        floor = bare["seconds"] + once["seconds"]
        rows.append((f"{title}: chatui, send → last delta painted", f"{chat['seconds']:.2f} s ({chat['cpu']:.2f} s CPU)", f"≤ 1.5× floor {ok(chat['seconds'] <= 1.5 * floor)} ({chat['seconds'] / floor:.2f}×)"))
        rows.append((f"{title}: floor = bare httpx-sse + one render", f"{bare['seconds']:.2f} + {once['seconds']:.2f} = {floor:.2f} s", ""))
        core = r.get(f"{label}_core")
        if core:
            rows.append((f"{title}: core only (parse + accumulate, no UI)", f"{core['seconds']:.2f} s ({core['cpu']:.2f} s CPU)", f"bare httpx-sse loop: {bare['seconds']:.2f} s ({bare['cpu']:.2f} s CPU)"))
        ms = r.get(f"{label}_markdownstream")
        if ms:
            capped = " (capped)" if ms.get("capped") else ""
            rows.append((f"{title}: Textual MarkdownStream", f"{ms['seconds']:.1f} s{capped}", f"chatui ≥ 10× faster {ok(ms['seconds'] >= 10 * chat['seconds'])} ({ms['seconds'] / chat['seconds']:.0f}×)"))
    def over_floor(label: str) -> float:
        return r[f"{label}_chatui"]["seconds"] / (r[f"{label}_bare"]["seconds"] + r[f"{label}_render_once"]["seconds"])

    para = over_floor("para_20k")
    for label, title in (("list_20k", "one growing bullet list"), ("code_20k", "one growing code fence"), ("para_20k", "paragraphs only")):
        s = r[f"{label}_chatui"]["seconds"]
        f = over_floor(label)
        floor = r[f"{label}_bare"]["seconds"] + r[f"{label}_render_once"]["seconds"]
        rows.append((f"100 KB {title}, 20,000 deltas", f"{s:.2f} s (floor {floor:.2f} s)", f"{f:.2f}× its floor; paragraphs {para:.2f}× {ok(f <= 1.25 * para)}"))
    cpu = r["cpu_100_per_s"]["cpu_share"]
    rows.append(("CPU while streaming 100 deltas/s", f"{100 * cpu:.0f}% of a core", f"< 25% {ok(cpu < 0.25)}"))
    t = r["typing"]
    rows.append(("typing latency during 1,000 deltas/s (p50 / p95)", f"{t['p50_ms']:.1f} / {t['p95_ms']:.1f} ms", f"p95 < 50 ms {ok(t['p95_ms'] < 50)}"))
    if "typing_compare" in r:
        t = r["typing_compare"]
        rows.append(("typing latency during a compare, 3 × 1,000 deltas/s (p50 / p95)", f"{t['p50_ms']:.1f} / {t['p95_ms']:.1f} ms", f"p95 < 50 ms {ok(t['p95_ms'] < 50)}"))
    if "attach_big" in r:
        a = r["attach_big"]
        rows.append((f"typing while a {a['image_mb']:.0f} MB image is attached and sent (p95 / max)", f"{a['p95_ms']:.1f} / {a['max_ms']:.0f} ms",
                     f"p95 < 50 ms {ok(a['p95_ms'] < 50)}  (memory +{a['rss_growth_mb']:.0f} MB: under 3 copies {ok(a['rss_growth_mb'] < 3 * a['image_mb'])})"))
    o = r["open_1000_turns"]
    if "huge_10mb" in r:
        h = r["huge_10mb"]
        shown = f"all on screen after {h['rendered_s']:.0f} s" if h["rendered_s"] >= 0 else "still rendering after 30 s"
        rows.append(("typing while a 10 MB answer streams and renders (p50 / p95)", f"{h['p50_ms']:.1f} / {h['p95_ms']:.1f} ms",
                     f"p95 < 50 ms {ok(h['p95_ms'] < 50)}  (streamed in {h['streamed_s']:.1f} s, {shown}; peak RSS {h['peak_rss_mb']:.0f} MB)"))
        p = r["paragraph_1mb"]
        rows.append(("typing while one 1 MB paragraph streams (p50 / p95)", f"{p['p50_ms']:.1f} / {p['p95_ms']:.1f} ms",
                     f"p95 < 50 ms {ok(p['p95_ms'] < 50)}  (all on screen after {p['rendered_s']:.1f} s; peak RSS {p['peak_rss_mb']:.0f} MB)"))
        e = r["endless_60s"]
        rows.append(("typing during an endless answer, 60 s at 1,000 × 200 chars/s (p95)", f"{e['p95_ms']:.1f} ms",
                     f"p95 < 50 ms {ok(e['p95_ms'] < 50)}  ({e['answer_mb']:.0f} MB in; RSS +{e['rss_growth_mb']:.0f} MB, +{e['rss_after_stop_mb']:.0f} MB after escape; peak {e['peak_rss_mb']:.0f} MB)"))
    if "saving_200mb" in r:
        v = r["saving_200mb"]
        rows.append((f"typing while a {v['file_mb']:.0f} MB transcript is saved (p95)", f"{v['p95_ms']:.1f} ms",
                     f"p95 < 50 ms {ok(v['p95_ms'] < 50)}  (written on the save thread in {v['save_s']:.1f} s)"))
    rows.append(("open a 1,000-turn conversation (painted / typing)", f"{o['seconds']:.2f} / {o['interactive']:.2f} s", f"< 1 s {ok(o['interactive'] < 1)}  (file {o['file_mb']:.1f} MB, peak RSS {o['rss_mb']:.0f} MB)"))
    h = r["history_1000"]
    rows.append(("history list of 1,000 conversations", f"{h['seconds']:.2f} s", f"< 1 s {ok(h['seconds'] < 1)}  (peak RSS {h['rss_mb']:.0f} MB)"))
    return rows


if __name__ == "__main__":
    raise SystemExit(main())
