import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  path: string;
  body: { text: string; blocks: unknown[] };
  id: string | undefined;
  atMs: number;
}

/**
 * A webhook receiver on loopback (notify tests). `/ok` answers 200; `/flaky` answers 503 to the first
 * `failFirst` calls of each notification, then 200; `/fail` always answers 500; `/hang` never answers.
 */
export interface WebhookReceiver {
  url(path: string): string;
  /** Bodies answered 200, in arrival order. */
  received: Received[];
  /** Calls per `<path>:<notification id>`, failures included. */
  calls: Map<string, number>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(failFirst = 2): Promise<WebhookReceiver> {
  const received: Received[] = [];
  const calls = new Map<string, number>();
  const hanging = new Set<ServerResponse>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const id = req.headers['x-oi-notification-id'] as string | undefined;
      const key = `${req.url}:${id}`;
      const n = (calls.get(key) ?? 0) + 1;
      calls.set(key, n);
      if (req.url === '/hang') {
        hanging.add(res);
        return;
      }
      if (req.url === '/fail' || (req.url === '/flaky' && n <= failFirst)) {
        res.writeHead(503).end('busy');
        return;
      }
      received.push({
        path: req.url ?? '',
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Received['body'],
        id,
        atMs: Date.now(),
      });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    received,
    calls,
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
