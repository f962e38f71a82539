/** The client's side of the full DTLS 1.2 handshake (RFC 6347 4.2.4 flights 1, 3 and 5). */
import { randomBytes } from '../util/random.js';
import { concatBytes } from './byte-reader.js';
import { cipherSuiteInfo } from './cipher-suites.js';
import { AlertDescription, DTLS_1_2, ExtensionType, HandshakeType } from './constants.js';
import type { FlightItem } from './flight.js';
import {
  changeCipherAndFinish,
  checkRenegotiationInfo,
  decodeError,
  type HandshakeContext,
  HandshakeFailure,
  type HandshakeLogic,
  unexpectedMessage,
} from './handshake-context.js';
import type { HandshakeMessage } from './handshake-reassembler.js';
import { generateEcdhe, SUPPORTED_GROUPS } from './key-exchange.js';
import {
  decodeCertificateRequest,
  decodeHelloVerifyRequest,
  decodeServerHello,
  decodeServerKeyExchange,
  decodeUseSrtp,
  encodeCertificate,
  encodeClientHello,
  encodeClientKeyExchange,
  encodeDigitallySigned,
  encodeU16List,
  encodeUseSrtp,
} from './messages.js';
import {
  chooseSignatureScheme,
  SUPPORTED_SIGNATURE_SCHEMES,
  signWith,
  verifyWith,
} from './signature.js';

type Expect =
  | 'serverHello'
  | 'certificate'
  | 'serverKeyExchange'
  | 'certificateRequestOrDone'
  | 'serverHelloDone'
  | 'finished'
  | 'done';

const EMPTY = new Uint8Array(0);

export function createClientHandshake(ctx: HandshakeContext): HandshakeLogic {
  return new ClientHandshake(ctx);
}

class ClientHandshake implements HandshakeLogic {
  private expect: Expect = 'serverHello';
  private cookie: Uint8Array = EMPTY;
  private readonly random = randomBytes(32);
  private preMasterSecret?: Uint8Array;
  private certificateRequested = false;
  private peerSchemes: readonly number[] = SUPPORTED_SIGNATURE_SCHEMES;
  private offeredSrtp = false;

  constructor(private readonly ctx: HandshakeContext) {}

  get awaitingFinished(): boolean {
    return this.expect === 'finished';
  }

  start(): void {
    this.ctx.secrets.clientRandom = this.random;
    this.ctx.sendFlight([this.clientHello()], false);
  }

  private clientHello(): FlightItem {
    const ext: [number, Uint8Array][] = [
      [ExtensionType.extendedMasterSecret, EMPTY],
      [ExtensionType.renegotiationInfo, Uint8Array.of(0)],
      [ExtensionType.supportedGroups, encodeU16List([...SUPPORTED_GROUPS], 2)],
      [ExtensionType.ecPointFormats, Uint8Array.of(1, 0)],
      [ExtensionType.signatureAlgorithms, encodeU16List([...SUPPORTED_SIGNATURE_SCHEMES], 2)],
    ];
    if (this.ctx.srtpOffer.length > 0) {
      this.offeredSrtp = true;
      ext.push([ExtensionType.useSrtp, encodeUseSrtp([...this.ctx.srtpOffer])]);
    }
    const body = encodeClientHello(
      {
        version: DTLS_1_2,
        random: this.random,
        sessionId: EMPTY,
        cookie: this.cookie,
        cipherSuites: this.ctx.suites.map((s) => s.id),
        compressionMethods: Uint8Array.of(0),
      },
      ext,
    );
    return this.ctx.message(HandshakeType.clientHello, body);
  }

  handle(m: HandshakeMessage): HandshakeFailure | undefined {
    switch (this.expect) {
      case 'serverHello':
        if (m.type === HandshakeType.helloVerifyRequest) return this.onHelloVerifyRequest(m.body);
        if (m.type === HandshakeType.serverHello) return this.onServerHello(m);
        break;
      case 'certificate':
        if (m.type === HandshakeType.certificate) return this.onCertificate(m);
        break;
      case 'serverKeyExchange':
        if (m.type === HandshakeType.serverKeyExchange) return this.onServerKeyExchange(m);
        break;
      case 'certificateRequestOrDone':
        if (m.type === HandshakeType.certificateRequest) return this.onCertificateRequest(m);
        if (m.type === HandshakeType.serverHelloDone) return this.onServerHelloDone(m);
        break;
      case 'serverHelloDone':
        if (m.type === HandshakeType.serverHelloDone) return this.onServerHelloDone(m);
        break;
      case 'finished':
        if (m.type === HandshakeType.finished && this.ctx.peerChangedCipher()) {
          return this.onFinished(m);
        }
        break;
      case 'done':
        return undefined;
    }
    return unexpectedMessage(m.type, this.expect);
  }

  private onHelloVerifyRequest(body: Uint8Array): HandshakeFailure | undefined {
    const hvr = decodeHelloVerifyRequest(body);
    if (hvr === undefined) return decodeError('HelloVerifyRequest');
    if (hvr.cookie.length === 0) {
      return new HandshakeFailure(AlertDescription.illegalParameter, 'empty cookie');
    }
    this.cookie = hvr.cookie.slice();
    // RFC 6347 4.2.6: the transcript starts with the ClientHello that carries the cookie.
    this.ctx.resetTranscript();
    this.ctx.sendFlight([this.clientHello()], false);
    return undefined;
  }

  private onServerHello(m: HandshakeMessage): HandshakeFailure | undefined {
    const sh = decodeServerHello(m.body);
    if (sh === undefined) return decodeError('ServerHello');
    if (sh.version !== DTLS_1_2) {
      return new HandshakeFailure(AlertDescription.protocolVersion, 'server chose another version');
    }
    const suite = cipherSuiteInfo(sh.cipherSuite);
    if (suite === undefined || !this.ctx.suites.includes(suite)) {
      return new HandshakeFailure(
        AlertDescription.illegalParameter,
        'server chose a suite not offered',
      );
    }
    if (sh.compressionMethod !== 0) {
      return new HandshakeFailure(AlertDescription.illegalParameter, 'server chose compression');
    }
    for (const type of sh.extensions.keys()) {
      const offered =
        type === ExtensionType.extendedMasterSecret ||
        type === ExtensionType.renegotiationInfo ||
        type === ExtensionType.ecPointFormats ||
        (type === ExtensionType.useSrtp && this.offeredSrtp);
      if (!offered) {
        return new HandshakeFailure(
          AlertDescription.unsupportedExtension,
          `server sent extension ${type} that was not offered`,
        );
      }
    }
    if (!sh.extensions.has(ExtensionType.extendedMasterSecret)) {
      return new HandshakeFailure(
        AlertDescription.handshakeFailure,
        'server does not support extended_master_secret',
      );
    }
    const reneg = sh.extensions.get(ExtensionType.renegotiationInfo);
    const renegFailure = checkRenegotiationInfo(reneg);
    if (renegFailure !== undefined) return renegFailure;
    const srtp = sh.extensions.get(ExtensionType.useSrtp);
    if (srtp !== undefined) {
      const profiles = decodeUseSrtp(srtp);
      if (profiles === undefined) return decodeError('use_srtp');
      if (profiles.length !== 1 || !this.ctx.srtpOffer.includes(profiles[0]!)) {
        return new HandshakeFailure(AlertDescription.illegalParameter, 'bad use_srtp profile');
      }
      this.ctx.setSrtpProfile(profiles[0]);
    }
    const s = this.ctx.secrets;
    s.suite = suite;
    s.serverRandom = sh.random.slice();
    this.ctx.received(m);
    this.expect = 'certificate';
    return undefined;
  }

  private onCertificate(m: HandshakeMessage): HandshakeFailure | undefined {
    const key = this.ctx.acceptPeerCertificate(m.body);
    if (key instanceof HandshakeFailure) return key;
    const want = this.ctx.secrets.suite!.auth === 'rsa' ? 'rsa' : 'ec';
    if (key.asymmetricKeyType !== want) {
      return new HandshakeFailure(
        AlertDescription.unsupportedCertificate,
        'server certificate key does not fit the cipher suite',
      );
    }
    this.ctx.secrets.peerKey = key;
    this.ctx.received(m);
    this.expect = 'serverKeyExchange';
    return undefined;
  }

  private onServerKeyExchange(m: HandshakeMessage): HandshakeFailure | undefined {
    const ske = decodeServerKeyExchange(m.body);
    if (ske === undefined) return decodeError('ServerKeyExchange');
    const s = this.ctx.secrets;
    if (!SUPPORTED_GROUPS.includes(ske.group)) {
      return new HandshakeFailure(
        AlertDescription.illegalParameter,
        'server chose a group not offered',
      );
    }
    if (!SUPPORTED_SIGNATURE_SCHEMES.includes(ske.scheme)) {
      return new HandshakeFailure(
        AlertDescription.illegalParameter,
        'unsupported signature scheme',
      );
    }
    const signed = concatBytes(s.clientRandom!, s.serverRandom!, ske.params);
    if (!verifyWith(ske.scheme, s.peerKey!, signed, ske.signature)) {
      return new HandshakeFailure(AlertDescription.decryptError, 'bad ServerKeyExchange signature');
    }
    const ecdhe = generateEcdhe(ske.group)!;
    const secret = ecdhe.computeSecret(ske.publicKey);
    if (secret === undefined) {
      return new HandshakeFailure(
        AlertDescription.illegalParameter,
        'invalid server ECDH public key',
      );
    }
    s.ecdhe = ecdhe;
    this.preMasterSecret = secret;
    this.ctx.received(m);
    this.expect = 'certificateRequestOrDone';
    return undefined;
  }

  private onCertificateRequest(m: HandshakeMessage): HandshakeFailure | undefined {
    const req = decodeCertificateRequest(m.body);
    if (req === undefined) return decodeError('CertificateRequest');
    this.certificateRequested = true;
    this.peerSchemes = req.signatureSchemes;
    this.ctx.received(m);
    this.expect = 'serverHelloDone';
    return undefined;
  }

  private onServerHelloDone(m: HandshakeMessage): HandshakeFailure | undefined {
    if (m.body.length !== 0) return decodeError('ServerHelloDone');
    this.ctx.received(m);
    const ctx = this.ctx;
    const cert = ctx.certificate;
    const items: FlightItem[] = [];
    let scheme: number | undefined;
    if (this.certificateRequested) {
      scheme = chooseSignatureScheme(cert.keyType, cert.namedCurve, this.peerSchemes);
      if (scheme === undefined) {
        return new HandshakeFailure(
          AlertDescription.handshakeFailure,
          'no signature scheme the server accepts fits our certificate',
        );
      }
      items.push(ctx.message(HandshakeType.certificate, encodeCertificate([cert.der])));
    }
    const cke = encodeClientKeyExchange(ctx.secrets.ecdhe!.publicKey);
    items.push(ctx.message(HandshakeType.clientKeyExchange, cke));
    ctx.deriveKeys(this.preMasterSecret!);
    if (scheme !== undefined) {
      const signature = signWith(scheme, cert.privateKey, ctx.transcript());
      if (signature === undefined) {
        return new HandshakeFailure(
          AlertDescription.internalError,
          'could not sign CertificateVerify',
        );
      }
      items.push(
        ctx.message(HandshakeType.certificateVerify, encodeDigitallySigned(scheme, signature)),
      );
    }
    items.push(...changeCipherAndFinish(ctx, 'client finished'));
    this.expect = 'finished';
    ctx.sendFlight(items, false);
    return undefined;
  }

  private onFinished(m: HandshakeMessage): HandshakeFailure | undefined {
    if (!this.ctx.checkFinished('server finished', m.body)) {
      return new HandshakeFailure(AlertDescription.decryptError, 'server Finished does not verify');
    }
    this.ctx.received(m);
    this.expect = 'done';
    this.ctx.connected();
    return undefined;
  }
}
