/**
 * `{ ...base, ...extra }`, for objects made per connection, per channel or per message. In V8
 * (Node 20), properties added after a spread that the spread object lacks give every result a
 * hidden class of its own: a new map per call, old-generation garbage, and megamorphic code
 * wherever the results are read. Object.assign into a fresh object shares hidden classes.
 */
export function withFields<A extends object, B extends object>(
  base: A | undefined,
  extra: B,
): A & B {
  return Object.assign({}, base, extra) as A & B;
}
