/** Test glue: SCTP associations carried over DtlsEndpoint on the simulated network (RFC 8261). */
import { generateDtlsCertificate } from '../../src/dtls/certificate.js';
import { DtlsEndpoint } from '../../src/dtls/index.js';
import type { SctpAssociationOptions } from '../../src/sctp/index.js';
import type { LinkConditions } from '../sim/network.js';
import { runSimulation, SimNetwork } from '../sim/network.js';
import { SctpSimEndpoint } from './harness.js';

const certs = Promise.all([
  generateDtlsCertificate({ name: 'ECDSA', namedCurve: 'P-256' }),
  generateDtlsCertificate({ name: 'ECDSA', namedCurve: 'P-256' }),
]);

/** A connected SCTP-over-DTLS pair on a fresh simulated network. */
export async function dtlsPair(
  seed: number,
  conditions: LinkConditions,
  a: Partial<SctpAssociationOptions> = {},
  b: Partial<SctpAssociationOptions> = {},
) {
  const [ca, cb] = await certs;
  const net = new SimNetwork(seed, conditions);
  const da = new DtlsEndpoint({
    role: 'client',
    certificate: ca,
    now: 0,
    remoteFingerprints: [{ algorithm: 'sha-256', value: cb.fingerprint() }],
  });
  const db = new DtlsEndpoint({
    role: 'server',
    certificate: cb,
    now: 0,
    remoteFingerprints: [{ algorithm: 'sha-256', value: ca.fingerprint() }],
  });
  const ea = new SctpSimEndpoint('a', 'b', { role: 'client', now: 0, ...a }, da);
  const eb = new SctpSimEndpoint('b', 'a', { role: 'server', now: 0, ...b }, db);
  da.start(0);
  const ok = runSimulation(net, [ea, eb], () => ea.connected && eb.connected, 600_000);
  if (!ok) {
    throw new Error(
      `SCTP over DTLS did not connect (dtls ${da.state}/${db.state}, sctp ${ea.assoc.state}/${eb.assoc.state})`,
    );
  }
  return { net, a: ea, b: eb };
}
