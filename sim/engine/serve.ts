/**
 * A simulated `vllm serve` as a process: `tsx sim/engine/serve.ts --model llama-3.1-8b --gpu H100-SXM
 * --port 8000 --speed 10`. Prints one JSON line when listening; bad flags exit with code 2.
 */
import { isSimConfigError } from '../catalog/index.js';
import { EngineModel } from './engine-model.js';
import { EngineServer } from './http-server.js';
import { ServeArgsError, parseServeArgs } from './serve-args.js';

/** Assumed weight loading rate from local NVMe into GPU memory (safetensors), plus graph capture. */
const LOAD_BYTES_PER_SEC = 2e9;
const GRAPH_CAPTURE_SEC = 10;

function fail(message: string): never {
  process.stderr.write(`error: ${message}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  let server: EngineServer;
  try {
    const opts = parseServeArgs(process.argv.slice(2));
    const engine = new EngineModel(opts.engine);
    const loadingSec =
      opts.loadingSec ?? engine.config.memory.weightsBytesPerGpu / LOAD_BYTES_PER_SEC + GRAPH_CAPTURE_SEC;
    server = new EngineServer({ engine, speed: opts.speed, loadingSec });
    const port = await server.listen(opts.port, opts.host);
    const c = engine.config;
    process.stdout.write(
      `${JSON.stringify({
        event: 'listening',
        url: `http://${opts.host}:${port}`,
        port,
        model: c.servedModelName,
        gpu: c.gpu.id,
        numGpuBlocks: c.memory.numGpuBlocks,
        loadingSec,
        speed: opts.speed,
      })}\n`
    );
  } catch (err) {
    if (err instanceof ServeArgsError || isSimConfigError(err)) fail(err.message);
    throw err;
  }
  const stop = (): void => {
    void server
      .drain()
      .then(() => server.close())
      .then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

await main();
