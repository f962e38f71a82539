import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { IceAgent, type IceEvent, type IceTransmit } from '../../src/ice/index.js';
import { buildCheckRequest } from '../../src/ice/messages.js';
import {
  type Address,
  decodeStun,
  getErrorCode,
  getUnknownAttributes,
  getXorMappedAddress,
  newTransactionId,
  StunAttr,
  StunMessageBuilder,
  StunMethod,
  shortTermKey,
  verifyMessageIntegrity,
} from '../../src/stun/index.js';
import { Prng } from '../sim/prng.js';
import { v4 } from './harness.js';

const LOCAL = v4('10.0.0.2', 6000);
const PEER = v4('10.0.0.1', 5000);
const PEER_UFRAG = 'peer';
const PEER_PWD = 'peerpasswordpeerpassword';

/** A controlled agent with remote credentials and no remote candidates: quiet until checked. */
function quietAgent(tieBreaker = 1000n): IceAgent {
  const agent = new IceAgent({
    role: 'controlled',
    now: 0,
    localUfrag: 'mine',
    localPwd: 'minepasswordminepassword',
    tieBreaker,
  });
  agent.addLocalAddress(LOCAL, 0);
  agent.endOfLocalAddresses(0);
  agent.setRemoteCredentials(PEER_UFRAG, PEER_PWD, 0);
  drain(agent);
  return agent;
}

function drain(agent: IceAgent): { transmits: IceTransmit[]; events: IceEvent[] } {
  const transmits: IceTransmit[] = [];
  const events: IceEvent[] = [];
  for (let t = agent.pollTransmit(); t; t = agent.pollTransmit()) transmits.push(t);
  for (let e = agent.pollEvent(); e; e = agent.pollEvent()) events.push(e);
  return { transmits, events };
}

interface CheckOptions {
  username?: string;
  pwd?: string;
  controlling?: bigint;
  controlled?: bigint;
  extraAttribute?: number;
  fingerprint?: boolean;
  priority?: number | null;
}

function check(o: CheckOptions = {}): Uint8Array {
  const b = new StunMessageBuilder(StunMethod.Binding, 'request', newTransactionId()).addString(
    StunAttr.Username,
    o.username ?? `mine:${PEER_UFRAG}`,
  );
  if (o.priority !== null) b.addUint32(StunAttr.Priority, o.priority ?? 1853824767);
  if (o.controlled !== undefined) b.addUint64(StunAttr.IceControlled, o.controlled);
  else b.addUint64(StunAttr.IceControlling, o.controlling ?? 5n);
  if (o.extraAttribute !== undefined) b.add(o.extraAttribute, new Uint8Array(4));
  b.addMessageIntegrity(shortTermKey(o.pwd ?? 'minepasswordminepassword'));
  if (o.fingerprint !== false) b.addFingerprint();
  return b.build();
}

function snapshot(agent: IceAgent) {
  return {
    state: agent.state,
    role: agent.role,
    remotes: agent.getRemoteCandidates(),
    selected: agent.getSelectedPair(),
    next: agent.nextTimeout(),
  };
}

test('hostile datagrams: no response, no event, no state change', () => {
  const agent = quietAgent();
  const before = snapshot(agent);
  const good = check();
  const prng = new Prng(99);
  const flipped = good.slice();
  flipped[30]! ^= 0x01;
  const hostile: [string, Uint8Array, Address?][] = [
    ['wrong integrity', check({ pwd: 'notthepasswordnotthepassword' })],
    ['wrong username', check({ username: `other:${PEER_UFRAG}` })],
    ['username without colon', check({ username: 'mine' })],
    ['no fingerprint', check({ fingerprint: false })],
    ['bit flipped', flipped],
    ['truncated', good.subarray(0, good.length - 4)],
    ['truncated header', good.subarray(0, 12)],
    ['empty', new Uint8Array(0)],
    [
      'stray response',
      new StunMessageBuilder(StunMethod.Binding, 'success').addFingerprint().build(),
    ],
    ['garbage STUN-like', Uint8Array.of(0, 1, 0, 0, 0x21, 0x12, 0xa4, 0x42, ...prng.bytes(12))],
    ['data from a stranger', Uint8Array.of(0x80, 0x60, 0, 1, ...prng.bytes(20))],
    ['DTLS from a stranger', Uint8Array.of(22, 0xfe, 0xfd, ...prng.bytes(40))],
  ];
  for (let i = 0; i < 200; i++) hostile.push([`random ${i}`, prng.bytes(prng.int(0, 120))]);
  for (const [name, data] of hostile) {
    agent.handleDatagram(data, PEER, LOCAL, 10);
    const out = drain(agent);
    assert.equal(out.transmits.length, 0, `${name}: no response`);
    assert.equal(out.events.length, 0, `${name}: no event`);
    assert.deepEqual(snapshot(agent), before, `${name}: no state change`);
  }
  // The same agent does answer a good check, so the silence above means something.
  agent.handleDatagram(good, PEER, LOCAL, 10);
  const out = drain(agent);
  const response = out.transmits.find((t) => t.data[0]! < 4 && decodeStun(t.data).ok);
  assert.ok(response, 'a good check is answered');
  const m = decodeStun(response.data);
  assert.ok(m.ok && m.message.class === 'success');
  assert.deepEqual(getXorMappedAddress(m.message), PEER);
  assert.ok(verifyMessageIntegrity(m.message, shortTermKey('minepasswordminepassword')));
  assert.equal(agent.getRemoteCandidates()[0]?.type, 'prflx');
  assert.equal(agent.state, 'checking');
});

test('property: mutated checks never throw out of handleDatagram', () => {
  const agent = quietAgent();
  const good = check();
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.nat(good.length - 1), fc.integer({ min: 1, max: 255 })), {
        minLength: 1,
        maxLength: 4,
      }),
      fc.nat(good.length),
      (flips, cut) => {
        const d = good.slice(0, Math.max(cut, 1));
        for (const [at, x] of flips) if (at < d.length) d[at]! ^= x;
        agent.handleDatagram(d, PEER, LOCAL, 20);
        drain(agent);
      },
    ),
    { numRuns: 500, seed: 7675 },
  );
});

test('a check with an unknown comprehension-required attribute gets 420', () => {
  const agent = quietAgent();
  agent.handleDatagram(check({ extraAttribute: 0x7ffe }), PEER, LOCAL, 10);
  const { transmits } = drain(agent);
  assert.equal(transmits.length, 1);
  const m = decodeStun(transmits[0]!.data);
  assert.ok(m.ok);
  assert.equal(getErrorCode(m.message)?.code, 420);
  assert.deepEqual(getUnknownAttributes(m.message), [0x7ffe]);
  assert.deepEqual(agent.getRemoteCandidates(), []);
});

test('a check without PRIORITY gets 400 and changes nothing', () => {
  const agent = quietAgent();
  agent.handleDatagram(check({ priority: null }), PEER, LOCAL, 10);
  const { transmits } = drain(agent);
  const m = decodeStun(transmits[0]!.data);
  assert.ok(m.ok);
  assert.equal(getErrorCode(m.message)?.code, 400);
  assert.equal(agent.state, 'new');
});

test('role conflict on a check: 487 from the larger tie-breaker, a switch from the smaller', () => {
  // Both controlled; ours is larger: we become controlling and answer with success.
  const big = quietAgent(1n << 60n);
  big.handleDatagram(check({ controlled: 7n }), PEER, LOCAL, 10);
  assert.equal(big.role, 'controlling');
  let m = decodeStun(drain(big).transmits[0]!.data);
  assert.ok(m.ok && m.message.class === 'success');
  // Both controlled; ours is smaller: 487, and we stay controlled.
  const small = quietAgent(3n);
  small.handleDatagram(check({ controlled: 7n }), PEER, LOCAL, 10);
  assert.equal(small.role, 'controlled');
  m = decodeStun(drain(small).transmits[0]!.data);
  assert.ok(m.ok);
  assert.equal(getErrorCode(m.message)?.code, 487);
  assert.deepEqual(small.getRemoteCandidates(), []);
});

test('checks that arrive before the remote credentials are answered, then paired', () => {
  const agent = new IceAgent({
    role: 'controlled',
    now: 0,
    localUfrag: 'mine',
    localPwd: 'minepasswordminepassword',
  });
  agent.addLocalAddress(LOCAL, 0);
  agent.endOfLocalAddresses(0);
  drain(agent);
  agent.handleDatagram(check(), PEER, LOCAL, 5);
  const early = drain(agent);
  assert.equal(early.transmits.length, 1, 'answered at once');
  assert.deepEqual(agent.getRemoteCandidates(), []);
  assert.equal(agent.state, 'new');
  agent.setRemoteCredentials(PEER_UFRAG, PEER_PWD, 10);
  assert.equal(agent.getRemoteCandidates()[0]?.type, 'prflx');
  assert.equal(agent.state, 'checking');
  // ... and the remembered check triggers a check back, with our credentials for the peer,
  // due at once (signalling inputs leave their checks to the timeout they make due).
  assert.ok((agent.nextTimeout() ?? Number.POSITIVE_INFINITY) <= 10);
  agent.handleTimeout(10);
  const later = drain(agent);
  const req = later.transmits
    .map((t) => decodeStun(t.data))
    .find((r) => r.ok && r.message.class === 'request');
  assert.ok(req?.ok);
  assert.ok(verifyMessageIntegrity(req.message, shortTermKey(PEER_PWD)));
});

test('buildCheckRequest carries every attribute a check needs', () => {
  const id = newTransactionId();
  const data = buildCheckRequest({
    transactionId: id,
    username: 'r:l',
    priority: 1234,
    role: 'controlling',
    tieBreaker: 99n,
    useCandidate: true,
    key: shortTermKey(PEER_PWD),
  });
  const r = decodeStun(data);
  assert.ok(r.ok);
  const types = r.message.attributes.map((a) => a.type);
  assert.deepEqual(types, [
    StunAttr.Username,
    StunAttr.Priority,
    StunAttr.IceControlling,
    StunAttr.UseCandidate,
    StunAttr.MessageIntegrity,
    StunAttr.Fingerprint,
  ]);
});
