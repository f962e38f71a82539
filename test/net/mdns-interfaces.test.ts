// Without a chosen interface, mDNS must multicast on every non-loopback IPv4 interface, each
// from a socket bound to that interface's address. Following the routing table instead fails
// with ENETUNREACH on a host without a default route (the private namespace has none), and
// picks one link only on a host with several.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { after, before, test } from 'node:test';
import { MdnsService } from '../../src/net/mdns.js';

// Multicast must never leave the machine: only inside the private namespace.
const skip =
  process.env.NETNS_RUN === '1' ? false : 'needs the private network namespace (NETNS_RUN=1)';

const GROUP = '224.0.0.251';
const services: MdnsService[] = [];
let observer: Socket | undefined;
/** Every mDNS datagram seen on the host: its source and bytes. */
const seen: { from: string; port: number; data: Buffer }[] = [];

before(async () => {
  if (skip) return;
  // A plain listener on the group, to see what goes out and from where.
  const s = createSocket({ type: 'udp4', reuseAddr: true });
  observer = s;
  await new Promise<void>((r) => s.bind(5353, '0.0.0.0', () => r()));
  for (const a of ['10.77.0.1', '10.77.0.2']) s.addMembership(GROUP, a);
  s.on('message', (data, rinfo) => seen.push({ from: rinfo.address, port: rinfo.port, data }));
});

after(async () => {
  await Promise.all(services.map((s) => s.close()));
  observer?.close();
});

function service(opts?: ConstructorParameters<typeof MdnsService>[0]) {
  const s = new MdnsService(opts);
  const errors: Error[] = [];
  s.onError = (err) => errors.push(err);
  services.push(s);
  return { s, errors };
}

/** Sources of the datagrams seen that mention `name` (its first label, as encoded). */
function sourcesOf(name: string): string[] {
  const label = Buffer.from(name.split('.')[0]!);
  const from = new Set(seen.filter((p) => p.data.includes(label)).map((p) => p.from));
  return [...from].sort();
}

test('the namespace is what this test needs: no default route, no way out', { skip }, () => {
  // Field 2 of /proc/net/route is the destination; 00000000 is a default route.
  const routes = readFileSync('/proc/net/route', 'utf8').trim().split('\n').slice(1);
  assert.ok(routes.length > 0, 'routes are readable');
  assert.deepEqual(
    routes.filter((l) => l.split(/\s+/)[1] === '00000000'),
    [],
    'no IPv4 default route',
  );
  const names = Object.keys(networkInterfaces()).sort();
  assert.deepEqual(names, ['lo', 'v0', 'v1']);
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) {
      if (a.family !== 'IPv4') continue;
      assert.ok(
        a.internal || a.address.startsWith('10.77.0.'),
        `IPv4 address ${a.address} outside the namespace's veth pair`,
      );
    }
  }
});

test('with no interface chosen, a name registered on one service resolves from another', {
  skip,
}, async () => {
  const responder = service();
  const resolver = service();
  await Promise.all([responder.s.ready, resolver.s.ready]);
  const name = `${randomUUID()}.local`;
  responder.s.register(name, '10.77.0.1');

  const address = await resolver.s.resolve(name, { timeoutMs: 4000, retransmitMs: 250 });
  assert.equal(address, '10.77.0.1');
  // Sends that failed (ENETUNREACH without a default route) would be reported here.
  assert.deepEqual(responder.errors, []);
  assert.deepEqual(resolver.errors, []);
  // Queries and answers went out on both veth interfaces, from their own addresses, port
  // 5353 (RFC 6762 §5.2), and never on loopback or anywhere else.
  assert.deepEqual(sourcesOf(name), ['10.77.0.1', '10.77.0.2']);
  for (const p of seen.filter((q) => q.data.includes(Buffer.from(name.split('.')[0]!)))) {
    assert.equal(p.port, 5353);
  }
});

test('an unanswered query still goes out once per interface and retransmission', {
  skip,
}, async () => {
  const { s, errors } = service();
  await s.ready;
  const name = `${randomUUID()}.local`;
  const before = seen.length;
  assert.equal(await s.resolve(name, { timeoutMs: 600, retransmitMs: 250 }), undefined);
  await new Promise((r) => setTimeout(r, 50)); // the last query's loopback copy
  const label = Buffer.from(name.split('.')[0]!);
  const queries = seen.slice(before).filter((p) => p.data.includes(label));
  const perSource = new Map<string, number>();
  for (const q of queries) perSource.set(q.from, (perSource.get(q.from) ?? 0) + 1);
  assert.deepEqual([...perSource.keys()].sort(), ['10.77.0.1', '10.77.0.2']);
  // Sent at 0, 250 and 500 ms (fewer if timers ran late), each time on both interfaces.
  const counts = [...perSource.values()];
  assert.ok(counts[0]! >= 2, `${counts[0]} queries`);
  assert.equal(counts[0], counts[1], 'as many queries on each interface');
  assert.deepEqual(errors, []);
});

test('a chosen interface is the only one used', { skip }, async () => {
  const { s, errors } = service({ interface: '10.77.0.2' });
  await s.ready;
  const name = `${randomUUID()}.local`;
  assert.equal(await s.resolve(name, { timeoutMs: 300, retransmitMs: 100 }), undefined);
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(sourcesOf(name), ['10.77.0.2']);
  assert.deepEqual(errors, []);
});
