// graphql-request (queries, mutations) and graphql-ws over `ws` (subscriptions) against a
// live server. Run by ../run.sh, which starts the server with the demo network and passes,
// in the environment: GRAPHQL_URL (http://127.0.0.1:PORT/graphql), WS_URL
// (ws://…/graphql/ws), BRAND_SLUG, EDITOR_EMAIL, EDITOR_TOKEN (a brand EDITOR) and
// VIEWER_TOKEN (a brand VIEWER). Prints one line per check; exits non-zero on the first
// unexpected answer.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

import { ClientError, GraphQLClient, gql } from 'graphql-request';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const GRAPHQL_URL = env('GRAPHQL_URL');
const WS_URL = env('WS_URL');
const BRAND_SLUG = process.env.BRAND_SLUG || 'northwind';
const EDITOR_EMAIL = env('EDITOR_EMAIL');
const EDITOR_TOKEN = env('EDITOR_TOKEN');
const VIEWER_TOKEN = env('VIEWER_TOKEN');

const PREFIX = 'node-graphql-request:';
let passed = 0;
class CheckFailed extends Error {}
const ok = (what) => {
  passed += 1;
  console.log(`${PREFIX} ok   ${what}`);
};
const expect = (condition, what) => {
  if (!condition) throw new CheckFailed(what);
};
/** extensions.code of the first GraphQL error of a graphql-request ClientError. */
const errorCode = (err) => {
  if (!(err instanceof ClientError)) throw err;
  const errors = err.response?.errors ?? [];
  expect(errors.length > 0, `the ClientError carries no GraphQL errors: ${err.message}`);
  return errors[0].extensions?.code;
};
/** Resolves with what `promise` resolves to, or `fallback` after `ms`. */
const within = (promise, ms, fallback) =>
  Promise.race([promise, sleep(ms).then(() => fallback)]);

const http = (token) =>
  new GraphQLClient(GRAPHQL_URL, { headers: { authorization: `Bearer ${token}` } });

const PORTAL = gql`
  query Portal($brand: String!, $first: Int!) {
    brand(slug: $brand) { id name phases { id name } }
    touchpoints(first: $first, orderBy: {field: PRIORITY, direction: DESC}) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes { id name priorityScore owner { name } }
    }
  }
`;
const CREATE = gql`
  mutation Create($input: CreateTouchpointInput!) {
    createTouchpoint(input: $input) { touchpoint { id name version } }
  }
`;
const UPDATE = gql`
  mutation Update($input: UpdateTouchpointInput!) {
    updateTouchpoint(input: $input) { touchpoint { id name version } }
  }
`;
const CHANGED = `subscription Changed($brandId: ID!) {
  touchpointChanged(brandId: $brandId) { kind at actor touchpointId touchpoint { id name version } }
}`;

async function main() {
  const run = randomUUID().slice(0, 8);
  const editor = http(EDITOR_TOKEN);
  const viewer = http(VIEWER_TOKEN);

  // 1. A query with variables.
  const portal = await editor.request(PORTAL, { brand: BRAND_SLUG, first: 5 });
  const brand = portal.brand;
  expect(brand, `brand(slug: ${BRAND_SLUG}) is null`);
  expect(brand.phases.length > 0 && brand.phases.every((p) => p.name), 'phases missing or unnamed');
  const total = portal.touchpoints.totalCount;
  expect(total > 0, 'totalCount is 0 on the demo network');
  expect(portal.touchpoints.nodes.length === Math.min(5, total), 'first: 5 gave the wrong page size');
  ok(`query with variables: brand '${brand.name}', ${brand.phases.length} phases, ` +
    `${portal.touchpoints.nodes.length} of totalCount ${total} touchpoints`);

  // 2. Mutation errors, read from extensions.code.
  const input = {
    brandId: brand.id, phaseId: brand.phases[0].id, name: `graphql-request check ${run}`,
    channel: 'WEBSITE', expressions: ['DIGITAL'], importance: 2,
  };
  try {
    await viewer.request(CREATE, { input });
    throw new CheckFailed('a brand VIEWER created a touchpoint');
  } catch (err) {
    if (err instanceof CheckFailed) throw err;
    const code = errorCode(err);
    expect(code === 'FORBIDDEN', `viewer createTouchpoint: ${code}, expected FORBIDDEN`);
  }
  ok('createTouchpoint as a VIEWER -> ClientError, extensions.code FORBIDDEN');

  const created = (await editor.request(CREATE, { input })).createTouchpoint.touchpoint;
  const v1 = created.version;
  let version = (await editor.request(UPDATE, {
    input: { id: created.id, expectedVersion: v1, name: `graphql-request check ${run} v2` },
  })).updateTouchpoint.touchpoint.version;
  expect(version === v1 + 1, `update at version ${v1} gave ${version}`);
  try {
    await editor.request(UPDATE, { input: { id: created.id, expectedVersion: v1, name: 'lost' } });
    throw new CheckFailed(`updateTouchpoint at the stale version ${v1} succeeded`);
  } catch (err) {
    if (err instanceof CheckFailed) throw err;
    const code = errorCode(err);
    expect(code === 'CONFLICT', `stale updateTouchpoint: ${code}, expected CONFLICT`);
  }
  ok(`updateTouchpoint with stale expectedVersion ${v1} (now ${version}) -> ClientError, extensions.code CONFLICT`);

  // 3. graphql-ws: token in connectionParams, subscribe, get a change made over HTTP, complete.
  const closes = [];
  const pongs = [];
  const frames = [];
  const live = createClient({
    url: WS_URL,
    webSocketImpl: WebSocket,
    connectionParams: { Authorization: `Bearer ${EDITOR_TOKEN}` },
    lazy: false, // keep the socket open after the subscription completes
    retryAttempts: 0,
    keepAlive: 300, // a ping every 300 ms; the server must pong
    on: {
      closed: (event) => closes.push(event),
      pong: (received) => { if (received) pongs.push(Date.now()); },
      message: (message) => frames.push(message),
    },
  });
  const events = [];
  let wake = () => {};
  let completed = false;
  let failure = null;
  const unsubscribe = live.subscribe(
    { query: CHANGED, variables: { brandId: brand.id } },
    {
      next: (result) => { events.push(result); wake(); },
      error: (err) => { failure = err; wake(); },
      complete: () => { completed = true; wake(); },
    },
  );
  const names = new Set();
  let got = null;
  for (let attempt = 0; attempt < 10 && !got && !failure; attempt += 1) {
    // The protocol has no "subscribed" acknowledgement: update, wait a little for the
    // event, and update again if none came.
    const name = `graphql-ws live ${run} #${attempt}`;
    names.add(name);
    version = (await editor.request(UPDATE, {
      input: { id: created.id, expectedVersion: version, name },
    })).updateTouchpoint.touchpoint.version;
    const deadline = Date.now() + 1000;
    while (!got && !failure && Date.now() < deadline) {
      const event = events.shift();
      if (!event) {
        await within(new Promise((resolve) => { wake = resolve; }), deadline - Date.now());
        continue;
      }
      expect(!event.errors, `the subscription answered errors: ${JSON.stringify(event.errors)}`);
      const change = event.data.touchpointChanged;
      if (change.touchpointId === created.id && names.has(change.touchpoint.name)) got = change;
    }
  }
  expect(!failure, `the subscription failed: ${failure?.message ?? JSON.stringify(failure)}`);
  expect(got, 'no touchpointChanged event within 10 updates');
  expect(got.kind === 'UPDATED' && got.actor === EDITOR_EMAIL,
    `event ${got.kind} by ${got.actor}, expected UPDATED by ${EDITOR_EMAIL}`);
  ok(`graphql-ws subscribe (token in connectionParams): got ${got.kind} by ${got.actor} of '${got.touchpoint.name}' made through graphql-request`);

  // Complete it: the client sends `complete`; the server must send nothing more for it.
  unsubscribe();
  await sleep(50);
  expect(completed, 'the sink was not completed after unsubscribe');
  const nextsBefore = frames.filter((m) => m.type === 'next').length;
  expect(nextsBefore > 0, "no 'next' frame seen by the client's message listener");
  await editor.request(UPDATE, {
    input: { id: created.id, expectedVersion: version, name: `graphql-ws after complete ${run}` },
  });
  await sleep(700);
  const nextsAfter = frames.filter((m) => m.type === 'next').length;
  expect(nextsAfter === nextsBefore,
    `the server sent ${nextsAfter - nextsBefore} 'next' after the client's 'complete'`);
  ok('complete: the server sent no more events for the completed subscription (checked with another update)');
  expect(pongs.length > 0, `no pong for ${frames.filter((m) => m.type === 'pong').length} keepAlive pings`);
  ok(`ping/pong: ${pongs.length} pongs for the client's keepAlive pings`);
  await live.dispose();

  // 4. A bad token: the server must close the connection with 4403 (Forbidden) or 4401.
  const badCloses = [];
  const bad = createClient({
    url: WS_URL,
    webSocketImpl: WebSocket,
    connectionParams: { Authorization: 'Bearer not-a-valid-token' },
    retryAttempts: 0,
    on: { closed: (event) => badCloses.push(event) },
  });
  const outcome = await within(new Promise((resolve) => {
    bad.subscribe({ query: CHANGED, variables: { brandId: brand.id } }, {
      next: () => resolve({ kind: 'next' }),
      error: (err) => resolve({ kind: 'error', err }),
      complete: () => resolve({ kind: 'complete' }),
    });
  }), 5000, { kind: 'timeout' });
  await bad.dispose();
  const close = badCloses[0] ?? (outcome.err && 'code' in outcome.err ? outcome.err : null);
  expect(outcome.kind === 'error', `a bad token: the subscription ended with '${outcome.kind}', expected a close`);
  expect(close, `a bad token: no close event (${outcome.err?.message ?? outcome.err})`);
  expect(close.code === 4403 || close.code === 4401,
    `a bad token: the server closed with ${close.code} '${close.reason}', expected 4403 Forbidden (or 4401)`);
  ok(`a bad token: the server closed the connection with ${close.code} '${close.reason}'`);
}

main().then(
  () => {
    console.log(`${PREFIX} ${passed} passed, 0 failed`);
    process.exit(0);
  },
  (err) => {
    const what = err instanceof CheckFailed ? err.message : `unexpected ${err?.stack ?? err}`;
    console.log(`${PREFIX} FAIL ${what}`);
    console.log(`${PREFIX} ${passed} passed, 1 failed`);
    process.exit(1);
  },
);
