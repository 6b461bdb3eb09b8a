/**
 * A real local webhook receiver (node:http on port 0) for the webhook tests: it records every
 * request (path, headers, raw body) and answers with what the test's handler says, or never
 * answers at all ('hang').
 */
import http from 'node:http';

export interface Received {
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  /** The raw body, exactly as sent (signatures are over these bytes). */
  readonly body: string;
  readonly json: any;
}

export type Answer = number | 'hang';

export interface Receiver {
  readonly url: string;
  readonly received: Received[];
  /** Resolves with the next request to arrive (or the first one not yet awaited). */
  next(): Promise<Received>;
  close(): Promise<void>;
}

export async function startReceiver(answer: (r: Received, index: number) => Answer = () => 200): Promise<Receiver> {
  const received: Received[] = [];
  const waiting: Array<(r: Received) => void> = [];
  let handed = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
      const r: Received = { path: req.url ?? '/', headers: req.headers, body, json };
      const index = received.length;
      received.push(r);
      const a = answer(r, index);
      if (a !== 'hang') res.writeHead(a, { 'Content-Type': 'text/plain' }).end('ok');
      const w = waiting.shift();
      if (w) {
        handed++;
        w(r);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    next() {
      if (handed < received.length) return Promise.resolve(received[handed++]!);
      return new Promise((resolve) => waiting.push(resolve));
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
