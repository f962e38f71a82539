import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import WebSocket from 'ws';
import { type DemoServer, loadTsrtc, startDemoServer } from '../../demo/server.js';
import type { PeerConnectionConstructor } from '../../demo/w3c.js';
import { type Browser, chromiumUnavailable, launchBrowser } from '../interop/chromium.js';

// The demo that `npm start` runs, end to end: Chromium opens the page and talks to the peer in
// the server. DEMO_STACK=wrtc puts libwebrtc's Node binding in tsrtc's place, to check the test
// itself.
const stackName = process.env.DEMO_STACK === 'wrtc' ? 'wrtc' : 'tsrtc';
const RTCPeerConnection: PeerConnectionConstructor =
  stackName === 'wrtc'
    ? (
        (await import('@roamhq/wrtc')) as unknown as {
          default: { RTCPeerConnection: PeerConnectionConstructor };
        }
      ).default.RTCPeerConnection
    : await loadTsrtc();
/** Half of what `npm start` sends, which keeps this file well under a minute on a busy machine. */
const THROUGHPUT_TEST_BYTES = 8 * 1024 * 1024;
type Node = { textContent: string | null };

async function startServer(log: string[]): Promise<DemoServer> {
  return startDemoServer({
    port: 0,
    host: '127.0.0.1',
    RTCPeerConnection,
    stackName,
    throughputBytes: THROUGHPUT_TEST_BYTES,
    log: (line) => log.push(line),
  });
}

/** A WebSocket client that reads the server's replies one at a time. */
class SignalingClient {
  readonly ws: WebSocket;
  readonly #inbox: Record<string, unknown>[] = [];
  #wake: (() => void) | undefined;
  closeCode: number | undefined;

  constructor(url: string) {
    this.ws = new WebSocket(url);
    this.ws.on('message', (data) => {
      this.#inbox.push(JSON.parse(data.toString()) as Record<string, unknown>);
      this.#wake?.();
    });
    this.ws.on('close', (code) => {
      this.closeCode = code;
      this.#wake?.();
    });
    this.ws.on('error', () => {});
  }

  opened(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
  }

  /** The next reply that is not a trickled candidate. */
  async next(timeoutMs = 5000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.#inbox.findIndex((m) => m.type !== 'candidate');
      if (i >= 0) return this.#inbox.splice(i, 1)[0];
      if (this.closeCode !== undefined) throw new Error(`socket closed (${this.closeCode})`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('no reply from the server');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  async closed(timeoutMs = 5000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (this.closeCode === undefined && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    if (this.closeCode === undefined) throw new Error('socket still open');
    return this.closeCode;
  }
}

describe(`demo server (${stackName})`, () => {
  const log: string[] = [];
  let server: DemoServer;
  before(async () => {
    server = await startServer(log);
  });
  after(async () => {
    await server?.close();
  });

  test('serves the page and nothing else', async () => {
    const base = `http://127.0.0.1:${server.port}`;
    const page = await fetch(`${base}/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(await page.text(), /<title>tsrtc demo<\/title>/);
    assert.equal((await fetch(`${base}/../package.json`)).status, 404);
    assert.equal((await fetch(`${base}/nope`)).status, 404);
    assert.equal((await fetch(`${base}/`, { method: 'POST', body: 'x' })).status, 405);
  });

  test('refuses malformed signaling with an error reply and keeps the session', async () => {
    const url = `ws://127.0.0.1:${server.port}/ws`;
    const client = new SignalingClient(url);
    await client.opened();
    assert.deepEqual(await client.next(), {
      type: 'hello',
      stack: stackName,
      throughputBytes: THROUGHPUT_TEST_BYTES,
    });

    const garbage: [string | Buffer, RegExp][] = [
      ['not json at all', /not valid JSON/],
      ['[1,2,3]', /JSON object/],
      ['null', /JSON object/],
      ['{"type":5}', /no string "type"/],
      ['{"type":"launch-missiles"}', /unknown message type/],
      ['{"type":"offer"}', /non-empty string "sdp"/],
      ['{"type":"offer","sdp":42}', /non-empty string "sdp"/],
      ['{"type":"candidate"}', /no "candidate"/],
      ['{"type":"candidate","candidate":{"candidate":"x"}}', /"sdpMid" or "sdpMLineIndex"/],
      ['{"type":"candidate","candidate":{"candidate":"x","sdpMLineIndex":-1}}', /sdpMLineIndex/],
      ['{"type":"candidate","candidate":{"candidate":"x","sdpMid":"0"}}', /offer before/],
      [Buffer.from([0xff, 0x00, 0x7b]), /JSON text/],
      [`{"type":"offer","sdp":"${'v'.repeat(70_000)}"}`, /too large/],
      ['['.repeat(60_000), /not valid JSON/],
      ['{"type":"offer","sdp":"v=0\\r\\nthis is not SDP\\r\\n"}', /./],
    ];
    for (const [message, reply] of garbage) {
      client.ws.send(message);
      const answer = await client.next();
      assert.equal(answer.type, 'error', `reply to ${String(message).slice(0, 60)}`);
      assert.match(String(answer.message), reply);
    }

    // The same socket still negotiates: a real offer gets an answer.
    const offerer = new (
      RTCPeerConnection as unknown as new () => {
        createDataChannel(label: string): unknown;
        createOffer(): Promise<{ sdp: string }>;
        close(): void;
      }
    )();
    try {
      offerer.createDataChannel('demo');
      const offer = await offerer.createOffer();
      client.ws.send(JSON.stringify({ type: 'offer', sdp: offer.sdp }));
      const answer = await client.next();
      assert.equal(answer.type, 'answer');
      assert.match(String(answer.sdp), /^a=fingerprint:sha-256 /m);
      assert.match(String(answer.sdp), /^m=application \d+ UDP\/DTLS\/SCTP webrtc-datachannel/m);

      // A candidate line that does not parse is refused; the session goes on.
      client.ws.send(
        JSON.stringify({
          type: 'candidate',
          candidate: { candidate: 'candidate:junk', sdpMid: '0' },
        }),
      );
      assert.equal((await client.next()).type, 'error');
      client.ws.send(JSON.stringify({ type: 'offer', sdp: 'v=0' }));
      assert.equal((await client.next()).type, 'error');
    } finally {
      offerer.close();
      client.ws.close();
    }
  });

  test('broken offers get an answer or an error, never a crash', async () => {
    const offerer = new (
      RTCPeerConnection as unknown as new () => {
        createDataChannel(label: string): unknown;
        createOffer(): Promise<{ sdp: string }>;
        close(): void;
      }
    )();
    offerer.createDataChannel('demo');
    const sdp = (await offerer.createOffer()).sdp;
    offerer.close();
    const lines = sdp.split('\r\n');
    const without = (prefix: string) => lines.filter((l) => !l.startsWith(prefix)).join('\r\n');
    const replace = (prefix: string, line: string) =>
      lines.map((l) => (l.startsWith(prefix) ? line : l)).join('\r\n');
    const mSection = lines.slice(lines.findIndex((l) => l.startsWith('m='))).join('\r\n');
    const broken = [
      without('a=fingerprint:'),
      replace('a=fingerprint:', 'a=fingerprint:sha-256 AB:CD'),
      without('a=ice-ufrag:'),
      without('a=ice-pwd:'),
      replace('m=', 'm=application abc UDP/DTLS/SCTP webrtc-datachannel'),
      replace('a=sctp-port:', 'a=sctp-port:99999999'),
      replace('a=max-message-size:', 'a=max-message-size:-1'),
      replace('a=setup:', 'a=setup:sideways'),
      replace('c=', 'c=IN IP9 not-an-address'),
      `${sdp}${mSection}`,
      sdp.slice(0, sdp.length >> 1),
      sdp.replaceAll('\r\n', '\n'),
      sdp.replace('v=0', 'v=0\u0000\uffff'),
      `${sdp}${'a=candidate:x\r\n'.repeat(3000)}`,
    ];
    const url = `ws://127.0.0.1:${server.port}/ws`;
    for (const offer of broken) {
      const client = new SignalingClient(url);
      await client.opened();
      assert.equal((await client.next()).type, 'hello');
      client.ws.send(JSON.stringify({ type: 'offer', sdp: offer }));
      const reply = await client.next();
      assert.ok(reply.type === 'answer' || reply.type === 'error', JSON.stringify(reply));
      client.ws.close();
      await client.closed();
    }
    assert.equal((await fetch(`http://127.0.0.1:${server.port}/`)).status, 200);
  });

  test('a frame over the size limit closes only that socket', async () => {
    const url = `ws://127.0.0.1:${server.port}/ws`;
    const big = new SignalingClient(url);
    await big.opened();
    await big.next();
    big.ws.send('x'.repeat(300 * 1024));
    assert.equal(await big.closed(), 1009);

    const other = new SignalingClient(url);
    await other.opened();
    assert.equal((await other.next()).type, 'hello');
    other.ws.close();
    assert.equal((await fetch(`http://127.0.0.1:${server.port}/`)).status, 200);
  });
});

describe(`demo page in Chromium (${stackName})`, () => {
  const log: string[] = [];
  const pageErrors: string[] = [];
  let server: DemoServer;
  let browser: Browser;
  let page: Page;

  before(async () => {
    const skip = chromiumUnavailable();
    if (skip) throw new Error(skip);
    server = await startServer(log);
    // IPv4 only, as on most home networks the demo is shown on.
    browser = await launchBrowser({ viewport: { width: 1000, height: 760 }, ipv6: false });
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    page.on('pageerror', (err) => pageErrors.push(err.message));
    await page.goto(`http://127.0.0.1:${server.port}/`);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  const text = async (selector: string) => (await page.locator(selector).textContent()) ?? '';
  /** Waits until some element that `selector` matches has text matching `pattern`. */
  const waitText = (selector: string, pattern: RegExp, timeout = 10_000) =>
    page.waitForFunction(
      ([sel, source]) => {
        // Runs in the page, which has a DOM; this project's type setup has none.
        const doc = (
          globalThis as unknown as { document: { querySelectorAll(s: string): Iterable<Node> } }
        ).document;
        const re = new RegExp(source);
        return [...doc.querySelectorAll(sel)].some((n) => re.test(n.textContent ?? ''));
      },
      [selector, pattern.source] as const,
      { timeout },
    );

  test('connects and shows the state and the selected candidate pair', async () => {
    try {
      await waitText('#state', /^connected$/, 15_000);
    } catch (err) {
      throw new Error(
        `not connected: state ${await text('#state')}; server log:\n${log.join('\n')}`,
        {
          cause: err,
        },
      );
    }
    assert.equal(await text('#stack'), stackName);
    await waitText('#channel-state', /^open$/);
    assert.equal(await text('#signaling-state'), 'open');
    assert.match(await text('#ice-state'), /^(connected|completed)$/);
    // tsrtc's host candidate is on the namespace's veth pair (libwebrtc also uses loopback);
    // Chromium hides its own address behind an mDNS name. The pair is IPv6 when the interop
    // tests sharing the namespace gave Chromium an IPv6 route first.
    const serverAddr = stackName === 'tsrtc' ? '(10\\.77\\.0\\.[12]|fd77::[12])' : '\\S+';
    // Chromium may learn the server's address from a check before the candidate arrives by
    // signaling, and then reports it as peer-reflexive (and may withhold its address).
    await waitText(
      '#pair-remote',
      new RegExp(`^(${serverAddr}:\\d+ udp (host|prflx)|\\(address hidden\\):\\d+ udp prflx)$`),
    );
    await waitText('#pair-local', /:\d+ udp (host|prflx)$/);
    // The server's own view of the pair, sent over the data channel.
    await waitText(
      '#pair-server',
      new RegExp(`^${serverAddr}:\\d+ udp host ⇄ .+:\\d+ udp (host|prflx)$`),
    );
  });

  test('the server answers chat messages', async () => {
    const said = 'hello from Chromium 👋';
    await page.fill('#chat-input', said);
    await page.click('#chat-send');
    await waitText('#chat-log li.me', /hello from Chromium/);
    await waitText('#chat-log li.server', /👋 muimorhC morf olleh/);
    assert.equal(await page.inputValue('#chat-input'), '');
    assert.equal(await page.locator('#chat-log li').count(), 2);
  });

  test('shows the round-trip time the server measures', async () => {
    await waitText('#rtt', /^\d+\.\d+$/);
    const rtt = Number(await text('#rtt'));
    assert.ok(rtt > 0 && rtt < 1000, `RTT ${rtt} ms`);
    await waitText('#rtt-detail', /^min \d+\.\d+ · avg \d+\.\d+ · last \d+ pings$/);
  });

  test('runs the throughput test and shows MB/s', async () => {
    await page.click('#throughput-button');
    await waitText('#throughput-result', /^\d+\.\d$/, 25_000);
    const mbps = Number(await text('#throughput-result'));
    assert.ok(mbps > 0, `throughput ${mbps} MB/s`);
    assert.match(
      await text('#throughput-detail'),
      /^8\.0 MiB in \d+\.\d\d s \(512 messages of 16 KiB\)$/,
    );
    const progress = await page.locator('#throughput-progress').evaluate((p) => p.value);
    assert.equal(progress, THROUGHPUT_TEST_BYTES);
    assert.equal(await page.isEnabled('#throughput-button'), true);
    assert.equal(await text('#notice'), '', 'no error shown');

    const shot = process.env.DEMO_SCREENSHOT ?? join(browser.profileDir, 'demo.png');
    await page.screenshot({ path: shot, fullPage: true });
    assert.ok((await import('node:fs')).statSync(shot).size > 10_000, 'screenshot written');
  });

  test('garbage on the data channel gets an error and the chat goes on', async () => {
    await page.evaluate(() => {
      const { channel } = (
        globalThis as unknown as { demo: { channel: { send(d: unknown): void } } }
      ).demo;
      channel.send('{"type":"chat"}');
      channel.send(new Uint8Array([1, 2, 3]));
      channel.send('x'.repeat(10_000));
    });
    await waitText('#notice', /^server: /);
    await page.fill('#chat-input', 'still here?');
    await page.click('#chat-send');
    await waitText('#chat-log li.server', /\?ereh llits/);
    assert.equal(await text('#state'), 'connected');
    assert.deepEqual(pageErrors, []);
  });
});
