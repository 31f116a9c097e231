// GraphQL-over-HTTP conformance: runs graphql-http's auditServer against a running server
// and fails on any MUST or SHOULD that does not pass, except the ones listed in ACCEPTED
// with the reason this server answers differently.
//   node audit.mjs http://127.0.0.1:8080/graphql
import { auditServer } from 'graphql-http';

const ACCEPTED = {};

const url = process.argv[2];
const results = await auditServer({ url });
let failed = 0;
for (const result of results) {
  const line = `${result.status.padEnd(5)} ${result.name}`;
  // MAYs are notices: optional behaviour, not failures.
  if (result.status === 'ok' || result.status === 'notice') continue;
  if (ACCEPTED[result.id]) {
    console.log(`${line}\n      accepted: ${ACCEPTED[result.id]}`);
    continue;
  }
  failed += 1;
  console.log(`${line}\n      ${result.reason}`);
}
const ok = results.filter((r) => r.status === 'ok').length;
console.log(`\n${ok} of ${results.length} audits pass; ${failed} failing`);
process.exit(failed ? 1 : 0);
