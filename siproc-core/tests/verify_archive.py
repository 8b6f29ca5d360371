#!/usr/bin/env python3
"""Verifies a siproc archive with Python's standard library only, without any key.

Usage: python3 verify_archive.py ARCHIVE.jsonl

Follows the format documented in siproc-core's `archive` module (versions 1 and 2): the
header, every case line's event hashes and chain (as `recompute_hash.py` recomputes them) and
anchor, every file line's case and the SHA-256 of its base64 content, the trailer's counts and
digest. Prints `ok: N cases, F files` and exits 0, or prints each problem (line, case, what)
and exits 1.
"""
import base64
import binascii
import hashlib
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from recompute_hash import GENESIS, commitments_open, jcs, reduce_sealed  # noqa: E402


def chain_ok(events):
    prev = GENESIS
    for event in events:
        event = dict(event)
        stored = event.pop("hash")
        digest = hashlib.sha256(jcs(reduce_sealed(event)).encode("utf-8")).hexdigest()
        if digest != stored or event["prev_hash"] != prev or not commitments_open(event):
            return False
        prev = stored
    return True


def main(path):
    problems = []
    digest = hashlib.sha256()
    cases = events = files = 0
    case = None
    trailer = None
    with open(path, "rb") as f:
        raw = f.read().split(b"\n")
    if raw and raw[-1] == b"":
        raw.pop()
    for number, line in enumerate(raw, start=1):
        record = json.loads(line)
        if number == 1:
            version = record.get("version")
            if record.get("archive") != "siproc" or version not in (1, 2):
                problems.append((number, None, "not a siproc archive of version 1 or 2"))
                break
            digest.update(line + b"\n")
            continue
        if "end" in record:
            trailer = record
            continue
        digest.update(line + b"\n")
        if "file" in record:
            files += 1
            content = None
            try:
                content = base64.b64decode(record["content"], validate=True)
            except (binascii.Error, ValueError):
                pass
            if content is None or hashlib.sha256(content).hexdigest() != record["file"]:
                problems.append((number, record["case_id"], "a file does not match its SHA-256"))
            if record["case_id"] != case:
                problems.append((number, record["case_id"], "a file away from its case"))
            continue
        cases += 1
        case = record["case_id"]
        events += len(record["events"])
        last = record["events"][-1] if record["events"] else {}
        if not chain_ok(record["events"]) or last.get("hash") != record["head"] \
                or last.get("seq") != record["version"]:
            problems.append((number, case, "the history does not verify"))
    if trailer is None:
        problems.append((len(raw), None, "no trailer"))
    else:
        expected = {"end": "siproc", "cases": cases, "events": events}
        if version == 2:
            expected["files"] = files
        expected["digest"] = digest.hexdigest()
        if trailer != expected:
            problems.append((len(raw), None, "the trailer's counts or digest do not match"))
    for number, case_id, what in problems:
        print(f"line {number}: case {case_id}: {what}")
    if problems:
        return 1
    print(f"ok: {cases} cases, {files} files")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
