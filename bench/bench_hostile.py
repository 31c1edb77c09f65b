"""Time and memory of `newsbot ingest` on hostile dumps, run as a user would run it.

    python bench/bench_hostile.py [--only NAME ...] [--timeout 600] [--workers 2]

Each case writes its dump into a temporary folder, runs ``newsbot ingest`` in a subprocess
on a fresh database and samples the resident memory of that process *and all its
descendants* (the worker pool) every 20 ms from /proc; the peak of that sum is printed.
A case that runs past ``--timeout`` is stopped (its whole process group is killed) and
printed as such. Figures (Linux only, because of /proc):

* ``article-3k`` / ``article-2m``: one ordinary 3 KB article, one 2 MB article; the target
  is 2m <= 2 x 3k + the time to read the 2 MB dump (``read-2m``: parse only, no workers).
* ``tiny-lines-gz``: a 32 KB gzip holding 33 MiB of three-byte lines after one article.
* ``tiny-articles``: 100,000 tiny articles (JSON Lines).
* ``regexes``: the pattern matchers of the code base on adversarial input of 25 KB and 100 KB.

The target for every peak is 400 MB. The machine may be shared: read ratios, not absolutes.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

NEWSBOT = Path(sys.executable).with_name("newsbot")
SENTENCE = (
    "The Ministry of National Economy reported that investment in fixed capital in the "
    "region {n} grew by {p} percent compared with the same period of last year."
)


def _body(chars: int, seed: int = 0) -> str:
    parts, total, n = [], 0, 0
    while total < chars:
        s = SENTENCE.format(n=n + seed, p=(n * 7) % 93)
        parts.append(s)
        total += len(s) + 1
        n += 1
    return " ".join(parts)


def article_dump(chars: int) -> bytes:
    return (
        "News\nRegional investment keeps growing this spring\n05.03.2026\n"
        + _body(chars) + " Source : https://www.gov.kz/bench/long\n"
    ).encode()


def tiny_lines_gz() -> bytes:
    head = article_dump(3000)
    return gzip.compress(head + b"ab\n" * (33 * 2**20 // 3), compresslevel=9)


def tiny_articles(count: int = 100_000) -> bytes:
    lines = (
        json.dumps({"title": f"Short note number {i}", "date": "2026-03-05",
                    "body": f"Akimat item {i} opened.", "url": f"https://gov.kz/n/{i}"})
        for i in range(count)
    )
    return ("\n".join(lines) + "\n").encode()


def _tree_rss_kb(root: int) -> int:
    """Resident memory of `root` and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
            with open(f"/proc/{entry}/statm") as f:
                pages = int(f.read().split()[1])
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
        rss[int(entry)] = pages * os.sysconf("SC_PAGE_SIZE") // 1024
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(children.get(pid, []))
    return total


def run_ingest(
    dump: Path, db: Path, timeout: float, workers: int
) -> tuple[float, int, int, str]:
    """(seconds, peak tree RSS in MB, exit code or -1 when stopped, last stderr line)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSBOT_")}
    env |= {"NEWSBOT_DB_PATH": str(db), "NEWSBOT_WORKERS": str(workers)}
    start = time.perf_counter()
    proc = subprocess.Popen(
        [str(NEWSBOT), "ingest", str(dump), "--json"], env=env, cwd=dump.parent,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )
    peak = 0
    code = None
    while code is None:
        peak = max(peak, _tree_rss_kb(proc.pid))
        if time.perf_counter() - start > timeout:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            return time.perf_counter() - start, peak // 1024, -1, "stopped"
        time.sleep(0.02)
        code = proc.poll()
    elapsed = time.perf_counter() - start
    err = (proc.stderr.read() if proc.stderr else "").strip().splitlines()
    # Workers left behind would be a bug of their own: stop them so they cannot skew the next.
    with _suppress():
        os.killpg(proc.pid, signal.SIGKILL)
    return elapsed, peak // 1024, code, (err[-1][:120] if err else "")


class _suppress:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> bool:
        return True


def read_time(dump: Path) -> float:
    """Seconds to read and parse a dump in this process (no workers, no database)."""
    code = (
        "import sys,time;from pathlib import Path;import digest.parsing as p;"
        "t=time.perf_counter();d=Path(sys.argv[1]).read_bytes();"
        "x=p.parse_dump(d,sys.argv[1]);print(time.perf_counter()-t)"
    )
    out = subprocess.run([sys.executable, "-c", code, str(dump)], capture_output=True,
                         text=True, timeout=3600)
    return float(out.stdout.strip() or "nan")


def _linear_check(name: str, func: Callable[[str], object], unit: str, reps: int = 1) -> None:
    sizes = (25_000, 100_000)
    times = []
    for size in sizes:
        text = (unit * (size // len(unit) + 1))[:size]
        best = float("inf")
        for _ in range(3):
            t = time.process_time()
            for _ in range(reps):
                func(text)
            best = min(best, time.process_time() - t)
        times.append(best)
    ratio = times[1] / times[0] if times[0] > 0 else float("nan")
    print(f"  {name:<34} 25 KB {times[0] * 1000:8.1f} ms   100 KB {times[1] * 1000:8.1f} ms"
          f"   x{ratio:.1f} (linear x4, quadratic x16)")


def regexes() -> None:
    from digest import parsing, text

    print("regexes (CPU time, best of 3):")
    _linear_check("parsing.split_source, spaces", parsing.split_source, "Source :" + " " * 50)
    _linear_check("text URL pattern, 'ab-'", lambda s: list(text._URL.finditer(s)), "ab-")
    _linear_check("text URL pattern, 'a.'", lambda s: list(text._URL.finditer(s)), "a.")
    _linear_check("text.repair, 'ab-'", text.repair, "ab-")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", nargs="*", default=None)
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    cases: dict[str, Callable[[], bytes]] = {
        "article-3k": lambda: article_dump(3_000),
        "article-2m": lambda: article_dump(2_000_000),
        "tiny-lines-gz": tiny_lines_gz,
        "tiny-articles": tiny_articles,
    }
    wanted = args.only or [*cases, "regexes"]
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs (shared), "
          f"workers {args.workers}, timeout {args.timeout:.0f} s")
    with tempfile.TemporaryDirectory() as tmp:
        for name, make in cases.items():
            if name not in wanted:
                continue
            data = make()
            suffix = ".jsonl" if name == "tiny-articles" else ".txt"
            dump = Path(tmp) / (name + suffix + (".gz" if name.endswith("gz") else ""))
            dump.write_bytes(data)
            seconds, peak, code, last = run_ingest(
                dump, Path(tmp) / f"{name}.db", args.timeout, args.workers
            )
            state = "stopped" if code == -1 else f"exit {code}"
            print(f"{name:<14} {len(data) / 2**20:7.2f} MiB file  {seconds:7.2f} s  "
                  f"peak RSS (with workers) {peak:5d} MB  {state}  {last}")
            if name == "article-2m":
                print(f"{'read-2m':<14} {read_time(dump):7.2f} s to read and parse")
    if "regexes" in wanted:
        regexes()
    return 0


if __name__ == "__main__":
    sys.exit(main())
