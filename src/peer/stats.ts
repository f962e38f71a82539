/**
 * The figures getStats() needs from the transports, gathered in one snapshot. Names follow the
 * W3C stats spec where a field maps onto one (RTCTransportStats, RTCIceCandidatePairStats).
 */
import { SUPPORTED_CIPHER_SUITES } from '../dtls/index.js';
import type { IceCandidate, IceRole, IceTransportState } from '../ice/index.js';
import type { DtlsTransportState } from './events.js';
import type { PeerCore } from './peer-core.js';

export interface CandidatePairStats {
  local: IceCandidate;
  remote: IceCandidate;
  state: 'succeeded';
  nominated: boolean;
  packetsSent: number;
  packetsReceived: number;
  bytesSent: number;
  bytesReceived: number;
  /** Seconds: SCTP's smoothed RTT on this pair, when data has flowed. */
  currentRoundTripTime?: number;
}

export interface PeerEngineStats {
  /** Payload above ICE (DTLS datagrams) on the selected pair, as RTCTransportStats counts. */
  bytesSent: number;
  bytesReceived: number;
  packetsSent: number;
  packetsReceived: number;
  iceRole: IceRole | undefined;
  iceLocalUsernameFragment: string | undefined;
  iceState: IceTransportState;
  dtlsState: DtlsTransportState;
  dtlsRole: 'client' | 'server' | 'unknown';
  /** 'FEFD' (DTLS 1.2) once connected, as the spec writes the version. */
  tlsVersion: string | undefined;
  dtlsCipher: string | undefined;
  srtpCipher: string | undefined;
  localCandidates: IceCandidate[];
  remoteCandidates: IceCandidate[];
  /** The selected pair only: the agent keeps no per-pair traffic counters for the others. */
  pairs: CandidatePairStats[];
}

export function buildEngineStats(core: PeerCore | undefined): PeerEngineStats {
  const c = core?.counters;
  const dtls = core?.dtls;
  const selected = core?.ice.getSelectedPair();
  const srtt = core?.association?.stats.srtt;
  const connected = dtls?.state === 'connected';
  const suite = dtls?.cipherSuite;
  const pairs: CandidatePairStats[] = [];
  if (selected !== undefined && c !== undefined) {
    const pair: CandidatePairStats = {
      local: selected.local,
      remote: selected.remote,
      state: 'succeeded',
      nominated: core?.ice.nominated === true,
      packetsSent: c.packetsSent,
      packetsReceived: c.packetsReceived,
      bytesSent: c.bytesSent,
      bytesReceived: c.bytesReceived,
    };
    if (srtt !== undefined) pair.currentRoundTripTime = srtt / 1000;
    pairs.push(pair);
  }
  return {
    bytesSent: c?.bytesSent ?? 0,
    bytesReceived: c?.bytesReceived ?? 0,
    packetsSent: c?.packetsSent ?? 0,
    packetsReceived: c?.packetsReceived ?? 0,
    iceRole: core?.ice.role,
    iceLocalUsernameFragment: core?.ice.localUfrag,
    iceState: core?.ice.state ?? 'new',
    dtlsState: core?.dtlsState ?? 'new',
    dtlsRole: dtls === undefined ? 'unknown' : dtls.role,
    tlsVersion: connected ? 'FEFD' : undefined,
    dtlsCipher:
      connected && suite !== undefined
        ? SUPPORTED_CIPHER_SUITES.find((s) => s.id === suite)?.name
        : undefined,
    srtpCipher: connected ? dtls?.srtpProfile : undefined,
    localCandidates: core?.ice.getLocalCandidates() ?? [],
    remoteCandidates: core?.ice.getRemoteCandidates() ?? [],
    pairs,
  };
}
