/** Canonical text of the SDP lines other than attributes (without the line ending). */
import type { Bandwidth, Connection, MediaDescription, Origin, Timing } from './sdp-model.js';

export function canonicalOriginLine(o: Origin): string {
  return `o=${o.username} ${o.sessionId} ${o.sessionVersion} ${o.netType} ${o.addrType} ${o.address}`;
}

export function canonicalConnectionLine(c: Connection): string {
  return `c=${c.netType} ${c.addrType} ${c.address}`;
}

export function canonicalBandwidthLine(b: Bandwidth): string {
  return `b=${b.type}:${b.value}`;
}

export function canonicalTimingLine(t: Timing): string {
  return `t=${t.start} ${t.stop}`;
}

export function canonicalMediaLine(m: MediaDescription): string {
  const port = m.numPorts === undefined ? `${m.port}` : `${m.port}/${m.numPorts}`;
  const formats = m.formats.length > 0 ? ` ${m.formats.join(' ')}` : '';
  return `m=${m.kind} ${port} ${m.proto}${formats}`;
}
