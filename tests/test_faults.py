"""Faults an unlucky operator meets: a full disk, a read-only or missing folder, a folder where a
file should be, a killed run's temp files, several processes writing at once. Each must end in
exit 2 and one clear line (never a traceback), leave no partial file, and change nothing it
says it did not change.

Root bypasses file modes, and CI runs as root: read-only folders are real read-only bind
mounts, full disks are real small tmpfs mounts, and "another user" is `setpriv` to nobody.
Where mounting is impossible (not root, no user namespaces) those tests skip and say why.
"""

from __future__ import annotations

import contextlib
import copy
import csv
import fcntl
import io
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from cdw_datahub.settings import packaged_dir
from test_worksheet import set_cell

BIN = Path(sys.executable).parent
CLI = str(BIN / "cdw-datahub")
NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


def cli(
    *args: str, cwd: Path | None = None, prefix: Sequence[str] = (), umask: int | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CDW_")}
    return subprocess.run(
        [*prefix, CLI, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        preexec_fn=(lambda: os.umask(umask)) if umask is not None else None,  # noqa: PLW1509
    )


def department(folder: Path) -> Path:
    """A cdw.yml in `folder` naming the sample department's glossary/ and policies/ (commands
    need them and no longer fall back to the packaged ones)."""
    (folder / "cdw.yml").write_text(
        f"glossary: {packaged_dir('glossary')}\npolicies: {packaged_dir('policies')}\n"
    )
    return folder


def copy_catalog(demo_dir: Path, folder: Path) -> Path:
    """The demo's Lite catalog with its -wal/-shm (the WAL may hold committed pages)."""
    for f in demo_dir.glob("datahub-lite.db*"):
        shutil.copy(f, folder / f.name)
    return folder / "datahub-lite.db"


def one_error(result: subprocess.CompletedProcess[str]) -> str:
    """The single `Error:` line of a failed command; fails on a traceback or a second error."""
    assert result.returncode == 2, (result.returncode, result.stderr[-2000:])
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, result.stderr[-2000:]
    return errors[0]


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*.tmp"))


# ---------------------------------------------------------------- mounts (root, as in CI)


def _mount(*args: str) -> str | None:
    """Run mount(8); the reason it failed, or None."""
    if os.geteuid() != 0:
        return "mounting needs root (CI runs the suite as root)"
    proc = subprocess.run(["mount", *args], capture_output=True, text=True, check=False)
    return None if proc.returncode == 0 else f"mount {' '.join(args)}: {proc.stderr.strip()}"


@contextlib.contextmanager
def tmpfs(path: Path, size: str) -> Iterator[Path]:
    """A real small filesystem at `path`: writes beyond `size` fail with ENOSPC."""
    path.mkdir(parents=True, exist_ok=True)
    problem = _mount("-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path))
    if problem:
        pytest.skip(f"cannot mount a tmpfs ({problem})")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[str]:
    """Make `folder` read-only even for root. Yields how: 'mount' (a read-only bind mount of
    the folder onto itself), else 'nobody' (the caller must run the CLI via setpriv as nobody;
    the folder is made unwritable for others)."""
    problem = _mount("--bind", str(folder), str(folder))
    if problem is None:
        try:
            problem = _mount("-o", "remount,ro,bind", str(folder))
            if problem:
                pytest.skip(f"cannot remount read-only ({problem})")
            yield "mount"
        finally:
            subprocess.run(["umount", str(folder)], check=False)
        return
    if os.geteuid() == 0 and shutil.which("setpriv"):
        yield "nobody"
        return
    folder.chmod(0o555)  # not root: file modes hold
    try:
        yield "mode"
    finally:
        folder.chmod(0o755)


@pytest.fixture
def world() -> Iterator[Path]:
    """A folder nobody can reach (pytest's own are 0700, and every pytest session started by
    root resets /tmp/pytest-of-root to 0700, so they cannot be opened up reliably)."""
    folder = Path(tempfile.mkdtemp(prefix="cdw-faults-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def writable_by_nobody(root: Path) -> None:
    for p in [root, *root.rglob("*")]:
        p.chmod(0o777 if p.is_dir() else 0o666)


# ---------------------------------------------------------------- full disk


EXPORTS = {
    # name: (arguments after the output path is known, bytes to fill first)
    "bucp export json": (["bucp", "export", "--format", "json", "-o"], "all.json", 0),
    "bucp export xlsx": (["bucp", "export", "-o"], "all.xlsx", 190_000),
    "bucp export csv": (["bucp", "export", "-o"], "all.csv", 150_000),
    "worksheet export": (["worksheet", "export", "--program", "w2w", "-o"], "w2w.xlsx", 190_000),
    "bucp export-register": (["bucp", "export-register"], "register.csv", 200_000),
}


@pytest.mark.parametrize("name", list(EXPORTS))
def test_disk_full_export_is_one_line_and_leaves_no_partial_file(
    name: str, demo_dir: Path, tmp_path: Path
) -> None:
    args, filename, fill = EXPORTS[name]
    with tmpfs(tmp_path / "small", "200k") as disk:
        previous = disk / filename
        previous.write_bytes(b"previous version")
        if fill:
            (disk / "filler").write_bytes(b"\0" * fill)
        result = cli(*args, str(previous), cwd=demo_dir)
        line = one_error(result)
        assert str(previous) in line and "No space left on device" in line
        assert previous.read_bytes() == b"previous version"
        assert leftovers(disk) == []


def test_disk_full_during_the_demo_names_the_file(tmp_path: Path) -> None:
    # 1.5 MB holds the three sample databases but not the catalog: ingestion hits ENOSPC
    with tmpfs(tmp_path / "small", "1500k") as disk:
        line = one_error(cli("demo", "--workdir", str(disk / "demo")))
        assert "database or disk is full" in line and "datahub-lite.db" in line
        assert leftovers(disk) == []
    with tmpfs(tmp_path / "tiny", "200k") as disk:  # not even the first sample database
        line = one_error(cli("demo", "--workdir", str(disk / "demo")))
        assert f"{disk / 'demo' / 'w2w.db'}: cannot write the sample database" in line
        assert sorted(p.name for p in (disk / "demo").iterdir()) == []


# ---------------------------------------------------------------- paths


def test_datahub_lite_db_being_a_folder(tmp_path: Path) -> None:
    (tmp_path / "demo" / "datahub-lite.db").mkdir(parents=True)
    line = one_error(cli("demo", "--workdir", str(tmp_path / "demo")))
    assert line == f"Error: {tmp_path / 'demo' / 'datahub-lite.db'}: is a folder; " + (
        "the demo writes its catalog file here"
    )
    # and as a catalog to read
    folder = tmp_path / "demo" / "datahub-lite.db"
    line = one_error(cli("bucp", "export", "--catalog", f"lite:{folder}", cwd=tmp_path))
    assert str(folder) in line


def test_unwritable_demo_workdir(world: Path) -> None:
    work = world / "demo"
    work.mkdir()
    with read_only(work) as how:  # "nobody": root's 0755 folder, nobody may not write it
        prefix = NOBODY if how == "nobody" else ()
        line = one_error(cli("demo", "--workdir", str(work), prefix=prefix))
    assert f"{work / 'w2w.db'}: cannot write the sample database" in line
    assert leftovers(work) == [] and not (work / "w2w.db").exists()


def test_output_path_errors(demo_dir: Path, tmp_path: Path, world: Path) -> None:
    missing = tmp_path / "no" / "such" / "out.csv"
    line = one_error(cli("bucp", "export", "-o", str(missing), cwd=demo_dir))
    assert line == f"Error: {missing.parent}: the output folder does not exist"
    (tmp_path / "taken.csv").mkdir()
    line = one_error(cli("bucp", "export", "-o", str(tmp_path / "taken.csv"), cwd=demo_dir))
    assert str(tmp_path / "taken.csv") in line and "is a directory" in line  # click's check
    line = one_error(cli("bucp", "export-register", str(tmp_path / "taken.csv"), cwd=demo_dir))
    assert line == f"Error: {tmp_path / 'taken.csv'}: is a folder, not a file"
    catalog = f"lite:{copy_catalog(demo_dir, department(world))}"
    locked = world / "locked"
    locked.mkdir()
    (locked / "out.csv").write_text("previous")
    with read_only(locked) as how:
        prefix = NOBODY if how == "nobody" else ()
        if how == "nobody":  # a WAL-mode catalog is opened for writing, even to read it
            writable_by_nobody(world)
            locked.chmod(0o755)
            (locked / "out.csv").chmod(0o644)
        target = str(locked / "out.csv")
        result = cli("bucp", "export", "--catalog", catalog, "-o", target, cwd=world, prefix=prefix)
        line = one_error(result)
    assert target in line and "cannot write here" in line
    assert (locked / "out.csv").read_text() == "previous"


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    (tmp_path / "demo" / "datahub-lite.db").mkdir(parents=True)
    result = cli("--debug", "demo", "--workdir", str(tmp_path / "demo"))
    assert result.returncode == 2 and "Traceback" in result.stderr


# ---------------------------------------------------------------- atomic writes


def _old(path: Path) -> None:
    past = time.time() - 3600
    os.utime(path, (past, past))


def test_stale_temp_files_are_removed_and_a_live_writers_kept(
    demo_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out.csv"
    stale = tmp_path / ".out.csv.k1ll3d.tmp"  # a run killed with -9 left this
    stale.write_text("half a csv")
    _old(stale)
    live = tmp_path / ".out.csv.w0rk1n.tmp"  # another writer, still at work, holds its lock
    live.write_text("being written")
    _old(live)
    fresh = tmp_path / ".out.csv.n3w.tmp"  # just created: its writer may not hold the lock yet
    fresh.write_text("")
    other = tmp_path / ".other.csv.x.tmp"  # another file's: not ours to touch
    other.write_text("")
    _old(other)
    with open(live) as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        result = cli("bucp", "export", "-o", str(out), cwd=demo_dir)
    assert result.returncode == 0, result.stderr
    assert not stale.exists()
    assert live.exists() and fresh.exists() and other.exists()
    assert out.read_text().startswith("Field Name,")


def test_rewritten_files_keep_their_mode_and_new_ones_follow_the_umask(
    demo_dir: Path, tmp_path: Path
) -> None:
    kept = tmp_path / "kept.csv"
    kept.write_text("old")
    kept.chmod(0o640)
    assert cli("bucp", "export", "-o", str(kept), cwd=demo_dir).returncode == 0
    assert kept.stat().st_mode & 0o777 == 0o640 and kept.read_text() != "old"
    for umask, mode in ((0o022, 0o644), (0o027, 0o640), (0o002, 0o664)):
        new = tmp_path / f"new-{umask:o}.md"
        result = cli("bucp", "export", "-o", str(new), cwd=demo_dir, umask=umask)
        assert result.returncode == 0, result.stderr
        assert new.stat().st_mode & 0o777 == mode, (oct(umask), oct(new.stat().st_mode))
    # restricted text (Specialized Security / Privacy) in a new file: the owner's only
    restricted = tmp_path / "restricted.csv"
    result = cli(
        "bucp", "export-register", str(restricted), "--specialized", cwd=demo_dir, umask=0o022
    )
    assert result.returncode == 0, result.stderr
    assert restricted.stat().st_mode & 0o777 == 0o600
    plain = tmp_path / "plain.csv"
    assert cli("bucp", "export-register", str(plain), cwd=demo_dir, umask=0o022).returncode == 0
    assert plain.stat().st_mode & 0o777 == 0o644


# ---------------------------------------------------------------- worksheet import --apply


@pytest.fixture
def steward(demo_dir: Path, world: Path) -> Path:
    """A copy of the shipped glossary/ and policies/ with the demo catalog, and a worksheet
    whose edits touch the dictionary (glossary/) AND reviewed.yml + statutes.yml (policies/)."""
    work = world / "work"
    work.mkdir()
    shutil.copytree(packaged_dir("glossary"), work / "glossary")
    shutil.copytree(packaged_dir("policies"), work / "policies")
    copy_catalog(demo_dir, work)
    (work / "cdw.yml").write_text(
        "catalog: lite:datahub-lite.db\nglossary: glossary\npolicies: policies\n"
    )
    sheet = work / "w2w.xlsx"
    assert (
        cli("worksheet", "export", "--program", "w2w", "-o", str(sheet), cwd=work).returncode == 0
    )
    definition = "Sky and air condition at the start of the commute, from the program's list."
    set_cell(sheet, "commute", "weather_condition", "Definition", definition)
    set_cell(sheet, "commute", "weather_condition", "Classification level", "public")
    set_cell(sheet, "commute", "weather_condition", "Statutes", "none")
    return work


def yaml_files(work: Path) -> dict[str, tuple[bytes, int]]:
    return {
        str(p.relative_to(work)): (p.read_bytes(), p.stat().st_mode & 0o777)
        for folder in ("glossary", "policies")
        for p in sorted((work / folder).rglob("*"))
        if p.is_file()
    }


def test_apply_with_an_unwritable_policies_folder_changes_nothing(steward: Path) -> None:
    (steward / "glossary" / "dictionary" / "w2w.yml").chmod(0o640)  # a mode worth keeping
    before = yaml_files(steward)
    with read_only(steward / "policies") as how:
        prefix: Sequence[str] = ()
        if how == "nobody":  # glossary/ writable by nobody, policies/ root's and 0755
            writable_by_nobody(steward / "glossary")
            (steward / "glossary" / "dictionary" / "w2w.yml").chmod(0o644)
            (steward / "w2w.xlsx").chmod(0o644)
            prefix = NOBODY
            before = yaml_files(steward)
        result = cli("worksheet", "import", "w2w.xlsx", "--apply", cwd=steward, prefix=prefix)
        line = one_error(result)
        assert "policies/" in line and "nothing was changed" in line, line
        assert yaml_files(steward) == before  # the dictionary in glossary/ too
        assert leftovers(steward) == []
    if how == "nobody":
        writable_by_nobody(steward / "policies")
        before = yaml_files(steward)
    result = cli("worksheet", "import", "w2w.xlsx", "--apply", cwd=steward, prefix=prefix)
    assert result.returncode == 0, result.stderr
    after = yaml_files(steward)
    changed = {k for k in after if after[k] != before[k]}
    assert changed == {
        "glossary/dictionary/w2w.yml",
        "policies/reviewed.yml",
        "policies/statutes.yml",
    }
    # rewritten files keep their modes
    assert all(after[k][1] == before[k][1] for k in changed)
    assert leftovers(steward) == []


def test_apply_puts_back_what_it_replaced_when_a_rename_fails(
    steward: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The renames come after every temp file is written; should one still fail (say the
    second), the first file is put back and the message says nothing was changed."""
    from click.testing import CliRunner

    from cdw_datahub import output
    from cdw_datahub.cli import main

    real = os.replace
    calls: list[str] = []

    def flaky(src: str, dst: object) -> None:
        calls.append(str(dst))
        if len(calls) == 2:
            raise OSError(5, "Input/output error")
        real(src, dst)  # type: ignore[arg-type]

    before = yaml_files(steward)
    monkeypatch.chdir(steward)
    monkeypatch.setattr(output.os, "replace", flaky)
    result = CliRunner().invoke(main, ["worksheet", "import", "w2w.xlsx", "--apply"])
    assert result.exit_code == 2, result.output
    assert "Input/output error" in result.stderr and "nothing was changed" in result.stderr
    assert yaml_files(steward) == before
    assert leftovers(steward) == []


# ---------------------------------------------------------------- concurrent bucp new

NEW_WORKER = """
import pathlib, sys, time
from click.testing import CliRunner
from cdw_datahub.cli import main
url, count, go, me = sys.argv[1], int(sys.argv[2]), pathlib.Path(sys.argv[3]), sys.argv[4]
runner = CliRunner()
(go.parent / f"ready-{me}").touch()
while not go.exists():
    time.sleep(0.005)
for i in range(count):
    result = runner.invoke(main, ["bucp", "new", "--title", f"worker {me} #{i}", "--program",
                                  "w2w", "--requesting", "DPH", "--date", "2026-03-02",
                                  "--register", url])
    if result.exit_code:
        print("FAILED", result.exit_code, result.output.replace("\\n", " "), result.exception)
    else:
        print(result.stdout.strip())
"""
PROCESSES, PER_PROCESS = 4, 75


def hammer_new(url: str, tmp_path: Path) -> None:
    from cdw_datahub.bucp.register import open_register

    open_register(url).close()  # migrated once, before the race
    department(tmp_path)
    go = tmp_path / "go"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", NEW_WORKER, url, str(PER_PROCESS), str(go), str(i)],
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(PROCESSES)
    ]
    deadline = time.monotonic() + 120
    while not all((tmp_path / f"ready-{i}").exists() for i in range(PROCESSES)):
        assert time.monotonic() < deadline and all(p.poll() is None for p in procs)
        time.sleep(0.01)
    go.touch()
    outputs = [p.communicate(timeout=600) for p in procs]
    lines = [line for out, _ in outputs for line in out.splitlines()]
    failures = [line for line in lines if line.startswith("FAILED")]
    assert failures == [], failures[:5]
    assert all(p.returncode == 0 for p in procs), [err[-1000:] for _, err in outputs]
    assert len(lines) == PROCESSES * PER_PROCESS
    expected = {f"BUCP-2026-{n:03d}" for n in range(1, PROCESSES * PER_PROCESS + 1)}
    assert set(lines) == expected  # 300 proposals, 300 distinct ids, no gap
    with open_register(url) as register:
        records = register.records()
    assert {r.id for r in records} == expected
    titles = {r.title for r in records}
    assert len(titles) == PROCESSES * PER_PROCESS
    # the four really ran at once: their ids interleave
    by_worker = {w: [r.id for r in records if r.title.startswith(f"worker {w} ")] for w in "01"}
    assert min(by_worker["0"]) < max(by_worker["1"]) and min(by_worker["1"]) < max(by_worker["0"])


def test_concurrent_bucp_new_sqlite(tmp_path: Path) -> None:
    hammer_new(f"sqlite:///{tmp_path / 'register.db'}", tmp_path)


@pytest.mark.postgres
def test_concurrent_bucp_new_postgres(pg_url: str, pg_schema: str, tmp_path: Path) -> None:
    hammer_new(f"{pg_url}?options=-csearch_path%3D{pg_schema}", tmp_path)


# ---------------------------------------------------------------- NUL in a tracker cell

TRACKER = (
    "id,title,program,requesting_department,providing_department,drafted\n"
    "BUCP-2026-101,Fine row,w2w,DPH,CDW,2026-01-05\n"
    'BUCP-2026-102,"Bad\x00title",w2w,DPH,CDW,2026-01-06\n'
)


@pytest.mark.postgres
def test_nul_byte_in_a_tracker_cell_on_postgres(
    pg_url: str, pg_schema: str, tmp_path: Path
) -> None:
    from cdw_datahub.bucp.register import open_register

    url = f"{pg_url}?options=-csearch_path%3D{pg_schema}"
    (tmp_path / "tracker.csv").write_text(TRACKER)
    department(tmp_path)
    line = one_error(cli("bucp", "import", "tracker.csv", "--register", url, cwd=tmp_path))
    assert line == "Error: tracker.csv:row 3: 'title': the cell contains a NUL character (0x00)"
    with open_register(url) as register:
        assert register.counts()["bucp"] == 0  # the good row was not imported either


def test_nul_byte_in_a_tracker_cell_on_sqlite(tmp_path: Path) -> None:
    (tmp_path / "tracker.csv").write_text(TRACKER)
    department(tmp_path)
    url = f"sqlite:///{tmp_path / 'r.db'}"
    line = one_error(cli("bucp", "import", "tracker.csv", "--register", url, cwd=tmp_path))
    assert "row 3: 'title': the cell contains a NUL character" in line


# ---------------------------------------------------------------- concurrent ingestion (Lite)

RECIPES = ("glossary", "w2w", "healthy-habits", "your-environment")


def _ingest_env(data: Path, lite: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CDW_")}
    return {
        **env,
        "CDW_DATA_DIR": str(data),
        "CDW_LITE_FILE": str(lite),
        "CDW_GLOSSARY_DIR": str(packaged_dir("glossary")),
        "CDW_POLICIES_DIR": str(packaged_dir("policies")),
    }


def _ingest(recipes: Sequence[str], data: Path, lite: Path) -> list[subprocess.Popen[str]]:
    return [
        subprocess.Popen(
            [str(BIN / "datahub"), "ingest", "-c", str(packaged_dir("recipes") / f"{r}.lite.yml")],
            cwd=data,
            env=_ingest_env(data, lite),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for r in recipes
    ]


def _contents(lite: Path) -> tuple[list[tuple[str, str]], list[tuple], int]:
    with contextlib.closing(sqlite3.connect(lite)) as db:
        aspects = db.execute(
            "SELECT urn, aspect_name FROM metadata_aspect_v2 WHERE version = 0 ORDER BY 1, 2"
        ).fetchall()
        edges = db.execute("SELECT * FROM metadata_edge_v2 ORDER BY 1, 2, 3").fetchall()
        versions = db.execute("SELECT count(*) FROM metadata_aspect_v2").fetchone()[0]
    return aspects, edges, versions


@pytest.mark.slow
def test_concurrent_ingestions_into_one_lite_file(tmp_path: Path) -> None:
    """The demo's four recipes (glossary + three programs) started together with `datahub
    ingest` into one file: every run succeeds, and the file holds exactly what the same recipes
    write one after another (every aspect, version and browse edge)."""
    from cdw_datahub.demo.build import build_sqlite
    from cdw_datahub.ingest import run_recipe

    build_sqlite(tmp_path)
    together = tmp_path / "together.db"
    procs = _ingest(RECIPES, tmp_path, together)
    outputs = [p.communicate(timeout=900)[0] for p in procs]
    for recipe, proc, out in zip(RECIPES, procs, outputs, strict=True):
        assert proc.returncode == 0, (recipe, out[-3000:])
        assert "failed to write record" not in out and "database is locked" not in out
    apart = tmp_path / "apart.db"
    for recipe in RECIPES:  # in this process: the same pipeline, without 4 more start-ups
        run_recipe(packaged_dir("recipes") / f"{recipe}.lite.yml", _ingest_env(tmp_path, apart))
    got, want = _contents(together), _contents(apart)
    assert len(got[0]) > 800 and got == want


def test_a_held_lite_lock_fails_fast_in_one_line(tmp_path: Path) -> None:
    """Another process holds the file's write lock beyond `lock_timeout`: the run fails with one
    line naming the file, after one wait, not one wait per record."""
    from cdw_datahub.demo.build import build_program
    from cdw_datahub.demo.schema import PROGRAMS
    from cdw_datahub.errors import InputError
    from cdw_datahub.ingest import load_recipe, run_pipeline

    build_program(tmp_path / "w2w.db", next(p for p in PROGRAMS if p.id == "w2w"))
    lite = tmp_path / "lite.db"
    env = _ingest_env(tmp_path, lite)
    config = load_recipe(packaged_dir("recipes") / "w2w.lite.yml", env)
    config["sink"]["config"]["lock_timeout"] = 2
    with _env(env):
        run_pipeline(copy.deepcopy(config), "first run")  # the file exists, with its tables
        holder = sqlite3.connect(lite, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        started = time.monotonic()
        try:
            with pytest.raises(InputError) as excinfo:
                run_pipeline(config, "w2w.lite.yml")
        finally:
            holder.execute("ROLLBACK")
            holder.close()
    message = str(excinfo.value)
    assert time.monotonic() - started < 30
    assert "\n" not in message and "built-in method" not in message
    assert message.startswith(f"w2w.lite.yml: ingestion failed: cannot write to {lite} (")
    assert f"{lite} is locked by another writer and stayed locked for 2 s" in message
    assert "records)" in message  # every record failed alike: said once, with the count


@contextlib.contextmanager
def _env(values: dict[str, str]) -> Iterator[None]:
    saved = dict(os.environ)
    os.environ.update(values)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


# ---------------------------------------------------------------- scan reports what it skipped


def test_scan_names_a_view_it_could_not_read_and_exits_1(tmp_path: Path) -> None:
    db = tmp_path / "shop.db"
    with contextlib.closing(sqlite3.connect(db)) as conn:
        conn.executescript(
            """
            CREATE TABLE customer (customer_id INTEGER PRIMARY KEY, email TEXT, last_name TEXT);
            CREATE TABLE discontinued (sku TEXT);
            CREATE VIEW v_discontinued AS SELECT sku FROM discontinued;
            CREATE VIEW v_customer AS SELECT customer_id, email FROM customer;
            DROP TABLE discontinued;
            """
        )
    result = cli("scan", f"sqlite:///{db}", "--format", "csv", cwd=department(tmp_path))
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("Warning:")]
    assert any("Error processing view" in w and "main.v_discontinued" in w for w in warnings)
    assert any("no such table: main.discontinued" in w for w in warnings)
    assert "1 table(s) or view(s) were skipped" in result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {r["Field"] for r in rows} == {"email", "customer_id", "last_name"}


@pytest.fixture
def pg_database(pg_url: str) -> Iterator[str]:
    """A unique database (scan reads a whole database; others' test schemas come and go)."""
    import uuid

    import sqlalchemy as sa

    name = f"t_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield pg_url.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.mark.postgres
def test_scan_names_a_postgres_view_whose_sql_does_not_parse(
    pg_database: str, tmp_path: Path
) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(pg_database)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE film (film_id int PRIMARY KEY, title text, notes xml)"))
        # pg_get_viewdef gives XMLSERIALIZE(CONTENT ...), which DataHub's SQL parser rejects
        conn.execute(
            sa.text(
                "CREATE VIEW film_notes AS "
                "SELECT film_id, xmlserialize(content notes AS text) AS notes FROM film"
            )
        )
    engine.dispose()
    url = pg_database.replace("postgresql+psycopg2", "postgresql")
    result = cli("scan", url, "--format", "json", cwd=department(tmp_path))
    assert result.returncode == 0, result.stderr  # catalogued; only its lineage is missing
    warnings = [line for line in result.stderr.splitlines() if line.startswith("Warning:")]
    assert any("View definition not parsed" in w and "public.film_notes" in w for w in warnings), (
        result.stderr
    )
