/** Serial number arithmetic (RFC 1982) for 32-bit TSNs and 16-bit SSNs. */

/** a < b for 32-bit serial numbers. */
export function tsnLt(a: number, b: number): boolean {
  return ((a - b) | 0) < 0;
}

/** a <= b for 32-bit serial numbers. */
export function tsnLe(a: number, b: number): boolean {
  return ((a - b) | 0) <= 0;
}

/** b - a as a signed distance between 32-bit serial numbers. */
export function tsnDiff(a: number, b: number): number {
  return (b - a) | 0;
}

export function tsnAdd(a: number, n: number): number {
  return (a + n) >>> 0;
}

/** a < b for 16-bit serial numbers. */
export function ssnLt(a: number, b: number): boolean {
  return ((((a - b) << 16) >> 16) | 0) < 0;
}
