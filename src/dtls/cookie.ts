/**
 * The server's stateless HelloVerifyRequest cookie (RFC 6347 4.2.1): an HMAC under a per-endpoint
 * secret over the ClientHello's parameters, so a ClientHello carrying it proves the client
 * receives at its address without the server keeping anything per attempt.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { randomBytes } from '../util/random.js';
import type { ClientHello } from './messages.js';

const COOKIE_LENGTH = 32;

export class CookieMaker {
  private readonly secret: Uint8Array;

  constructor(secret?: Uint8Array) {
    this.secret = secret ?? randomBytes(32);
  }

  make(ch: ClientHello): Uint8Array {
    const h = createHmac('sha256', this.secret);
    h.update(Uint8Array.of(ch.version >> 8, ch.version & 0xff));
    h.update(ch.random);
    h.update(ch.sessionId);
    for (const s of ch.cipherSuites) h.update(Uint8Array.of(s >> 8, s & 0xff));
    h.update(ch.compressionMethods);
    h.update(ch.extensionsRaw);
    return h.digest().subarray(0, COOKIE_LENGTH);
  }

  verify(ch: ClientHello): boolean {
    if (ch.cookie.length !== COOKIE_LENGTH) return false;
    return timingSafeEqual(this.make(ch), ch.cookie);
  }
}
