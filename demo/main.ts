/**
 * `npm start`: runs the demo server until Ctrl-C.
 * PORT (default 8080) and HOST (default 127.0.0.1) choose where the page is served.
 */
import { startDemoServer } from './server.js';

function portFromEnv(value: string | undefined): number {
  if (value === undefined || value === '') return 8080;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`PORT must be an integer from 0 to 65535, not ${JSON.stringify(value)}`);
    process.exit(2);
  }
  return port;
}

const port = portFromEnv(process.env.PORT);
const host = process.env.HOST || '127.0.0.1';
const time = () => new Date().toISOString().slice(11, 23);

let server: Awaited<ReturnType<typeof startDemoServer>>;
try {
  server = await startDemoServer({
    port,
    host,
    log: (line) => console.log(`${time()} ${line}`),
  });
} catch (err) {
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'EADDRINUSE') {
    console.error(`port ${port} is in use: set PORT to another one, e.g. PORT=8081 npm start`);
  } else {
    console.error(`the demo could not start: ${e.message ?? String(err)}`);
  }
  process.exit(1);
}

console.log(`tsrtc demo: open ${server.url} in a browser (Ctrl-C stops it)`);

let stopping = false;
const stop = () => {
  if (stopping) process.exit(130);
  stopping = true;
  console.log('stopping');
  void server.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
