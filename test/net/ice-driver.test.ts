import assert from 'node:assert/strict';
import { isIP } from 'node:net';
import { afterEach, test } from 'node:test';
import type { NetworkInterfaceMap, UdpEndpoint } from '../../src/net/index.js';
import { IceDriver } from '../../src/net/index.js';
import { exchange, type PeerPair, startPair, untilConnected } from './ice-pair.js';

const netns =
  process.env.NETNS_RUN === '1' ? false : 'needs the private network namespace (NETNS_RUN=1)';

let pair: PeerPair | undefined;
afterEach(() => {
  pair?.close();
  pair = undefined;
});

test('two agents connect over 127.0.0.1 and exchange data both ways', async () => {
  pair = await startPair(
    { addresses: { addresses: ['127.0.0.1'] } },
    { addresses: { addresses: ['127.0.0.1'] } },
  );
  const { a, b } = pair;
  assert.deepEqual(
    a.driver.localAddresses.map((l) => l.address),
    ['127.0.0.1'],
  );
  await untilConnected(pair);
  await exchange(a, b, 20);
  await exchange(b, a, 20);
  const sel = a.driver.agent!.getSelectedPair()!;
  assert.equal(sel.local.address, '127.0.0.1');
  assert.equal(sel.local.port, a.driver.localAddresses[0]!.port);
  assert.equal(sel.remote.port, b.driver.localAddresses[0]!.port);
  assert.deepEqual(a.log.errors, []);
  assert.ok(a.driver.stats.datagramsReceived >= 20);
  assert.ok(b.driver.stats.datagramsSent >= 20);
  assert.ok(a.driver.stats.bytesSent > 20 * 200);
  pair.close();
  assert.equal(a.driver.state, 'closed');
  assert.equal(a.driver.send(new Uint8Array([0xaa])), false);
  assert.deepEqual(a.driver.localAddresses, []);
  pair.close(); // idempotent
});

test('IPv4 only: 10.77.0.1 <-> 10.77.0.2', { skip: netns }, async () => {
  pair = await startPair(
    { addresses: { addresses: ['10.77.0.1'] } },
    { addresses: { addresses: ['10.77.0.2'] } },
  );
  await untilConnected(pair);
  const { a, b } = pair;
  await exchange(a, b, 30, 1000);
  await exchange(b, a, 30, 1000);
  const selA = a.driver.agent!.getSelectedPair()!;
  const selB = b.driver.agent!.getSelectedPair()!;
  assert.equal(selA.local.address, '10.77.0.1');
  assert.equal(selA.remote.address, '10.77.0.2');
  assert.equal(selB.local.address, '10.77.0.2');
  assert.equal(selB.remote.address, '10.77.0.1');
  for (const p of [a, b]) {
    assert.ok(
      p.sentCandidates.every((c) => isIP(c.split(' ')[4]!) === 4),
      'IPv4 only',
    );
    assert.deepEqual(p.log.errors, []);
  }
});

test('IPv6 only: fd77::1 <-> fd77::2', { skip: netns }, async () => {
  pair = await startPair(
    { addresses: { addresses: ['fd77::1'] } },
    { addresses: { addresses: ['fd77::2'] } },
  );
  await untilConnected(pair);
  const { a, b } = pair;
  await exchange(a, b, 30, 1000);
  await exchange(b, a, 30, 1000);
  const selA = a.driver.agent!.getSelectedPair()!;
  assert.equal(selA.local.address, 'fd77::1');
  assert.equal(selA.remote.address, 'fd77::2');
  assert.deepEqual(
    b.driver.localAddresses.map((l) => `${l.family} ${l.address}`),
    ['IPv6 fd77::2'],
  );
  for (const p of [a, b]) assert.deepEqual(p.log.errors, []);
});

test('dual stack on every veth address: connect, then an ICE restart', {
  skip: netns,
}, async () => {
  pair = await startPair({}, {});
  const { a, b } = pair;
  assert.equal(a.driver.localAddresses.length, 4);
  assert.equal(a.sentCandidates.length, 4);
  await untilConnected(pair);
  await exchange(a, b, 10);

  const oldUfrag = a.driver.localUfrag;
  a.driver.restart();
  b.driver.restart();
  assert.notEqual(a.driver.localUfrag, oldUfrag);
  // Data keeps flowing on the old pair while the new generation is checked.
  await exchange(a, b, 5);
  a.driver.setRemoteCredentials(b.driver.localUfrag, b.driver.localPwd);
  b.driver.setRemoteCredentials(a.driver.localUfrag, a.driver.localPwd);
  for (const p of [a, b]) {
    await p.log.until(() => p.log.of('selected-pair').length >= 2, 'a pair of the new generation');
  }
  assert.equal(a.sentCandidates.length, 8, 'host candidates gathered again');
  await exchange(a, b, 10);
  await exchange(b, a, 10);
  for (const p of [a, b]) assert.deepEqual(p.log.errors, []);
});

test('default interface selection in the namespace uses the veth addresses', {
  skip: netns,
}, async () => {
  // lo is left out; both veth ends (v0, v1) and both families are chosen.
  const d = new IceDriver({ role: 'controlling' });
  try {
    await d.start();
    const got = d.localAddresses.map((l) => l.address).sort();
    assert.deepEqual(got, ['10.77.0.1', '10.77.0.2', 'fd77::1', 'fd77::2']);
    assert.equal(d.agent!.getLocalCandidates().length, 4);
  } finally {
    d.close();
  }
});

test('mDNS: host addresses hidden behind .local names are resolved and connect', {
  skip: netns,
}, async () => {
  pair = await startPair(
    {
      addresses: { addresses: ['10.77.0.1'] },
      mdnsHostnames: true,
      mdns: { interface: '10.77.0.1' },
    },
    {
      addresses: { addresses: ['10.77.0.2'] },
      mdns: { interface: '10.77.0.2' },
      mdnsTimeoutMs: 5000,
    },
  );
  const { a, b } = pair;
  await untilConnected(pair);
  await exchange(a, b, 10);
  await exchange(b, a, 10);
  // A never revealed its address: its candidates carry the name only.
  assert.ok(a.sentCandidates.length > 0);
  for (const line of a.sentCandidates) {
    assert.match(line.split(' ')[4]!, /^[0-9a-f-]{36}\.local$/);
    assert.ok(!line.includes('10.77.0.1'), line);
  }
  const registered = a.log.of('mdns-register');
  assert.equal(registered.length, 1);
  assert.equal(registered[0]!.address, '10.77.0.1');
  const queried = b.log.of('mdns-query');
  assert.deepEqual(
    queried.map((q) => q.hostname),
    [registered[0]!.hostname],
  );
  // B's selected remote is A's real address, found through mDNS.
  assert.equal(b.driver.agent!.getSelectedPair()!.local.address, '10.77.0.2');
  assert.equal(a.driver.agent!.getSelectedPair()!.remote.address, '10.77.0.2');
});

test('an unresolvable .local candidate is dropped after the mDNS timeout', {
  skip: netns,
}, async () => {
  const d = new IceDriver({
    role: 'controlled',
    addresses: { addresses: ['10.77.0.2'] },
    mdns: { interface: '10.77.0.2' },
    mdnsTimeoutMs: 300,
  });
  const queries: string[] = [];
  d.onEvent = (e) => {
    if (e.type === 'mdns-query') queries.push(e.hostname);
  };
  try {
    await d.start();
    d.setRemoteCredentials('abcd', 'abcdefghijklmnopqrstuvwxyz');
    d.addRemoteCandidate({
      foundation: '1',
      component: 1,
      transport: 'udp',
      priority: 2122260223,
      address: 'b5c6f1f2-0000-4000-8000-000000000000.local',
      port: 9,
      type: 'host',
      extensions: [],
    });
    assert.equal(queries.length, 1);
    await new Promise((r) => setTimeout(r, 600));
    assert.equal(d.agent!.getRemoteCandidates().length, 0);
  } finally {
    d.close();
  }
});

const fakeInterfaces = (): NetworkInterfaceMap => ({
  lo: [
    {
      address: '127.0.0.1',
      netmask: '255.0.0.0',
      family: 'IPv4',
      mac: '00:00:00:00:00:00',
      internal: true,
      cidr: '127.0.0.1/8',
    },
  ],
});

test('a socket error is reported and that socket dropped, not thrown', async () => {
  const errors: Error[] = [];
  const d = new IceDriver({
    role: 'controlling',
    networkInterfaces: fakeInterfaces,
    onError: (e) => errors.push(e),
  });
  try {
    await d.start();
    assert.deepEqual(
      d.localAddresses.map((l) => l.address),
      ['127.0.0.1'],
    );
    const endpoint = (d as unknown as { endpoints: UdpEndpoint[] }).endpoints[0]!;
    endpoint.socket.emit('error', new Error('simulated failure'));
    assert.equal(errors.length, 1);
    assert.match(errors[0]!.message, /simulated failure/);
    assert.deepEqual(d.localAddresses, []);
    assert.ok(endpoint.isClosed);
  } finally {
    d.close();
  }
});

test('port range and calls queued before start()', async () => {
  const a = new IceDriver({
    role: 'controlling',
    addresses: { addresses: ['127.0.0.1'] },
    portRange: { min: 42000, max: 42999 },
  });
  const b = new IceDriver({
    role: 'controlled',
    addresses: { addresses: ['127.0.0.1'] },
    portRange: { min: 43000, max: 43999 },
  });
  const aCandidates: string[] = [];
  try {
    // Queued: the agents do not exist yet.
    a.setRemoteCredentials(b.localUfrag, b.localPwd);
    b.setRemoteCredentials(a.localUfrag, a.localPwd);
    assert.equal(a.agent, undefined);
    assert.equal(a.state, 'new');
    const candidates = { a: [] as unknown[], b: [] as unknown[] };
    a.onEvent = (e) => {
      if (e.type === 'local-candidate') {
        candidates.a.push(e.candidate);
        aCandidates.push(`${e.candidate.address}:${e.candidate.port}`);
      }
    };
    b.onEvent = (e) => {
      if (e.type === 'local-candidate') candidates.b.push(e.candidate);
    };
    await Promise.all([a.start(), b.start()]);
    await assert.rejects(a.start(), /twice/);
    const pa = a.localAddresses[0]!.port;
    const pb = b.localAddresses[0]!.port;
    assert.ok(pa >= 42000 && pa <= 42999, String(pa));
    assert.ok(pb >= 43000 && pb <= 43999, String(pb));
    assert.deepEqual(aCandidates, [`127.0.0.1:${pa}`]);
    assert.equal(a.agent!.localUfrag, a.localUfrag);
    assert.equal(a.agent!.localPwd, a.localPwd);
  } finally {
    a.close();
    b.close();
  }
});

test('no usable address: start() rejects with the reason', async () => {
  const d = new IceDriver({ role: 'controlling', networkInterfaces: () => ({}) });
  try {
    await assert.rejects(d.start(), /no usable local address/);
  } finally {
    d.close();
  }
});

test('unparsable and unresolvable STUN servers become candidate errors', async () => {
  const d = new IceDriver({
    role: 'controlling',
    addresses: { addresses: ['127.0.0.1'] },
    stunServers: ['turn:example.org', 'stun:[::1'],
  });
  const errors: { url: string; errorCode: number }[] = [];
  d.onEvent = (e) => {
    if (e.type === 'candidate-error') errors.push({ url: e.url, errorCode: e.errorCode });
  };
  try {
    await d.start();
    assert.deepEqual(errors, [
      { url: 'turn:example.org', errorCode: 701 },
      { url: 'stun:[::1', errorCode: 701 },
    ]);
  } finally {
    d.close();
  }
});

test('only the socket that carries data, sent or received, gets the large buffers; the others keep the defaults', async () => {
  const both = { addresses: { addresses: ['127.0.0.1', '::1'] } };
  pair = await startPair(both, both);
  const { a, b } = pair;
  await untilConnected(pair);
  const sizes = (d: IceDriver) =>
    d.endpoints.map((e) => ({
      address: e.local.address,
      recv: e.socket.getRecvBufferSize(),
      send: e.socket.getSendBufferSize(),
    }));
  const before = sizes(a.driver);
  assert.equal(before.length, 2);
  // Connectivity checks alone (STUN) leave every socket as it was bound.
  assert.equal(new Set(before.map((s) => s.recv)).size, 1);
  // One way only: the sender's socket grows as it sends, the receiver's as it receives.
  await exchange(a, b, 5);
  for (const d of [a.driver, b.driver]) {
    const after = sizes(d);
    const carrying = after.filter((s) => s.recv > before[0]!.recv);
    assert.equal(carrying.length, 1, JSON.stringify(after));
    assert.ok(carrying[0]!.send > before[0]!.send);
    // It is the selected pair's.
    assert.equal(carrying[0]!.address, d.agent!.getSelectedPair()!.local.address);
  }
});
