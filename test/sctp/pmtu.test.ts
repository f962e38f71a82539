import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MAX_PROBES, PmtuSearch } from '../../src/sctp/pmtu.js';
import { runSimulation } from '../sim/network.js';
import { barePair, bulkTransfer } from './scenarios.js';

/** Runs a search against a path that carries packets up to `limit` bytes; returns probe count. */
function searchAgainst(search: PmtuSearch, limit: number): number {
  let probes = 0;
  while (search.searching) {
    assert.ok(++probes < 100, 'the search ends');
    const size = search.probing;
    const nonce = search.sent();
    if (size <= limit) search.acked(size, nonce);
    else if (search.attempts >= MAX_PROBES) search.timedOut();
  }
  return probes;
}

describe('PmtuSearch (RFC 8899 search)', () => {
  test('a path that carries the maximum is confirmed with one probe', () => {
    const s = new PmtuSearch(1200, 1412);
    assert.equal(s.probing, 1412);
    assert.equal(searchAgainst(s, 1500), 1);
    assert.equal(s.current, 1412);
  });

  test('a smaller path ends within the resolution below its limit, never above', () => {
    for (const limit of [1203, 1260, 1300, 1388, 1411]) {
      const s = new PmtuSearch(1200, 1412);
      searchAgainst(s, limit);
      assert.ok(s.current <= limit, `limit ${limit}: ${s.current}`);
      assert.ok(limit - s.current < 40, `limit ${limit}: ${s.current}`);
      assert.equal(s.current % 4, 0);
    }
  });

  test('nothing above the base: the base stays, after MAX_PROBES probes of each size', () => {
    const s = new PmtuSearch(1200, 1412);
    const probes = searchAgainst(s, 1200);
    assert.equal(s.current, 1200);
    assert.equal(probes % MAX_PROBES, 0);
  });

  test('an answer to an older probe or another size confirms nothing', () => {
    const s = new PmtuSearch(1200, 1412);
    const nonce = s.sent();
    s.sent();
    assert.equal(s.acked(1412, nonce), false);
    assert.equal(s.acked(1300, s.nonce), false);
    assert.equal(s.current, 1200);
  });

  test('a black hole falls back to the base and searches below the size that failed', () => {
    const s = new PmtuSearch(1200, 1412);
    searchAgainst(s, 1500);
    assert.equal(s.blackHole(), true);
    assert.equal(s.current, 1200);
    assert.ok(s.searching && s.probing < 1412);
    searchAgainst(s, 1280);
    assert.ok(s.current > 1240 && s.current <= 1280, String(s.current));
    const base = new PmtuSearch(1200, 1200);
    assert.equal(base.searching, false);
    assert.equal(base.blackHole(), false);
  });
});

describe('path MTU discovery on the wire', () => {
  /** The largest packet carrying DATA or I-DATA that `a` sent. */
  function watchDataSizes(a: { filterOut?: (p: Uint8Array) => Uint8Array | undefined }) {
    const seen = { max: 0 };
    a.filterOut = (p) => {
      if (p[12] === 0 || p[12] === 64) seen.max = Math.max(seen.max, p.length);
      return p;
    };
    return seen;
  }

  for (const [name, linkMtu, low, high] of [
    ['a path that carries 1,412-byte packets', undefined, 1412, 1412],
    ['a path limited to 1,300 bytes', 1300, 1268, 1300],
    ['a path limited to the base size', 1200, 1200, 1200],
  ] as const) {
    test(`data moves to the largest size ${name} carries, intact`, async () => {
      const env = await barePair(41, { delay: 5, mtu: linkMtu }, { maxMtu: 1412 }, {});
      // Lost probes count only after their timeout: let the search end before the data.
      runSimulation(env.net, [env.a, env.b], () => false, 20_000);
      const seen = watchDataSizes(env.a);
      bulkTransfer(env, { seed: 5, totalBytes: 2_000_000, maxSize: 40_000, streams: 3 });
      assert.ok(seen.max >= low && seen.max <= high, `largest data packet ${seen.max}`);
    });
  }

  test('without maxMtu no probe goes out and data stays at the configured size', async () => {
    const env = await barePair(42, { delay: 5 }, {}, {});
    const seen = watchDataSizes(env.a);
    let probes = 0;
    const filter = env.a.filterOut!;
    env.a.filterOut = (p) => {
      if (p[12] === 4 && p.length > 100) probes++;
      return filter(p);
    };
    bulkTransfer(env, { seed: 6, totalBytes: 500_000, maxSize: 40_000, streams: 2 });
    assert.equal(seen.max, 1200);
    assert.equal(probes, 0);
  });
});
