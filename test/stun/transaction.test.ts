import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodeStun,
  getXorMappedAddress,
  StunAttr,
  StunClientTransaction,
  type StunMessage,
  StunMessageBuilder,
  StunMethod,
  StunTransactionTable,
} from '../../src/stun/index.js';
import { runSimulation, type SimEndpoint, SimNetwork } from '../sim/network.js';

function decode(data: Uint8Array): StunMessage {
  const r = decodeStun(data);
  assert.ok(r.ok);
  return r.message;
}

function newRequest(): { raw: Uint8Array; tid: Uint8Array } {
  const b = new StunMessageBuilder(StunMethod.Binding, 'request');
  return { raw: b.addFingerprint().build(), tid: b.transactionId };
}

function responseTo(
  tid: Uint8Array,
  cls: 'success' | 'error' = 'success',
  method: number = StunMethod.Binding,
): StunMessage {
  const b = new StunMessageBuilder(method, cls, tid);
  if (cls === 'error') b.addErrorCode(400, 'Bad Request');
  else
    b.addXorAddress(StunAttr.XorMappedAddress, {
      address: '10.77.0.1',
      port: 5000,
      family: 'IPv4',
    });
  return decode(b.build());
}

/** Drives a transaction on a virtual clock with no responses; returns send times and end. */
function runUnanswered(tx: StunClientTransaction): { sends: number[]; endedAt: number } {
  const sends: number[] = [];
  let now = 0;
  for (;;) {
    while (tx.pollTransmit()) sends.push(now);
    const t = tx.nextTimeout();
    if (t === undefined) return { sends, endedAt: now };
    now = t;
    tx.handleTimeout(now);
  }
}

describe('client transaction schedule', () => {
  it('sends at 0, 500, 1500, 3500, 7500, 15500, 31500 and times out at 39500', () => {
    const { raw, tid } = newRequest();
    const tx = new StunClientTransaction(raw, tid, 0);
    const { sends, endedAt } = runUnanswered(tx);
    assert.deepEqual(sends, [0, 500, 1500, 3500, 7500, 15500, 31500]);
    assert.equal(endedAt, 39500);
    assert.equal(tx.state, 'timeout');
    assert.equal(tx.pollTransmit(), undefined);
    assert.equal(tx.nextTimeout(), undefined);
  });

  it('follows rto, rc and rm options', () => {
    const { raw, tid } = newRequest();
    const tx = new StunClientTransaction(raw, tid, 0, { rto: 100, rc: 3, rm: 4 });
    const { sends, endedAt } = runUnanswered(tx);
    assert.deepEqual(sends, [0, 100, 300]);
    assert.equal(endedAt, 700);
  });

  it('over a reliable transport sends once and gives up after Ti = 39.5 s', () => {
    const { raw, tid } = newRequest();
    const tx = new StunClientTransaction(raw, tid, 0, { reliable: true });
    const { sends, endedAt } = runUnanswered(tx);
    assert.deepEqual(sends, [0]);
    assert.equal(endedAt, 39500);
  });

  it('an early timer call does nothing; a late one sends once and reschedules from then', () => {
    const { raw, tid } = newRequest();
    const tx = new StunClientTransaction(raw, tid, 1000);
    assert.equal(tx.pollTransmit(), raw);
    tx.handleTimeout(1499);
    assert.equal(tx.pollTransmit(), undefined);
    tx.handleTimeout(5000);
    assert.equal(tx.pollTransmit(), raw);
    assert.equal(tx.pollTransmit(), undefined);
    assert.equal(tx.nextTimeout(), 6000);
  });
});

describe('client transaction responses', () => {
  it('matches on transaction id, method and response class', () => {
    const { raw, tid } = newRequest();
    const tx = new StunClientTransaction(raw, tid, 0);
    tx.pollTransmit();
    const other = new Uint8Array(tid);
    other[11] ^= 1;
    assert.equal(tx.handleResponse(responseTo(other), 10), false);
    assert.equal(tx.handleResponse(responseTo(tid, 'success', StunMethod.Allocate), 10), false);
    assert.equal(tx.handleResponse(decode(raw), 10), false, 'a request is not a response');
    assert.equal(tx.state, 'pending');
    const response = responseTo(tid);
    assert.equal(tx.handleResponse(response, 42), true);
    assert.equal(tx.state, 'succeeded');
    assert.equal(tx.response, response);
    assert.deepEqual(getXorMappedAddress(tx.response!), {
      address: '10.77.0.1',
      port: 5000,
      family: 'IPv4',
    });
    assert.equal(tx.rtt, 42);
    assert.equal(tx.nextTimeout(), undefined);
    // A duplicate is recognised but changes nothing.
    assert.equal(tx.handleResponse(responseTo(tid, 'error'), 50), true);
    assert.equal(tx.state, 'succeeded');
  });

  it('an error response fails the transaction', () => {
    const { raw, tid } = newRequest();
    const tx = new StunClientTransaction(raw, tid, 0);
    assert.equal(tx.handleResponse(responseTo(tid, 'error'), 3), true);
    assert.equal(tx.state, 'failed');
    assert.equal(tx.response?.class, 'error');
  });

  it("Karn's rule: no RTT once the request has been retransmitted", () => {
    const { raw, tid } = newRequest();
    const tx = new StunClientTransaction(raw, tid, 0);
    tx.pollTransmit();
    tx.handleTimeout(500);
    tx.pollTransmit();
    assert.equal(tx.handleResponse(responseTo(tid), 520), true);
    assert.equal(tx.state, 'succeeded');
    assert.equal(tx.rtt, undefined);
  });

  it('a response after the timeout is recognised but ignored', () => {
    const { raw, tid } = newRequest();
    const tx = new StunClientTransaction(raw, tid, 0);
    runUnanswered(tx);
    assert.equal(tx.handleResponse(responseTo(tid), 40000), true);
    assert.equal(tx.state, 'timeout');
    assert.equal(tx.response, undefined);
  });
});

describe('client transactions over a lossy simulated network', () => {
  /** A client running many sequential transactions against an echoing server. */
  function run(seed: number, loss: number) {
    const net = new SimNetwork(seed, { loss, delay: 20, jitter: 30, duplicate: 0.1 });
    const results: { state: string; sends: number; rtt: number | undefined }[] = [];
    let tx: StunClientTransaction | undefined;
    let started = 0;
    const total = 40;
    const startNext = (now: number) => {
      if (tx && tx.state !== 'pending') {
        results.push({ state: tx.state, sends: tx.sendCount, rtt: tx.rtt });
        tx = undefined;
      }
      if (!tx && started < total) {
        const { raw, tid } = newRequest();
        tx = new StunClientTransaction(raw, tid, now);
        started++;
      }
    };
    const client: SimEndpoint = {
      keys: ['client'],
      receive(d, now) {
        const r = decodeStun(d.data);
        if (r.ok && tx) tx.handleResponse(r.message, now);
        startNext(now);
      },
      timeout(now) {
        tx?.handleTimeout(now);
        startNext(now);
      },
      nextTimeout: () => tx?.nextTimeout(),
      flush(n) {
        for (let p = tx?.pollTransmit(); p; p = tx?.pollTransmit()) n.send('client', 'server', p);
      },
    };
    const outbox: Uint8Array[] = [];
    const server: SimEndpoint = {
      keys: ['server'],
      receive(d) {
        const r = decodeStun(d.data);
        if (!r.ok || r.message.class !== 'request') return;
        outbox.push(
          new StunMessageBuilder(r.message.method, 'success', r.message.transactionId)
            .addXorAddress(StunAttr.XorMappedAddress, {
              address: '10.77.0.2',
              port: 4000,
              family: 'IPv4',
            })
            .build(),
        );
      },
      timeout() {},
      nextTimeout: () => undefined,
      flush(n) {
        for (let p = outbox.shift(); p; p = outbox.shift()) n.send('server', 'client', p);
      },
    };
    startNext(0);
    const done = runSimulation(net, [client, server], () => results.length === total, 10_000_000);
    return { done, results };
  }

  it('20% loss each way with duplication: every transaction succeeds, with retransmissions', () => {
    const { done, results } = run(1, 0.2);
    assert.ok(done);
    assert.deepEqual(
      results.filter((r) => r.state !== 'succeeded'),
      [],
    );
    assert.ok(
      results.some((r) => r.sends > 1),
      'loss forced retransmissions',
    );
    for (const r of results) {
      if (r.sends > 1) assert.equal(r.rtt, undefined);
      else assert.ok(r.rtt !== undefined && r.rtt >= 40 && r.rtt <= 100);
    }
  });

  it('total loss: every transaction times out after 7 sends', () => {
    const { done, results } = run(8, 1);
    assert.ok(done);
    assert.ok(results.every((r) => r.state === 'timeout' && r.sends === 7));
  });
});

describe('transaction table', () => {
  it('runs many transactions, routes responses by id and reports completions', () => {
    const table = new StunTransactionTable<string>();
    const ids: Uint8Array[] = [];
    for (let i = 0; i < 5; i++) {
      const { raw, tid } = newRequest();
      table.start(raw, tid, `peer${i}`, 0);
      ids.push(tid);
    }
    assert.equal(table.size, 5);
    const sent: string[] = [];
    for (let t = table.pollTransmit(); t; t = table.pollTransmit()) sent.push(t.context);
    assert.deepEqual(sent, ['peer0', 'peer1', 'peer2', 'peer3', 'peer4']);
    assert.equal(table.nextTimeout(), 500);

    const done = table.handleResponse(responseTo(ids[2]!), 30);
    assert.equal(done?.context, 'peer2');
    assert.equal(done?.transaction.state, 'succeeded');
    assert.equal(table.handleResponse(responseTo(ids[2]!), 31), undefined, 'duplicate');
    assert.equal(table.pollCompleted(), done);
    assert.equal(table.pollCompleted(), undefined);
    assert.ok(table.cancel(ids[4]!));
    assert.equal(table.size, 3);

    table.handleTimeout(500);
    const resent: string[] = [];
    for (let t = table.pollTransmit(); t; t = table.pollTransmit()) resent.push(t.context);
    assert.deepEqual(resent, ['peer0', 'peer1', 'peer3']);

    // Run the rest out: all three time out at 39500.
    for (let t = table.nextTimeout(); t !== undefined; t = table.nextTimeout()) {
      table.handleTimeout(t);
      while (table.pollTransmit());
    }
    const timedOut: string[] = [];
    for (let e = table.pollCompleted(); e; e = table.pollCompleted()) {
      assert.equal(e.transaction.state, 'timeout');
      timedOut.push(e.context);
    }
    assert.deepEqual(timedOut, ['peer0', 'peer1', 'peer3']);
    assert.equal(table.size, 0);
  });

  it('tells apart ids that share their first six bytes', () => {
    const table = new StunTransactionTable<number>();
    const a = new Uint8Array(12).fill(9);
    const b = new Uint8Array(12).fill(9);
    b[11] = 1;
    table.start(newRequest().raw, a, 1, 0);
    table.start(newRequest().raw, b, 2, 0);
    assert.equal(table.handleResponse(responseTo(b), 5)?.context, 2);
    assert.equal(table.get(a)?.context, 1);
    assert.equal(table.get(b), undefined);
  });
});
