#!/usr/bin/env node
// The `wfm` command: TypeScript sources are run through tsx, so there is no build step to forget.
require('tsx/cjs');
require('../src/cli/main.ts');
