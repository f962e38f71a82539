/**
 * serializeSdp: the model to SDP text, CRLF line endings, lines in RFC 8866 order:
 * v o s i u e* p* c b* (t r*)+ z k a* then per media section m i c* b* k a*.
 * Lines that parsed from non-canonical text are written as they were read (sdp-original-text.ts).
 */
import { canonicalAttributeLine } from './sdp-attribute-format.js';
import {
  canonicalBandwidthLine,
  canonicalConnectionLine,
  canonicalMediaLine,
  canonicalOriginLine,
  canonicalTimingLine,
} from './sdp-line-format.js';
import type {
  Bandwidth,
  Connection,
  MediaDescription,
  SdpAttribute,
  SessionDescription,
} from './sdp-model.js';
import { textToWrite } from './sdp-original-text.js';

export function serializeSdp(sdp: SessionDescription): string {
  const out: string[] = [];
  out.push(`v=${sdp.version}`);
  out.push(textToWrite(sdp.origin, canonicalOriginLine(sdp.origin)));
  out.push(`s=${sdp.sessionName}`);
  if (sdp.information !== undefined) out.push(`i=${sdp.information}`);
  if (sdp.uri !== undefined) out.push(`u=${sdp.uri}`);
  for (const email of sdp.emails) out.push(`e=${email}`);
  for (const phone of sdp.phones) out.push(`p=${phone}`);
  if (sdp.connection !== undefined) pushConnection(out, sdp.connection);
  pushBandwidths(out, sdp.bandwidths);
  for (const timing of sdp.timings) {
    out.push(textToWrite(timing, canonicalTimingLine(timing)));
    for (const repeat of timing.repeats) out.push(`r=${repeat}`);
  }
  if (sdp.timeZones !== undefined) out.push(`z=${sdp.timeZones}`);
  if (sdp.encryptionKey !== undefined) out.push(`k=${sdp.encryptionKey}`);
  pushAttributes(out, sdp.attributes);
  for (const media of sdp.media) pushMedia(out, media);
  out.push('');
  return out.join('\r\n');
}

function pushMedia(out: string[], m: MediaDescription): void {
  out.push(textToWrite(m, canonicalMediaLine(m)));
  if (m.information !== undefined) out.push(`i=${m.information}`);
  for (const connection of m.connections) pushConnection(out, connection);
  pushBandwidths(out, m.bandwidths);
  if (m.encryptionKey !== undefined) out.push(`k=${m.encryptionKey}`);
  pushAttributes(out, m.attributes);
}

function pushConnection(out: string[], c: Connection): void {
  out.push(textToWrite(c, canonicalConnectionLine(c)));
}

function pushBandwidths(out: string[], bandwidths: readonly Bandwidth[]): void {
  for (const b of bandwidths) out.push(textToWrite(b, canonicalBandwidthLine(b)));
}

function pushAttributes(out: string[], attributes: readonly SdpAttribute[]): void {
  for (const a of attributes) out.push(textToWrite(a, canonicalAttributeLine(a)));
}

/** One attribute as its SDP line ("a=..."), without the line ending. */
export function formatAttributeLine(attribute: SdpAttribute): string {
  return textToWrite(attribute, canonicalAttributeLine(attribute));
}
