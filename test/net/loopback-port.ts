import { createSocket } from 'node:dgram';
import { once } from 'node:events';

/** A UDP port that was free on 127.0.0.1 a moment ago. */
export async function freeLoopbackPort(): Promise<number> {
  const s = createSocket('udp4');
  s.bind(0, '127.0.0.1');
  await once(s, 'listening');
  const port = s.address().port;
  s.close();
  return port;
}

/** Whether some socket holds `port` on 127.0.0.1 (an exclusive bind there fails). */
export async function loopbackPortInUse(port: number): Promise<boolean> {
  const s = createSocket('udp4');
  const inUse = await new Promise<boolean>((resolve) => {
    s.once('error', () => resolve(true));
    s.bind({ port, address: '127.0.0.1', exclusive: true }, () => resolve(false));
  });
  s.close();
  return inUse;
}
