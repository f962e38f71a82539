/** ICE restart detection (RFC 8839 4.4.1.1.1): new credentials in a section already in use. */
import { mediaMid } from './sdp-access.js';
import type { SessionDescription } from './sdp-model.js';
import { effectiveAttribute, isRejected, sectionIndexByMid } from './section-kinds.js';

/**
 * True when `next` changes the ice-ufrag or ice-pwd of a section that `previous` (the
 * description of the same side it replaces) also has in use under the same mid.
 */
export function iceRestartRequested(
  previous: SessionDescription | undefined,
  next: SessionDescription,
): boolean {
  if (previous === undefined) return false;
  for (const media of next.media) {
    const mid = mediaMid(media);
    if (mid === undefined || isRejected(media)) continue;
    const index = sectionIndexByMid(previous, mid);
    if (index < 0 || isRejected(previous.media[index]!)) continue;
    const before = previous.media[index]!;
    const ufrag = effectiveAttribute(next, media, 'ice-ufrag')?.ufrag;
    const pwd = effectiveAttribute(next, media, 'ice-pwd')?.password;
    const oldUfrag = effectiveAttribute(previous, before, 'ice-ufrag')?.ufrag;
    const oldPwd = effectiveAttribute(previous, before, 'ice-pwd')?.password;
    if (ufrag === undefined || oldUfrag === undefined) continue;
    if (ufrag !== oldUfrag || (pwd !== undefined && oldPwd !== undefined && pwd !== oldPwd)) {
      return true;
    }
  }
  return false;
}
