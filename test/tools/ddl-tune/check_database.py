"""Checks a tuning database and its trial log: one record per kernel (the
count given), each no slower than the heuristic's schedule re-measured
beside it, a schedule its trials measured, with its trials in the log."""
import json
import sys

db, log, expected = sys.argv[1], sys.argv[2], int(sys.argv[3])
records = [json.loads(line) for line in open(db) if line.strip()]
trials = [json.loads(line) for line in open(log) if line.strip()]
assert len(records) == expected, f"{len(records)} records, expected {expected}"
for r in records:
    assert r["version"] == "ddl-tune 1" and r["trials"] >= 1, r
    assert 0 < r["latency_ms"] <= r["default_ms"], r
    mine = [t for t in trials if t["key"] == r["key"]]
    assert len(mine) == r["trials"], (len(mine), r)
    assert any(t["search"] == "default" for t in mine), r
    # The record is the chosen schedule re-measured beside the heuristic's:
    # one of the kernel's measured schedules.
    assert r["schedule"] in {t["schedule"] for t in mine if t["status"] == "ok"}, r
print("ok", len(records), "records")
