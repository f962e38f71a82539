/**
 * withFields gives objects made from bases of one shape one hidden class, which a spread
 * followed by new properties does not in V8 (a new class per object). Checked with V8's own
 * %HaveSameMap in a process of its own.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runNodeProgram } from '../node-program.js';

const moduleUrl = new URL('../../src/util/with-fields.ts', import.meta.url).href;

const PROGRAM = `
const { withFields } = await import(${JSON.stringify(moduleUrl)});
function base(i) { return { unordered: false, maxRetransmits: i }; }
const made = [];
for (let i = 0; i < 200; i++) made.push(withFields(base(i), { transfer: true }));
let same = 0;
for (const o of made) if (%HaveSameMap(o, made[0])) same++;
const fromUndefined = [withFields(undefined, { now: 1 }), withFields(undefined, { now: 2 })];
console.log(JSON.stringify({
  same,
  values: [made[7].maxRetransmits, made[7].transfer, made[7].unordered],
  undefinedBase: %HaveSameMap(fromUndefined[0], fromUndefined[1]) && fromUndefined[1].now === 2,
  extraWins: withFields({ a: 1, b: 2 }, { b: 3 }).b,
}));
`;

test('objects made by withFields from bases of one shape share a hidden class', async () => {
  const stdout = await runNodeProgram(['--allow-natives-syntax'], PROGRAM);
  const r = JSON.parse(stdout.trim().split('\n').at(-1)!);
  assert.equal(r.same, 200, `${r.same} of 200 objects share the first one's hidden class`);
  assert.deepEqual(r.values, [7, true, false]);
  assert.equal(r.undefinedBase, true);
  assert.equal(r.extraWins, 3);
});
