#!/usr/bin/env node
// The `wfm` command: TypeScript sources are run through tsx, so there is no build step to forget.
// It calls the CLI itself: npm and npx run it through a link named `wfm`, so src/cli/main.ts cannot tell
// from process.argv or require.main that it is the command being run.
require('tsx/cjs');
const { runCli } = require('../src/cli/main.ts');
runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
