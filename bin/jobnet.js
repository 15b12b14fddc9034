#!/usr/bin/env node
// Entry point of the `jobnet` command: runs the TypeScript CLI through tsx's loader,
// so the published sources are what runs (no separate build step to forget).
import { register } from 'tsx/esm/api';

register();
await import('../controller/cli/main.ts');
