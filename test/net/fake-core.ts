import type { IceTransmit } from '../../src/ice/index.js';
import {
  CoreDriver,
  type CoreDriverOptions,
  type DrivableCore,
  type MdnsQueryEvent,
  type MdnsRegisterEvent,
} from '../../src/net/index.js';
import type { Address } from '../../src/stun/index.js';

export type FakeCoreEvent = MdnsQueryEvent | MdnsRegisterEvent;

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

/**
 * A started CoreDriver on one 127.0.0.1 socket, not keeping the process alive, driving the
 * core `make` returns. `onError` is attached before start().
 */
export async function startFakeDriver<C extends FakeCore>(
  make: () => C,
  opts: Omit<CoreDriverOptions<C>, 'createCore'> & { onError?: (err: Error) => void } = {},
): Promise<{ driver: CoreDriver<C, FakeCoreEvent>; core: C }> {
  const { onError, ...driverOpts } = opts;
  let core: C | undefined;
  const driver = new CoreDriver<C, FakeCoreEvent>({
    createCore: () => {
      core = make();
      return core;
    },
    addresses: { addresses: ['127.0.0.1'] },
    ref: false,
    ...driverOpts,
  });
  driver.onError = onError;
  await driver.start();
  if (!core) throw new Error('start() did not create the core');
  return { driver, core };
}
