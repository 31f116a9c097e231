#!/usr/bin/env python3
"""Push a partner's touchpoints from a CSV into Touchpoint Registry, and pull what changed.

Standard library only. See README.md next to this file.
"""
import argparse
import csv
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

BATCH_LIMIT = 1000
RETRYABLE_STATUS = {429, 500, 502, 503, 504}

SYNC_MUTATION = """
mutation Sync($input: SyncTouchpointsInput!) {
  syncTouchpoints(input: $input) {
    created updated unchanged archived replayed dryRun
    errors { index externalId code field message }
  }
}"""

BRAND_QUERY = """
query Brand($slug: String!) { brand(slug: $slug) { id name phases { id name } } }"""

FEED_QUERY = """
query Feed($brand: ID!, $after: String, $first: Int) {
  touchpointChanges(brandId: $brand, after: $after, first: $first) {
    pageInfo { hasNextPage endCursor }
    nodes { kind at actor touchpointId touchpoint { externalId name owner { slug } } }
  }
}"""


class RegistryError(Exception):
    """The registry refused the request (not worth retrying)."""


class Registry:
    """A small client: client-credentials tokens, GraphQL calls, safe retries."""

    def __init__(self, url, client_id, client_secret, retries=5):
        self.url = url.rstrip("/")
        self.client_id = client_id
        self.client_secret = client_secret
        self.retries = retries
        self.token = None

    def _post(self, path, body, content_type, headers=None):
        """POSTs with retries on network errors, 5xx and 429; returns (status, json)."""
        delay = 0.5
        for attempt in range(self.retries + 1):
            request = urllib.request.Request(
                self.url + path, data=body, method="POST",
                headers={"Content-Type": content_type, "Accept": "application/json", **(headers or {})},
            )
            try:
                with urllib.request.urlopen(request, timeout=60) as response:
                    return response.status, json.loads(response.read() or b"null")
            except urllib.error.HTTPError as err:
                payload = err.read()
                if err.code in RETRYABLE_STATUS and attempt < self.retries:
                    wait = float(err.headers.get("Retry-After") or delay)
                    print(f"  HTTP {err.code}, retrying in {wait:.1f}s", file=sys.stderr)
                    time.sleep(wait)
                    delay *= 2
                    continue
                try:
                    return err.code, json.loads(payload or b"null")
                except ValueError:
                    raise RegistryError(f"HTTP {err.code} from {path}") from err
            except (urllib.error.URLError, ConnectionError, TimeoutError) as err:
                if attempt >= self.retries:
                    raise
                print(f"  network error ({err}), retrying in {delay:.1f}s", file=sys.stderr)
                time.sleep(delay)
                delay *= 2
        raise RegistryError(f"gave up on {path}")

    def authenticate(self):
        body = urllib.parse.urlencode({
            "grant_type": "client_credentials",
            "client_id": self.client_id,
            "client_secret": self.client_secret,
        }).encode()
        status, data = self._post("/auth/token", body, "application/x-www-form-urlencoded")
        if status != 200:
            raise RegistryError(f"token request refused: {data}")
        self.token = data["access_token"]

    def graphql(self, query, variables):
        """Runs one operation; renews the token once if it expired; raises on errors."""
        for renewed in (False, True):
            if self.token is None:
                self.authenticate()
            body = json.dumps({"query": query, "variables": variables}).encode()
            status, data = self._post("/graphql", body, "application/json",
                                      {"Authorization": f"Bearer {self.token}"})
            if status == 401 and not renewed:
                self.token = None
                continue
            if data and data.get("errors"):
                first = data["errors"][0]
                code = first.get("extensions", {}).get("code")
                raise RegistryError(f"{code}: {first.get('message')}")
            if status != 200:
                raise RegistryError(f"HTTP {status}: {data}")
            return data["data"]
        raise RegistryError("authentication failed")


def split_list(cell):
    return [part.strip() for part in cell.split(";") if part.strip()]


def read_items(path, phase_ids):
    """CSV rows → sync items. A missing column is omitted (kept); an empty cell is null."""
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        columns = set(reader.fieldnames or [])
        items = []
        for row in reader:
            cell = lambda name: (row.get(name) or "").strip()  # noqa: E731
            item = {"externalId": cell("external_id")}

            def put(field, column, convert=lambda v: v):
                if column in columns:
                    value = cell(column)
                    item[field] = convert(value) if value else None

            put("name", "name")
            put("description", "description")
            put("channel", "channel")
            put("expressions", "expressions", split_list)
            put("phaseId", "phase", lambda name: phase_ids.get(name.lower(), f"unknown phase: {name}"))
            put("visibility", "visibility")
            put("status", "status")
            for score in ("importance", "urgency", "maturity", "effort", "benefit"):
                put(score, score, int)
            if "tags" in columns:
                item["tags"] = split_list(cell("tags"))  # a list is never null: empty is []
            put("location", "location")
            put("launchDate", "launch_date")
            if "cost_amount" in columns:
                amount, currency = cell("cost_amount"), cell("cost_currency")
                item["cost"] = {"amount": amount, "currency": currency} if amount else None
            items.append(item)
        return items


def brand_of(registry, slug):
    brand = registry.graphql(BRAND_QUERY, {"slug": slug})["brand"]
    if brand is None:
        raise RegistryError(f"no brand {slug!r} in your networks")
    return brand


def push(registry, args):
    brand = brand_of(registry, args.brand)
    phase_ids = {p["name"].lower(): p["id"] for p in brand["phases"]}
    items = read_items(args.csv, phase_ids)
    if args.mirror and len(items) > BATCH_LIMIT:
        raise RegistryError("--mirror needs the whole set in one batch (at most 1,000 rows)")
    size = len(items) if args.mirror else args.batch_size
    run_id = uuid.uuid4().hex[:12]
    totals = {"created": 0, "updated": 0, "unchanged": 0, "archived": 0}
    refused = []
    for number, start in enumerate(range(0, max(len(items), 1), size)):
        batch = items[start:start + size]
        result = registry.graphql(SYNC_MUTATION, {"input": {
            "brandId": brand["id"],
            "mode": "MIRROR" if args.mirror else "UPSERT",
            "dryRun": args.dry_run,
            # The same key on every retry of this batch: it is applied at most once.
            "idempotencyKey": f"{run_id}-{number}",
            "items": batch,
        }})["syncTouchpoints"]
        for key in totals:
            totals[key] += result[key]
        for error in result["errors"]:
            error["row"] = start + error["index"] + 2  # the header is line 1
            refused.append(error)
        print(f"batch {number + 1}: {result['created']} created, {result['updated']} updated, "
              f"{result['unchanged']} unchanged, {result['archived']} archived, "
              f"{len(result['errors'])} refused{' (replayed)' if result['replayed'] else ''}")
    prefix = "DRY RUN — would have: " if args.dry_run else ""
    print(f"{prefix}{totals['created']} created, {totals['updated']} updated, "
          f"{totals['unchanged']} unchanged, {totals['archived']} archived, {len(refused)} refused "
          f"(brand {brand['name']})")
    for error in refused:
        field = f" [{error['field']}]" if error.get("field") else ""
        print(f"  line {error['row']} ({error['externalId']}): {error['code']}{field} {error['message']}")
    return 2 if refused else 0


def read_cursor(path):
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read().strip() or None
    except FileNotFoundError:
        return None


def save_cursor(path, cursor):
    """Atomically: a crash leaves the old cursor or the new one, never half of one."""
    temporary = f"{path}.tmp"
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(cursor or "")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def pull(registry, args):
    brand = brand_of(registry, args.brand)
    cursor = read_cursor(args.cursor_file)
    count = 0
    while True:
        page = registry.graphql(FEED_QUERY, {"brand": brand["id"], "after": cursor, "first": args.page_size})
        feed = page["touchpointChanges"]
        for change in feed["nodes"]:
            touchpoint = change["touchpoint"]
            print(json.dumps({
                "kind": change["kind"], "at": change["at"], "actor": change["actor"],
                "touchpointId": change["touchpointId"], "externalId": touchpoint["externalId"],
                "name": touchpoint["name"], "owner": touchpoint["owner"]["slug"],
            }))
            count += 1
        cursor = feed["pageInfo"]["endCursor"] or cursor
        save_cursor(args.cursor_file, cursor)
        if not feed["pageInfo"]["hasNextPage"]:
            break
    print(f"{count} changes; cursor saved to {args.cursor_file}", file=sys.stderr)
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default=os.environ.get("REGISTRY_URL", "http://127.0.0.1:8080"))
    parser.add_argument("--client-id", default=os.environ.get("REGISTRY_CLIENT_ID"))
    parser.add_argument("--client-secret", default=os.environ.get("REGISTRY_CLIENT_SECRET"))
    commands = parser.add_subparsers(dest="command", required=True)
    push_args = commands.add_parser("push", help="sync the CSV's touchpoints into a brand's network")
    push_args.add_argument("--brand", required=True, help="the brand's slug")
    push_args.add_argument("--csv", required=True)
    push_args.add_argument("--batch-size", type=int, default=100)
    push_args.add_argument("--mirror", action="store_true", help="also archive your touchpoints the CSV lacks")
    push_args.add_argument("--dry-run", action="store_true")
    pull_args = commands.add_parser("pull", help="print the network's changes since the saved cursor")
    pull_args.add_argument("--brand", required=True)
    pull_args.add_argument("--cursor-file", required=True)
    pull_args.add_argument("--page-size", type=int, default=200)
    args = parser.parse_args(argv)
    if not args.client_id or not args.client_secret:
        parser.error("set --client-id/--client-secret or REGISTRY_CLIENT_ID/REGISTRY_CLIENT_SECRET")
    if not 1 <= getattr(args, "batch_size", 1) <= BATCH_LIMIT:
        parser.error(f"--batch-size must be between 1 and {BATCH_LIMIT}")
    registry = Registry(args.url, args.client_id, args.client_secret)
    try:
        return push(registry, args) if args.command == "push" else pull(registry, args)
    except (RegistryError, urllib.error.URLError, OSError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
