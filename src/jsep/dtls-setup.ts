/** a=setup negotiation for DTLS (RFC 8842 5): who is the DTLS client. */
import type { SetupRole } from './sdp-model.js';

/**
 * The answerer's a=setup: the opposite of an offered active or passive, else `preferred`
 * (actpass, holdconn, or no a=setup, which offerers treat as actpass).
 */
export function answerSetup(
  offered: SetupRole | undefined,
  preferred: 'active' | 'passive',
): 'active' | 'passive' {
  if (offered === 'active') return 'passive';
  if (offered === 'passive') return 'active';
  return preferred;
}

/**
 * This side's DTLS role once both setups are known: active is the client. Undefined when the
 * pair settles nothing (both actpass, or holdconn).
 */
export function dtlsRoleFromSetup(
  local: SetupRole,
  remote: SetupRole,
): 'client' | 'server' | undefined {
  if (local === 'active') return 'client';
  if (local === 'passive') return 'server';
  if (local === 'actpass') {
    if (remote === 'active') return 'server';
    if (remote === 'passive') return 'client';
  }
  return undefined;
}
