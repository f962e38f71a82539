/**
 * Keeps the exact text a model object was parsed from, for byte-exact round trips of input that
 * is valid but not in canonical form (extra spaces, leading zeros, "; " between fmtp
 * parameters, Chrome's "msid-semantic: WMS").
 *
 * The text is held outside the object, so the model stays plain data (deepEqual, JSON and
 * structuredClone see only its fields). The serializer writes the original text only while the
 * object's canonical form is still the one it had when parsed: editing a field, or building a new
 * object, gives canonical output with no stale text.
 */

interface OriginalText {
  canonical: string;
  original: string;
}

const originals = new WeakMap<object, OriginalText>();

/** Records that `owner`, whose canonical text is `canonical`, was parsed from `original`. */
export function rememberOriginalText(owner: object, canonical: string, original: string): void {
  if (canonical !== original) originals.set(owner, { canonical, original });
}

/** The text to write for `owner` given its canonical text now. */
export function textToWrite(owner: object, canonical: string): string {
  const kept = originals.get(owner);
  return kept !== undefined && kept.canonical === canonical ? kept.original : canonical;
}
