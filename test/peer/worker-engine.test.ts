import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { generateDtlsCertificate } from '../../src/dtls/index.js';
import type { PeerEngineEvent } from '../../src/peer/index.js';
import { RemoteAssociation } from '../../src/peer/worker/remote-association.js';
import { WorkerEngine } from '../../src/peer/worker/worker-engine.js';

describe('WorkerEngine', () => {
  test('a lost transport thread fails the connection and closes its channels', async () => {
    const engine = new WorkerEngine({
      iceServers: [],
      iceTransportPolicy: 'all',
      certificate: await generateDtlsCertificate(),
      addresses: { addresses: ['127.0.0.1'] },
    });
    const events: PeerEngineEvent[] = [];
    engine.onEvent = (e) => events.push(e);
    const channel = engine.createDataChannel('c', {});
    const gathering = engine.startGathering();
    engine.onThreadLost('transport thread exited (1)');
    await assert.rejects(gathering, /transport thread exited/);
    const types = events.map((e) => `${e.type}${'state' in e ? `:${e.state}` : ''}`);
    assert.ok(types.includes('ice-state:failed'), types.join());
    assert.ok(types.includes('dtls-state:failed'), types.join());
    assert.ok(types.includes('close'), types.join());
    assert.equal(channel.state, 'closed');
    const count = events.length;
    engine.onThreadLost('again');
    engine.close();
    assert.equal(events.length, count, 'nothing more after the connection ended');
  });
});

describe('RemoteAssociation', () => {
  const posted: unknown[] = [];
  const assoc = new RemoteAssociation(
    { state: 'connecting', inboundStreams: 0, outboundStreams: 0 },
    7,
    (cmd) => posted.push(cmd),
  );

  test('refuses what SctpAssociation.send would refuse, with the same errors', () => {
    assert.throws(
      () => assoc.send(0, 51, Uint8Array.of(1), undefined),
      /association is connecting/,
    );
    assoc.update({ state: 'connected', inboundStreams: 4, outboundStreams: 2 });
    assert.throws(() => assoc.send(2, 51, Uint8Array.of(1), undefined), RangeError);
    assert.throws(() => assoc.send(0, 51, new Uint8Array(0), undefined), RangeError);
    assert.throws(() => assoc.send(0, 51, new Uint8Array(65 * 1024 * 1024), undefined), RangeError);
    assert.equal(posted.length, 0);
    assert.equal(assoc.bufferedBytes, 0);
  });

  test('sends a copy of its own and counts it buffered until reported sent', () => {
    const data = Uint8Array.of(1, 2, 3);
    assoc.send(1, 53, data, { unordered: true });
    data[0] = 9;
    const cmd = posted.at(-1) as { op: string; id: number; data: Uint8Array; opts: object };
    assert.equal(cmd.op, 'send');
    assert.equal(cmd.id, 7);
    assert.deepEqual([...cmd.data], [1, 2, 3]);
    assert.notEqual(cmd.data.buffer, data.buffer);
    assert.deepEqual(cmd.opts, { unordered: true });
    assert.equal(assoc.bufferedBytes, 3);
    assoc.sent(2);
    assert.equal(assoc.bufferedBytes, 1);
    assoc.sent(5);
    assert.equal(assoc.bufferedBytes, 0);
  });
});
