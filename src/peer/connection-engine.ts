import type { DataChannel, DataChannelInit } from '../datachannel/index.js';
import type { DtlsRole } from '../dtls/index.js';
import type { IceCandidate, IceRole } from '../ice/index.js';
import type { PeerEngineEvent } from './events.js';
import type { SctpTransportParams } from './peer-core.js';
import type { PeerEngineStats } from './stats.js';

/**
 * What the W3C layer needs from a connection's engine. PeerEngine runs the protocols on the
 * calling thread; WorkerEngine (src/peer/worker) runs ICE, DTLS and SCTP in a worker thread and
 * keeps the data channels here, so that both behave the same to RTCPeerConnection.
 */
export interface ConnectionEngine {
  onEvent: (e: PeerEngineEvent) => void;
  readonly localFingerprints: { algorithm: string; value: string }[];
  readonly localUfrag: string;
  readonly localPwd: string;
  readonly iceRoleInUse: IceRole;
  readonly remoteCertificates: Uint8Array[];
  readonly sctpMaxChannels: number | undefined;
  startGathering(): Promise<void>;
  setIceRole(role: IceRole): void;
  setRemoteIce(ufrag: string, pwd: string): void;
  addRemoteCandidate(c: IceCandidate): void;
  endOfRemoteCandidates(): void;
  restartIce(ufrag?: string, pwd?: string): { ufrag: string; pwd: string };
  startTransport(p: {
    dtlsRole: DtlsRole;
    remoteFingerprints: { algorithm: string; value: string }[];
    sctp?: SctpTransportParams;
  }): void;
  startSctp(p: SctpTransportParams): void;
  createDataChannel(label: string, init: DataChannelInit): DataChannel;
  send(channel: DataChannel, data: string | Uint8Array): void;
  closeChannel(channel: DataChannel): void;
  now(): number;
  stats(): PeerEngineStats | Promise<PeerEngineStats>;
  close(): void;
}
