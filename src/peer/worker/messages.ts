/**
 * What crosses between a connection's WorkerEngine (the calling thread) and its engine in the
 * transport thread. Both directions travel in batches: one postMessage per event-loop turn
 * carries every connection's commands or events.
 */
import type { DtlsRole } from '../../dtls/index.js';
import type { IceCandidate, IceRole } from '../../ice/index.js';
import type { SctpAssociationState, SctpEvent, SctpSendOptions } from '../../sctp/index.js';
import type { PeerEngineOptions } from '../engine.js';
import type { PeerEngineEvent } from '../events.js';
import type { SctpTransportParams } from '../peer-core.js';
import type { PeerEngineStats } from '../stats.js';

/** The engine options that can be cloned: the certificate travels as PEM. */
export type ThreadEngineOptions = Omit<
  PeerEngineOptions,
  'certificate' | 'onError' | 'channels'
> & {
  certificate: { certPem: string; keyPem: string; fingerprint: string };
  ice: { ufrag: string; pwd: string };
};

export type EngineCommand =
  | { op: 'create'; id: number; opts: ThreadEngineOptions }
  | { op: 'gather'; id: number }
  | { op: 'ice-role'; id: number; role: IceRole }
  | { op: 'remote-ice'; id: number; ufrag: string; pwd: string }
  | { op: 'candidate'; id: number; candidate: IceCandidate }
  | { op: 'end-of-candidates'; id: number }
  | { op: 'restart-ice'; id: number; ufrag: string; pwd: string }
  | {
      op: 'transport';
      id: number;
      dtlsRole: DtlsRole;
      remoteFingerprints: { algorithm: string; value: string }[];
      sctp?: SctpTransportParams;
    }
  | { op: 'sctp'; id: number; params: SctpTransportParams }
  | {
      op: 'send';
      id: number;
      streamId: number;
      ppid: number;
      data: Uint8Array;
      opts: SctpSendOptions | undefined;
    }
  | { op: 'reset'; id: number; streamIds: number[] }
  | { op: 'stats'; id: number; request: number }
  | { op: 'close'; id: number };

/** The association as the channels on the calling thread mirror it. */
export interface AssociationSnapshot {
  state: SctpAssociationState;
  inboundStreams: number;
  outboundStreams: number;
}

export type EngineReport =
  | {
      op: 'event';
      id: number;
      event: PeerEngineEvent;
      iceRole: IceRole;
      remoteCertificates?: Uint8Array[];
    }
  | ({ op: 'attached'; id: number; dtlsRole: DtlsRole } & AssociationSnapshot)
  | ({ op: 'sctp'; id: number; event: SctpEvent } & AssociationSnapshot)
  | { op: 'gathered'; id: number; error?: string }
  | { op: 'closed'; id: number }
  | { op: 'stats'; id: number; request: number; stats: PeerEngineStats };
