"""The Python `gql` client (aiohttp and websockets transports) against a live server.

Run by ../run.sh, which starts the server with the demo network and passes, in the
environment: GRAPHQL_URL (http://127.0.0.1:PORT/graphql), WS_URL (ws://…/graphql/ws),
BRAND_SLUG, EDITOR_EMAIL, EDITOR_TOKEN (a brand EDITOR) and VIEWER_TOKEN (a brand VIEWER).
Prints one line per check; exits non-zero on the first unexpected answer.
"""

import asyncio
import logging
import os
import sys
import uuid

from gql import Client, gql
from gql.transport.aiohttp import AIOHTTPTransport
from gql.transport.exceptions import TransportQueryError
from gql.transport.websockets import WebsocketsTransport

GRAPHQL_URL = os.environ["GRAPHQL_URL"]
WS_URL = os.environ["WS_URL"]
BRAND_SLUG = os.environ.get("BRAND_SLUG", "northwind")
EDITOR_EMAIL = os.environ["EDITOR_EMAIL"]
EDITOR_TOKEN = os.environ["EDITOR_TOKEN"]
VIEWER_TOKEN = os.environ["VIEWER_TOKEN"]

# gql logs a warning when the server does not answer its close frame; the note below says it.
logging.getLogger("gql.transport.common.base").setLevel(logging.ERROR)

PREFIX = "python-gql:"
passed = 0


class CheckFailed(Exception):
    pass


def ok(what):
    global passed
    passed += 1
    print(f"{PREFIX} ok   {what}", flush=True)


def expect(condition, what):
    if not condition:
        raise CheckFailed(what)


def http_client(token):
    return Client(
        transport=AIOHTTPTransport(
            url=GRAPHQL_URL, headers={"Authorization": f"Bearer {token}"}, timeout=15
        ),
        fetch_schema_from_transport=False,
        execute_timeout=15,
    )


async def refused(session, document, code, what):
    """Runs `document`, which must fail with extensions.code `code`."""
    try:
        await session.execute(document)
    except TransportQueryError as exc:
        got = error_code(exc)
        expect(got == code, f"{what}: {got}, expected {code} ({exc.errors})")
        return
    raise CheckFailed(f"{what} answered without an error")


def error_code(exc):
    """extensions.code of the first GraphQL error carried by a gql exception."""
    errors = exc.errors or []
    expect(errors, f"the exception carries no GraphQL errors: {exc!r}")
    return (errors[0].get("extensions") or {}).get("code")


PORTAL = gql(
    """
    query Portal($brand: String!, $first: Int!) {
      brand(slug: $brand) { id name phases { id name } }
      touchpoints(first: $first, orderBy: {field: PRIORITY, direction: DESC}) {
        totalCount
        pageInfo { hasNextPage endCursor }
        nodes { id name priorityScore owner { name } phase { name } }
      }
    }
    """
)

PAGE = gql(
    """
    query Page($first: Int!, $after: String) {
      touchpoints(first: $first, after: $after, orderBy: {field: NAME, direction: ASC}) {
        totalCount
        pageInfo { hasNextPage endCursor }
        nodes { id name }
      }
    }
    """
)

CREATE = gql(
    """
    mutation Create($input: CreateTouchpointInput!) {
      createTouchpoint(input: $input) { touchpoint { id name version } }
    }
    """
)

UPDATE = gql(
    """
    mutation Update($input: UpdateTouchpointInput!) {
      updateTouchpoint(input: $input) { touchpoint { id name version } }
    }
    """
)

READ = gql("query Read($id: ID!) { touchpoint(id: $id) { id name version } }")

CHANGED = gql(
    """
    subscription Changed($brandId: ID!) {
      touchpointChanged(brandId: $brandId) {
        kind at actor touchpointId touchpoint { id name version }
      }
    }
    """
)


async def main():
    run = uuid.uuid4().hex[:8]
    editor = http_client(EDITOR_TOKEN)
    viewer = http_client(VIEWER_TOKEN)
    async with editor as ed, viewer as vi:
        # 1. A portal query with variables.
        PORTAL.variable_values = {"brand": BRAND_SLUG, "first": 5}
        portal = await ed.execute(PORTAL)
        brand = portal["brand"]
        expect(brand is not None, f"brand(slug: {BRAND_SLUG!r}) is null")
        phases = brand["phases"]
        expect(len(phases) > 0, "the brand has no phases")
        expect(all(p["name"] for p in phases), f"a phase without a name: {phases}")
        page = portal["touchpoints"]
        total = page["totalCount"]
        expect(total > 0, "touchpoints.totalCount is 0 on the demo network")
        expect(len(page["nodes"]) == min(5, total), f"first: 5 gave {len(page['nodes'])} nodes")
        expect(page["pageInfo"]["hasNextPage"] == (total > 5), f"hasNextPage wrong: {page['pageInfo']}")
        ok(
            f"portal query with variables: brand {brand['name']!r}, {len(phases)} phases, "
            f"touchpoints(first: 5) {len(page['nodes'])} of totalCount {total}"
        )

        # 2. A paged list, following pageInfo.endCursor until hasNextPage is false.
        seen, pages, after, total_count = [], 0, None, None
        while True:
            PAGE.variable_values = {"first": 7, "after": after}
            conn = (await ed.execute(PAGE))["touchpoints"]
            pages += 1
            expect(len(conn["nodes"]) <= 7, f"page {pages} has {len(conn['nodes'])} nodes for first: 7")
            if total_count is None:
                total_count = conn["totalCount"]
            expect(conn["totalCount"] == total_count, "totalCount changed between pages")
            seen.extend(n["id"] for n in conn["nodes"])
            if not conn["pageInfo"]["hasNextPage"]:
                break
            expect(conn["pageInfo"]["endCursor"], f"page {pages} has a next page but no endCursor")
            after = conn["pageInfo"]["endCursor"]
            expect(pages <= total_count, "paging does not end")
        expect(len(seen) == len(set(seen)), f"duplicates across pages: {len(seen) - len(set(seen))}")
        expect(len(seen) == total_count, f"paged through {len(seen)} touchpoints, totalCount {total_count}")
        ok(f"paged list: {pages} pages of first: 7 by NAME, {len(seen)} distinct ids == totalCount {total_count}")

        # 3. Over the page size limit: BAD_USER_INPUT.
        PAGE.variable_values = {"first": 101, "after": None}
        await refused(ed, PAGE, "BAD_USER_INPUT", "touchpoints(first: 101)")
        ok("touchpoints(first: 101) -> TransportQueryError, extensions.code BAD_USER_INPUT")

        # 4. A mutation that a VIEWER may not make: FORBIDDEN.
        create_input = {
            "brandId": brand["id"],
            "phaseId": phases[0]["id"],
            "name": f"gql client check {run}",
            "channel": "WEBSITE",
            "expressions": ["DIGITAL"],
            "importance": 3,
        }
        CREATE.variable_values = {"input": create_input}
        await refused(vi, CREATE, "FORBIDDEN", "a brand VIEWER's createTouchpoint")
        ok("createTouchpoint as a VIEWER -> TransportQueryError, extensions.code FORBIDDEN")

        # 5. A stale expectedVersion: CONFLICT, and nothing written.
        created = (await ed.execute(CREATE))["createTouchpoint"]["touchpoint"]
        tp_id, v1 = created["id"], created["version"]
        UPDATE.variable_values = {"input": {"id": tp_id, "expectedVersion": v1, "name": f"gql check {run} v2"}}
        v2 = (await ed.execute(UPDATE))["updateTouchpoint"]["touchpoint"]["version"]
        expect(v2 == v1 + 1, f"update at version {v1} gave version {v2}")
        UPDATE.variable_values = {"input": {"id": tp_id, "expectedVersion": v1, "name": f"gql check {run} lost"}}
        await refused(ed, UPDATE, "CONFLICT", f"updateTouchpoint with the stale expectedVersion {v1}")
        READ.variable_values = {"id": tp_id}
        now = (await ed.execute(READ))["touchpoint"]
        expect(now["version"] == v2 and now["name"] == f"gql check {run} v2", f"the refused update wrote: {now}")
        ok(f"updateTouchpoint with stale expectedVersion {v1} (now {v2}) -> extensions.code CONFLICT, nothing written")

        # 6. touchpointChanged over graphql-transport-ws, fed by a mutation over aiohttp.
        ws = WebsocketsTransport(
            url=WS_URL,
            init_payload={"Authorization": f"Bearer {EDITOR_TOKEN}"},
            subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
            connect_timeout=10,
            ack_timeout=10,
            # gql closes with a close frame and waits this long for the server's (RFC 6455
            # §5.5.1); see the note printed below.
            close_timeout=1,
        )
        events = asyncio.Queue()
        async with Client(transport=ws, fetch_schema_from_transport=False) as live:
            expect(
                ws.subprotocol == "graphql-transport-ws",
                f"negotiated subprotocol {ws.subprotocol!r}, expected graphql-transport-ws",
            )

            async def listen():
                CHANGED.variable_values = {"brandId": brand["id"]}
                async for result in live.subscribe(CHANGED):
                    await events.put(result["touchpointChanged"])

            listener = asyncio.create_task(listen())
            # The protocol has no "subscribed" acknowledgement: update, wait a little for
            # the event, and update again if none came (the subscription may not be
            # registered yet). Every update has its own name, so any event we get is one of
            # ours, made by another request.
            names, version, got = set(), v2, None
            for attempt in range(10):
                name = f"gql live {run} #{attempt}"
                UPDATE.variable_values = {"input": {"id": tp_id, "expectedVersion": version, "name": name}}
                version = (await ed.execute(UPDATE))["updateTouchpoint"]["touchpoint"]["version"]
                names.add(name)
                deadline = asyncio.get_running_loop().time() + 1.0
                while got is None:
                    left = deadline - asyncio.get_running_loop().time()
                    if left <= 0 or listener.done():
                        break
                    try:
                        event = await asyncio.wait_for(events.get(), left)
                    except asyncio.TimeoutError:
                        break
                    if event["touchpointId"] == tp_id and event["touchpoint"]["name"] in names:
                        got = event
                if got is not None or listener.done():
                    break
            if listener.done() and listener.exception() is not None:
                raise CheckFailed(f"the subscription failed: {listener.exception()!r}")
            expect(got is not None, "no touchpointChanged event within 10 updates")
            expect(got["kind"] == "UPDATED", f"event kind {got['kind']}, expected UPDATED")
            expect(got["actor"] == EDITOR_EMAIL, f"event actor {got['actor']!r}, expected {EDITOR_EMAIL!r}")
            expect(got["touchpoint"]["id"] == tp_id, f"event touchpoint {got['touchpoint']}")
            listener.cancel()
            try:
                await listener
            except asyncio.CancelledError:
                pass
            closing = asyncio.get_running_loop().time()
        closed_in = asyncio.get_running_loop().time() - closing
        ok(
            f"touchpointChanged over websockets (graphql-transport-ws, token in connection_init): "
            f"got {got['kind']} by {got['actor']} of {got['touchpoint']['name']!r} "
            f"(version {got['touchpoint']['version']}) made through aiohttp"
        )
        if closed_in >= 0.9:
            print(
                f"{PREFIX} note closing the websocket took {closed_in:.1f} s: the server did not "
                "answer the client's close frame (gql waited its close_timeout)",
                flush=True,
            )


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except CheckFailed as failure:
        print(f"{PREFIX} FAIL {failure}", flush=True)
        print(f"{PREFIX} {passed} passed, 1 failed", flush=True)
        sys.exit(1)
    except Exception as exc:  # an unexpected answer the checks did not foresee
        print(f"{PREFIX} FAIL unexpected {type(exc).__name__}: {exc!r}", flush=True)
        print(f"{PREFIX} {passed} passed, 1 failed", flush=True)
        sys.exit(1)
    print(f"{PREFIX} {passed} passed, 0 failed", flush=True)
