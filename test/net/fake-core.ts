import type { IceTransmit } from '../../src/ice/index.js';
import type { DrivableCore } from '../../src/net/index.js';
import type { Address } from '../../src/stun/index.js';

export type FakeCoreEvent =
  | { type: 'mdns-query'; hostname: string }
  | { type: 'mdns-register'; hostname: string; address: string };

/**
 * The smallest core a CoreDriver can drive: it sends what a test queues, emits the events a
 * test queues, and records what the driver hands it (sockets, datagrams, mDNS results).
 */
export class FakeCore implements DrivableCore<FakeCoreEvent> {
  readonly bases: Address[] = [];
  readonly received: { data: Uint8Array; remote: Address; local: Address }[] = [];
  readonly mdnsResults: { hostname: string; address: string | undefined }[] = [];
  /** Datagrams to send from the first socket when close() is called. */
  readonly onClose: { data: Uint8Array; remote: Address }[] = [];
  closed = false;
  private readonly transmits: IceTransmit[] = [];
  private readonly events: FakeCoreEvent[] = [];

  addLocalAddress(base: Address): void {
    this.bases.push(base);
  }
  endOfLocalAddresses(): void {}
  resolveMdns(hostname: string, address: string | undefined): void {
    this.mdnsResults.push({ hostname, address });
  }
  handleDatagram(data: Uint8Array, remote: Address, local: Address): void {
    this.received.push({ data: new Uint8Array(data), remote: { ...remote }, local });
  }
  handleTimeout(): void {}
  nextTimeout(): number | undefined {
    return undefined;
  }
  pollTransmit(): IceTransmit | undefined {
    return this.transmits.shift();
  }
  pollEvent(): FakeCoreEvent | undefined {
    return this.events.shift();
  }
  close(): void {
    this.closed = true;
    const local = this.bases[0];
    if (local === undefined) return;
    for (const { data, remote } of this.onClose) this.transmits.push({ local, remote, data });
  }

  send(data: Uint8Array, remote: Address): void {
    const local = this.bases[0];
    if (local === undefined) throw new Error('no socket');
    this.transmits.push({ local, remote, data });
  }
  emit(ev: FakeCoreEvent): void {
    this.events.push(ev);
  }
}
