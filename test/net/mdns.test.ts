import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { after, test } from 'node:test';
import { MdnsService } from '../../src/net/mdns.js';

// Multicast must never leave the machine: only inside the private namespace, where the only
// interfaces are lo and the veth pair.
const skip =
  process.env.NETNS_RUN === '1' ? false : 'needs the private network namespace (NETNS_RUN=1)';

const services: MdnsService[] = [];
after(async () => {
  await Promise.all(services.map((s) => s.close()));
});

function service(iface: string): MdnsService {
  const s = new MdnsService({ interface: iface });
  services.push(s);
  return s;
}

test('a name registered on one interface resolves from the other (A and AAAA)', {
  skip,
}, async () => {
  const responder = service('10.77.0.1');
  const resolver = service('10.77.0.2');
  await Promise.all([responder.ready, resolver.ready]);
  const v4Name = `${randomUUID()}.local`;
  const v6Name = `${randomUUID()}.local`;
  responder.register(v4Name, '10.77.0.1');
  responder.register(v6Name, 'fd77::1');
  responder.register(`${randomUUID()}.local`, 'not an address'); // ignored

  const opts = { timeoutMs: 5000, retransmitMs: 250 };
  const [a, aaaa, upper] = await Promise.all([
    resolver.resolve(v4Name, opts),
    resolver.resolve(v6Name, opts),
    resolver.resolve(v4Name.toUpperCase(), opts),
  ]);
  assert.equal(a, '10.77.0.1');
  assert.equal(aaaa, 'fd77::1');
  assert.equal(upper, '10.77.0.1');
});

test('unknown and unregistered names time out to undefined', { skip }, async () => {
  const responder = service('10.77.0.1');
  const resolver = service('10.77.0.2');
  const name = `${randomUUID()}.local`;
  responder.register(name, '10.77.0.1');
  assert.equal(await resolver.resolve(name, { timeoutMs: 5000, retransmitMs: 200 }), '10.77.0.1');
  responder.unregister(name);
  const opts = { timeoutMs: 400, retransmitMs: 100 };
  const [gone, never] = await Promise.all([
    resolver.resolve(name, opts),
    resolver.resolve(`${randomUUID()}.local`, opts),
  ]);
  assert.equal(gone, undefined);
  assert.equal(never, undefined);
});

test('the shared service is reference-counted', { skip }, async () => {
  const opts = { interface: '10.77.0.1' };
  const first = MdnsService.acquire(opts);
  const second = MdnsService.acquire(opts);
  assert.equal(first, second);
  const other = MdnsService.acquire({ interface: '10.77.0.2' });
  assert.notEqual(other, first);

  const name = `${randomUUID()}.local`;
  other.register(name, '10.77.0.2');
  first.release();
  // Still open for the second user: it resolves over the wire.
  assert.equal(await second.resolve(name, { timeoutMs: 5000, retransmitMs: 200 }), '10.77.0.2');
  second.release();
  // Closed now: lookups answer undefined at once, and a new acquire gets a fresh socket.
  assert.equal(await second.resolve(name, { timeoutMs: 5000 }), undefined);
  const third = MdnsService.acquire(opts);
  assert.notEqual(third, first);
  assert.equal(await third.resolve(name, { timeoutMs: 5000, retransmitMs: 200 }), '10.77.0.2');
  third.release();
  other.release();
});

test('closing settles pending lookups with undefined', { skip }, async () => {
  const s = new MdnsService({ interface: '10.77.0.1' });
  const pending = s.resolve(`${randomUUID()}.local`, { timeoutMs: 60_000 });
  await s.close();
  assert.equal(await pending, undefined);
});

/** A one-shot (legacy, RFC 6762 §6.7) query for an A record, encoded by hand. */
function encodeQuery(id: number, name: string): Uint8Array {
  const labels = name.split('.').filter((l) => l.length > 0);
  const qname = labels.reduce((n, l) => n + 1 + l.length, 1);
  const out = new Uint8Array(12 + qname + 4);
  const view = new DataView(out.buffer);
  view.setUint16(0, id);
  view.setUint16(4, 1); // QDCOUNT
  let o = 12;
  for (const l of labels) {
    out[o++] = l.length;
    for (let i = 0; i < l.length; i++) out[o++] = l.charCodeAt(i);
  }
  out[o++] = 0;
  view.setUint16(o, 1); // A
  view.setUint16(o + 2, 1); // IN
  return out;
}

test('a legacy query from another port gets a unicast answer with its id', { skip }, async () => {
  const responder = service('10.77.0.1');
  await responder.ready;
  const name = `${randomUUID()}.local`;
  responder.register(name, '10.77.0.1');

  const socket = createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, '10.77.0.2', () => r()));
  socket.setMulticastInterface('10.77.0.2');
  try {
    const reply = new Promise<Buffer>((resolve) => socket.once('message', (m) => resolve(m)));
    const query = encodeQuery(0x1234, name);
    const timer = setInterval(() => socket.send(query, 5353, '224.0.0.251'), 200);
    socket.send(query, 5353, '224.0.0.251');
    const msg = await reply;
    clearInterval(timer);
    assert.equal(msg.readUInt16BE(0), 0x1234);
    assert.ok(msg.readUInt16BE(2) & 0x8000, 'a response');
    assert.ok(msg.readUInt16BE(6) >= 1, 'with an answer');
    assert.ok(msg.includes(Buffer.from([10, 77, 0, 1])), 'carrying the address');
  } finally {
    socket.close();
  }
});

test('a shared service reports its errors to the users still holding it', { skip }, async () => {
  // A port of its own: no other service in this process hears the malformed datagram.
  const opts = { interface: '10.77.0.1', port: 15353 };
  const gone: Error[] = [];
  const staying: Error[] = [];
  const goneHandler = (err: Error) => gone.push(err);
  const stayingHandler = (err: Error) => staying.push(err);
  const first = MdnsService.acquire(opts, goneHandler);
  const second = MdnsService.acquire(opts, stayingHandler);
  let holding = 2;
  try {
    assert.equal(first, second);
    await second.ready;
    first.release(goneHandler);
    holding--;
    const garbage = createSocket('udp4');
    await new Promise<void>((r) =>
      garbage.send(Buffer.from([1, 2, 3]), 15353, '10.77.0.1', () => r()),
    );
    garbage.close();
    const deadline = Date.now() + 5000;
    while (staying.length === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(staying.length, 1, 'the user still holding it hears of the malformed packet');
    assert.equal(gone.length, 0, 'the user that released it does not');
  } finally {
    for (; holding > 0; holding--) second.release(stayingHandler);
  }
});
