/** The interface between the endpoint's record/flight machinery and the handshake logic. */
import type { KeyObject } from 'node:crypto';
import type { DtlsCertificate } from './certificate.js';
import type { CipherSuiteInfo } from './cipher-suites.js';
import { AlertDescription, HandshakeType } from './constants.js';
import type { CookieMaker } from './cookie.js';
import type { FlightItem } from './flight.js';
import type { HandshakeMessage } from './handshake-reassembler.js';
import type { EcdheKeyPair } from './key-exchange.js';
import type { DtlsRole } from './types.js';

/** The alert a handshake step ends with when it rejects what it received. */
export class HandshakeFailure {
  constructor(
    readonly alert: number,
    readonly reason: string,
  ) {}
}

export const decodeError = (what: string): HandshakeFailure =>
  new HandshakeFailure(AlertDescription.decodeError, `malformed ${what}`);

export const unexpectedMessage = (type: number, expected: string): HandshakeFailure =>
  new HandshakeFailure(
    AlertDescription.unexpectedMessage,
    `unexpected handshake message ${type} while waiting for ${expected}`,
  );

/** RFC 5746 3.4/3.6: on an initial handshake renegotiation_info, if sent, must be empty. */
export function checkRenegotiationInfo(
  reneg: Uint8Array | undefined,
): HandshakeFailure | undefined {
  if (reneg !== undefined && (reneg.length !== 1 || reneg[0] !== 0)) {
    return new HandshakeFailure(AlertDescription.handshakeFailure, 'bad renegotiation_info');
  }
  return undefined;
}

/** What the client or server logic may use of the endpoint: its handshake toolkit. */
export interface HandshakeContext {
  readonly role: DtlsRole;
  readonly certificate: DtlsCertificate;
  readonly suites: readonly CipherSuiteInfo[];
  readonly srtpOffer: readonly number[];
  readonly secrets: HandshakeSecrets;
  /** Appends a message to the transcript and returns the item to put in a flight. */
  message(type: number, body: Uint8Array, epoch?: number): FlightItem;
  /** Appends a message received from the peer to the transcript. */
  received(m: HandshakeMessage): void;
  transcript(): Uint8Array;
  sendFlight(items: FlightItem[], final: boolean): void;
  /** Checks the peer's Certificate message body (decode, fingerprint, parse); returns its key. */
  acceptPeerCertificate(body: Uint8Array): KeyObject | HandshakeFailure;
  /** Derives the master secret (from the transcript so far) and the record keys. */
  deriveKeys(preMasterSecret: Uint8Array): void;
  finishedVerifyData(label: 'client finished' | 'server finished'): Uint8Array;
  setSrtpProfile(id: number | undefined): void;
  /** ChangeCipherSpec has been received: the next message must be Finished in epoch 1. */
  peerChangedCipher(): boolean;
  /** Starts the write epoch 1 once our ChangeCipherSpec is in a flight. */
  changeWriteCipher(): void;
  /** The server accepts a ClientHello statelessly: numbering continues from it. */
  adoptClientHello(messageSeq: number, recordSeq: number, fullMessage: Uint8Array): void;
  /** The client restarts its transcript with the ClientHello that carries the cookie. */
  resetTranscript(): void;
  /** A record sent outside any flight (HelloVerifyRequest): plaintext, chosen sequence number. */
  sendPlainRecord(type: number, version: number, recordSeq: number, body: Uint8Array): void;
  checkFinished(label: 'client finished' | 'server finished', received: Uint8Array): boolean;
  /** The stateless cookie maker (server only). */
  readonly cookies?: CookieMaker;
  connected(): void;
}

/** Our ChangeCipherSpec and Finished (epoch 1): how either side's last flight ends. */
export function changeCipherAndFinish(
  ctx: HandshakeContext,
  label: 'client finished' | 'server finished',
): FlightItem[] {
  ctx.changeWriteCipher();
  const verify = ctx.finishedVerifyData(label);
  return [{ kind: 'changeCipherSpec' }, ctx.message(HandshakeType.finished, verify, 1)];
}

export interface HandshakeSecrets {
  clientRandom?: Uint8Array;
  serverRandom?: Uint8Array;
  suite?: CipherSuiteInfo;
  ecdhe?: EcdheKeyPair;
  peerKey?: KeyObject;
  masterSecret?: Uint8Array;
}

/** Either side's handshake logic: consumes the peer's messages in order. */
export interface HandshakeLogic {
  /** Sends the first flight (client). */
  start?(): void;
  handle(m: HandshakeMessage): HandshakeFailure | undefined;
  /** True once this side has sent its last message and now waits for the peer's Finished. */
  readonly awaitingFinished: boolean;
}

/** The server's entry point before it holds any state. */
export interface ServerInitial extends HandshakeLogic {
  handleInitialRecord(plain: Uint8Array, recordSeq: number): HandshakeFailure | undefined;
}
