/**
 * SASLprep (RFC 4013) as STUN applies it to usernames, realms and passwords: characters
 * "commonly mapped to nothing" (RFC 3454 B.1) are removed, non-ASCII spaces (C.1.2) become
 * U+0020, then NFKC. Prohibited-character and bidi checks are not applied: a key derived from
 * such a string simply will not match the peer's, which is the failure the caller reports.
 */
export function saslprep(text: string): string {
  let plain = true;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) {
      plain = false;
      break;
    }
  }
  // Printable ASCII is its own SASLprep form.
  if (plain) return text;
  let out = '';
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (mapsToNothing(c)) continue;
    out += isNonAsciiSpace(c) ? ' ' : ch;
  }
  return out.normalize('NFKC');
}

function mapsToNothing(c: number): boolean {
  return (
    c === 0x00ad ||
    c === 0x034f ||
    c === 0x1806 ||
    (c >= 0x180b && c <= 0x180d) ||
    (c >= 0x200b && c <= 0x200d) ||
    c === 0x2060 ||
    (c >= 0xfe00 && c <= 0xfe0f) ||
    c === 0xfeff
  );
}

function isNonAsciiSpace(c: number): boolean {
  return (
    c === 0x00a0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200b) ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000
  );
}
