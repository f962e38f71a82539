/**
 * A connection engine whose ICE, DTLS and SCTP run in a transport thread (thread-pool.ts)
 * while its data channels stay on this thread: the W3C objects read channel state
 * synchronously, and only whole messages, not packets, cross between the threads.
 */
import {
  type DataChannel,
  type DataChannelInit,
  DataChannelManager,
} from '../../datachannel/index.js';
import type { DtlsCertificate, DtlsRole } from '../../dtls/index.js';
import { randomPwd, randomUfrag } from '../../ice/credentials.js';
import type { IceCandidate, IceRole } from '../../ice/index.js';
import { queuePlainMicrotask } from '../../util/microtask.js';
import type { ConnectionEngine } from '../connection-engine.js';
import type { PeerEngineOptions } from '../engine.js';
import type { PeerEngineEvent } from '../events.js';
import type { SctpTransportParams } from '../peer-core.js';
import { buildEngineStats, type PeerEngineStats } from '../stats.js';
import type { EngineCommand, EngineReport } from './messages.js';
import { RemoteAssociation } from './remote-association.js';
import { placeConnection, type ThreadClient, type TransportHandle } from './thread-pool.js';

export class WorkerEngine implements ConnectionEngine, ThreadClient {
  onEvent: (e: PeerEngineEvent) => void = () => {};
  readonly localFingerprints: { algorithm: string; value: string }[];
  localUfrag: string;
  localPwd: string;
  iceRoleInUse: IceRole = 'controlling';
  remoteCertificates: Uint8Array[] = [];

  private readonly channels = new DataChannelManager();
  private readonly id: number;
  private readonly thread: TransportHandle;
  private association: RemoteAssociation | undefined;
  private gathering: Promise<void> | undefined;
  private gathered: { resolve: () => void; reject: (e: Error) => void } | undefined;
  private readonly statsRequests = new Map<number, (s: PeerEngineStats) => void>();
  private nextStatsRequest = 1;
  private lastStats: PeerEngineStats | undefined;
  private drainScheduled = false;
  private closed = false;

  constructor(opts: PeerEngineOptions) {
    this.localUfrag = opts.ice?.ufrag ?? randomUfrag();
    this.localPwd = opts.ice?.pwd ?? randomPwd();
    const certificate: DtlsCertificate = opts.certificate;
    const fingerprint = certificate.fingerprint('sha-256');
    this.localFingerprints = [{ algorithm: 'sha-256', value: fingerprint }];
    const placed = placeConnection(this);
    this.id = placed.id;
    this.thread = placed.thread;
    const { onError: _, channels: __, certificate: ___, ...plain } = opts;
    this.post({
      op: 'create',
      id: this.id,
      opts: {
        ...plain,
        certificate: {
          certPem: certificate.certificatePem(),
          keyPem: certificate.privateKeyPem(),
          fingerprint,
        },
        ice: { ufrag: this.localUfrag, pwd: this.localPwd },
      },
    });
  }

  get sctpMaxChannels(): number | undefined {
    return this.channels.maxChannels ?? undefined;
  }

  startGathering(): Promise<void> {
    if (this.gathering === undefined) {
      this.gathering = new Promise<void>((resolve, reject) => {
        this.gathered = { resolve, reject };
      });
      this.post({ op: 'gather', id: this.id });
    }
    return this.gathering;
  }

  setIceRole(role: IceRole): void {
    this.iceRoleInUse = role;
    this.post({ op: 'ice-role', id: this.id, role });
  }

  setRemoteIce(ufrag: string, pwd: string): void {
    this.post({ op: 'remote-ice', id: this.id, ufrag, pwd });
  }

  addRemoteCandidate(candidate: IceCandidate): void {
    this.post({ op: 'candidate', id: this.id, candidate });
  }

  endOfRemoteCandidates(): void {
    this.post({ op: 'end-of-candidates', id: this.id });
  }

  restartIce(ufrag = randomUfrag(), pwd = randomPwd()): { ufrag: string; pwd: string } {
    this.localUfrag = ufrag;
    this.localPwd = pwd;
    this.post({ op: 'restart-ice', id: this.id, ufrag, pwd });
    return { ufrag, pwd };
  }

  startTransport(p: {
    dtlsRole: DtlsRole;
    remoteFingerprints: { algorithm: string; value: string }[];
    sctp?: SctpTransportParams;
  }): void {
    if (p.sctp !== undefined) this.channels.remoteMaxMessageSize = p.sctp.remoteMaxMessageSize;
    this.post({ op: 'transport', id: this.id, ...p });
  }

  startSctp(params: SctpTransportParams): void {
    this.channels.remoteMaxMessageSize = params.remoteMaxMessageSize;
    this.post({ op: 'sctp', id: this.id, params });
  }

  createDataChannel(label: string, init: DataChannelInit): DataChannel {
    const channel = this.channels.createChannel(label, init, this.now());
    this.scheduleDrain();
    return channel;
  }

  send(channel: DataChannel, data: string | Uint8Array): void {
    channel.send(data, this.now());
  }

  closeChannel(channel: DataChannel): void {
    channel.close(this.now());
    this.scheduleDrain();
  }

  now(): number {
    return performance.now();
  }

  /** Fresh figures from the transport thread; the last ones once the connection is closed. */
  stats(): Promise<PeerEngineStats> {
    if (this.closed) return Promise.resolve(this.lastStats ?? buildEngineStats(undefined));
    const request = this.nextStatsRequest++;
    return new Promise((resolve) => {
      this.statsRequests.set(request, resolve);
      this.post({ op: 'stats', id: this.id, request });
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.post({ op: 'close', id: this.id });
    const last = this.lastStats ?? buildEngineStats(undefined);
    for (const resolve of this.statsRequests.values()) resolve(last);
    this.statsRequests.clear();
  }

  onReport(r: EngineReport): void {
    switch (r.op) {
      case 'event':
        this.iceRoleInUse = r.iceRole;
        if (r.remoteCertificates !== undefined) this.remoteCertificates = r.remoteCertificates;
        this.emit(r.event);
        break;
      case 'attached': {
        const assoc = new RemoteAssociation(r, this.id, this.post);
        this.association = assoc;
        this.channels.attach(assoc, r.dtlsRole, this.now());
        this.drain();
        break;
      }
      case 'sctp': {
        const e = r.event;
        this.association?.update(r);
        if (e.type === 'sent') this.association?.sent(e.bytes);
        this.channels.handleSctpEvent(e, this.now());
        this.drain();
        break;
      }
      case 'gathered':
        if (r.error === undefined) this.gathered?.resolve();
        else this.gathered?.reject(new Error(r.error));
        break;
      case 'closed':
        this.thread.detach(this.id);
        break;
      case 'stats':
        this.lastStats = r.stats;
        this.statsRequests.get(r.request)?.(r.stats);
        this.statsRequests.delete(r.request);
        break;
    }
  }

  onThreadLost(reason: string): void {
    this.gathered?.reject(new Error(reason));
    this.association?.update({ state: 'closed', inboundStreams: 0, outboundStreams: 0 });
    this.emit({ type: 'ice-state', state: 'failed' });
    this.emit({ type: 'dtls-state', state: 'failed', error: reason });
    this.channels.handleSctpEvent({ type: 'closed', reason, error: true }, this.now());
    this.drain();
    this.close();
  }

  private readonly post = (cmd: EngineCommand, transfer?: ArrayBuffer): void => {
    if (!this.closed || cmd.op === 'close') this.thread.post(cmd, transfer);
  };

  private emit(e: PeerEngineEvent): void {
    if (!this.closed) this.onEvent(e);
  }

  /** Channel events raised by a call from the W3C layer go out after that call returns. */
  private scheduleDrain(): void {
    if (this.drainScheduled) return;
    this.drainScheduled = true;
    queuePlainMicrotask(this.runScheduledDrain);
  }

  private readonly runScheduledDrain = (): void => {
    this.drainScheduled = false;
    this.drain();
  };

  private drain(): void {
    const channels = this.channels;
    for (let e = channels.pollEvent(); e !== undefined; e = channels.pollEvent()) this.emit(e);
  }
}
