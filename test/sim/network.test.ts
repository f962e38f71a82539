import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runSimulation, type SimDatagram, type SimEndpoint, SimNetwork } from './network.js';
import { Prng } from './prng.js';

test('prng is deterministic per seed', () => {
  const a = new Prng(42);
  const b = new Prng(42);
  const c = new Prng(43);
  const sa = Array.from({ length: 8 }, () => a.next());
  assert.deepEqual(
    sa,
    Array.from({ length: 8 }, () => b.next()),
  );
  assert.notDeepEqual(
    sa,
    Array.from({ length: 8 }, () => c.next()),
  );
  for (const x of sa) assert.ok(x >= 0 && x < 1);
});

/** A ping endpoint that resends every 100 ms until it gets an echo. */
class Pinger implements SimEndpoint {
  readonly keys = ['a'];
  got = 0;
  private due = 0;
  receive(): void {
    this.got++;
  }
  timeout(now: number): void {
    this.due = now;
  }
  nextTimeout(): number | undefined {
    return this.got > 0 ? undefined : this.due;
  }
  flush(net: SimNetwork): void {
    if (this.got === 0 && this.due <= net.now) {
      net.send('a', 'b', new Uint8Array([1, 2, 3]));
      this.due = net.now + 100;
    }
  }
}

class Echo implements SimEndpoint {
  readonly keys = ['b'];
  pending: SimDatagram[] = [];
  receive(d: SimDatagram): void {
    this.pending.push(d);
  }
  timeout(): void {}
  nextTimeout(): undefined {
    return undefined;
  }
  flush(net: SimNetwork): void {
    for (const d of this.pending.splice(0)) net.send('b', d.from, d.data);
  }
}

test('a retransmitting endpoint gets through 50% loss, and the run is reproducible', () => {
  const run = (seed: number) => {
    const net = new SimNetwork(seed, { loss: 0.5, delay: 10, jitter: 5 });
    const p = new Pinger();
    const ok = runSimulation(net, [p, new Echo()], () => p.got > 0, 60_000);
    return { ok, now: net.now, sent: net.stats.sent };
  };
  const r1 = run(7);
  assert.equal(r1.ok, true);
  assert.ok(r1.now >= 20);
  assert.deepEqual(run(7), r1);
});

test('partitioned endpoints never hear each other and the run ends at the deadline', () => {
  const net = new SimNetwork(1, { delay: 5 });
  net.partition('a', 'b');
  const p = new Pinger();
  const ok = runSimulation(net, [p, new Echo()], () => p.got > 0, 1000);
  assert.equal(ok, false);
  assert.equal(net.now, 1000);
  assert.equal(net.stats.dropped, net.stats.sent);
});

test('mtu drops big datagrams, duplication delivers twice', () => {
  const net = new SimNetwork(3, { mtu: 100, duplicate: 1 });
  net.send('a', 'b', new Uint8Array(101));
  net.send('a', 'b', new Uint8Array(100));
  const due = net.takeDue(0);
  assert.equal(due.length, 2);
  assert.equal(net.stats.tooBig, 1);
});
