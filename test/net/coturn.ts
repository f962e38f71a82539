/**
 * Runs Debian's coturn (`turnserver`) for a test: a config file in a temp dir, UDP only, no
 * TLS/CLI/auth, database in the temp dir, a free port; waits until it answers a STUN Binding
 * request and stops it by PID.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Address,
  decodeStun,
  getXorMappedAddress,
  StunMessageBuilder,
  StunMethod,
  sameId,
} from '../../src/stun/index.js';

export const TURNSERVER = '/usr/bin/turnserver';

export function coturnSkipReason(): string | false {
  return existsSync(TURNSERVER) ? false : `${TURNSERVER} (Debian package coturn) is not installed`;
}

export interface Coturn {
  /** Listening addresses, all on `port`. */
  listening: Address[];
  port: number;
  /** Everything coturn wrote to stdout/stderr, for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

/** A port no UDP socket uses on any of `addresses` right now. */
async function freeUdpPort(addresses: string[]): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const probe = createSocket('udp4');
    const port = await new Promise<number>((resolve, reject) => {
      probe.once('error', reject);
      probe.bind(0, addresses[0], () => resolve(probe.address().port));
    });
    probe.close();
    // coturn also takes port + 1 (RFC 5780 alternate port); ask for both to be free.
    const ok = await Promise.all(
      addresses.flatMap((a) => [port, port + 1].map((p) => canBind(a, p))),
    );
    if (ok.every(Boolean) && port < 65535) return port;
  }
  throw new Error('no free UDP port for coturn');
}

function canBind(address: string, port: number): Promise<boolean> {
  const s = createSocket('udp4');
  return new Promise((resolve) => {
    s.once('error', () => resolve(false));
    s.bind(port, address, () => {
      s.close();
      resolve(true);
    });
  });
}

export async function startCoturn(addresses: string[]): Promise<Coturn> {
  const dir = await mkdtemp(join(tmpdir(), 'tsrtc-coturn-'));
  const port = await freeUdpPort(addresses);
  const conf = [
    `listening-port=${port}`,
    ...addresses.map((a) => `listening-ip=${a}`),
    ...addresses.map((a) => `relay-ip=${a}`),
    'min-port=49152',
    'max-port=49300',
    'no-tls',
    'no-dtls',
    'no-tcp',
    'no-cli',
    'no-auth',
    'fingerprint',
    'log-file=stdout',
    'simple-log',
    `pidfile=${join(dir, 'turnserver.pid')}`,
    `userdb=${join(dir, 'turndb')}`,
    '',
  ].join('\n');
  const confPath = join(dir, 'turnserver.conf');
  await writeFile(confPath, conf);

  const child = spawn(TURNSERVER, ['-c', confPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (b: Buffer) => {
    output += b.toString();
  });
  child.stderr?.on('data', (b: Buffer) => {
    output += b.toString();
  });
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  child.once('error', (err) => {
    output += `\nspawn error: ${err.message}`;
  });

  const listening = addresses.map((address) => ({ address, port, family: 'IPv4' as const }));
  const server: Coturn = {
    listening,
    port,
    log: () => output,
    stop: async () => {
      await stopChild(child, exited);
      await rm(dir, { recursive: true, force: true });
    },
  };
  try {
    for (const target of listening) await waitUntilAnswering(target, child, 10_000);
  } catch (err) {
    await server.stop();
    throw new Error(`coturn did not start: ${(err as Error).message}\n${output}`);
  }
  return server;
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  try {
    process.kill(child.pid, 'SIGTERM');
  } catch {
    return;
  }
  const killer = setTimeout(() => {
    if (child.pid !== undefined && child.exitCode === null) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
  }, 3000);
  await exited;
  clearTimeout(killer);
}

/** One Binding request/response over a fresh socket on `from` (retransmitted until answered). */
export async function stunBinding(
  server: Address,
  opts: { from?: string; timeoutMs?: number; build?: (b: StunMessageBuilder) => void } = {},
): Promise<{ response: Uint8Array; local: Address }> {
  const socket = createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, opts.from ?? '127.0.0.1', () => r()));
  try {
    const bound = socket.address();
    const local: Address = { address: bound.address, port: bound.port, family: 'IPv4' };
    const b = new StunMessageBuilder(StunMethod.Binding, 'request');
    opts.build?.(b);
    const request = b.build();
    const response = await exchange(
      socket,
      request,
      b.transactionId,
      server,
      opts.timeoutMs ?? 5000,
    );
    return { response, local };
  } finally {
    socket.close();
  }
}

function exchange(
  socket: Socket,
  request: Uint8Array,
  transactionId: Uint8Array,
  server: Address,
  timeoutMs: number,
): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const send = () => socket.send(request, server.port, server.address);
    const retransmit = setInterval(send, 200);
    const deadline = setTimeout(() => {
      finish();
      reject(new Error(`no STUN answer from ${server.address}:${server.port}`));
    }, timeoutMs);
    const onMessage = (msg: Buffer) => {
      const d = decodeStun(msg);
      if (!d.ok || !sameId(d.message.transactionId, transactionId)) return;
      finish();
      resolve(new Uint8Array(msg));
    };
    const finish = () => {
      clearInterval(retransmit);
      clearTimeout(deadline);
      socket.off('message', onMessage);
    };
    socket.on('message', onMessage);
    send();
  });
}

async function waitUntilAnswering(server: Address, child: ChildProcess, timeoutMs: number) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`turnserver exited with ${child.exitCode}`);
    try {
      const { response } = await stunBinding(server, { timeoutMs: 500 });
      const d = decodeStun(response);
      if (d.ok && getXorMappedAddress(d.message)) return;
    } catch {
      // not up yet
    }
  }
  throw new Error(`no answer on ${server.address}:${server.port}`);
}
