// graphql-inspector's --onComplete handler for check.sh. The tool's own default exits 1 on a
// breaking change, which is also what it exits with when it cannot load a schema; this one
// sets exit code 3 for "breaking changes found", so check.sh can tell the two apart. The
// changes themselves are already printed by the tool (✖ breaking, ⚠ dangerous, ✔ safe).
module.exports = function onComplete({ breakingChanges, dangerousChanges, nonBreakingChanges }) {
  console.log(
    `schema-diff: ${breakingChanges.length} breaking, ${dangerousChanges.length} dangerous, ` +
      `${nonBreakingChanges.length} non-breaking`,
  );
  if (breakingChanges.length > 0) process.exitCode = 3;
};
