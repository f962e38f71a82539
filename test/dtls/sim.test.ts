import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AlertDescription } from '../../src/dtls/constants.js';
import { runSimulation, SimNetwork } from '../sim/network.js';
import { makePair, SimDtls, testCertificate } from './helpers.js';

const encoder = new TextEncoder();

async function handshakeOverSim(
  seed: number,
  mtu: number,
  kind: 'ecdsa' | 'rsa',
  serverFirst: boolean,
) {
  const { client, server } = await makePair({
    clientCert: await testCertificate(kind, 0),
    serverCert: await testCertificate(kind, 1),
    client: { mtu },
    server: { mtu },
  });
  const net = new SimNetwork(seed, { loss: 0.1, duplicate: 0.05, delay: 20, jitter: 30, mtu });
  const c = new SimDtls('c', 's', client);
  const s = new SimDtls('s', 'c', server);
  if (serverFirst) server.start(net.now);
  client.start(net.now);
  const ok = runSimulation(
    net,
    [c, s],
    () => client.state === 'connected' && server.state === 'connected',
    20_000,
  );
  return { ok, net, c, s, client, server };
}

describe('handshake over a lossy simulated network', () => {
  for (const mtu of [1200, 500]) {
    // Seeds whose runs lose at least one datagram at both MTUs.
    for (const seed of [1, 2, 4, 6, 7, 8]) {
      const kind = seed % 2 === 0 ? 'rsa' : 'ecdsa';
      test(`seed ${seed}, MTU ${mtu}, ${kind}`, async () => {
        const { ok, net, c, s, client, server } = await handshakeOverSim(
          seed,
          mtu,
          kind,
          seed % 3 === 0,
        );
        assert.ok(ok, `handshake did not finish: ${client.state}/${server.state}`);
        assert.equal(net.stats.tooBig, 0, 'a datagram exceeded the MTU');
        assert.ok(net.stats.dropped > 0, 'the seed should lose something');
        assert.equal(client.cipherSuite, server.cipherSuite);
        assert.equal(client.srtpProfile, 'SRTP_AEAD_AES_128_GCM');
        assert.equal(server.srtpProfile, 'SRTP_AEAD_AES_128_GCM');
        assert.deepEqual(
          client.exportKeyingMaterial('EXTRACTOR-dtls_srtp', 56),
          server.exportKeyingMaterial('EXTRACTOR-dtls_srtp', 56),
        );
        assert.deepEqual(
          client.exportKeyingMaterial('EXPORTER-test', 32, Uint8Array.of(1, 2)),
          server.exportKeyingMaterial('EXPORTER-test', 32, Uint8Array.of(1, 2)),
        );
        assert.notDeepEqual(
          client.exportKeyingMaterial('EXPORTER-test', 32),
          client.exportKeyingMaterial('EXPORTER-test', 32, new Uint8Array(0)),
        );
        // Application data both ways, resent by the test until it gets through the loss.
        for (let i = 0; i < 20 && c.received.length === 0; i++) {
          server.send(encoder.encode(`to client ${i}`));
          s.flush(net);
          runSimulation(net, [c, s], () => c.received.length > 0, 200);
        }
        for (let i = 0; i < 20 && s.received.length === 0; i++) {
          client.send(encoder.encode(`to server ${i}`));
          c.flush(net);
          runSimulation(net, [c, s], () => s.received.length > 0, 200);
        }
        assert.match(new TextDecoder().decode(c.received[0]), /^to client \d+$/);
        assert.match(new TextDecoder().decode(s.received[0]), /^to server \d+$/);
        assert.equal(c.events.filter((e) => e.type === 'connected').length, 1);
        assert.equal(s.events.filter((e) => e.type === 'connected').length, 1);
      });
    }
  }

  test('30% loss with heavy reordering still completes (several seeds, both MTUs)', async () => {
    for (let seed = 100; seed < 110; seed++) {
      const mtu = seed % 2 === 0 ? 500 : 1200;
      const { client, server } = await makePair({ client: { mtu }, server: { mtu } });
      const net = new SimNetwork(seed, { loss: 0.3, duplicate: 0.1, delay: 30, jitter: 80, mtu });
      const c = new SimDtls('c', 's', client);
      const s = new SimDtls('s', 'c', server);
      client.start(0);
      const done = () => client.state === 'connected' && server.state === 'connected';
      assert.ok(
        runSimulation(net, [c, s], done, 25_000),
        `seed ${seed}: ${client.state}/${server.state}`,
      );
      assert.deepEqual(
        client.exportKeyingMaterial('EXTRACTOR-dtls_srtp', 60),
        server.exportKeyingMaterial('EXTRACTOR-dtls_srtp', 60),
      );
    }
  });

  test('every suite completes on the simulated network', async () => {
    for (const [suite, kind] of [
      [0xc02b, 'ecdsa'],
      [0xc02c, 'ecdsa'],
      [0xcca9, 'ecdsa'],
      [0xc02f, 'rsa'],
      [0xc030, 'rsa'],
    ] as const) {
      const { client, server } = await makePair({
        serverCert: await testCertificate(kind, 1),
        client: { cipherSuites: [suite] },
      });
      const net = new SimNetwork(suite, { loss: 0.05, delay: 10, jitter: 10 });
      const c = new SimDtls('c', 's', client);
      const s = new SimDtls('s', 'c', server);
      client.start(0);
      const done = () => client.state === 'connected' && server.state === 'connected';
      assert.ok(runSimulation(net, [c, s], done, 20_000), `suite ${suite.toString(16)}`);
      assert.equal(server.cipherSuite, suite);
      assert.equal(client.cipherSuite, suite);
      net.conditions = { delay: 10 };
      client.send(encoder.encode('x'));
      server.send(encoder.encode('y'));
      runSimulation(net, [c, s], () => s.received.length > 0 && c.received.length > 0, 1000);
      assert.deepEqual(s.received, [encoder.encode('x')]);
      assert.deepEqual(c.received, [encoder.encode('y')]);
    }
  });
});

describe('failures on the simulated network', () => {
  test('wrong fingerprint: both sides fail with bad_certificate', async () => {
    const { client, server } = await makePair({
      client: { remoteFingerprints: [{ algorithm: 'sha-256', value: '00:11:22' }] },
    });
    const net = new SimNetwork(9, { delay: 5 });
    const c = new SimDtls('c', 's', client);
    const s = new SimDtls('s', 'c', server);
    client.start(0);
    runSimulation(net, [c, s], () => client.state === 'failed' && server.state === 'failed', 5000);
    assert.equal(client.state, 'failed');
    assert.equal(server.state, 'failed');
    assert.equal(c.failure()?.alert, AlertDescription.badCertificate);
    assert.equal(s.failure()?.alert, AlertDescription.badCertificate);
    assert.match(s.failure()!.reason, /received fatal alert/);
  });

  test('server rejects a client certificate that does not match', async () => {
    const { client, server } = await makePair({
      server: { remoteFingerprints: [{ algorithm: 'sha-384', value: 'AA:BB' }] },
    });
    const net = new SimNetwork(10, { delay: 5 });
    const c = new SimDtls('c', 's', client);
    const s = new SimDtls('s', 'c', server);
    client.start(0);
    runSimulation(net, [c, s], () => client.state === 'failed' && server.state === 'failed', 5000);
    assert.equal(s.failure()?.alert, AlertDescription.badCertificate);
    assert.equal(c.failure()?.alert, AlertDescription.badCertificate);
  });

  test('no answer: exponential back-off, then handshake timeout', async () => {
    const { client } = await makePair({
      client: { initialRetransmitTimeout: 100, handshakeTimeout: 10_000 },
    });
    const sent: number[] = [];
    client.start(0);
    let now = 0;
    for (let guard = 0; guard < 100 && client.state === 'connecting'; guard++) {
      while (client.pollTransmit()) sent.push(now);
      const t = client.nextTimeout();
      if (t === undefined) break;
      now = t;
      client.handleTimeout(now);
    }
    assert.equal(client.state, 'failed');
    assert.equal(now, 10_000);
    const ev = [...Array(10)].map(() => client.pollEvent()).filter(Boolean);
    assert.deepEqual(ev, [{ type: 'failed', reason: 'handshake timeout' }]);
    assert.deepEqual(sent, [0, 100, 300, 700, 1500, 3100, 6300]);
    assert.equal(client.nextTimeout(), undefined);
  });

  test('a lost final flight is resent when the peer retransmits', async () => {
    const { client, server } = await makePair();
    const net = new SimNetwork(11, { delay: 10 });
    const c = new SimDtls('c', 's', client);
    const s = new SimDtls('s', 'c', server);
    client.start(0);
    // Let the server finish, but drop its final flight once.
    runSimulation(net, [c, s], () => server.state === 'connected', 5000);
    assert.equal(server.state, 'connected');
    net.partition('s', 'c');
    s.flush(net);
    net.heal('s', 'c');
    assert.equal(client.state, 'connecting');
    runSimulation(net, [c, s], () => client.state === 'connected', 5000);
    assert.equal(client.state, 'connected');
  });
});
