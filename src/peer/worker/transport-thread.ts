/**
 * The transport thread: runs the engines (ICE, DTLS, SCTP over their own sockets) of the
 * connections a WorkerEngine placed here, takes their commands in batches and reports their
 * events in batches, one message per event-loop turn each way.
 */
import { parentPort } from 'node:worker_threads';
import { wholeBuffer } from '../../bytes/copy.js';
import { certificateFromPem, type DtlsCertificate } from '../../dtls/index.js';
import { PeerEngine } from '../engine.js';
import type { PeerEngineEvent } from '../events.js';
import type { EngineCommand, EngineReport } from './messages.js';
import { RelayChannels, type RelayedSctp } from './relay-channels.js';

interface Hosted {
  engine: PeerEngine;
  relay: RelayChannels;
}

const port = parentPort;
if (port === null) throw new Error('the transport thread runs in a worker');

const engines = new Map<number, Hosted>();
/** Certificates by fingerprint: connections usually share one, and parsing PEM is not free. */
const certificates = new Map<string, DtlsCertificate>();

let reports: EngineReport[] = [];
let transfers: ArrayBuffer[] = [];
let flushScheduled = false;

function report(r: EngineReport): void {
  reports.push(r);
  if (!flushScheduled) {
    flushScheduled = true;
    setImmediate(flushReports);
  }
}

function flushReports(): void {
  flushScheduled = false;
  const batch = reports;
  const list = transfers;
  reports = [];
  transfers = [];
  port!.postMessage(batch, list);
}

/**
 * A message's bytes in a buffer of their own, handed over rather than cloned: the buffer the
 * message came in when it spans all of it (reassembled messages), else a copy.
 */
function detached(data: Uint8Array): Uint8Array {
  const own = wholeBuffer(data);
  if (own !== undefined) {
    transfers.push(own);
    return data;
  }
  const copy = new Uint8Array(data);
  transfers.push(copy.buffer);
  return copy;
}

/**
 * The engine's event handler. Made by a function, not written as a literal in the assignment:
 * V8 allocates a function literal assigned straight to a property in the old generation, and
 * from there what it captures (the engine) survives every young collection until a full one.
 */
function eventsOf(id: number, hosted: Hosted): (e: PeerEngineEvent) => void {
  return (e) => onEngineEvent(id, hosted, e as PeerEngineEvent | RelayedSctp);
}

function onEngineEvent(id: number, hosted: Hosted, e: PeerEngineEvent | RelayedSctp): void {
  if (e.type === 'relay-attached') {
    const { type: _, ...rest } = e;
    report({ op: 'attached', id, ...rest });
  } else if (e.type === 'relay-sctp') {
    const { type: _, event, ...rest } = e;
    const out = event.type === 'message' ? { ...event, data: detached(event.data) } : event;
    report({ op: 'sctp', id, event: out, ...rest });
  } else {
    const engine = hosted.engine;
    report(
      e.type === 'dtls-state'
        ? {
            op: 'event',
            id,
            event: e,
            iceRole: engine.iceRoleInUse,
            remoteCertificates: engine.remoteCertificates,
          }
        : { op: 'event', id, event: e, iceRole: engine.iceRoleInUse },
    );
  }
}

function certificateFor(c: {
  certPem: string;
  keyPem: string;
  fingerprint: string;
}): DtlsCertificate {
  let cert = certificates.get(c.fingerprint);
  if (cert === undefined) {
    cert = certificateFromPem(c.certPem, c.keyPem);
    certificates.set(c.fingerprint, cert);
  }
  return cert;
}

function run(cmd: EngineCommand): void {
  if (cmd.op === 'create') {
    const relay = new RelayChannels();
    const { certificate, ...opts } = cmd.opts;
    const engine = new PeerEngine({
      ...opts,
      certificate: certificateFor(certificate),
      channels: relay,
    });
    const hosted = { engine, relay };
    engine.onEvent = eventsOf(cmd.id, hosted);
    engines.set(cmd.id, hosted);
    return;
  }
  const hosted = engines.get(cmd.id);
  if (hosted === undefined) return;
  const engine = hosted.engine;
  switch (cmd.op) {
    case 'gather':
      engine.startGathering().then(
        () => report({ op: 'gathered', id: cmd.id }),
        (err: unknown) =>
          report({ op: 'gathered', id: cmd.id, error: String((err as Error)?.message ?? err) }),
      );
      break;
    case 'ice-role':
      engine.setIceRole(cmd.role);
      break;
    case 'remote-ice':
      engine.setRemoteIce(cmd.ufrag, cmd.pwd);
      break;
    case 'candidate':
      engine.addRemoteCandidate(cmd.candidate);
      break;
    case 'end-of-candidates':
      engine.endOfRemoteCandidates();
      break;
    case 'restart-ice':
      engine.restartIce(cmd.ufrag, cmd.pwd);
      break;
    case 'transport':
      engine.startTransport(cmd);
      break;
    case 'sctp':
      engine.startSctp(cmd.params);
      break;
    case 'send': {
      const assoc = hosted.relay.association;
      if (assoc === undefined || assoc.state !== 'connected') break;
      try {
        // The options came in this message and are this thread's to change: no object per send.
        const opts = cmd.opts ?? {};
        opts.transfer = true;
        assoc.send(cmd.streamId, cmd.ppid, cmd.data, opts, engine.now());
      } catch {
        // The calling thread checked what it could; a stream reset under way drops the message.
      }
      break;
    }
    case 'reset': {
      const assoc = hosted.relay.association;
      if (assoc === undefined || assoc.state !== 'connected') break;
      try {
        assoc.resetStreams(cmd.streamIds, engine.now());
      } catch {
        // As above: the association is going away.
      }
      break;
    }
    case 'stats':
      report({ op: 'stats', id: cmd.id, request: cmd.request, stats: engine.stats() });
      break;
    case 'close':
      engine.close();
      engines.delete(cmd.id);
      // The last datagrams (SCTP ABORT, close_notify) leave within this turn; until then the
      // calling thread keeps this one alive.
      setImmediate(() => report({ op: 'closed', id: cmd.id }));
      break;
  }
}

port.on('message', (batch: EngineCommand[]) => {
  for (const cmd of batch) {
    try {
      run(cmd);
    } catch (err) {
      // One connection's bad command must not take the others on this thread down.
      process.emitWarning(`transport thread: ${(err as Error)?.message ?? String(err)}`);
    }
  }
});
