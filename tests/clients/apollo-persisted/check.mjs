// Apollo Client's persisted-queries link (automatic persisted queries: the hash first, the
// text only when the server asks for it) over HttpLink, by POST and by GET, against a live
// server. Run by ../run.sh, which starts the server with the demo network and passes, in the
// environment: GRAPHQL_URL (http://127.0.0.1:PORT/graphql), BRAND_SLUG, EDITOR_EMAIL,
// EDITOR_TOKEN (a brand EDITOR) and VIEWER_TOKEN (a brand VIEWER). Every request goes through
// a recording `fetch`, so each check asserts what went over the wire (method, whether the
// query text was sent, the hash) as well as what the client got. Prints one line per check;
// exits non-zero on the first unexpected answer.
//
// @apollo/client 3.x has no `exports` map, so Node's ESM loader needs the files' own paths.
import { createHash, randomUUID } from 'node:crypto';

import { ApolloClient, ApolloError, HttpLink, InMemoryCache, gql } from '@apollo/client/core/index.js';
import { createPersistedQueryLink } from '@apollo/client/link/persisted-queries/index.js';

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const GRAPHQL_URL = env('GRAPHQL_URL');
const BRAND_SLUG = process.env.BRAND_SLUG || 'northwind';
const EDITOR_EMAIL = env('EDITOR_EMAIL');
const EDITOR_TOKEN = env('EDITOR_TOKEN');
const VIEWER_TOKEN = env('VIEWER_TOKEN');

const PREFIX = 'apollo-persisted:';
let passed = 0;
class CheckFailed extends Error {}
const ok = (what) => {
  passed += 1;
  console.log(`${PREFIX} ok   ${what}`);
};
const expect = (condition, what) => {
  if (!condition) throw new CheckFailed(what);
};
const sha256 = (text) => createHash('sha256').update(text).digest('hex');

/** Every request the Apollo clients sent, in order: what it carried and what came back. */
const wire = [];
const recordingFetch = async (url, init = {}) => {
  const method = (init.method ?? 'GET').toUpperCase();
  let sent;
  if (method === 'GET') {
    const params = new URL(url).searchParams;
    sent = { extensions: JSON.parse(params.get('extensions') ?? 'null') };
    if (params.has('query')) sent.query = params.get('query');
  } else {
    sent = JSON.parse(init.body);
  }
  const res = await fetch(url, init);
  const answer = await res.clone().json().catch(() => null);
  wire.push({
    method,
    hasQuery: typeof sent.query === 'string',
    query: sent.query,
    hash: sent.extensions?.persistedQuery?.sha256Hash,
    status: res.status,
    etag: res.headers.get('etag'),
    answer,
    code: answer?.errors?.[0]?.extensions?.code,
  });
  return res;
};
/** Runs `fn`, returning its result (or the error it threw) and the requests it sent. */
const observe = async (fn) => {
  const from = wire.length;
  try {
    return { result: await fn(), reqs: wire.slice(from) };
  } catch (error) {
    if (error instanceof CheckFailed) throw error;
    return { error, reqs: wire.slice(from) };
  }
};
/** One request as "POST hash-only -> PERSISTED_QUERY_NOT_FOUND" and the like. */
const show = (reqs) => reqs.map((r) => {
  const what = r.hasQuery ? (r.hash ? 'text+hash' : 'text only') : (r.hash ? 'hash-only' : 'nothing');
  const got = r.code ?? (r.answer?.data ? 'data' : `HTTP ${r.status}`);
  return `${r.method} ${what} -> ${got}`;
}).join(', ') || 'no request';
const isHash = (hash) => typeof hash === 'string' && /^[0-9a-f]{64}$/.test(hash);
/** extensions.code of the first GraphQL error of an ApolloError. */
const errorCode = (err) => {
  if (!(err instanceof ApolloError)) throw err;
  const errors = err.graphQLErrors?.length ? err.graphQLErrors : err.networkError?.result?.errors ?? [];
  expect(errors.length > 0, `the ApolloError carries no GraphQL errors: ${err.message}`);
  return errors[0].extensions?.code;
};
/** The data of a result that must have succeeded; rethrows an error for the runner. */
const dataOf = ({ result, error, reqs }, what) => {
  if (error) throw new CheckFailed(`${what}: ${error.message} (${show(reqs)})`);
  return result.data;
};

const apollo = (token, useGETForHashedQueries = false) => new ApolloClient({
  link: createPersistedQueryLink({ sha256, useGETForHashedQueries }).concat(new HttpLink({
    uri: GRAPHQL_URL,
    fetch: recordingFetch,
    headers: { authorization: `Bearer ${token}` },
  })),
  cache: new InMemoryCache(),
  defaultOptions: { query: { fetchPolicy: 'no-cache' }, mutate: { fetchPolicy: 'no-cache' } },
});

// Each document carries a per-run alias, so its hash is new to the server even where the
// server's store of hashes outlives one run (a reused PostgreSQL database).
const run = randomUUID().slice(0, 8);
const PORTAL = gql(`
  query Portal($brand: String!, $first: Int!) {
    brand(slug: $brand) { id name phases { id name } }
    touchpoints(first: $first, orderBy: {field: PRIORITY, direction: DESC}) {
      totalCount
      nodes { id name priorityScore owner { name } }
    }
    run_${run}: __typename
  }
`);
const ME = gql(`query Me { viewer { email name } run_${run}: __typename }`);
const CREATE = gql(`
  mutation Create($input: CreateTouchpointInput!) {
    createTouchpoint(input: $input) { touchpoint { id name version } }
    run_${run}: __typename
  }
`);

async function main() {
  const editor = apollo(EDITOR_TOKEN);

  // 1. First time: the hash alone, PERSISTED_QUERY_NOT_FOUND, then the text with the hash.
  const first = await observe(() => editor.query({ query: PORTAL, variables: { brand: BRAND_SLUG, first: 5 } }));
  const portal = dataOf(first, 'first Portal query');
  expect(first.reqs.length === 2, `first Portal query: ${show(first.reqs)}; expected a hash-only miss, then text + hash`);
  const [miss, register] = first.reqs;
  const hash = miss.hash;
  expect(miss.method === 'POST' && !miss.hasQuery && isHash(hash), `first request: ${show([miss])}, expected POST with the hash only`);
  expect(miss.status === 200 && miss.code === 'PERSISTED_QUERY_NOT_FOUND' &&
    miss.answer.errors[0].message === 'PersistedQueryNotFound',
  `unknown hash: HTTP ${miss.status} ${JSON.stringify(miss.answer)}, expected 200 PersistedQueryNotFound / PERSISTED_QUERY_NOT_FOUND`);
  expect(register.method === 'POST' && register.hasQuery && register.hash === hash,
    `retry: ${show([register])}, expected POST with the text and the same hash`);
  expect(sha256(register.query) === hash, "the link's hash is not the sha256 of the text it sent");
  const brand = portal.brand;
  expect(brand && brand.phases.length > 0, `brand(slug: ${BRAND_SLUG}) is null or has no phases`);
  const total = portal.touchpoints.totalCount;
  expect(total > 0 && portal.touchpoints.nodes.length === Math.min(5, total),
    `first: 5 gave ${portal.touchpoints.nodes.length} of totalCount ${total}`);
  ok(`first Portal query: ${show(first.reqs)} (hash ${hash.slice(0, 12)}…); brand '${brand.name}', ` +
    `${portal.touchpoints.nodes.length} of ${total} touchpoints`);

  // 2. Again, new variables: the hash alone is enough now.
  const again = await observe(() => editor.query({ query: PORTAL, variables: { brand: BRAND_SLUG, first: 2 } }));
  const page = dataOf(again, 'second Portal query').touchpoints;
  expect(again.reqs.length === 1 && again.reqs[0].method === 'POST' && !again.reqs[0].hasQuery &&
    again.reqs[0].hash === hash, `second Portal query: ${show(again.reqs)}, expected one POST with the hash only`);
  expect(page.totalCount === total && page.nodes.length === Math.min(2, total),
    `first: 2 gave ${page.nodes.length} of totalCount ${page.totalCount} (was ${total})`);
  ok(`same query, first: 2: ${show(again.reqs)}; ${page.nodes.length} of ${page.totalCount} touchpoints`);

  // 3. useGETForHashedQueries: hash-only queries go by GET, and the answers carry an ETag.
  const getter = apollo(EDITOR_TOKEN, true);
  const byGet = await observe(() => getter.query({ query: PORTAL, variables: { brand: BRAND_SLUG, first: 3 } }));
  const got = dataOf(byGet, 'Portal query by GET').touchpoints;
  const [g] = byGet.reqs;
  expect(byGet.reqs.length === 1 && g.method === 'GET' && !g.hasQuery && g.hash === hash,
    `Portal by GET (hash registered by POST): ${show(byGet.reqs)}, expected one GET with the hash only`);
  expect(got.nodes.length === Math.min(3, total), `first: 3 by GET gave ${got.nodes.length} touchpoints`);
  expect(g.etag, 'the GET answer has no ETag header');
  ok(`Portal by GET on a second client: ${show(byGet.reqs)}, ETag ${g.etag}`);

  const meFirst = await observe(() => getter.query({ query: ME }));
  dataOf(meFirst, 'first Me query by GET');
  const [gMiss, gRegister] = meFirst.reqs;
  expect(meFirst.reqs.length === 2 && gMiss.method === 'GET' && !gMiss.hasQuery && isHash(gMiss.hash) &&
    gMiss.code === 'PERSISTED_QUERY_NOT_FOUND' && gRegister.hasQuery && gRegister.hash === gMiss.hash &&
    sha256(gRegister.query) === gMiss.hash,
  `first Me query by GET: ${show(meFirst.reqs)}; expected GET hash-only -> PERSISTED_QUERY_NOT_FOUND, then text + hash`);
  const meAgain = await observe(() => getter.query({ query: ME }));
  const me = dataOf(meAgain, 'second Me query by GET').viewer;
  const [gHit] = meAgain.reqs;
  expect(meAgain.reqs.length === 1 && gHit.method === 'GET' && !gHit.hasQuery && gHit.hash === gMiss.hash,
    `second Me query by GET: ${show(meAgain.reqs)}, expected one GET with the hash only`);
  expect(me.email === EDITOR_EMAIL, `viewer.email ${me.email}, expected ${EDITOR_EMAIL}`);
  expect(gHit.etag, 'the GET answer to Me has no ETag header');
  ok(`new query by GET: ${show(meFirst.reqs)}; then ${show(meAgain.reqs)}, ETag ${gHit.etag}; viewer ${me.email}`);

  // 4. A mutation through the GET client still goes by POST; a VIEWER's is FORBIDDEN.
  const input = {
    brandId: brand.id, phaseId: brand.phases[0].id, name: `apollo-persisted check ${run}`,
    channel: 'WEBSITE', expressions: ['DIGITAL'], importance: 2,
  };
  const created = await observe(() => getter.mutate({ mutation: CREATE, variables: { input } }));
  const touchpoint = dataOf(created, 'createTouchpoint as the EDITOR').createTouchpoint.touchpoint;
  expect(created.reqs.length === 2 && created.reqs.every((r) => r.method === 'POST') &&
    !created.reqs[0].hasQuery && created.reqs[0].code === 'PERSISTED_QUERY_NOT_FOUND' &&
    created.reqs[1].hasQuery && sha256(created.reqs[1].query) === created.reqs[1].hash,
  `createTouchpoint: ${show(created.reqs)}; expected POST hash-only -> PERSISTED_QUERY_NOT_FOUND, then POST text + hash`);
  expect(touchpoint.name === input.name && touchpoint.version >= 1, `created ${JSON.stringify(touchpoint)}`);
  ok(`createTouchpoint as the EDITOR (GET client): ${show(created.reqs)}; '${touchpoint.name}' version ${touchpoint.version}`);

  const viewer = apollo(VIEWER_TOKEN, true);
  const denied = await observe(() => viewer.mutate({
    mutation: CREATE, variables: { input: { ...input, name: `${input.name} by a viewer` } },
  }));
  expect(denied.error, `a brand VIEWER created a touchpoint (${show(denied.reqs)})`);
  const code = errorCode(denied.error);
  expect(code === 'FORBIDDEN', `viewer createTouchpoint: ${code}, expected FORBIDDEN (${show(denied.reqs)})`);
  expect(denied.reqs.length > 0 && denied.reqs.every((r) => r.method === 'POST'),
    `viewer createTouchpoint: ${show(denied.reqs)}, expected POST only`);
  const via = denied.error.graphQLErrors?.length ? 'graphQLErrors' : 'networkError.result.errors';
  ok(`createTouchpoint as a VIEWER: ${show(denied.reqs)}; ApolloError.${via}[0].extensions.code ${code}`);

  // 5. By hand: a text with a hash that is not its sha256, then that hash alone.
  const text = `query Mismatch { run_${run}: __typename }`;
  const wrong = sha256(`${text} `);
  const post = async (body) => {
    const res = await fetch(GRAPHQL_URL, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${EDITOR_TOKEN}` },
      body: JSON.stringify({ operationName: 'Mismatch', variables: {}, ...body }),
    });
    const answer = await res.json();
    return { status: res.status, answer, code: answer.errors?.[0]?.extensions?.code };
  };
  const extensions = { persistedQuery: { version: 1, sha256Hash: wrong } };
  const bad = await post({ query: text, extensions });
  expect(bad.code === 'BAD_USER_INPUT' && !bad.answer.data,
    `text with a wrong hash: HTTP ${bad.status} ${JSON.stringify(bad.answer)}, expected BAD_USER_INPUT`);
  const after = await post({ extensions });
  expect(after.code === 'PERSISTED_QUERY_NOT_FOUND',
    `the wrong hash alone afterwards: HTTP ${after.status} ${JSON.stringify(after.answer)}, expected PERSISTED_QUERY_NOT_FOUND`);
  ok(`text + wrong hash by hand: HTTP ${bad.status} ${bad.code} ('${bad.answer.errors[0].message}'); ` +
    `that hash alone afterwards: ${after.code} (not stored)`);
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
