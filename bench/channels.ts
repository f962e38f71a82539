/**
 * Workload 6: 1,024 channels on one connection, one message each way. The first channel opens
 * with the connection; of the other 1,023, each peer creates half, because libwebrtc and usrsctp
 * negotiate 1,024 streams and each side owns the ids of one parity.
 */
import { type ConnectedPair, type DataChannelLike, deferred, type Stack } from './stacks.js';

export const CHANNELS = 1024;

/** Ms from the first message sent to the last answer, on every channel of a connected pair. */
export async function timeChannels(stack: Stack, { a, b, ca, cb }: ConnectedPair): Promise<number> {
  const all = deferred();
  let answered = 0;
  const echo = (ch: DataChannelLike) => {
    ch.onmessage = () => ch.send('pong');
  };
  const mine = (ch: DataChannelLike) => {
    ch.onmessage = () => {
      if (++answered === CHANNELS) all.resolve();
    };
  };
  a.ondatachannel = (ev) => echo(ev.channel);
  b.ondatachannel = (ev) => echo(ev.channel);
  echo(cb);
  mine(ca);
  // Stacks that open late channels silently are watched by one shared poll.
  const silent = new Set<DataChannelLike>();
  const poll = stack.firesLateOpen
    ? undefined
    : setInterval(() => {
        for (const ch of silent) {
          if (ch.readyState === 'open') {
            silent.delete(ch);
            ch.send('ping');
          }
        }
      }, 1);
  try {
    const t0 = performance.now();
    ca.send('ping');
    // Each side owns half of the 1,024 stream ids libwebrtc and usrsctp negotiate.
    for (let i = 1; i < CHANNELS; i++) {
      const ch = (i % 2 ? b : a).createDataChannel(`c${i}`);
      mine(ch);
      if (poll) silent.add(ch);
      else ch.onopen = () => ch.send('ping');
    }
    await all.promise;
    return performance.now() - t0;
  } finally {
    clearInterval(poll);
  }
}
