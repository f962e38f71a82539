/** Small text helpers shared by the SDP line and attribute parsers. */

const FIELD_SEPARATOR = /[ \t]+/;
const DIGITS = /^[0-9]+$/;
/** RFC 8866 token-char: printable ASCII except space and "\"(),/:;<=>?@[]{}. */
const TOKEN = /^[!#$%&'*+\-.0-9A-Z^_`a-z{|}~]+$/;

/** Splits on runs of spaces or tabs, ignoring them at either end. */
export function splitFields(text: string): string[] {
  const trimmed = trimBlanks(text);
  return trimmed === '' ? [] : trimmed.split(FIELD_SEPARATOR);
}

/** Removes spaces and tabs (not other whitespace) from both ends. */
export function trimBlanks(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isBlank(text.charCodeAt(start))) start++;
  while (end > start && isBlank(text.charCodeAt(end - 1))) end--;
  return text.slice(start, end);
}

function isBlank(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

/**
 * Splits off the first field: returns [first, rest] where rest is what follows the blanks after
 * it, trimmed ('' when there is nothing more).
 */
export function splitFirstField(text: string): [string, string] {
  const trimmed = trimBlanks(text);
  const match = FIELD_SEPARATOR.exec(trimmed);
  if (match === null) return [trimmed, ''];
  return [trimmed.slice(0, match.index), trimmed.slice(match.index + match[0].length)];
}

/** A decimal integer in [min, max], or undefined. */
export function parseInteger(text: string, min: number, max: number): number | undefined {
  if (text.length === 0 || text.length > 16 || !DIGITS.test(text)) return undefined;
  const n = Number(text);
  return n >= min && n <= max ? n : undefined;
}

export function isToken(text: string): boolean {
  return TOKEN.test(text);
}

/** Quotes a line for an error message, cut short when long. */
export function quoteLine(line: string): string {
  const shown = line.length > 80 ? `${line.slice(0, 77)}...` : line;
  return JSON.stringify(shown);
}
