import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { connectBus, defaultTopology, provision } from '../../bus/index.js';
import { check, freePort, startNats, startTsProcess } from '../../testkit/index.js';

const MAIN = fileURLToPath(new URL('../../cli/main.ts', import.meta.url));

describe('optiinfra edge (the CLI as a real process)', () => {
  it('runs the engine, answers as the oi-edge micro service, and stops the engine on SIGTERM', async () => {
    await using nats = await startNats();
    const dir = await mkdtemp(join(tmpdir(), 'oi-edge-cli-'));
    const bus = await connectBus({ servers: nats.url, name: 'edge-cli-test' });
    try {
      await provision(bus.jsm, bus.kvm, defaultTopology({ partitions: 4 }));
      const port = await freePort();
      await using edge = startTsProcess(
        'edge',
        MAIN,
        ['edge', '--node', 'cli-n1', '--workload', 'wl-cli', '--engine', 'sim', '--port', String(port)].concat([
          '--state-dir',
          dir,
          '--telemetry-ms',
          '500',
          '--',
          '--max-model-len',
          '4096',
        ]),
        { OI_NATS_URL: nats.url, OI_LOG_LEVEL: 'warn', OI_EDGE_SIM_SPEED: '20' }
      );
      await check(() => edge.getLog().includes('edge cli-n1: sim engine on port'), 60_000, { name: 'edge up' });
      const info = JSON.parse(new TextDecoder().decode((await bus.nc.request('$SRV.INFO.oi-edge', '')).data)) as {
        name: string;
        metadata: Record<string, string>;
        endpoints: { subject: string }[];
      };
      expect(info).toMatchObject({ name: 'oi-edge', metadata: { node: 'cli-n1', workload: 'wl-cli', engine: 'sim' } });
      expect(info.endpoints.map((e) => e.subject)).toEqual(['oi.v1.edge.cli-n1.status']);
      const status = JSON.parse(
        new TextDecoder().decode((await bus.nc.request('oi.v1.edge.cli-n1.status', '')).data)
      ) as { engine: { state: string; config: { maxModelLen: number }; command: string[] } };
      expect(status.engine).toMatchObject({ state: 'healthy', config: { maxModelLen: 4096 } });
      expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
      expect(await edge.stop()).toBe(0);
      await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
    } finally {
      await bus.drain();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
