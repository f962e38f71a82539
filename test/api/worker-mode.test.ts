/**
 * The connection suites again with `tsrtc.worker`: ICE, DTLS and SCTP on worker threads, the
 * data channels and the W3C objects on this one. Everything they check must hold in both modes.
 */
import { useTsrtcOptions } from './peers.js';

useTsrtcOptions({ worker: true });
await import('./connect.test.js');
await import('./restart-stats.test.js');
await import('./hostile-wire.test.js');
