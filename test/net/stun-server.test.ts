import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseStunServer, resolveStunServer } from '../../src/net/stun-server.js';

test('STUN server URIs and host:port forms', () => {
  const cases: [string, string, number][] = [
    ['stun:stun.example.org', 'stun.example.org', 3478],
    ['stun:stun.example.org:19302', 'stun.example.org', 19302],
    ['STUN:10.77.0.1:3478', '10.77.0.1', 3478],
    ['stun:[fd77::1]:5000', 'fd77::1', 5000],
    ['stun:[fd77::1]', 'fd77::1', 3478],
    ['stun://host.example?transport=udp', 'host.example', 3478],
    ['127.0.0.1:4000', '127.0.0.1', 4000],
    ['localhost:4000', 'localhost', 4000],
    ['localhost', 'localhost', 3478],
    ['[::1]:4000', '::1', 4000],
    ['fd77::1', 'fd77::1', 3478],
    ['::1', '::1', 3478],
  ];
  for (const [text, host, port] of cases) {
    const r = parseStunServer(text);
    assert.ok(!('error' in r), `${text}: ${'error' in r ? r.error : ''}`);
    assert.equal(r.host, host, text);
    assert.equal(r.port, port, text);
    assert.equal(r.url, text);
  }
});

test('bad STUN server specs give an error, never a throw', () => {
  for (const text of [
    'turn:turn.example.org',
    'stuns:stun.example.org',
    'stun:',
    'stun:host:0',
    'stun:host:65536',
    'stun:host:abc',
    'stun:[fd77::1',
    'stun:[notv6]:1',
    'stun:[::1]x',
    'stun:a b',
    '',
  ]) {
    const r = parseStunServer(text);
    assert.ok('error' in r, `${text} should be refused`);
  }
});

test('IP literals resolve without DNS; names through the resolver', async () => {
  assert.deepEqual(await resolveStunServer({ url: 'x', host: 'fd77::1', port: 9 }), [
    { address: 'fd77::1', port: 9, family: 'IPv6' },
  ]);
  const local = await resolveStunServer({ url: 'x', host: 'localhost', port: 9 });
  assert.ok(local.length >= 1 && local.length <= 2);
  for (const a of local) assert.ok(a.address === '127.0.0.1' || a.address === '::1', a.address);
  assert.equal(new Set(local.map((a) => a.family)).size, local.length);
  // A failing lookup may ask the configured DNS server: only where nothing can leave the host.
  if (process.env.NETNS_RUN === '1') {
    await assert.rejects(resolveStunServer({ url: 'x', host: 'no-such-host.invalid', port: 9 }));
  }
});
