/** The server's side of the full DTLS 1.2 handshake (RFC 6347 4.2.4 flights 2, 4 and 6). */
import { randomBytes } from '../util/random.js';
import { concatBytes } from './byte-reader.js';
import {
  AlertDescription,
  CertificateType,
  ContentType,
  DTLS_1_0,
  DTLS_1_2,
  ExtensionType,
  HANDSHAKE_HEADER_LENGTH,
  HandshakeType,
  NamedGroup,
} from './constants.js';
import type { FlightItem } from './flight.js';
import {
  changeCipherAndFinish,
  checkRenegotiationInfo,
  decodeError,
  type HandshakeContext,
  HandshakeFailure,
  type ServerInitial,
  unexpectedMessage,
} from './handshake-context.js';
import {
  fillFragment,
  type HandshakeMessage,
  MAX_HANDSHAKE_MESSAGE,
  newFragmentHeader,
  newPartialMessage,
  type PartialMessage,
  readFragmentHeader,
} from './handshake-reassembler.js';
import { generateEcdhe, SUPPORTED_GROUPS } from './key-exchange.js';
import {
  type ClientHello,
  decodeClientHello,
  decodeClientKeyExchange,
  decodeDigitallySigned,
  decodeU16List,
  decodeUseSrtp,
  encodeCertificate,
  encodeCertificateRequest,
  encodeHandshakeFragment,
  encodeHelloVerifyRequest,
  encodeServerHello,
  encodeServerKeyExchange,
  encodeServerKeyExchangeParams,
  encodeUseSrtp,
} from './messages.js';
import {
  chooseSignatureScheme,
  SUPPORTED_SIGNATURE_SCHEMES,
  signWith,
  verifyWith,
} from './signature.js';

type Expect =
  | 'clientHello'
  | 'certificate'
  | 'clientKeyExchange'
  | 'certificateVerify'
  | 'finished'
  | 'done';

const EMPTY = new Uint8Array(0);
/** TLS_EMPTY_RENEGOTIATION_INFO_SCSV (RFC 5746 3.3). */
const RENEGOTIATION_SCSV = 0x00ff;

export function createServerHandshake(ctx: HandshakeContext): ServerInitial {
  return new ServerHandshake(ctx);
}

/** A ClientHello that arrives in fragments, collected until whole. */
interface PartialClientHello extends PartialMessage {
  messageSeq: number;
}

class ServerHandshake implements ServerInitial {
  private expect: Expect = 'clientHello';
  private partialHello: PartialClientHello | undefined;

  constructor(private readonly ctx: HandshakeContext) {}

  get awaitingFinished(): boolean {
    return this.expect === 'finished';
  }

  /**
   * A handshake record before any ClientHello was accepted. Without a valid cookie (when the
   * endpoint exchanges cookies) a whole ClientHello is answered with a HelloVerifyRequest and
   * forgotten. A fragmented one is collected first: ClientHellos with post-quantum key shares
   * (Chromium's X25519MLKEM768) no longer fit one datagram. Only the latest one is kept, and
   * ICE has already checked the peer.
   */
  handleInitialRecord(plain: Uint8Array, recordSeq: number): HandshakeFailure | undefined {
    if (plain.length < HANDSHAKE_HEADER_LENGTH || plain[0] !== HandshakeType.clientHello) {
      return undefined;
    }
    const h = newFragmentHeader();
    const end = readFragmentHeader(plain, 0, h);
    const { length, messageSeq, fragmentOffset: fragOffset, fragmentLength: fragLength } = h;
    if (HANDSHAKE_HEADER_LENGTH + fragLength > plain.length) return decodeError('ClientHello');
    let body: Uint8Array;
    if (fragOffset === 0 && fragLength === length) {
      body = plain.subarray(HANDSHAKE_HEADER_LENGTH, HANDSHAKE_HEADER_LENGTH + length);
    } else {
      if (end < 0 || length > MAX_HANDSHAKE_MESSAGE) return decodeError('ClientHello fragment');
      const whole = this.collectHelloFragment(
        messageSeq,
        length,
        fragOffset,
        plain.subarray(HANDSHAKE_HEADER_LENGTH, HANDSHAKE_HEADER_LENGTH + fragLength),
      );
      if (whole === undefined) return undefined;
      body = whole;
    }
    const ch = decodeClientHello(body);
    if (ch === undefined) return decodeError('ClientHello');
    const cookies = this.ctx.cookies;
    if (cookies !== undefined && !cookies.verify(ch)) {
      // RFC 6347 4.2.1: same record and message sequence numbers as the ClientHello.
      const hvr = encodeHelloVerifyRequest(DTLS_1_0, cookies.make(ch));
      const msg = encodeHandshakeFragment(
        HandshakeType.helloVerifyRequest,
        messageSeq,
        hvr,
        0,
        hvr.length,
      );
      this.ctx.sendPlainRecord(ContentType.handshake, DTLS_1_0, recordSeq, msg);
      return undefined;
    }
    this.ctx.adoptClientHello(
      messageSeq,
      recordSeq,
      encodeHandshakeFragment(HandshakeType.clientHello, messageSeq, body, 0, length),
    );
    return this.onClientHello(ch);
  }

  /** Adds a fragment of a ClientHello; returns its body once every byte has arrived. */
  private collectHelloFragment(
    messageSeq: number,
    length: number,
    offset: number,
    fragment: Uint8Array,
  ): Uint8Array | undefined {
    let p = this.partialHello;
    if (p === undefined || p.messageSeq !== messageSeq || p.body.length !== length) {
      p = { messageSeq, ...newPartialMessage(length) };
      this.partialHello = p;
    }
    fillFragment(p, fragment, offset);
    if (p.missing > 0) return undefined;
    this.partialHello = undefined;
    return p.body;
  }

  handle(m: HandshakeMessage): HandshakeFailure | undefined {
    switch (this.expect) {
      case 'certificate':
        if (m.type === HandshakeType.certificate) return this.onCertificate(m);
        if (m.type === HandshakeType.clientKeyExchange) {
          return new HandshakeFailure(
            AlertDescription.handshakeFailure,
            'client sent no certificate; mutual authentication is required',
          );
        }
        break;
      case 'clientKeyExchange':
        if (m.type === HandshakeType.clientKeyExchange) return this.onClientKeyExchange(m);
        break;
      case 'certificateVerify':
        if (m.type === HandshakeType.certificateVerify) return this.onCertificateVerify(m);
        break;
      case 'finished':
        if (m.type === HandshakeType.finished && this.ctx.peerChangedCipher()) {
          return this.onFinished(m);
        }
        break;
      default:
        break;
    }
    return unexpectedMessage(m.type, this.expect);
  }

  private onClientHello(ch: ClientHello): HandshakeFailure | undefined {
    const ctx = this.ctx;
    const cert = ctx.certificate;
    // DTLS version numbers count down: 0xfeff is 1.0, 0xfefd is 1.2. A client offering 1.3
    // still says 1.2 here (and 1.3 only in supported_versions), so it gets 1.2.
    if (ch.version > DTLS_1_2) {
      return new HandshakeFailure(
        AlertDescription.protocolVersion,
        'client does not offer DTLS 1.2',
      );
    }
    if (!ch.compressionMethods.includes(0)) {
      return new HandshakeFailure(AlertDescription.illegalParameter, 'no null compression');
    }
    const ext = ch.extensions;
    if (!ext.has(ExtensionType.extendedMasterSecret)) {
      return new HandshakeFailure(
        AlertDescription.handshakeFailure,
        'client does not support extended_master_secret',
      );
    }
    const reneg = ext.get(ExtensionType.renegotiationInfo);
    const renegFailure = checkRenegotiationInfo(reneg);
    if (renegFailure !== undefined) return renegFailure;
    const suite = ctx.suites.find((s) => s.auth === cert.keyType && ch.cipherSuites.includes(s.id));
    if (suite === undefined) {
      return new HandshakeFailure(AlertDescription.handshakeFailure, 'no cipher suite in common');
    }
    const groupsExt = ext.get(ExtensionType.supportedGroups);
    const groups = groupsExt ? decodeU16List(groupsExt, 2) : [NamedGroup.secp256r1];
    if (groups === undefined) return decodeError('supported_groups');
    const group = SUPPORTED_GROUPS.find((g) => groups.includes(g));
    if (group === undefined) {
      return new HandshakeFailure(AlertDescription.handshakeFailure, 'no group in common');
    }
    const sigExt = ext.get(ExtensionType.signatureAlgorithms);
    const schemes = sigExt ? decodeU16List(sigExt, 2) : [...SUPPORTED_SIGNATURE_SCHEMES];
    if (schemes === undefined) return decodeError('signature_algorithms');
    const scheme = chooseSignatureScheme(cert.keyType, cert.namedCurve, schemes);
    if (scheme === undefined) {
      return new HandshakeFailure(
        AlertDescription.handshakeFailure,
        'no signature scheme in common',
      );
    }
    let srtpProfile: number | undefined;
    const srtpExt = ext.get(ExtensionType.useSrtp);
    if (srtpExt !== undefined && ctx.srtpOffer.length > 0) {
      const offered = decodeUseSrtp(srtpExt);
      if (offered === undefined) return decodeError('use_srtp');
      srtpProfile = ctx.srtpOffer.find((p) => offered.includes(p));
    }
    const pointFormats = ext.get(ExtensionType.ecPointFormats);
    if (pointFormats !== undefined && !pointFormats.subarray(1).includes(0)) {
      return new HandshakeFailure(AlertDescription.illegalParameter, 'no uncompressed points');
    }

    const s = ctx.secrets;
    s.suite = suite;
    s.clientRandom = ch.random.slice();
    s.serverRandom = randomBytes(32);
    const ecdhe = generateEcdhe(group)!;
    s.ecdhe = ecdhe;
    ctx.setSrtpProfile(srtpProfile);

    const shExt: [number, Uint8Array][] = [[ExtensionType.extendedMasterSecret, EMPTY]];
    if (reneg !== undefined || ch.cipherSuites.includes(RENEGOTIATION_SCSV)) {
      shExt.push([ExtensionType.renegotiationInfo, Uint8Array.of(0)]);
    }
    if (pointFormats !== undefined) shExt.push([ExtensionType.ecPointFormats, Uint8Array.of(1, 0)]);
    if (srtpProfile !== undefined)
      shExt.push([ExtensionType.useSrtp, encodeUseSrtp([srtpProfile])]);
    const serverHello = encodeServerHello(
      {
        version: DTLS_1_2,
        random: s.serverRandom,
        sessionId: EMPTY,
        cipherSuite: suite.id,
        compressionMethod: 0,
      },
      shExt,
    );
    const params = encodeServerKeyExchangeParams(group, ecdhe.publicKey);
    const signature = signWith(
      scheme,
      cert.privateKey,
      concatBytes(s.clientRandom, s.serverRandom, params),
    );
    if (signature === undefined) {
      return new HandshakeFailure(
        AlertDescription.internalError,
        'could not sign ServerKeyExchange',
      );
    }
    const items: FlightItem[] = [
      ctx.message(HandshakeType.serverHello, serverHello),
      ctx.message(HandshakeType.certificate, encodeCertificate([cert.der])),
      ctx.message(
        HandshakeType.serverKeyExchange,
        encodeServerKeyExchange(params, scheme, signature),
      ),
      ctx.message(
        HandshakeType.certificateRequest,
        encodeCertificateRequest(
          [CertificateType.ecdsaSign, CertificateType.rsaSign],
          [...SUPPORTED_SIGNATURE_SCHEMES],
        ),
      ),
      ctx.message(HandshakeType.serverHelloDone, EMPTY),
    ];
    this.expect = 'certificate';
    ctx.sendFlight(items, false);
    return undefined;
  }

  private onCertificate(m: HandshakeMessage): HandshakeFailure | undefined {
    const key = this.ctx.acceptPeerCertificate(m.body);
    if (key instanceof HandshakeFailure) return key;
    this.ctx.secrets.peerKey = key;
    this.ctx.received(m);
    this.expect = 'clientKeyExchange';
    return undefined;
  }

  private onClientKeyExchange(m: HandshakeMessage): HandshakeFailure | undefined {
    const point = decodeClientKeyExchange(m.body);
    if (point === undefined) return decodeError('ClientKeyExchange');
    const secret = this.ctx.secrets.ecdhe!.computeSecret(point);
    if (secret === undefined) {
      return new HandshakeFailure(
        AlertDescription.illegalParameter,
        'invalid client ECDH public key',
      );
    }
    this.ctx.received(m);
    this.ctx.deriveKeys(secret);
    this.expect = 'certificateVerify';
    return undefined;
  }

  private onCertificateVerify(m: HandshakeMessage): HandshakeFailure | undefined {
    const cv = decodeDigitallySigned(m.body);
    if (cv === undefined) return decodeError('CertificateVerify');
    if (!SUPPORTED_SIGNATURE_SCHEMES.includes(cv.scheme)) {
      return new HandshakeFailure(
        AlertDescription.illegalParameter,
        'unsupported signature scheme',
      );
    }
    if (!verifyWith(cv.scheme, this.ctx.secrets.peerKey!, this.ctx.transcript(), cv.signature)) {
      return new HandshakeFailure(AlertDescription.decryptError, 'bad CertificateVerify signature');
    }
    this.ctx.received(m);
    this.expect = 'finished';
    return undefined;
  }

  private onFinished(m: HandshakeMessage): HandshakeFailure | undefined {
    const ctx = this.ctx;
    if (!ctx.checkFinished('client finished', m.body)) {
      return new HandshakeFailure(AlertDescription.decryptError, 'client Finished does not verify');
    }
    ctx.received(m);
    const items = changeCipherAndFinish(ctx, 'server finished');
    this.expect = 'done';
    ctx.sendFlight(items, true);
    ctx.connected();
    return undefined;
  }
}
