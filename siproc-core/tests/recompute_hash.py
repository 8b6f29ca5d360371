#!/usr/bin/env python3
"""Recomputes siproc event hashes with Python's standard library only.

Usage: python3 recompute_hash.py EVENTS.jsonl

Reads one event per line (as siproc stores them), follows the procedure documented in
siproc-core's `history` module, and prints for each event: `seq hash canonical_hex`, where
`canonical_hex` is the hex of the exact bytes hashed. Exits with status 1 if a hash, a link
or a commitment does not match.
"""
import hashlib
import json
import sys

GENESIS = "0" * 64


def jcs(v):
    """RFC 8785 canonical JSON for the values events hold (no fractional numbers)."""
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if v.is_integer() and abs(v) <= 2**53:
            return str(int(v))
        raise ValueError("fractional numbers do not occur in events")
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list):
        return "[" + ",".join(jcs(x) for x in v) + "]"
    items = sorted(v.items(), key=lambda kv: kv[0].encode("utf-16-be"))
    return "{" + ",".join(json.dumps(k, ensure_ascii=False) + ":" + jcs(x) for k, x in items) + "}"


def reduce_sealed(v):
    """Replaces every sealed value (an object with a `commitment`) by its commitment alone."""
    if isinstance(v, dict):
        if "commitment" in v:
            return {"commitment": v["commitment"]}
        return {k: reduce_sealed(x) for k, x in v.items()}
    if isinstance(v, list):
        return [reduce_sealed(x) for x in v]
    return v


def commitments_open(v):
    if isinstance(v, dict):
        if "commitment" in v:
            if "salt" not in v:  # erased: the commitment alone is left
                return "value" not in v
            digest = hashlib.sha256(bytes.fromhex(v["salt"]) + jcs(v["value"]).encode()).hexdigest()
            return digest == v["commitment"]
        return all(commitments_open(x) for x in v.values())
    if isinstance(v, list):
        return all(commitments_open(x) for x in v)
    return True


def main(path):
    ok = True
    prev = GENESIS
    with open(path, encoding="utf-8") as f:
        for line in f:
            event = json.loads(line)
            stored = event.pop("hash")
            canonical = jcs(reduce_sealed(event)).encode("utf-8")
            digest = hashlib.sha256(canonical).hexdigest()
            if digest != stored or event["prev_hash"] != prev or not commitments_open(event):
                ok = False
            prev = stored
            print(event["seq"], digest, canonical.hex())
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
