import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback HTTP server speaking OpenAI's `POST /v1/chat/completions` with HAND-WRITTEN
 * answers chosen per test: it is not a model, it lets tests drive the LLM path's failure modes.
 */
export type HandWrittenReply =
  | { kind: 'json'; content: string; promptTokens?: number; completionTokens?: number }
  | { kind: 'slow'; delayMs: number; content: string }
  | { kind: 'status'; status: number; body: string };

export interface HandWrittenServer {
  baseUrl: string;
  requests: Array<{ model: string; messages: Array<{ role: string; content: string }> }>;
  next: HandWrittenReply[];
  close(): Promise<void>;
}

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function completion(content: string, promptTokens: number, completionTokens: number): string {
  return JSON.stringify({
    id: 'chatcmpl-hand-written',
    object: 'chat.completion',
    created: 1_700_000_000,
    model: 'hand-written',
    choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content } }],
    usage: {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
    },
  });
}

export async function startHandWrittenServer(): Promise<HandWrittenServer> {
  const state: Omit<HandWrittenServer, 'baseUrl' | 'close'> = { requests: [], next: [] };
  const timers = new Set<NodeJS.Timeout>();
  const server: Server = createServer((req, res) => {
    void body(req).then((text) => {
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
        res.writeHead(404).end('{"error":{"message":"not found"}}');
        return;
      }
      state.requests.push(JSON.parse(text) as HandWrittenServer['requests'][number]);
      const reply = state.next.shift() ?? {
        kind: 'status',
        status: 500,
        body: '{"error":{"message":"no reply queued"}}',
      };
      const send = (content: string, p = 120, c = 80): void => {
        res.writeHead(200, { 'content-type': 'application/json' }).end(completion(content, p, c));
      };
      if (reply.kind === 'json') send(reply.content, reply.promptTokens, reply.completionTokens);
      else if (reply.kind === 'status')
        res.writeHead(reply.status, { 'content-type': 'application/json' }).end(reply.body);
      else {
        const t = setTimeout(() => {
          timers.delete(t);
          if (!res.destroyed) send(reply.content);
        }, reply.delayMs);
        timers.add(t);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    ...state,
    get requests() {
      return state.requests;
    },
    get next() {
      return state.next;
    },
    baseUrl: `http://127.0.0.1:${port}/v1`,
    close: async () => {
      for (const t of timers) clearTimeout(t);
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
