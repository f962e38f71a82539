import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import { DemoSession, THROUGHPUT_BYTES } from './session.js';
import type { PeerConnectionConstructor } from './w3c.js';

export interface DemoServerOptions {
  /** TCP port of the page and the signaling WebSocket; 0 picks a free one. Default 8080. */
  port?: number;
  /** Address to listen on. Default 127.0.0.1: the page is then a secure context on localhost. */
  host?: string;
  /** The WebRTC implementation answering the browsers. Default: tsrtc's RTCPeerConnection. */
  RTCPeerConnection?: PeerConnectionConstructor;
  /** Name shown on the page for the implementation. Default "tsrtc". */
  stackName?: string;
  /** Bytes the throughput test sends. Default 16 MiB. */
  throughputBytes?: number;
  /** Passed to every RTCPeerConnection. */
  rtcConfiguration?: Record<string, unknown>;
  /** Browser tabs served at once; more are turned away. Default 16. */
  maxSessions?: number;
  /** Receives one line per notable event. Default: nothing. */
  log?: (line: string) => void;
}

export interface DemoServer {
  /** http://host:port/ of the page. */
  readonly url: string;
  readonly port: number;
  /** Browser tabs currently connected. */
  readonly sessions: number;
  close(): Promise<void>;
}

/** WebSocket frames above this are refused by closing the socket (1009) before being buffered. */
const MAX_FRAME_BYTES = 256 * 1024;

/** Loads tsrtc's RTCPeerConnection, with a clear error when this build does not have it. */
export async function loadTsrtc(): Promise<PeerConnectionConstructor> {
  const mod = (await import('../src/index.js')) as Record<string, unknown>;
  if (typeof mod.RTCPeerConnection !== 'function') {
    throw new Error('this build of tsrtc does not export RTCPeerConnection');
  }
  return mod.RTCPeerConnection as PeerConnectionConstructor;
}

/**
 * Starts the demo: an HTTP server with one page (index.html beside this file) and a WebSocket at
 * /ws through which each page negotiates a data channel with a peer connection in this process.
 */
export async function startDemoServer(opts: DemoServerOptions = {}): Promise<DemoServer> {
  const RTCPeerConnection = opts.RTCPeerConnection ?? (await loadTsrtc());
  const stackName = opts.stackName ?? (opts.RTCPeerConnection ? 'custom' : 'tsrtc');
  const log = opts.log ?? (() => {});
  const maxSessions = opts.maxSessions ?? 16;
  const page = await readFile(new URL('./index.html', import.meta.url));

  const http = createServer((req, res) => servePage(req, res, page));
  const wss = new WebSocketServer({ server: http, path: '/ws', maxPayload: MAX_FRAME_BYTES });
  const sessions = new Set<DemoSession>();
  let nextId = 1;

  wss.on('connection', (ws: WebSocket, req: IncomingMessage) => {
    const id = nextId++;
    const tag = `[${id} ${req.socket.remoteAddress ?? '?'}]`;
    // Without a listener, an 'error' event (an oversized or malformed frame) would throw.
    ws.on('error', (err) => log(`${tag} websocket error: ${err.message}`));
    if (sessions.size >= maxSessions) {
      ws.close(1013, 'too many sessions, try again later');
      return;
    }
    log(`${tag} page connected`);
    const session = new DemoSession({
      RTCPeerConnection,
      rtcConfiguration: opts.rtcConfiguration ?? {},
      stackName,
      throughputBytes: opts.throughputBytes ?? THROUGHPUT_BYTES,
      signal: (message) => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
      },
      log: (line) => log(`${tag} ${line}`),
    });
    sessions.add(session);
    ws.on('message', (data, isBinary) => {
      session.handleSignaling(isBinary ? data : data.toString('utf8'));
    });
    ws.on('close', () => {
      log(`${tag} page gone`);
      sessions.delete(session);
      session.close();
    });
  });
  // The WebSocket server repeats the HTTP server's errors; a failed listen() is reported by
  // startDemoServer's rejection instead.
  let listening = false;
  wss.on('error', (err) => {
    if (listening) log(`websocket server error: ${err.message}`);
  });

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(opts.port ?? 8080, opts.host ?? '127.0.0.1', () => {
      http.off('error', reject);
      resolve();
    });
  });
  listening = true;
  const address = http.address() as AddressInfo;
  const shownHost = isLoopback(address.address)
    ? 'localhost'
    : address.family === 'IPv6'
      ? `[${address.address}]`
      : address.address;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${shownHost}:${address.port}/`,
    port: address.port,
    get sessions() {
      return sessions.size;
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const session of sessions) session.close();
        sessions.clear();
        for (const client of wss.clients) client.terminate();
        wss.close();
        http.closeAllConnections();
        http.close(() => resolve());
      });
      return closing;
    },
  };
}

function isLoopback(address: string): boolean {
  return address === '::1' || address.startsWith('127.');
}

function servePage(req: IncomingMessage, res: ServerResponse, page: Buffer): void {
  const path = (req.url ?? '/').split('?')[0];
  if (path !== '/' && path !== '/index.html') {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('not found\n');
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
    res.end('method not allowed\n');
    return;
  }
  res.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': page.length,
    'cache-control': 'no-store',
  });
  res.end(req.method === 'HEAD' ? undefined : page);
}
