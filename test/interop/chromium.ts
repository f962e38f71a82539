import { execFileSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

/**
 * Debian's Chromium driven by playwright-core, for interop tests. Chromium never gathers ICE
 * candidates on loopback, so these tests run only inside the private network namespace, where
 * it gathers on the veth pair (10.77.0.x, fd77::x) and hides those addresses behind mDNS names.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--no-sandbox', // the tests run as root
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/**
 * Why Chromium cannot run here, or false when it can. Tests report this as a failure, not a
 * skip: an interop run that quietly tests nothing is worse than a red one.
 */
export function chromiumUnavailable(): string | false {
  const netns = namespaceUnavailable();
  if (netns) return `${netns}: Chromium ignores loopback for ICE`;
  try {
    accessSync(CHROMIUM_PATH, constants.X_OK);
  } catch {
    return `Chromium not installed at ${CHROMIUM_PATH} (Debian package "chromium")`;
  }
  return false;
}

/** Why the private network namespace (veth 10.77.0.1/10.77.0.2) is missing, or false. */
export function namespaceUnavailable(): string | false {
  return process.env.NETNS_RUN === '1'
    ? false
    : 'needs the private network namespace: run through scripts/test.mjs (NETNS_RUN=1)';
}

/**
 * Without a page permission for camera or microphone, Chromium gathers host candidates only on
 * the interface of the default route, which it finds by connecting a UDP socket towards
 * 8.8.8.8 and 2001:4860:4860::8888 (connect() on UDP sends nothing). The namespace has no
 * default route, so Chromium would gather nothing; these two host routes through the veth pair
 * give it one. They exist only inside the namespace, whose only links are lo and the veth pair,
 * so nothing can leave the machine.
 */
function prepareNamespaceRoutes(ipv6 = true): void {
  if (process.env.NETNS_RUN !== '1') return;
  execFileSync('ip', ['-4', 'route', 'replace', '8.8.8.8/32', 'dev', 'v0'], { stdio: 'ignore' });
  if (ipv6) {
    const route = ['-6', 'route', 'replace', '2001:4860:4860::8888/128', 'dev', 'v0'];
    execFileSync('ip', route, { stdio: 'ignore' });
  }
}

/** The page every Chromium peer runs in: blank, plus the remote agent as a module. */
const PAGE_HTML = `<!doctype html>
<html><head><meta charset="utf-8"><title>tsrtc interop</title></head>
<body><script type="module">
import * as agent from './remote-agent.js';
window.InteropAgent = agent.InteropAgent;
window.interopChecks = {
  loopbackEcho: () => agent.loopbackEcho(window),
  gatherCandidates: () => agent.gatherCandidates(window),
};
window.agentReady = true;
</script></body></html>`;

export interface ChromiumSession {
  readonly context: BrowserContext;
  /** http://127.0.0.1:port/ of the page with the remote agent. */
  readonly origin: string;
  /** A fresh page with the agent loaded (window.InteropAgent). */
  newAgentPage(): Promise<Page>;
  close(): Promise<void>;
}

/** Serves the agent page on 127.0.0.1 (a secure context, as WebRTC pages are in real use). */
async function serveAgentPage(): Promise<Server> {
  const agentSource = readFileSync(new URL('./remote-agent.js', import.meta.url));
  const server = createServer((req, res) => {
    if (req.url === '/remote-agent.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(agentSource);
    } else if (req.url === '/' || req.url === '/index.html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(PAGE_HTML);
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

export interface BrowserOptions {
  /** Page size; Playwright's default when absent. */
  readonly viewport?: { width: number; height: number };
  /** Whether Chromium gets a default route for IPv6 too, and so gathers IPv6 candidates. */
  readonly ipv6?: boolean;
}

/** Headless Chromium on a fresh profile that `close` deletes. */
export interface Browser {
  readonly context: BrowserContext;
  /** The profile directory, a scratch place for files the test writes. */
  readonly profileDir: string;
  close(): Promise<void>;
}

/**
 * Launches headless Chromium with a fresh profile, after giving it the routes it needs to
 * gather candidates inside the namespace.
 */
export async function launchBrowser(options: BrowserOptions = {}): Promise<Browser> {
  prepareNamespaceRoutes(options.ipv6 ?? true);
  const userDataDir = mkdtempSync(join(tmpdir(), 'tsrtc-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_ARGS,
      ...(options.viewport ? { viewport: options.viewport } : {}),
    });
  } catch (err) {
    rmSync(userDataDir, { recursive: true, force: true });
    throw err;
  }
  let closed = false;
  return {
    context,
    profileDir: userDataDir,
    async close() {
      if (closed) return;
      closed = true;
      await context.close().catch(() => {});
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/**
 * One Chromium for the calling test file: launched on the first call of the function returned,
 * closed once the file's tests are done.
 */
export function chromiumForThisFile(): () => Promise<ChromiumSession> {
  let launched: Promise<ChromiumSession> | undefined;
  after(async () => {
    await launched?.then(
      (c) => c.close(),
      () => {},
    );
  });
  return () => {
    launched ??= launchChromium();
    return launched;
  };
}

/** Launches headless Chromium with a fresh profile, serving the remote agent's page. */
export async function launchChromium(): Promise<ChromiumSession> {
  const server = await serveAgentPage();
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  let browser: Browser;
  try {
    browser = await launchBrowser();
  } catch (err) {
    server.close();
    throw err;
  }
  const { context } = browser;
  let closed = false;
  return {
    context,
    origin,
    async newAgentPage() {
      const page = await context.newPage();
      await page.goto(origin);
      await page.waitForFunction(() => (globalThis as { agentReady?: boolean }).agentReady);
      return page;
    },
    async close() {
      if (closed) return;
      closed = true;
      await browser.close();
      server.closeAllConnections();
      server.close();
    },
  };
}
