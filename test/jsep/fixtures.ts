/** Loads the hand-written browser SDPs in fixtures/, with CRLF line endings as sent on the wire. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

export const FIXTURE_NAMES = [
  'chrome-datachannel-offer',
  'chrome-av-simulcast-offer',
  'firefox-offer',
  'ice-lite-server-answer',
] as const;

export type FixtureName = (typeof FIXTURE_NAMES)[number];

export function loadFixture(name: FixtureName): string {
  const text = readFileSync(join(here, 'fixtures', `${name}.sdp`), 'utf8');
  return text.replaceAll('\r\n', '\n').replaceAll('\n', '\r\n');
}
