/** The signaling state machine of JSEP (RFC 8829 3.2 and 4.1.10) as webrtc-pc exposes it. */
import type { RTCSdpType } from './session-description.js';

export type RTCSignalingState =
  | 'stable'
  | 'have-local-offer'
  | 'have-remote-offer'
  | 'have-local-pranswer'
  | 'have-remote-pranswer'
  | 'closed';

/**
 * The state after applying a description of `type` locally or remotely, or undefined when that
 * description is not allowed in `state`. Rollback undoes a pending offer of the same side.
 */
export function nextSignalingState(
  state: RTCSignalingState,
  side: 'local' | 'remote',
  type: RTCSdpType,
): RTCSignalingState | undefined {
  if (side === 'local') {
    switch (type) {
      case 'offer':
        return state === 'stable' || state === 'have-local-offer' ? 'have-local-offer' : undefined;
      case 'answer':
        return state === 'have-remote-offer' || state === 'have-local-pranswer'
          ? 'stable'
          : undefined;
      case 'pranswer':
        return state === 'have-remote-offer' || state === 'have-local-pranswer'
          ? 'have-local-pranswer'
          : undefined;
      case 'rollback':
        return state === 'have-local-offer' ? 'stable' : undefined;
    }
  }
  switch (type) {
    case 'offer':
      return state === 'stable' || state === 'have-remote-offer' ? 'have-remote-offer' : undefined;
    case 'answer':
      return state === 'have-local-offer' || state === 'have-remote-pranswer'
        ? 'stable'
        : undefined;
    case 'pranswer':
      return state === 'have-local-offer' || state === 'have-remote-pranswer'
        ? 'have-remote-pranswer'
        : undefined;
    case 'rollback':
      return state === 'have-remote-offer' ? 'stable' : undefined;
  }
  return undefined;
}
