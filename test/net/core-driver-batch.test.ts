// The driver answers a burst of datagrams once: all of them reach the core before it is
// polled, so a protocol above can acknowledge the burst with one packet.
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { test } from 'node:test';
import type { IceTransmit } from '../../src/ice/index.js';
import type { Address } from '../../src/stun/index.js';
import { FakeCore, startFakeDriver } from './fake-core.js';

class LoggingCore extends FakeCore {
  readonly log: string[] = [];
  private polled = false;

  override handleDatagram(data: Uint8Array, remote: Address, local: Address): void {
    super.handleDatagram(data, remote, local);
    this.log.push(`datagram ${new TextDecoder().decode(data)}`);
    this.polled = false;
  }

  override pollTransmit(): IceTransmit | undefined {
    if (!this.polled) this.log.push('poll');
    this.polled = true;
    return super.pollTransmit();
  }
}

test('a burst of datagrams reaches the core before its output is taken, once', async () => {
  const { driver, core } = await startFakeDriver(() => new LoggingCore());
  const tx = createSocket('udp4');
  await new Promise<void>((r) => tx.bind(0, '127.0.0.1', () => r()));
  try {
    core.log.length = 0;
    const to = driver.endpoints[0]!.local;
    const sent = ['a', 'b', 'c', 'd', 'e'];
    await Promise.all(
      sent.map((m) => new Promise<void>((r) => tx.send(m, to.port, to.address, () => r()))),
    );
    for (let i = 0; i < 50 && core.received.length < sent.length; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(core.log, [...sent.map((m) => `datagram ${m}`), 'poll']);
  } finally {
    tx.close();
    driver.close();
  }
});
