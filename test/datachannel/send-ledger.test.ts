import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { SendLedger } from '../../src/datachannel/send-ledger.js';

/** The same bookkeeping done the obvious way, one object per message. */
class ModelLedger {
  entries: { wire: number; user: boolean }[] = [];
  push(wire: number, user: boolean) {
    this.entries.push({ wire, user });
  }
  consume(bytes: number): number {
    let user = 0;
    while (bytes > 0 && this.entries.length > 0) {
      const head = this.entries[0]!;
      const take = Math.min(bytes, head.wire);
      if (head.user) user += take;
      head.wire -= take;
      bytes -= take;
      if (head.wire === 0) this.entries.shift();
    }
    return user;
  }
  get wireBytes() {
    return this.entries.reduce((n, e) => n + e.wire, 0);
  }
}

type LedgerOp = { push: number; user: boolean } | { consume: number };

/**
 * Runs `ops` on a SendLedger and on the model, comparing what consume() returns (and, with
 * `everyStep`, the totals after each op), then the totals and what clear() returns at the end.
 */
function replay(ops: LedgerOp[], everyStep: boolean): SendLedger {
  const ledger = new SendLedger();
  const model = new ModelLedger();
  const compare = () => {
    assert.equal(ledger.wireBytes, model.wireBytes);
    assert.equal(ledger.empty, model.entries.length === 0);
  };
  for (const o of ops) {
    if ('push' in o) {
      ledger.push(o.push, o.user);
      model.push(o.push, o.user);
    } else {
      assert.equal(ledger.consume(o.consume), model.consume(o.consume));
    }
    if (everyStep) compare();
  }
  compare();
  const pendingUser = model.entries.reduce((n, e) => n + (e.user ? e.wire : 0), 0);
  assert.equal(ledger.clear(), pendingUser);
  assert.ok(ledger.empty);
  return ledger;
}

test('the ledger agrees with a simple model under any push/consume sequence', () => {
  const op = fc.oneof(
    fc.record({ push: fc.integer({ min: 1, max: 3000 }), user: fc.boolean() }),
    fc.record({ consume: fc.integer({ min: 0, max: 5000 }) }),
  );
  fc.assert(
    fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
      replay(ops, true);
    }),
    { numRuns: 300 },
  );
});

test('the ledger stays exact over long runs, where consumed entries are compacted away', () => {
  const op = fc.oneof(
    {
      weight: 3,
      arbitrary: fc.record({ push: fc.integer({ min: 1, max: 100 }), user: fc.boolean() }),
    },
    { weight: 2, arbitrary: fc.record({ consume: fc.integer({ min: 0, max: 150 }) }) },
  );
  fc.assert(
    fc.property(fc.array(op, { minLength: 500, maxLength: 2000 }), (ops) => {
      const ledger = replay(ops, false);
      ledger.push(7, true);
      assert.equal(ledger.consume(10), 7);
      assert.ok(ledger.empty);
    }),
    { numRuns: 50 },
  );
});
