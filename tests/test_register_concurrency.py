"""Two real processes add 500 events each to the SAME BUCP at the same time: none is lost, the
history stays valid (every event checked against the state the other process left), on SQLite
(WAL + busy timeout + BEGIN IMMEDIATE) and PostgreSQL (SELECT ... FOR UPDATE)."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cdw_datahub.bucp.register import NewBucp, open_register
from cdw_datahub.bucp.register.store import check_history

EVENTS_PER_PROCESS = 500

# Each worker alternates the dispute cycle: it tries the event that is legal now; when the other
# process got there first, the transition check rejects it and the worker tries the other one.
WORKER = """
import datetime as dt, pathlib, sys, time
from cdw_datahub.bucp.register import open_register
from cdw_datahub.errors import InputError
url, bucp_id, wanted, go = sys.argv[1], sys.argv[2], int(sys.argv[3]), pathlib.Path(sys.argv[4])
register = open_register(url)
(go.parent / f"ready-{sys.argv[5]}").touch()
while not go.exists():
    time.sleep(0.005)
done = rejected = 0
on = dt.date(2026, 2, 1)
nxt = "disputed"
while done < wanted:
    try:
        register.add_event(bucp_id, nxt, on, note=f"worker {sys.argv[5]}")
        done += 1
    except InputError:
        rejected += 1
    nxt = "dispute resolved" if nxt == "disputed" else "disputed"
    # outside the transaction: SQLite's busy handler is not fair, and without a gap the process
    # holding the lock would take it again at once and run all its events in one stretch
    time.sleep(0.001)
register.close()
print(done, rejected)
"""


def hammer(url: str, tmp_path: Path) -> None:
    with open_register(url) as register:
        bucp_id = register.new(
            NewBucp(
                title="Contended",
                program="w2w",
                requesting_department="DPH",
                providing_department="CDW",
            ),
            dt.date(2026, 1, 2),
        )
        register.add_event(bucp_id, "submitted", dt.date(2026, 1, 3))
        register.add_event(bucp_id, "under review", dt.date(2026, 1, 4))
    go = tmp_path / "go"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, url, bucp_id, str(EVENTS_PER_PROCESS), str(go), str(i)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in (1, 2)
    ]
    # both processes imported and connected before they start together
    deadline = time.monotonic() + 60
    while not all((tmp_path / f"ready-{i}").exists() for i in (1, 2)):
        assert time.monotonic() < deadline and all(p.poll() is None for p in procs)
        time.sleep(0.01)
    go.touch()
    results = [p.communicate(timeout=120) for p in procs]
    for proc, (out, err) in zip(procs, results, strict=True):
        assert proc.returncode == 0, err
        assert out.split()[0] == str(EVENTS_PER_PROCESS)

    with open_register(url) as register:
        record = register.get(bucp_id)
        counts = register.counts()
    assert len(record.events) == 3 + 2 * EVENTS_PER_PROCESS
    assert [e.seq for e in record.events] == list(range(1, len(record.events) + 1))
    assert check_history([(e.event, e.on) for e in record.events]) is None
    notes = [e.note for e in record.events[3:]]
    # the two really ran at the same time: each one's events start before the other's end
    first = {w: notes.index(w) for w in ("worker 1", "worker 2")}
    last = {w: len(notes) - 1 - notes[::-1].index(w) for w in ("worker 1", "worker 2")}
    assert first["worker 1"] < last["worker 2"] and first["worker 2"] < last["worker 1"]
    assert notes.count("worker 1") == notes.count("worker 2") == EVENTS_PER_PROCESS
    assert counts["bucp_dispute"] == EVENTS_PER_PROCESS
    assert all(d.resolved_on for d in record.disputes)


def test_two_processes_sqlite(tmp_path: Path) -> None:
    hammer(f"sqlite:///{tmp_path / 'register.db'}", tmp_path)


@pytest.mark.postgres
def test_two_processes_postgres(pg_url: str, pg_schema: str, tmp_path: Path) -> None:
    hammer(f"{pg_url}?options=-csearch_path%3D{pg_schema}", tmp_path)
