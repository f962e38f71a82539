// A ClientHello too big for one datagram (Chromium's, with TLS 1.3 suites and an
// X25519MLKEM768 key share, is 1413 bytes and arrives as two fragments) must get the same
// stateless HelloVerifyRequest as a whole one, and the handshake must then complete: the
// transcript holds the ClientHello in its unfragmented form.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  AlertDescription,
  AlertLevel,
  ContentType,
  DTLS_1_2,
  HANDSHAKE_HEADER_LENGTH,
  HandshakeType,
  RECORD_HEADER_LENGTH,
} from '../../src/dtls/constants.js';
import type { DtlsEndpoint } from '../../src/dtls/endpoint.js';
import { MAX_HANDSHAKE_MESSAGE } from '../../src/dtls/handshake-reassembler.js';
import { decodeClientHello, encodeHandshakeFragment } from '../../src/dtls/messages.js';
import {
  newRecordHeader,
  plainRecord,
  readRecord,
  writeRecordHeader,
} from '../../src/dtls/record.js';
import { drainEvents, makePair, recordsIn, transmits } from './helpers.js';

/** A ClientHello as the client sent it: the unfragmented message and its record. */
interface SentHello {
  recordSeq: number;
  version: number;
  messageSeq: number;
  body: Uint8Array;
}

/** The client's flight must be exactly one datagram holding one whole ClientHello. */
function takeClientHello(client: DtlsEndpoint): SentHello {
  const sent = transmits(client);
  assert.equal(sent.length, 1, 'one datagram');
  const recs = recordsIn(sent[0]!);
  assert.equal(recs.length, 1, 'one record');
  const rec = recs[0]!;
  assert.equal(rec.type, ContentType.handshake);
  const m = rec.body;
  assert.equal(m[0], HandshakeType.clientHello);
  const length = (m[1]! << 16) | (m[2]! << 8) | m[3]!;
  const fragOffset = (m[6]! << 16) | (m[7]! << 8) | m[8]!;
  const fragLength = (m[9]! << 16) | (m[10]! << 8) | m[11]!;
  assert.equal(fragOffset, 0);
  assert.equal(fragLength, length, 'the client sent it unfragmented');
  return {
    recordSeq: rec.seq,
    version: rec.version,
    messageSeq: (m[4]! << 8) | m[5]!,
    body: m.slice(HANDSHAKE_HEADER_LENGTH, HANDSHAKE_HEADER_LENGTH + length),
  };
}

/**
 * The ClientHello re-cut into fragments [offset, length), one record each, in the order
 * given, numbered from `firstSeq` on as a client that sent them would number its records.
 */
function fragmentRecords(
  hello: SentHello,
  cuts: [number, number][],
  firstSeq: number,
): Uint8Array[] {
  return cuts.map(([offset, length], i) =>
    plainRecord(
      ContentType.handshake,
      hello.version,
      0,
      firstSeq + i,
      encodeHandshakeFragment(
        HandshakeType.clientHello,
        hello.messageSeq,
        hello.body,
        offset,
        length,
      ),
    ),
  );
}

/**
 * A client whose ClientHellos went out in several records has numbered its later records
 * further on: the path to the server adds `shift` to the sequence number of the client's
 * epoch-0 records (plaintext, so nothing authenticates the number; epoch 1 starts anew).
 */
function renumber(datagram: Uint8Array, shift: number): Uint8Array {
  const out = datagram.slice();
  const h = newRecordHeader();
  for (let o = 0; o < out.length; ) {
    const next = readRecord(out, o, h);
    if (next < 0) break;
    if (h.epoch === 0) writeRecordHeader(out, o, h.type, h.version, 0, h.seq + shift, h.bodyLength);
    o = next;
  }
  return out;
}

/** Like pump(), with the client's epoch-0 records renumbered on the way to the server. */
function relay(client: DtlsEndpoint, server: DtlsEndpoint, shift: number, now: number): void {
  for (let round = 0; round < 100; round++) {
    let moved = false;
    for (const d of transmits(client)) {
      server.handleDatagram(renumber(d, shift), now);
      moved = true;
    }
    for (const d of transmits(server)) {
      client.handleDatagram(d, now);
      moved = true;
    }
    if (!moved) return;
  }
}

/** What the server sent, and the HelloVerifyRequest records among it. */
function helloVerifyRequests(server: DtlsEndpoint) {
  const sent = transmits(server);
  const hvrs = sent.flatMap((d) =>
    recordsIn(d).filter(
      (r) => r.type === ContentType.handshake && r.body[0] === HandshakeType.helloVerifyRequest,
    ),
  );
  return { sent, hvrs };
}

type Shape = (n: number) => [number, number][];

/** Each shape covers the whole message; some out of order, duplicated or overlapping. */
const shapes: { name: string; cuts: Shape }[] = [
  { name: 'two fragments in order', cuts: (n) => [half(n, 0), half(n, 1)] },
  { name: 'two fragments, second first', cuts: (n) => [half(n, 1), half(n, 0)] },
  {
    name: 'two fragments, each duplicated',
    cuts: (n) => [half(n, 0), half(n, 0), half(n, 1), half(n, 1)],
  },
  {
    name: 'three overlapping fragments, last first',
    cuts: (n) => [
      [Math.floor(n / 2), n - Math.floor(n / 2)],
      [0, 40],
      [20, Math.floor(n / 2)],
    ],
  },
];

function half(n: number, which: 0 | 1): [number, number] {
  const cut = Math.floor((n * 5) / 6); // Chromium's split: 1175 of 1413
  return which === 0 ? [0, cut] : [cut, n - cut];
}

/**
 * Runs the cookie exchange with both ClientHellos fragmented as `cuts` says: the server must
 * stay silent until every byte of the first one is in, then answer with one HelloVerifyRequest.
 * Returns how far the client's later record numbers are shifted by the extra records.
 */
function fragmentedCookieExchange(client: DtlsEndpoint, server: DtlsEndpoint, cuts: Shape): number {
  client.start(0);
  const first = takeClientHello(client);
  const n = first.body.length;
  const pieces = cuts(n);
  const answers: Uint8Array[] = [];
  let answered = false;
  for (const [i, rec] of fragmentRecords(first, pieces, first.recordSeq).entries()) {
    server.handleDatagram(rec, 1);
    const { sent, hvrs } = helloVerifyRequests(server);
    if (!answered && !coversAll(pieces.slice(0, i + 1), n)) {
      assert.deepEqual(sent, [], `nothing answered after fragment ${i + 1} of ${pieces.length}`);
      continue;
    }
    if (answered) continue; // a copy arriving after the message was whole
    answered = true;
    assert.equal(hvrs.length, 1, 'one HelloVerifyRequest once the message is whole');
    assert.equal(sent.length, 1, 'and nothing else');
    const hvr = hvrs[0]!;
    // RFC 6347 4.2.1: the message_seq of the ClientHello it answers, in epoch 0.
    assert.equal((hvr.body[4]! << 8) | hvr.body[5]!, first.messageSeq);
    assert.equal(hvr.epoch, 0);
    answers.push(...sent);
  }
  assert.ok(answered, 'the server answered the fragmented ClientHello');
  const shift = pieces.length - 1;
  assert.equal(server.state, 'connecting');
  for (const d of answers) client.handleDatagram(d, 2);

  const second = takeClientHello(client);
  const ch = decodeClientHello(second.body);
  assert.ok(ch && ch.cookie.length > 0, 'the client answered with the cookie');
  assert.equal(second.messageSeq, first.messageSeq + 1);
  const secondPieces = cuts(second.body.length);
  for (const rec of fragmentRecords(second, secondPieces, second.recordSeq + shift)) {
    server.handleDatagram(rec, 3);
  }
  return shift + secondPieces.length - 1;
}

function coversAll(cuts: [number, number][], n: number): boolean {
  const seen = new Uint8Array(n);
  for (const [o, l] of cuts) seen.fill(1, o, o + l);
  return seen.every((b) => b === 1);
}

describe('a fragmented ClientHello', () => {
  for (const { name, cuts } of shapes) {
    test(`${name}: HelloVerifyRequest, then the handshake completes`, async () => {
      const { client, server } = await makePair();
      const shift = fragmentedCookieExchange(client, server, cuts);
      relay(client, server, shift, 4);
      assert.equal(server.state, 'connected');
      assert.equal(client.state, 'connected');
      // Both transcripts agree (Finished verified) and so do the keys.
      const a = client.exportKeyingMaterial('EXTRACTOR-dtls_srtp', 60);
      const b = server.exportKeyingMaterial('EXTRACTOR-dtls_srtp', 60);
      assert.deepEqual(a, b);
      drainEvents(client);
      drainEvents(server);
      client.send(new TextEncoder().encode('ping'));
      relay(client, server, shift, 5);
      const got = drainEvents(server).filter((e) => e.type === 'data');
      assert.equal(got.length, 1);
      assert.equal(new TextDecoder().decode((got[0] as { data: Uint8Array }).data), 'ping');
    });
  }

  test('fragments in one datagram, one record each', async () => {
    const { client, server } = await makePair();
    client.start(0);
    const hello = takeClientHello(client);
    const n = hello.body.length;
    const recs = fragmentRecords(hello, [half(n, 1), half(n, 0)], hello.recordSeq);
    const datagram = new Uint8Array(recs[0]!.length + recs[1]!.length);
    datagram.set(recs[0]!, 0);
    datagram.set(recs[1]!, recs[0]!.length);
    server.handleDatagram(datagram, 1);
    assert.equal(helloVerifyRequests(server).hvrs.length, 1);
  });

  test('an incomplete ClientHello gets no answer and does not block a later whole one', async () => {
    const { client, server } = await makePair();
    client.start(0);
    const hello = takeClientHello(client);
    const n = hello.body.length;
    // First half only, then a fragment of the same message_seq claiming another length:
    // neither completes the message.
    server.handleDatagram(fragmentRecords(hello, [half(n, 0)], 0)[0]!, 1);
    const liar = fragmentRecords(hello, [half(n, 1)], 1)[0]!;
    const lengthAt = RECORD_HEADER_LENGTH + 1;
    liar[lengthAt + 2] = (n + 1) & 0xff;
    liar[lengthAt + 1] = ((n + 1) >> 8) & 0xff;
    server.handleDatagram(liar, 1);
    assert.deepEqual(transmits(server), []);
    assert.equal(server.state, 'connecting');
    // The client retransmits its ClientHello whole: the ordinary path still works.
    client.handleTimeout(1000);
    const again = transmits(client);
    assert.ok(again.length >= 1, 'the client retransmitted');
    // It numbers its records from 1 on; two went out instead of its one.
    for (const d of again) server.handleDatagram(renumber(d, 1), 1000);
    relay(client, server, 1, 1000);
    assert.equal(server.state, 'connected');
    assert.equal(client.state, 'connected');
  });

  test('a ClientHello fragment claiming more than the size bound: decode_error, no throw', async () => {
    const { client, server } = await makePair();
    client.start(0);
    const hello = takeClientHello(client);
    const tooLong = MAX_HANDSHAKE_MESSAGE + 1;
    // A first fragment that is a real ClientHello's start, claiming a message past the bound.
    const frag = encodeHandshakeFragment(HandshakeType.clientHello, 0, hello.body, 0, 100);
    frag[1] = tooLong >> 16;
    frag[2] = (tooLong >> 8) & 0xff;
    frag[3] = tooLong & 0xff;
    assert.doesNotThrow(() =>
      server.handleDatagram(plainRecord(ContentType.handshake, DTLS_1_2, 0, 0, frag), 1),
    );
    const { sent, hvrs } = helloVerifyRequests(server);
    assert.equal(hvrs.length, 0);
    // As for a malformed whole ClientHello: decode_error, and the endpoint is done.
    const alerts = sent.flatMap((d) => recordsIn(d)).filter((r) => r.type === ContentType.alert);
    assert.deepEqual(
      alerts.map((r) => [...r.body]),
      [[AlertLevel.fatal, AlertDescription.decodeError]],
    );
    assert.equal(server.state, 'failed');
    const failed = drainEvents(server).find((e) => e.type === 'failed');
    assert.equal(failed?.type === 'failed' && failed.alert, AlertDescription.decodeError);
  });

  test('unfinished ClientHellos of the largest allowed size are held silently', async () => {
    // A peer may send a message of exactly MAX_HANDSHAKE_MESSAGE bytes in fragments; one that
    // never completes costs one buffer, and a later fragment set replaces it.
    const { server } = await makePair();
    const body = new Uint8Array(MAX_HANDSHAKE_MESSAGE);
    for (let seq = 0; seq < 8; seq++) {
      const frag = encodeHandshakeFragment(HandshakeType.clientHello, seq, body, 0, 1000);
      assert.doesNotThrow(() =>
        server.handleDatagram(plainRecord(ContentType.handshake, DTLS_1_2, 0, seq, frag), 1),
      );
    }
    assert.deepEqual(transmits(server), []);
    assert.equal(server.state, 'connecting');
  });
});
