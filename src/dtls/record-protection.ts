/**
 * AEAD record protection for one direction pair: AES-GCM with the RFC 5288 nonce (4-byte salt
 * from the key block, 8-byte explicit nonce = epoch|seq carried in the record) and
 * ChaCha20-Poly1305 with the RFC 7905 nonce (12-byte IV xor the padded epoch|seq, nothing
 * carried). The nonce and additional-data buffers are reused: node's cipher objects copy them.
 */
import { createCipheriv, createDecipheriv, createSecretKey, type KeyObject } from 'node:crypto';
import { Slab } from '../bytes/slab.js';
import type { CipherSuiteInfo } from './cipher-suites.js';
import { RECORD_HEADER_LENGTH } from './constants.js';
import { writeEpochSeq, writeRecordHeader } from './record.js';

const TAG_LENGTH = 16;
const AAD_LENGTH = 13;
/** Shared, never-changing options objects: none allocated per record. */
const CIPHER_OPTIONS = Object.freeze({ authTagLength: TAG_LENGTH });

/** Outgoing records are cut from here. */
const records = new Slab();

export class RecordProtection {
  private readonly writeNonce = new Uint8Array(12);
  private readonly readNonce = new Uint8Array(12);
  private readonly writeAad = new Uint8Array(AAD_LENGTH);
  private readonly readAad = new Uint8Array(AAD_LENGTH);
  private readonly explicit: number;
  private readonly isChaCha: boolean;
  /** Key objects made once: given raw bytes, node:crypto prepares the key on every record. */
  private readonly writeKeyObject: KeyObject;
  private readonly readKeyObject: KeyObject;

  constructor(
    readonly suite: CipherSuiteInfo,
    writeKey: Uint8Array,
    private readonly writeIv: Uint8Array,
    readKey: Uint8Array,
    private readonly readIv: Uint8Array,
  ) {
    this.explicit = suite.explicitNonceLength;
    this.writeKeyObject = createSecretKey(writeKey);
    this.readKeyObject = createSecretKey(readKey);
    this.isChaCha = suite.aead === 'chacha20-poly1305';
    if (!this.isChaCha) {
      this.writeNonce.set(writeIv);
      this.readNonce.set(readIv);
    }
  }

  /** Bytes a protected record adds to its plaintext, header included. */
  get overhead(): number {
    return RECORD_HEADER_LENGTH + this.explicit + TAG_LENGTH;
  }

  private fillNonce(nonce: Uint8Array, iv: Uint8Array, epoch: number, seq: number): void {
    writeEpochSeq(nonce, 4, epoch, seq);
    if (this.isChaCha) {
      nonce[0] = iv[0]!;
      nonce[1] = iv[1]!;
      nonce[2] = iv[2]!;
      nonce[3] = iv[3]!;
      for (let i = 4; i < 12; i++) nonce[i]! ^= iv[i]!;
    }
  }

  private fillAad(
    aad: Uint8Array,
    epoch: number,
    seq: number,
    type: number,
    version: number,
    len: number,
  ): void {
    writeEpochSeq(aad, 0, epoch, seq);
    aad[8] = type;
    aad[9] = version >> 8;
    aad[10] = version & 0xff;
    aad[11] = len >> 8;
    aad[12] = len & 0xff;
  }

  /** The whole protected record (header included) in one buffer. */
  seal(
    type: number,
    version: number,
    epoch: number,
    seq: number,
    plaintext: Uint8Array,
  ): Uint8Array {
    const bodyLength = this.explicit + plaintext.length + TAG_LENGTH;
    const out = records.alloc(RECORD_HEADER_LENGTH + bodyLength);
    writeRecordHeader(out, 0, type, version, epoch, seq, bodyLength);
    this.fillNonce(this.writeNonce, this.writeIv, epoch, seq);
    this.fillAad(this.writeAad, epoch, seq, type, version, plaintext.length);
    const nonce = this.writeNonce;
    for (let i = 0; i < this.explicit; i++) out[RECORD_HEADER_LENGTH + i] = nonce[4 + i]!;
    // A new cipher per record is the only way node:crypto takes a new GCM nonce. The AAD
    // length needs no plaintextLength (that is for CCM).
    const cipher = createCipheriv(
      this.suite.aead as 'aes-128-gcm',
      this.writeKeyObject,
      nonce,
      CIPHER_OPTIONS,
    );
    cipher.setAAD(this.writeAad);
    const ct = cipher.update(plaintext);
    cipher.final();
    const o = RECORD_HEADER_LENGTH + this.explicit;
    out.set(ct, o);
    out.set(cipher.getAuthTag(), o + ct.length);
    return out;
  }

  /**
   * The plaintext, or undefined if the record does not authenticate. The plaintext is a new
   * buffer that nothing else references: the layer above may keep it.
   */
  open(
    type: number,
    version: number,
    epoch: number,
    seq: number,
    body: Uint8Array,
  ): Uint8Array | undefined {
    const ctLength = body.length - this.explicit - TAG_LENGTH;
    if (ctLength < 0) return undefined;
    const nonce = this.readNonce;
    if (this.explicit > 0) for (let i = 0; i < this.explicit; i++) nonce[4 + i] = body[i]!;
    else this.fillNonce(nonce, this.readIv, epoch, seq);
    this.fillAad(this.readAad, epoch, seq, type, version, ctLength);
    try {
      const decipher = createDecipheriv(
        this.suite.aead as 'aes-128-gcm',
        this.readKeyObject,
        nonce,
        CIPHER_OPTIONS,
      );
      decipher.setAAD(this.readAad);
      decipher.setAuthTag(body.subarray(body.length - TAG_LENGTH));
      const pt = decipher.update(body.subarray(this.explicit, this.explicit + ctLength));
      decipher.final();
      return pt;
    } catch {
      return undefined;
    }
  }
}
