/**
 * Test glue: the full data channel stack as browsers run it, data channels over SCTP over
 * DTLS, as endpoints of the simulated network.
 */
import {
  type DtlsCertificate,
  DtlsEndpoint,
  type DtlsRole,
  generateDtlsCertificate,
} from '../../src/dtls/index.js';
import { SctpChannelPeer } from './sim-peer.js';

function dtlsPeer(
  key: string,
  peer: string,
  role: DtlsRole,
  certificate: DtlsCertificate,
  remote: DtlsCertificate,
): SctpChannelPeer {
  const dtls = new DtlsEndpoint({
    role,
    certificate,
    now: 0,
    remoteFingerprints: [{ algorithm: 'sha-256', value: remote.fingerprint() }],
  });
  // The DTLS client is the SCTP client too; SCTP's INIT collision handling would cope either way.
  const p = new SctpChannelPeer(key, peer, role, { role, now: 0 }, dtls);
  dtls.start(0);
  return p;
}

/** A DTLS client (A) and server (B) that trust each other's certificates. */
export async function dtlsPeers(): Promise<[SctpChannelPeer, SctpChannelPeer]> {
  const [certA, certB] = await Promise.all([
    generateDtlsCertificate({ name: 'ECDSA', namedCurve: 'P-256' }),
    generateDtlsCertificate({ name: 'ECDSA', namedCurve: 'P-256' }),
  ]);
  return [dtlsPeer('a', 'b', 'client', certA, certB), dtlsPeer('b', 'a', 'server', certB, certA)];
}
