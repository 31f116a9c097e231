#!/usr/bin/env python3
"""Sync throughput: items per second through `syncTouchpoints`, one client, batches of N.

For each batch size it sends ITEMS items in consecutive batches, three times over the same
external ids: `create` (new ids), `update` (every field changed) and `unchanged` (the same
items again: compared and skipped, nothing written). Each batch is checked: HTTP 200, no
top-level error, no per-item error, and the expected created/updated/unchanged counts.

    sync_throughput.py URL TOKENS_FILE BRAND_ID PHASE_ID [BATCH ...]

TOKENS_FILE holds "<n> <token>" lines (bench/lib.sh's mint_tokens); batch size k uses partner
k's token so every size starts from an organization with no sync-bench ids. Prints one
`SYNC batch=… mode=… items=… seconds=… items_per_s=…` line per measurement.
"""
import json
import os
import sys
import time
import urllib.request

MUTATION = """mutation S($input: SyncTouchpointsInput!) {
  syncTouchpoints(input: $input) { created updated unchanged errors { externalId code field message } }
}"""
CHANNELS = ["WEBSITE", "APP", "STORE", "PHONE", "EMAIL", "EVENT", "PRINT", "SOCIAL"]


def item(i, rnd, phase):
    return {
        "externalId": f"sync-bench-{i:06d}",
        "name": f"Synced touchpoint {i} r{rnd}",
        "description": f"Written by the sync benchmark, round {rnd}",
        "channel": CHANNELS[(i + rnd) % len(CHANNELS)],
        "expressions": ["DIGITAL"],
        "ownership": "PARTNER",
        "phaseId": phase,
        "visibility": "NETWORK",
        "importance": 1 + (i + rnd) % 5,
        "urgency": 1 + (i * 3 + rnd) % 5,
        "tags": [f"round-{rnd}"],
    }


def sync(url, token, brand, items):
    body = json.dumps({"query": MUTATION, "variables": {"input": {"brandId": brand, "items": items}}})
    req = urllib.request.Request(
        url + "/graphql",
        data=body.encode(),
        headers={"Content-Type": "application/json", "Authorization": "Bearer " + token},
    )
    with urllib.request.urlopen(req, timeout=120) as resp:
        doc = json.load(resp)
    if doc.get("errors"):
        sys.exit(f"sync failed: {doc['errors']}")
    result = doc["data"]["syncTouchpoints"]
    if result["errors"]:
        sys.exit(f"per-item errors: {result['errors'][:3]}")
    return result


def main():
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    url, tokens_file, brand, phase = sys.argv[1:5]
    batches = [int(b) for b in sys.argv[5:]] or [100, 1000]
    total = int(os.environ.get("ITEMS", "10000"))
    tokens = dict(line.split() for line in open(tokens_file) if line.strip())
    for k, batch in enumerate(batches, start=1):
        token = tokens[str(k)]
        for rnd, (mode, expect) in enumerate(
            [("create", "created"), ("update", "updated"), ("unchanged", "unchanged")]
        ):
            data_round = min(rnd, 1)  # `unchanged` resends the `update` round's items
            started = time.perf_counter()
            for lo in range(0, total, batch):
                items = [item(i, data_round, phase) for i in range(lo, min(lo + batch, total))]
                result = sync(url, token, brand, items)
                if result[expect] != len(items):
                    sys.exit(f"batch {batch} {mode}: expected {len(items)} {expect}, got {result}")
            seconds = time.perf_counter() - started
            print(
                f"SYNC batch={batch} mode={mode} items={total} seconds={seconds:.2f} "
                f"items_per_s={total / seconds:.0f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
