import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  AlertDescription,
  ContentType,
  DTLS_1_2,
  ExtensionType,
  HandshakeType,
} from '../../src/dtls/constants.js';
import { DtlsEndpoint } from '../../src/dtls/endpoint.js';
import {
  decodeServerHello,
  encodeClientHello,
  encodeHandshakeFragment,
  encodeServerHello,
  encodeU16List,
} from '../../src/dtls/messages.js';
import { plainRecord } from '../../src/dtls/record.js';
import { drainEvents, makePair, pump, recordsIn, testCertificate, transmits } from './helpers.js';

function handshakeRecord(type: number, messageSeq: number, body: Uint8Array, recordSeq = 0) {
  const frag = encodeHandshakeFragment(type, messageSeq, body, 0, body.length);
  return plainRecord(ContentType.handshake, DTLS_1_2, 0, recordSeq, frag);
}

/** Every record in the endpoint's pending transmits. */
const sentRecords = (e: DtlsEndpoint) => transmits(e).flatMap(recordsIn);

function sentAlerts(e: DtlsEndpoint): number[][] {
  return sentRecords(e)
    .filter((r) => r.type === ContentType.alert && r.epoch === 0)
    .map((r) => [...r.body]);
}

async function connectedPair() {
  const p = await makePair();
  p.client.start(0);
  pump(p.client, p.server);
  assert.equal(p.client.state, 'connected');
  assert.equal(p.server.state, 'connected');
  drainEvents(p.client);
  drainEvents(p.server);
  return p;
}

function clientHelloBody(ext: [number, Uint8Array][], cookie: Uint8Array = new Uint8Array(0)) {
  return encodeClientHello(
    {
      version: DTLS_1_2,
      random: new Uint8Array(32).fill(7),
      sessionId: new Uint8Array(0),
      cookie,
      cipherSuites: [0xc02b, 0xc02f],
      compressionMethods: Uint8Array.of(0),
    },
    ext,
  );
}

/** Sends a ClientHello, answers the HelloVerifyRequest, and returns what the server sent next. */
async function helloToServer(ext: [number, Uint8Array][]) {
  const server = new DtlsEndpoint({
    role: 'server',
    certificate: await testCertificate('ecdsa', 1),
    now: 0,
  });
  server.handleDatagram(handshakeRecord(HandshakeType.clientHello, 0, clientHelloBody(ext)), 0);
  const [hvr] = sentRecords(server);
  assert.equal(hvr?.body[0], HandshakeType.helloVerifyRequest);
  assert.equal(server.state, 'connecting');
  const cookie = hvr!.body.subarray(12 + 3);
  const ch2 = handshakeRecord(HandshakeType.clientHello, 1, clientHelloBody(ext, cookie), 1);
  server.handleDatagram(ch2, 1);
  return server;
}

const FULL_EXT: [number, Uint8Array][] = [
  [ExtensionType.extendedMasterSecret, new Uint8Array(0)],
  [ExtensionType.supportedGroups, encodeU16List([23], 2)],
  [ExtensionType.signatureAlgorithms, encodeU16List([0x0403], 2)],
];

describe('bad records after the handshake', () => {
  test('replayed, garbage, truncated and tampered records are dropped without effect', async () => {
    const { client, server } = await connectedPair();
    client.send(new TextEncoder().encode('one'));
    const datagram = client.pollTransmit()!;
    server.handleDatagram(datagram, 1);
    server.handleDatagram(datagram, 2); // replay
    assert.deepEqual(
      drainEvents(server).map((e) => e.type),
      ['data'],
    );
    const tampered = datagram.slice();
    tampered[tampered.length - 1]! ^= 1;
    const wrongEpoch = datagram.slice();
    wrongEpoch[4] = 7;
    const badVersion = datagram.slice();
    badVersion[1] = 3;
    const inputs = [
      tampered,
      wrongEpoch,
      badVersion,
      datagram.subarray(0, datagram.length - 1),
      datagram.subarray(0, 5),
      new Uint8Array(0),
      randomBytes(100),
      Uint8Array.of(23, 0xfe, 0xfd, 0, 1, 0, 0, 0, 0, 0, 99, 0, 0),
    ];
    for (const d of inputs) server.handleDatagram(d, 3);
    assert.deepEqual(drainEvents(server), []);
    assert.equal(server.state, 'connected');
    assert.equal(server.pollTransmit(), undefined);
    client.send(new TextEncoder().encode('two'));
    pump(client, server, 4);
    const ev = drainEvents(server);
    assert.equal(ev.length, 1);
    assert.equal(ev[0]?.type === 'data' && new TextDecoder().decode(ev[0].data), 'two');
  });

  test('records arriving out of order within the window are accepted once each', async () => {
    const { client, server } = await connectedPair();
    const datagrams = [];
    for (let i = 0; i < 10; i++) {
      client.send(Uint8Array.of(i));
      datagrams.push(client.pollTransmit()!);
    }
    for (const i of [9, 3, 0, 3, 5, 1, 2, 9, 4, 6, 8, 7]) server.handleDatagram(datagrams[i]!, 1);
    const got = drainEvents(server).map((e) => (e.type === 'data' ? e.data[0] : -1));
    assert.deepEqual(got, [9, 3, 0, 5, 1, 2, 4, 6, 8, 7]);
  });

  test('several records in one datagram are all processed', async () => {
    const { client, server } = await connectedPair();
    client.send(Uint8Array.of(1));
    client.send(Uint8Array.of(2));
    const a = client.pollTransmit()!;
    const b = client.pollTransmit()!;
    const both = new Uint8Array(a.length + b.length);
    both.set(a);
    both.set(b, a.length);
    server.handleDatagram(both, 1);
    assert.equal(drainEvents(server).length, 2);
  });

  test('close_notify closes both sides', async () => {
    const { client, server } = await connectedPair();
    client.close(5);
    assert.equal(client.state, 'closed');
    assert.deepEqual(drainEvents(client), [{ type: 'closed' }]);
    pump(client, server, 6);
    assert.equal(server.state, 'closed');
    assert.deepEqual(drainEvents(server), [{ type: 'closed' }]);
    assert.throws(() => client.send(Uint8Array.of(1)), /InvalidStateError/);
  });

  test('a ClientHello after the handshake gets no_renegotiation and changes nothing', async () => {
    const { client, server } = await connectedPair();
    const frag = encodeHandshakeFragment(
      HandshakeType.clientHello,
      6, // the message after the client's Finished
      clientHelloBody(FULL_EXT),
      0,
      60,
    );
    // The client's own record layer protects it, as a renegotiating peer would.
    const seal = (
      client as unknown as { sealRecord(t: number, e: number, p: Uint8Array): Uint8Array }
    ).sealRecord.bind(client);
    server.handleDatagram(seal(ContentType.handshake, 1, frag), 1);
    assert.equal(server.state, 'connected', JSON.stringify(drainEvents(server)));
    const out = server.pollTransmit();
    assert.ok(out, 'the server answers');
    assert.equal(server.pollTransmit(), undefined);
    // A warning alert in epoch 1: 13-byte header, 8-byte explicit nonce, 2 bytes, 16-byte tag.
    assert.equal(out[0], ContentType.alert);
    assert.equal(out.length, 13 + 8 + 2 + 16);
    client.handleDatagram(out, 2);
    assert.equal(client.state, 'connected', JSON.stringify(drainEvents(client)));
    // The alert is encrypted; check it by what it is not: no event on either side.
    assert.deepEqual(drainEvents(server), []);
    assert.deepEqual(drainEvents(client), []);
  });

  test('send and exportKeyingMaterial refuse before the handshake', async () => {
    const { client } = await makePair();
    assert.throws(() => client.send(Uint8Array.of(1)), /InvalidStateError/);
    assert.throws(
      () => client.exportKeyingMaterial('EXTRACTOR-dtls_srtp', 60),
      /InvalidStateError/,
    );
    const { client: c2, server: s2 } = await connectedPair();
    assert.throws(() => c2.exportKeyingMaterial('master secret', 10), TypeError);
    assert.equal(c2.exportKeyingMaterial('x', 0).length, 0);
    assert.throws(() => s2.send(new Uint8Array(16385)), RangeError);
  });
});

describe('bad handshake messages', () => {
  test('a malformed ClientHello: decode_error', async () => {
    const server = new DtlsEndpoint({
      role: 'server',
      certificate: await testCertificate('ecdsa', 1),
      now: 0,
    });
    server.handleDatagram(
      handshakeRecord(HandshakeType.clientHello, 0, Uint8Array.of(0xfe, 0xfd, 1)),
      0,
    );
    assert.equal(server.state, 'failed');
    assert.deepEqual(sentAlerts(server), [[2, AlertDescription.decodeError]]);
    assert.deepEqual(drainEvents(server), [
      { type: 'failed', reason: 'malformed ClientHello', alert: AlertDescription.decodeError },
    ]);
  });

  test('a malformed ServerHello: decode_error', async () => {
    const { client } = await makePair();
    client.start(0);
    sentRecords(client);
    client.handleDatagram(handshakeRecord(HandshakeType.serverHello, 0, randomBytes(20)), 1);
    assert.equal(client.state, 'failed');
    assert.deepEqual(sentAlerts(client), [[2, AlertDescription.decodeError]]);
  });

  test('a fragment whose length lies: decode_error', async () => {
    const { client } = await makePair();
    client.start(0);
    sentRecords(client);
    const rec = handshakeRecord(HandshakeType.serverHello, 0, new Uint8Array(40));
    rec[13 + 11] = 90; // fragment_length past the record
    client.handleDatagram(rec, 1);
    assert.deepEqual(sentAlerts(client), [[2, AlertDescription.decodeError]]);
  });

  test('a message out of turn: unexpected_message', async () => {
    const { client } = await makePair();
    client.start(0);
    sentRecords(client);
    client.handleDatagram(handshakeRecord(HandshakeType.serverHelloDone, 0, new Uint8Array(0)), 1);
    assert.deepEqual(sentAlerts(client), [[2, AlertDescription.unexpectedMessage]]);
  });

  test('a server without extended_master_secret: handshake_failure', async () => {
    const { client } = await makePair();
    client.start(0);
    sentRecords(client);
    const sh = encodeServerHello(
      {
        version: DTLS_1_2,
        random: new Uint8Array(32),
        sessionId: new Uint8Array(0),
        cipherSuite: 0xc02b,
        compressionMethod: 0,
      },
      [],
    );
    client.handleDatagram(handshakeRecord(HandshakeType.serverHello, 0, sh), 1);
    assert.deepEqual(sentAlerts(client), [[2, AlertDescription.handshakeFailure]]);
    assert.equal(client.state, 'failed');
  });

  test('a server choosing a suite not offered: illegal_parameter', async () => {
    const { client } = await makePair({ client: { cipherSuites: [0xc02b] } });
    client.start(0);
    sentRecords(client);
    const sh = encodeServerHello(
      {
        version: DTLS_1_2,
        random: new Uint8Array(32),
        sessionId: new Uint8Array(0),
        cipherSuite: 0xc02c,
        compressionMethod: 0,
      },
      [[ExtensionType.extendedMasterSecret, new Uint8Array(0)]],
    );
    client.handleDatagram(handshakeRecord(HandshakeType.serverHello, 0, sh), 1);
    assert.deepEqual(sentAlerts(client), [[2, AlertDescription.illegalParameter]]);
  });

  test('a client without extended_master_secret: handshake_failure', async () => {
    const server = await helloToServer(FULL_EXT.slice(1));
    assert.equal(server.state, 'failed');
    assert.deepEqual(sentAlerts(server), [[2, AlertDescription.handshakeFailure]]);
  });

  test('a non-empty renegotiation_info on an initial handshake: handshake_failure', async () => {
    // RFC 5746 3.6/3.4: only the empty renegotiated_connection belongs in a first handshake.
    const bad = Uint8Array.of(1, 0x42);
    const server = await helloToServer([...FULL_EXT, [ExtensionType.renegotiationInfo, bad]]);
    assert.equal(server.state, 'failed');
    assert.deepEqual(sentAlerts(server), [[2, AlertDescription.handshakeFailure]]);

    const { client } = await makePair({ client: { cipherSuites: [0xc02b] } });
    client.start(0);
    sentRecords(client);
    const sh = encodeServerHello(
      {
        version: DTLS_1_2,
        random: new Uint8Array(32),
        sessionId: new Uint8Array(0),
        cipherSuite: 0xc02b,
        compressionMethod: 0,
      },
      [
        [ExtensionType.extendedMasterSecret, new Uint8Array(0)],
        [ExtensionType.renegotiationInfo, bad],
      ],
    );
    client.handleDatagram(handshakeRecord(HandshakeType.serverHello, 0, sh), 1);
    assert.deepEqual(sentAlerts(client), [[2, AlertDescription.handshakeFailure]]);
    assert.equal(client.state, 'failed');
  });

  test('a client offering DTLS 1.3 in supported_versions gets DTLS 1.2', async () => {
    const server = await helloToServer([
      ...FULL_EXT,
      [ExtensionType.supportedVersions, Uint8Array.of(4, 0xfe, 0xfc, 0xfe, 0xfd)],
    ]);
    assert.equal(server.state, 'connecting');
    const first = sentRecords(server)[0]!;
    assert.equal(first.body[0], HandshakeType.serverHello);
    const sh = decodeServerHello(first.body.subarray(12))!;
    assert.equal(sh.version, DTLS_1_2);
    assert.ok(!sh.extensions.has(ExtensionType.supportedVersions));
    assert.ok(sh.extensions.has(ExtensionType.extendedMasterSecret));
  });

  test('a client with no common suite: handshake_failure', async () => {
    const server = new DtlsEndpoint({
      role: 'server',
      certificate: await testCertificate('ecdsa', 1),
      now: 0,
      cipherSuites: [0xc02c],
    });
    server.handleDatagram(
      handshakeRecord(HandshakeType.clientHello, 0, clientHelloBody(FULL_EXT)),
      0,
    );
    const cookie = sentRecords(server)[0]!.body.subarray(15);
    server.handleDatagram(
      handshakeRecord(HandshakeType.clientHello, 1, clientHelloBody(FULL_EXT, cookie), 1),
      1,
    );
    assert.deepEqual(sentAlerts(server), [[2, AlertDescription.handshakeFailure]]);
  });

  test('a Finished that does not verify: decrypt_error', async () => {
    const { client, server } = await makePair();
    const c = client as unknown as { finishedVerifyData(l: string): Uint8Array };
    const real = c.finishedVerifyData.bind(client);
    c.finishedVerifyData = (label: string) =>
      label === 'client finished' ? new Uint8Array(12) : real(label);
    client.start(0);
    pump(client, server);
    assert.equal(server.state, 'failed');
    const ev = drainEvents(server);
    assert.deepEqual(ev, [
      {
        type: 'failed',
        reason: 'client Finished does not verify',
        alert: AlertDescription.decryptError,
      },
    ]);
    assert.equal(client.state, 'failed');
  });

  test('random and mutated input never throws and leaves a valid state', async () => {
    // Record every datagram of a real handshake, then feed mutations of them to fresh endpoints.
    const { client, server } = await makePair();
    const toServer: Uint8Array[] = [];
    const toClient: Uint8Array[] = [];
    client.start(0);
    for (let i = 0; i < 10; i++) {
      for (let d = client.pollTransmit(); d; d = client.pollTransmit()) {
        toServer.push(d);
        server.handleDatagram(d, i);
      }
      for (let d = server.pollTransmit(); d; d = server.pollTransmit()) {
        toClient.push(d);
        client.handleDatagram(d, i);
      }
    }
    assert.equal(client.state, 'connected');
    const certs = { c: await testCertificate('ecdsa', 0), s: await testCertificate('ecdsa', 1) };
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.nat(20),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
        fc.uint8Array({ maxLength: 64 }),
        (asServer, pick, flips, junk) => {
          const source = asServer ? toServer : toClient;
          const e = new DtlsEndpoint({
            role: asServer ? 'server' : 'client',
            certificate: asServer ? certs.s : certs.c,
            now: 0,
          });
          e.start(0);
          const d = source[pick % source.length]!.slice();
          for (const [at, v] of flips) d[at % d.length] = v;
          e.handleDatagram(d, 1);
          e.handleDatagram(junk, 2);
          e.handleTimeout(1000);
          assert.ok(['connecting', 'failed'].includes(e.state));
          while (e.pollTransmit());
          for (let ev = e.pollEvent(); ev; ev = e.pollEvent()) {
            assert.equal(ev.type, 'failed');
            assert.doesNotMatch((ev as { reason: string }).reason, /internal error/);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('without the cookie exchange', () => {
  /** Handshake types of the records in one flight, in order. */
  const handshakeTypes = (e: DtlsEndpoint) =>
    sentRecords(e)
      .filter((r) => r.type === ContentType.handshake && r.epoch === 0)
      .map((r) => r.body[0]);

  test('the server answers the first ClientHello with its flight, and both ends connect', async () => {
    const { client, server } = await makePair({ server: { cookieExchange: false } });
    client.start(0);
    server.handleDatagram(client.pollTransmit()!, 0);
    const flight = handshakeTypes(server);
    assert.equal(flight[0], HandshakeType.serverHello, 'no HelloVerifyRequest');
    assert.ok(!flight.includes(HandshakeType.helloVerifyRequest));
    // That first flight was read off: send it again through a retransmission, then finish.
    client.handleTimeout(1000);
    pump(client, server, 1000);
    assert.equal(client.state, 'connected');
    assert.equal(server.state, 'connected');
    client.send(new TextEncoder().encode('after'));
    pump(client, server, 1000);
    const data = drainEvents(server).filter((e) => e.type === 'data');
    assert.equal(data.length, 1);
  });

  test('by default the server still asks for a cookie first', async () => {
    const { client, server } = await makePair();
    client.start(0);
    server.handleDatagram(client.pollTransmit()!, 0);
    assert.deepEqual(handshakeTypes(server), [HandshakeType.helloVerifyRequest]);
  });
});
