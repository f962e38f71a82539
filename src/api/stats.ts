/**
 * getStats() for a data channel connection: the W3C stats objects (webrtc-stats) built from one
 * snapshot of the engine, with the identifiers linking them (transportId, localCandidateId, ...).
 */
import { fingerprintOf } from '../dtls/index.js';
import type { IceCandidate } from '../ice/index.js';
import type { PeerEngineStats } from '../peer/index.js';
import { RTCDataChannel } from './data-channel.js';
import { type RTCStats, RTCStatsReport } from './stats-report.js';

export interface StatsInput {
  engine: PeerEngineStats;
  channels: RTCDataChannel[];
  channelsOpened: number;
  channelsClosed: number;
  localCertificate: Uint8Array;
  remoteCertificates: Uint8Array[];
}

const TRANSPORT_ID = 'T01';
const PEER_CONNECTION_ID = 'P';

export function buildStatsReport(input: StatsInput): RTCStatsReport {
  const timestamp = performance.timeOrigin + performance.now();
  const e = input.engine;
  const out: RTCStats[] = [];

  out.push({
    id: PEER_CONNECTION_ID,
    type: 'peer-connection',
    timestamp,
    dataChannelsOpened: input.channelsOpened,
    dataChannelsClosed: input.channelsClosed,
  });

  for (const dc of input.channels) {
    const channelStats = dataChannelCounters(dc);
    out.push({
      id: `D${dc.id ?? `-${dc.label}`}`,
      type: 'data-channel',
      timestamp,
      label: dc.label,
      protocol: dc.protocol,
      ...(dc.id !== null ? { dataChannelIdentifier: dc.id } : {}),
      state: dc.readyState,
      ...channelStats,
    });
  }

  const localCert = certificateStats(input.localCertificate, timestamp);
  out.push(localCert);
  const remoteCert =
    input.remoteCertificates[0] === undefined
      ? undefined
      : certificateStats(input.remoteCertificates[0], timestamp);
  if (remoteCert !== undefined && remoteCert.id !== localCert.id) out.push(remoteCert);

  const candidateIds = new Map<IceCandidate, string>();
  const candidateStats = (c: IceCandidate, kind: 'local-candidate' | 'remote-candidate') => {
    const id = `${kind === 'local-candidate' ? 'I' : 'R'}${c.foundation}_${c.address}_${c.port}`;
    candidateIds.set(c, id);
    const s: RTCStats = {
      id,
      type: kind,
      timestamp,
      transportId: TRANSPORT_ID,
      address: c.address,
      port: c.port,
      protocol: c.transport,
      candidateType: c.type,
      priority: c.priority,
      foundation: c.foundation,
      usernameFragment: c.ufrag ?? null,
    };
    if (c.relatedAddress !== undefined) s.relatedAddress = c.relatedAddress;
    if (c.relatedPort !== undefined) s.relatedPort = c.relatedPort;
    if (c.tcpType !== undefined) s.tcpType = c.tcpType;
    return s;
  };
  const seen = new Set<string>();
  const addCandidate = (c: IceCandidate, kind: 'local-candidate' | 'remote-candidate') => {
    const s = candidateStats(c, kind);
    if (seen.has(s.id)) return s.id;
    seen.add(s.id);
    out.push(s);
    return s.id;
  };
  for (const c of e.localCandidates) addCandidate(c, 'local-candidate');
  for (const c of e.remoteCandidates) addCandidate(c, 'remote-candidate');

  let selectedPairId: string | undefined;
  for (const p of e.pairs) {
    const localId = addCandidate(p.local, 'local-candidate');
    const remoteId = addCandidate(p.remote, 'remote-candidate');
    const id = `CP${localId}_${remoteId}`;
    selectedPairId = id;
    const s: RTCStats = {
      id,
      type: 'candidate-pair',
      timestamp,
      transportId: TRANSPORT_ID,
      localCandidateId: localId,
      remoteCandidateId: remoteId,
      state: p.state,
      nominated: p.nominated,
      packetsSent: p.packetsSent,
      packetsReceived: p.packetsReceived,
      bytesSent: p.bytesSent,
      bytesReceived: p.bytesReceived,
    };
    if (p.currentRoundTripTime !== undefined) s.currentRoundTripTime = p.currentRoundTripTime;
    out.push(s);
  }

  const transport: RTCStats = {
    id: TRANSPORT_ID,
    type: 'transport',
    timestamp,
    packetsSent: e.packetsSent,
    packetsReceived: e.packetsReceived,
    bytesSent: e.bytesSent,
    bytesReceived: e.bytesReceived,
    iceState: e.iceState,
    dtlsState: e.dtlsState,
    dtlsRole: e.dtlsRole,
    selectedCandidatePairChanges: selectedPairId === undefined ? 0 : 1,
    localCertificateId: localCert.id,
  };
  if (e.iceRole !== undefined) transport.iceRole = e.iceRole;
  if (e.iceLocalUsernameFragment !== undefined) {
    transport.iceLocalUsernameFragment = e.iceLocalUsernameFragment;
  }
  if (selectedPairId !== undefined) transport.selectedCandidatePairId = selectedPairId;
  if (remoteCert !== undefined) transport.remoteCertificateId = remoteCert.id;
  if (e.tlsVersion !== undefined) transport.tlsVersion = e.tlsVersion;
  if (e.dtlsCipher !== undefined) transport.dtlsCipher = e.dtlsCipher;
  if (e.srtpCipher !== undefined) transport.srtpCipher = e.srtpCipher;
  out.push(transport);

  return RTCStatsReport.from(out);
}

function dataChannelCounters(dc: RTCDataChannel): {
  messagesSent: number;
  bytesSent: number;
  messagesReceived: number;
  bytesReceived: number;
} {
  const channel = RTCDataChannel.channelOf(dc);
  return {
    messagesSent: channel?.messagesSent ?? 0,
    bytesSent: channel?.bytesSent ?? 0,
    messagesReceived: channel?.messagesReceived ?? 0,
    bytesReceived: channel?.bytesReceived ?? 0,
  };
}

function certificateStats(der: Uint8Array, timestamp: number): RTCStats {
  const fingerprint = fingerprintOf(der);
  return {
    id: `CF${fingerprint}`,
    type: 'certificate',
    timestamp,
    fingerprint,
    fingerprintAlgorithm: 'sha-256',
    base64Certificate: Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64'),
  };
}
