import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EngineModel } from './engine-model.js';
import {
  ApiError,
  parseCompletionBody,
  syntheticText,
  syntheticToken,
  type CompletionKind,
  type ParsedCompletion,
} from './openai-api.js';
import type { FinishedRequest } from './request.js';

export interface EngineServerOptions {
  engine: EngineModel;
  /** Simulated seconds per wall-clock second (10 = ten times faster than real time). */
  speed?: number;
  /** Simulated seconds the engine spends loading weights before /health turns 200. */
  loadingSec?: number;
  /** Wall clock in milliseconds; injectable for tests. */
  nowMs?: () => number;
  /** Largest request body accepted, in bytes. */
  maxBodyBytes?: number;
}

interface Inflight {
  parsed: ParsedCompletion;
  res: ServerResponse;
  created: number;
  id: string;
}

const JSON_TYPE = 'application/json';

/**
 * vLLM's HTTP surface over one simulated engine: OpenAI completions and chat completions (plain
 * and SSE streaming), /v1/models, /health, /metrics. Simulated time follows the wall clock × speed:
 * a timer wakes at the engine's next event, so answers arrive when their simulated time comes.
 */
export class EngineServer {
  readonly engine: EngineModel;
  readonly speed: number;
  readonly loadingSec: number;
  private readonly nowMs: () => number;
  private readonly startMs: number;
  private readonly maxBodyBytes: number;
  private readonly server: Server;
  private readonly inflight = new Map<string, Inflight>();
  private readonly due: { atSec: number; run: () => void }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private seq = 0;
  private draining = false;
  private drained: (() => void) | undefined;

  constructor(options: EngineServerOptions) {
    this.engine = options.engine;
    this.speed = options.speed ?? 1;
    if (!(this.speed > 0)) throw new Error(`speed must be > 0, got ${this.speed}`);
    this.loadingSec = options.loadingSec ?? 0;
    this.nowMs = options.nowMs ?? (() => performance.now());
    this.startMs = this.nowMs();
    this.maxBodyBytes = options.maxBodyBytes ?? 16 * 1024 * 1024;
    this.engine.onToken((id, index) => this.onToken(id, index));
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        const e = err instanceof ApiError ? err : new ApiError(500, err instanceof Error ? err.message : String(err));
        if (!res.headersSent) this.sendJson(res, e.status, e.body());
        else res.end();
      });
    });
  }

  /** Current simulated time. */
  simNowSec(): number {
    return ((this.nowMs() - this.startMs) / 1000) * this.speed;
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve());
    });
    return (this.server.address() as AddressInfo).port;
  }

  /** Stops taking requests (/health answers 503) and resolves once every request in flight is answered. */
  drain(): Promise<void> {
    this.draining = true;
    if (this.inflight.size === 0) return Promise.resolve();
    return new Promise((resolve) => (this.drained = resolve));
  }

  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private ready(): boolean {
    return !this.draining && this.simNowSec() >= this.loadingSec;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    const route = `${req.method ?? 'GET'} ${path}`;
    switch (route) {
      case 'GET /health':
        res.writeHead(this.ready() ? 200 : 503).end();
        return;
      case 'GET /metrics':
        this.pump();
        res
          .writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' })
          .end(this.engine.renderMetrics());
        return;
      case 'GET /v1/models':
        this.sendJson(res, 200, this.models());
        return;
      case 'POST /v1/completions':
        return this.complete('completion', req, res);
      case 'POST /v1/chat/completions':
        return this.complete('chat', req, res);
      default: {
        const known = ['/health', '/metrics', '/v1/models', '/v1/completions', '/v1/chat/completions'];
        if (known.includes(path ?? '')) this.sendJson(res, 405, { detail: 'Method Not Allowed' });
        else this.sendJson(res, 404, { detail: 'Not Found' });
      }
    }
  }

  private models(): unknown {
    const c = this.engine.config;
    return {
      object: 'list',
      data: [
        {
          id: c.servedModelName,
          object: 'model',
          created: Math.floor(Date.now() / 1000),
          owned_by: 'vllm',
          root: c.model.hfRepos[0] ?? c.model.id,
          parent: null,
          max_model_len: c.maxModelLen,
          permission: [],
        },
      ],
    };
  }

  private async readBody(req: IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > this.maxBodyBytes) throw new ApiError(413, `request body exceeds ${this.maxBodyBytes} bytes`);
      chunks.push(chunk as Buffer);
    }
    try {
      return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
    } catch {
      throw new ApiError(400, 'the request body is not valid JSON');
    }
  }

  private async complete(kind: CompletionKind, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await this.readBody(req);
    if (!this.ready()) {
      throw new ApiError(503, this.draining ? 'the server is shutting down' : 'the model is still loading');
    }
    const c = this.engine.config;
    const parsed = parseCompletionBody(kind, body, { servedModelName: c.servedModelName, maxModelLen: c.maxModelLen });
    this.pump();
    const id = `${kind === 'chat' ? 'chatcmpl' : 'cmpl'}-${(++this.seq).toString(16).padStart(12, '0')}`;
    this.engine.addRequest({
      id,
      arrivalSec: this.engine.nowSec,
      promptTokens: parsed.promptTokens,
      outputTokens: parsed.maxTokens,
      maxTokens: parsed.maxTokens,
      finishReason: 'length',
      blockKeys: parsed.blockKeys,
    });
    this.inflight.set(id, { parsed, res, created: Math.floor(Date.now() / 1000), id });
    res.on('close', () => {
      if (this.inflight.delete(id)) {
        this.engine.abort(id);
        this.settle();
      }
    });
    if (parsed.stream) {
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
      });
      if (kind === 'chat') this.sse(res, this.chunk(this.inflight.get(id)!, { role: 'assistant', content: '' }, null));
    }
    this.arm();
  }

  private onToken(id: string, index: number): void {
    const f = this.inflight.get(id);
    if (!f?.parsed.stream) return;
    const text = syntheticToken(f.parsed.textSeed, index);
    const last = index + 1 >= f.parsed.maxTokens;
    const piece = last ? text.trimEnd() : text;
    this.sse(f.res, this.chunk(f, f.parsed.kind === 'chat' ? { content: piece } : piece, last ? 'length' : null));
  }

  private chunk(f: Inflight, delta: string | Record<string, string>, finish: string | null): unknown {
    const model = this.engine.config.servedModelName;
    const choice =
      typeof delta === 'string'
        ? { index: 0, text: delta, logprobs: null, finish_reason: finish, stop_reason: null }
        : { index: 0, delta, logprobs: null, finish_reason: finish };
    const object = f.parsed.kind === 'chat' ? 'chat.completion.chunk' : 'text_completion';
    return { id: f.id, object, created: f.created, model, choices: [choice] };
  }

  private sse(res: ServerResponse, data: unknown): void {
    res.write(`data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
  }

  private usage(r: FinishedRequest): { prompt_tokens: number; completion_tokens: number; total_tokens: number } {
    return {
      prompt_tokens: r.promptTokens,
      completion_tokens: r.outputTokens,
      total_tokens: r.promptTokens + r.outputTokens,
    };
  }

  private respond(r: FinishedRequest): void {
    const f = this.inflight.get(r.id);
    if (!f) return;
    this.inflight.delete(r.id);
    const model = this.engine.config.servedModelName;
    if (f.parsed.stream) {
      if (f.parsed.includeUsageInStream) {
        const object = f.parsed.kind === 'chat' ? 'chat.completion.chunk' : 'text_completion';
        this.sse(f.res, { id: f.id, object, created: f.created, model, choices: [], usage: this.usage(r) });
      }
      this.sse(f.res, '[DONE]');
      f.res.end();
    } else {
      const text = syntheticText(f.parsed.textSeed, r.outputTokens);
      const choice =
        f.parsed.kind === 'chat'
          ? { index: 0, message: { role: 'assistant', content: text }, logprobs: null, finish_reason: r.finishReason }
          : { index: 0, text, logprobs: null, finish_reason: r.finishReason, stop_reason: null };
      const object = f.parsed.kind === 'chat' ? 'chat.completion' : 'text_completion';
      this.sendJson(f.res, 200, {
        id: f.id,
        object,
        created: f.created,
        model,
        choices: [choice],
        usage: this.usage(r),
      });
    }
    this.settle();
  }

  private settle(): void {
    if (this.draining && this.inflight.size === 0 && this.drained) {
      this.drained();
      this.drained = undefined;
    }
  }

  /** Brings the engine up to the current simulated time and answers what is due. */
  private pump(): void {
    const now = this.simNowSec();
    if (now > this.engine.nowSec) this.engine.advanceTo(now);
    for (const r of this.engine.takeFinished()) this.due.push({ atSec: r.finishSec, run: () => this.respond(r) });
    this.due.sort((a, b) => a.atSec - b.atSec);
    while (this.due.length > 0 && this.due[0]!.atSec <= now) this.due.shift()!.run();
  }

  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const next = Math.min(this.engine.nextEventSec(), this.due[0]?.atSec ?? Infinity);
    if (next === Infinity) return;
    const delayMs = Math.max(0, ((next - this.simNowSec()) / this.speed) * 1000);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.pump();
      this.arm();
    }, Math.ceil(delayMs));
  }

  private sendJson(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': JSON_TYPE }).end(JSON.stringify(body));
  }
}
