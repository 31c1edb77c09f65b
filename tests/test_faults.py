"""Fault injection through the command line: kills, locks, a full disk, a read-only database,
racing first ingests, hostile dumps. After each, the database passes its integrity check and
holds exactly what was committed before.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from digest.parsing import MAX_BODY_CHARS

NEWSBOT = Path(sys.executable).with_name("newsbot")
LINUX = sys.platform.startswith("linux")
WAIT = 60.0  # seconds a polling loop waits for a state before the test gives up


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("NEWSBOT_")}
    return {**clean, "NEWSBOT_DB_PATH": str(tmp_path / "news.db"), "NEWSBOT_WORKERS": "2"}


@pytest.fixture
def run(tmp_path: Path, env: dict[str, str]) -> Callable[..., subprocess.CompletedProcess]:
    def _run(*args: str, extra: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([str(NEWSBOT), *args], capture_output=True, text=True,
                              cwd=tmp_path, env={**env, **(extra or {})}, timeout=300)

    return _run


def start(tmp_path: Path, env: dict[str, str], *args: str) -> subprocess.Popen:
    return subprocess.Popen([str(NEWSBOT), *args], cwd=tmp_path, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


# -- dumps --------------------------------------------------------------------------------

WORDS = ("river", "copper", "lantern", "meadow", "harbor", "violin", "glacier", "almond",
         "thistle", "saddle", "quartz", "falcon", "juniper", "pebble", "indigo", "walnut")


def body(n: int, sentences: int = 6) -> str:
    out = []
    for s in range(sentences):
        words = [WORDS[(n * 7 + s * 3 + k * k) % len(WORDS)] + str((n * 31 + s * 17 + k) % 997)
                 for k in range(14)]
        out.append(" ".join(words).capitalize() + ".")
    return " ".join(out)


def govkz(first: int, count: int, *, site: str = "fault") -> str:
    lines = ["News"]
    for n in range(first, first + count):
        lines += [f"Akimat report number {n} on regional development", "05.03.2026",
                  f"{body(n)} Source : https://www.gov.kz/{site}/{n}"]
    return "\n".join(lines) + "\n"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# -- the database as the tests see it -----------------------------------------------------


# An ingest commits in chunks; until its last transaction its rows are pending, and readers
# leave them out. `snapshot` shows what readers see; `raw=True` shows every row, leftovers of
# a killed ingest included.
UNFINISHED = "SELECT ingest_id FROM ingests_pending"


def snapshot(db: Path, *, raw: bool = False) -> tuple[str, list[tuple], list[tuple], int]:
    """Integrity, the articles, the ingests and the search index of a database."""
    hide = "" if raw else f"WHERE coalesce(ingest_id, 0) NOT IN ({UNFINISHED})"
    con = sqlite3.connect(db)
    try:
        integrity = con.execute("PRAGMA integrity_check").fetchone()[0]
        articles = con.execute(
            f"SELECT id, title, url_key, text_key, duplicates FROM articles {hide} ORDER BY id"
        ).fetchall()
        ingests = con.execute(
            "SELECT id, file, stored FROM ingests "
            f"{'' if raw else f'WHERE id NOT IN ({UNFINISHED})'} ORDER BY id"
        ).fetchall()
        indexed = con.execute(
            "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'akimat'" if raw else
            "SELECT count(*) FROM articles_fts JOIN articles ON articles.id = articles_fts.rowid "
            f"WHERE articles_fts MATCH 'akimat' {hide.replace('WHERE', 'AND')}"
        ).fetchone()[0]
    finally:
        con.close()
    return integrity, articles, ingests, indexed


def raw_articles(db: Path) -> int:
    con = sqlite3.connect(db, timeout=10)
    try:
        return con.execute("SELECT count(*) FROM articles").fetchone()[0]
    finally:
        con.close()


def assert_one_line(result: subprocess.CompletedProcess, *needles: str) -> None:
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]


def poll(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.005)


def descendants(pid: int) -> list[int]:
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parents.setdefault(int(stat.rsplit(")", 1)[1].split()[1]), []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        kids = parents.get(todo.pop(), [])
        found += kids
        todo += kids
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has exited; only its entry waits to be reaped


def write_locked(db: Path) -> bool:
    """True while another connection holds the write lock (an ingest is writing)."""
    con = sqlite3.connect(db, timeout=0, isolation_level=None)
    try:
        con.execute("BEGIN IMMEDIATE")
        con.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError:
        return True
    finally:
        con.close()


def committed_ingests(db: Path) -> int:
    con = sqlite3.connect(db, timeout=10)
    try:
        return con.execute(
            f"SELECT count(*) FROM ingests WHERE id NOT IN ({UNFINISHED})"
        ).fetchone()[0]
    finally:
        con.close()


@pytest.fixture
def seeded(tmp_path: Path, run) -> tuple[Path, tuple]:
    """A database holding one committed dump, and its snapshot."""
    result = run("ingest", str(write(tmp_path / "a.txt", govkz(0, 3))))
    assert result.returncode == 0, result.stderr
    db = tmp_path / "news.db"
    return db, snapshot(db)


# -- kill -9 --------------------------------------------------------------------------------


@pytest.mark.skipif(not LINUX, reason="reads /proc")
@pytest.mark.parametrize(
    "moment", ["before the write", "inside the write", "between chunks", "after the commit"]
)
def test_kill_9_during_ingest_keeps_exactly_what_was_committed(
    moment: str, tmp_path: Path, env: dict[str, str], run, seeded: tuple[Path, tuple]
) -> None:
    db, before = seeded
    big = write(tmp_path / "b.txt", govkz(100, 400))
    # Chunks of 5 articles: the ingest is many transactions, and one can be killed between.
    proc = start(tmp_path, {**env, "NEWSBOT_INGEST_CHUNK_ARTICLES": "5"}, "ingest", str(big))
    if moment == "before the write":
        poll(lambda: descendants(proc.pid) != [], "the workers to start")
    elif moment == "inside the write":
        poll(lambda: write_locked(db), "the ingest to take the write lock")
    elif moment == "between chunks":
        poll(lambda: raw_articles(db) > 3, "a chunk of the ingest to commit")
    else:
        poll(lambda: committed_ingests(db) == 2, "the commit")
    proc.kill()  # SIGKILL
    proc.wait()
    after = snapshot(db)
    assert after[0] == "ok"
    if moment == "after the commit":
        assert after[1][:3] == before[1] and len(after[1]) == 403
        assert [row[1] for row in after[2]] == ["a.txt", "b.txt"] and after[3] == 403
    else:
        assert after == before  # what readers see
        if moment == "between chunks":
            assert len(snapshot(db, raw=True)[1]) > 3  # rows left behind, hidden
        # The dump goes in whole on the next try, and the leftovers are gone.
        again = run("ingest", str(big), "--json")
        assert again.returncode == 0, again.stderr
        assert json.loads(again.stdout)["stored"] == 400
        final = snapshot(db, raw=True)
        assert final == snapshot(db)
        assert final[0] == "ok" and len(final[1]) == 403 and final[1][:3] == before[1]
        assert [row[1] for row in final[2]] == ["a.txt", "b.txt"] and final[3] == 403


@pytest.mark.skipif(not LINUX, reason="reads /proc")
def test_workers_die_with_a_killed_ingest(tmp_path: Path, env: dict[str, str]) -> None:
    proc = start(tmp_path, env, "ingest", str(write(tmp_path / "b.txt", govkz(0, 400))))
    poll(lambda: len(descendants(proc.pid)) >= 2, "both workers to start")
    workers = descendants(proc.pid)
    proc.kill()
    proc.wait()
    # The kernel's parent-death signal (or the workers' own watchdog) ends them at once.
    poll(lambda: not any(alive(pid) for pid in workers), "the orphaned workers to exit")


# -- database trouble ---------------------------------------------------------------------------


def test_locked_database_is_one_line_and_changes_nothing(
    tmp_path: Path, run, seeded: tuple[Path, tuple]
) -> None:
    db, before = seeded
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer, holding on past the busy timeout
    try:
        result = run("ingest", str(write(tmp_path / "b.txt", govkz(100, 2))))
        # Readers are not held up by a writer.
        latest = run("latest", "--json")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert_one_line(result, "b.txt", "is locked by another process", "nothing was stored",
                    "retry")
    assert latest.returncode == 0 and len(json.loads(latest.stdout)) == 3
    assert snapshot(db) == before


@pytest.mark.skipif(not LINUX, reason="flock")
def test_an_ingest_while_another_runs_is_one_line_and_changes_nothing(
    tmp_path: Path, run, seeded: tuple[Path, tuple]
) -> None:
    """One ingest at a time per database (the bot's upload and the command line may race):
    the second waits the busy timeout for the first, then gives up."""
    import fcntl

    db, before = seeded
    with open(f"{db}-ingest", "a+") as lock:  # what a running ingest holds
        fcntl.flock(lock, fcntl.LOCK_EX)
        result = run("ingest", str(write(tmp_path / "b.txt", govkz(100, 2))))
    assert_one_line(result, "b.txt", "locked by another ingest", "nothing was stored", "retry")
    assert snapshot(db, raw=True) == before


def test_disk_full_through_the_pipeline_stores_nothing(tmp_path: Path) -> None:
    """SQLite's page limit makes it fail with "full", portably (an in-memory database keeps
    the limit on the connection the ingest writes with)."""
    import asyncio

    from digest.ingest import ingest_bytes
    from digest.settings import load_settings
    from digest.storage import Store, StoreError
    from digest.topics import load_catalog
    from tests.support.db import raw

    async def scenario() -> None:
        settings = load_settings(db_path=tmp_path / "unused.db", workers=1)
        catalog = load_catalog(settings.topics_file)
        async with await Store.open(":memory:") as store:
            await ingest_bytes(store, govkz(0, 3).encode(), "a.txt", settings, catalog)
            async with raw(store).execute("PRAGMA page_count") as cur:
                pages = (await cur.fetchone())[0]
            await raw(store).execute(f"PRAGMA max_page_count = {pages + 2}")
            with pytest.raises(StoreError, match=r"b\.txt: disk full .*nothing was stored"):
                await ingest_bytes(store, govkz(100, 50).encode(), "b.txt", settings, catalog)
            async with raw(store).execute("PRAGMA integrity_check") as cur:
                assert (await cur.fetchone())[0] == "ok"
            assert await store.count_articles() == 3
            assert len(await store.recent_ingests()) == 1

    asyncio.run(scenario())


def _namespace_works() -> bool:
    if not LINUX or shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "-rm", "true"], capture_output=True)
    return probe.returncode == 0


needs_namespace = pytest.mark.skipif(
    not _namespace_works(), reason="needs Linux mount namespaces (unshare -rm)"
)


def in_namespace(script: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    """Run a shell script as root of a private mount namespace (tiny or read-only mounts)."""
    return subprocess.run(["unshare", "-rm", "sh", "-c", script], capture_output=True,
                          text=True, env=env, cwd=cwd, timeout=300)


@needs_namespace
def test_disk_full_on_a_tiny_filesystem_is_one_line_and_changes_nothing(
    tmp_path: Path, env: dict[str, str], seeded: tuple[Path, tuple]
) -> None:
    db, before = seeded
    write(tmp_path / "b.txt", govkz(100, 300))
    tiny = tmp_path / "tiny"
    tiny.mkdir()
    size_kb = db.stat().st_size // 1024 + 48
    script = (
        f"mount -t tmpfs -o size={size_kb}k tiny {tiny} && cp {db} {tiny}/news.db && "
        f"{NEWSBOT} --db {tiny}/news.db ingest b.txt 2> err.txt; echo $? > rc.txt; "
        f"cp {tiny}/news.db* {tmp_path}/out/"
    )
    (tmp_path / "out").mkdir()
    done = in_namespace(script, env, tmp_path)
    assert done.returncode == 0, done.stderr
    err = (tmp_path / "err.txt").read_text()
    assert (tmp_path / "rc.txt").read_text().strip() == "1"
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert "b.txt: disk full" in err and "nothing was stored" in err
    assert snapshot(tmp_path / "out" / "news.db") == before


def _make_read_only(db: Path) -> str:
    """A shell prefix under which the database file cannot be written, even by root."""
    return f"mount --bind {db} {db} && mount -o remount,bind,ro {db} && "


@needs_namespace
def test_read_only_database_is_one_line_and_still_readable(
    tmp_path: Path, env: dict[str, str], seeded: tuple[Path, tuple]
) -> None:
    db, before = seeded
    dumps = tmp_path / "dumps"
    dumps.mkdir()
    write(dumps / "b.txt", govkz(100, 2))
    script = (
        _make_read_only(db)
        + f"{NEWSBOT} ingest {dumps}/b.txt 2> {dumps}/err.txt; echo $? > {dumps}/rc.txt; "
        + f"{NEWSBOT} latest --json > {dumps}/latest.json 2> {dumps}/latest.err"
    )
    done = in_namespace(script, env, dumps)
    assert done.returncode == 0, done.stderr
    err = (dumps / "err.txt").read_text()
    assert (dumps / "rc.txt").read_text().strip() == "1"
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert "read-only" in err or "cannot open database" in err, err
    assert "Traceback" not in (dumps / "latest.err").read_text()
    assert snapshot(db) == before


@needs_namespace
def test_a_database_that_cannot_be_created_is_one_line(tmp_path: Path, env: dict[str, str]) -> None:
    """Before, the one-line message was followed by "Event loop is closed" from a thread."""
    locked = tmp_path / "locked"
    locked.mkdir()
    write(tmp_path / "a.txt", govkz(0, 1))
    script = (
        f"mount --bind {locked} {locked} && mount -o remount,bind,ro {locked} && "
        f"{NEWSBOT} --db {locked}/new.db ingest a.txt 2> err.txt; echo $? > rc.txt"
    )
    done = in_namespace(script, env, tmp_path)
    assert done.returncode == 0, done.stderr
    err = (tmp_path / "err.txt").read_text()
    assert (tmp_path / "rc.txt").read_text().strip() == "1"
    assert err.strip().splitlines() == [
        f"newsbot: cannot open database {locked}/new.db; check the path and its permissions"]


def test_database_path_that_is_a_directory_is_one_line(tmp_path: Path, run) -> None:
    folder = tmp_path / "folder"
    folder.mkdir()
    for args in (("ingest", str(write(tmp_path / "a.txt", govkz(0, 1)))), ("latest",)):
        result = run("--db", str(folder), *args)
        assert_one_line(result, "is a directory")


def test_reading_commands_refuse_a_missing_database(tmp_path: Path, run) -> None:
    for args in (("latest",), ("search", "gdp"), ("topics",), ("explain", "1"),
                 ("digest", "--topic", "economy")):
        result = run("--db", str(tmp_path / "typo" / "news.db"), *args)
        assert_one_line(result, "does not exist")
    assert not (tmp_path / "typo").exists()


def test_racing_first_ingests_on_a_new_database(tmp_path: Path, env: dict[str, str]) -> None:
    for attempt in range(2):
        db = tmp_path / f"race{attempt}.db"
        racing = {**env, "NEWSBOT_DB_PATH": str(db)}
        dumps = [write(tmp_path / f"r{attempt}{k}.txt", govkz(1000 * k, 3, site=f"r{k}"))
                 for k in range(2)]
        procs = [start(tmp_path, racing, "ingest", str(d)) for d in dumps]
        results = [(p.wait(timeout=300), p.stderr.read() if p.stderr else "") for p in procs]
        for p in procs:
            for stream in (p.stdout, p.stderr):
                if stream:
                    stream.close()
        assert [code for code, _ in results] == [0, 0], results
        integrity, articles, ingests, _ = snapshot(db)
        assert integrity == "ok" and len(articles) == 6 and len(ingests) == 2


# -- hostile dumps ----------------------------------------------------------------------------


def test_a_deeply_nested_json_line_is_one_problem_and_later_files_go_in(
    tmp_path: Path, run
) -> None:
    rows = [json.dumps({"title": f"Akimat note {n}", "date": "2026-03-05", "body": body(n)})
            for n in range(2)]
    bad = write(tmp_path / "bad.jsonl", rows[0] + "\n" + "[" * 100_000 + "\n" + rows[1] + "\n")
    later = write(tmp_path / "later.txt", govkz(50, 2))
    result = run("ingest", str(bad), str(later), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["stored"] == 4
    assert [(p["file"], p["line"]) for p in report["problems"]] == [(str(bad), 2)]
    assert "nested too deeply" in report["problems"][0]["reason"]


def test_a_2_mb_article_is_cut_and_stored_in_bounded_time(tmp_path: Path, run) -> None:
    """Before, the summariser compared every pair of its ~15,000 sentences: about an hour."""
    long_body = " ".join(body(n, 10) for n in range(2_000))  # about 2 MB
    assert len(long_body) > 2_000_000
    dump = write(tmp_path / "long.txt", "News\nA very long report of the akimat\n05.03.2026\n"
                 f"{long_body} Source : https://www.gov.kz/long/1\n" + govkz(7, 1)[5:])
    result = run("ingest", str(dump), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["stored"] == 2
    [problem] = report["problems"]
    assert problem["line"] == 2 and f"body cut to {MAX_BODY_CHARS:,} characters" in problem[
        "reason"]
    con = sqlite3.connect(tmp_path / "news.db")
    stored_body, url, summary = con.execute(
        "SELECT body, source_url, summary FROM articles ORDER BY id LIMIT 1").fetchone()
    con.close()
    assert len(stored_body) <= MAX_BODY_CHARS and long_body.startswith(stored_body)
    assert url == "https://www.gov.kz/long/1"  # the trailer at the very end still counts
    assert summary and summary.split(".")[0] in stored_body


def test_an_article_over_its_time_limit_gets_a_lead_summary(tmp_path: Path, run) -> None:
    dump = write(tmp_path / "slow.txt", govkz(0, 2))
    result = run("ingest", str(dump), "--json", extra={"NEWSBOT_ARTICLE_TIME_LIMIT": "0.000001"})
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["stored"] == 2
    reasons = [p["reason"] for p in report["problems"]]
    assert len(reasons) == 2
    assert all("took longer than 1e-06 s to summarise" in r and "opening sentences" in r
               for r in reasons)
    latest = json.loads(run("latest", "--json").stdout)
    # The lead summary: the article's first sentences, in order.
    for article in latest:
        number = int(article["title"].split()[3])
        assert body(number).startswith(article["summary"])


def test_huge_numbers_are_one_line(run, seeded: tuple[Path, tuple]) -> None:
    for args in (("latest", "-n", "9223372036854775808"), ("search", "akimat", "-n", "1e20"),
                 ("digest", "--topic", "economy", "-n", "99999999999999999999")):
        result = run(*args)
        assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
        assert "argument -n" in result.stderr
    result = run("explain", "9223372036854775808")
    assert_one_line(result, "no article with id 9223372036854775808")
    assert run("latest", "-n", "100000").returncode == 0


def test_hostile_text_is_neutralised(tmp_path: Path, run) -> None:
    text = govkz(0, 1).replace("Akimat report number 0", "\u202eAkimat\ufeff report number 0")
    text += "\u200b\u200b\n05.03.2026\nInvisible title body text.\n"
    text += "Far future report of the akimat\n01.01.9999\nIt never ends.\n"
    result = run("ingest", str(write(tmp_path / "h.txt", text)), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["stored"] == 1
    reasons = {p["line"]: p["reason"] for p in report["problems"]}
    assert "no visible text" in reasons[5]
    assert "in the future" in reasons[9]
    [stored] = json.loads(run("latest", "--json").stdout)
    assert stored["title"] == "Akimat report number 0 on regional development"


@pytest.fixture
def many_tiny_lines(tmp_path: Path) -> Iterator[Path]:
    import gzip

    path = tmp_path / "tiny.txt.gz"
    path.write_bytes(gzip.compress(govkz(0, 1).encode() + b"ab\n" * (8 * 2**20 // 3)))
    yield path


@pytest.mark.skipif(not LINUX, reason="reads the peak memory of a child process")
def test_parsing_memory_tracks_the_largest_article_not_the_line_count(
    many_tiny_lines: Path,
) -> None:
    """8 MiB of three-byte lines: parsed whole, the line list alone took over 200 MB."""
    code = (
        "import sys;from pathlib import Path;from digest.parsing import DumpReader;"
        "r=DumpReader(Path(sys.argv[1]),'tiny.txt.gz');n=sum(1 for _ in r);"
        "hwm=[l for l in open('/proc/self/status') if l.startswith('VmHWM')][0];"
        "print(n, int(hwm.split()[1]) // 1024)"
    )
    # VmHWM, not ru_maxrss: on Linux the latter keeps the forking parent's peak across exec.
    out = subprocess.run([sys.executable, "-c", code, str(many_tiny_lines)], capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    articles, peak_mb = map(int, out.stdout.split())
    assert articles == 1
    assert peak_mb < 100, peak_mb


def test_problem_lists_are_capped(tmp_path: Path, run) -> None:
    lines = [json.dumps({"title": "Akimat note", "date": "2026-03-05", "body": body(1)})]
    lines += ["not json"] * 5000
    result = run("ingest", str(write(tmp_path / "p.jsonl", "\n".join(lines))), "--json")
    assert result.returncode == 0, result.stderr
    problems = json.loads(result.stdout)["problems"]
    assert len(problems) == 1001
    assert problems[-1]["reason"] == "4000 more problems not listed"


def test_utf16_dump_with_a_bom_is_read(tmp_path: Path, run) -> None:
    path = tmp_path / "u16.txt"
    path.write_bytes(govkz(0, 2).encode("utf-16"))  # with its byte order mark
    result = run("ingest", str(path), "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["stored"] == 2


def test_a_nul_byte_far_into_the_dump_is_not_stored(tmp_path: Path, run) -> None:
    text = govkz(0, 90)
    assert len(text) > 65536
    cut = text.rindex("Source :")
    path = tmp_path / "nul.txt"
    path.write_text(text[:cut] + "\x00" + text[cut:], encoding="utf-8")
    result = run("ingest", str(path), "--json")
    assert result.returncode == 0, result.stderr
    [problem] = json.loads(result.stdout)["problems"]
    assert "NUL" in problem["reason"]
    con = sqlite3.connect(tmp_path / "news.db")
    assert con.execute("SELECT count(*) FROM articles WHERE instr(body, char(0)) > 0 "
                       "OR instr(title, char(0)) > 0").fetchone()[0] == 0
    assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == 90
    con.close()
