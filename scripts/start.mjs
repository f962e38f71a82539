#!/usr/bin/env node
// `npm start`: the demo server (demo/), a page in the browser talking to a tsrtc peer in this
// process over a data channel. The demo and tsrtc run from their TypeScript sources through tsx,
// so nothing has to be built first; a fresh clone gets its dependencies installed here.
// PORT (default 8080) and HOST (default 127.0.0.1) choose where the page is served.
import { ensureDependencies } from './ensure-deps.mjs';

ensureDependencies();
let register;
try {
  ({ register } = await import('tsx/esm/api'));
} catch {
  console.error('tsrtc demo: dependencies are missing; run `npm ci` first, then `npm start`.');
  process.exit(1);
}
register();
await import('../demo/main.ts');
