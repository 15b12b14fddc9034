#!/usr/bin/env node
// Entry point of the `jobnet` command. Runs the compiled JavaScript in dist/ when it was built from
// the sources as they are now (bin/dist-status.js) — it starts in a fraction of the time, since
// nothing is transpiled — and otherwise the TypeScript sources through tsx's loader, so an edited
// checkout always runs what it holds. `npm install` (its prepare step), scripts/up.sh and .ci/run
// build dist/ (`npm run build`); JOBNET_FROM_SOURCE=1 runs the sources anyway.
import process from 'node:process';
import { compiledMain, distStaleness } from './dist-status.js';

if (process.env.JOBNET_FROM_SOURCE !== '1' && distStaleness() === undefined) {
  await import(compiledMain);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../controller/cli/main.ts');
}
