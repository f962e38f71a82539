/** The association scenarios again, with SCTP carried over DTLS (RFC 8261) on the simulated network. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dtlsPair as pairWithDefaults } from './dtls-harness.js';
import {
  bulkTransfer,
  lifetimeScenario,
  maxRetransmitsScenario,
  mixedReliabilityScenario,
  pathFailureScenario,
  resetScenario,
  unorderedScenario,
} from './scenarios.js';

// Browsers' SCTP stacks use plain DATA; so do these runs (I-DATA is covered on the bare network).
const data = { interleaving: false };
const dtlsPair = (seed: number, conditions: Parameters<typeof pairWithDefaults>[1]) =>
  pairWithDefaults(seed, conditions, data, data);

const lossy = { delay: 10, jitter: 15, loss: 0.05, duplicate: 0.02 };

test('over DTLS: 10 MB of 1 B..256 KiB messages under 5% loss, reordering and duplication', async () => {
  const env = await dtlsPair(101, lossy);
  assert.ok(env.a.assoc.zeroChecksumInUse, 'zero checksum negotiated over DTLS');
  bulkTransfer(env, { seed: 101, totalBytes: 10 * 1024 * 1024, maxSize: 256 * 1024, streams: 4 });
});

test('over DTLS: unordered messages are delivered exactly once', async () => {
  unorderedScenario(await dtlsPair(102, lossy));
});

test('over DTLS: maxRetransmits 0 abandons and FORWARD-TSN keeps both sides in step', async () => {
  maxRetransmitsScenario(await dtlsPair(103, { delay: 10, jitter: 8, loss: 0.1 }));
});

test('over DTLS: maxPacketLifeTime abandons late messages', async () => {
  lifetimeScenario(await dtlsPair(104, { delay: 10, jitter: 8, loss: 0.1 }));
});

test('over DTLS: a stream reset closes exactly one stream', async () => {
  resetScenario(await dtlsPair(105, { delay: 10, jitter: 8, loss: 0.05 }));
});

test('over DTLS: an association that loses its path reports failure', async () => {
  pathFailureScenario(await dtlsPair(106, { delay: 10 }));
});

test('over DTLS with I-DATA: reliable streams keep every message beside abandoning ones', async () => {
  const env = await pairWithDefaults(107, lossy);
  assert.ok(env.a.assoc.interleavingInUse);
  mixedReliabilityScenario(env);
});
