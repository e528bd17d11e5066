import { describe, expect, it } from 'vitest';
import { NvidiaSmiNotFoundError, ScrapeError } from '../errors.js';
import { fakeNvidiaSmi } from '../fixtures/fake-nvidia-smi.js';
import { nvidiaSmiSource } from './nvidia-smi-source.js';

describe('gpu-edge nvidia-smi source', () => {
  it('runs nvidia-smi as a child process with the csv queries and reads GPUs and processes', async () => {
    await using smi = await fakeNvidiaSmi({
      gpu: 'constructed-8gpu-nounits.csv',
      apps: 'constructed-8gpu-apps-nounits.csv',
    });
    const reading = await nvidiaSmiSource({ path: smi.path }).read();
    expect(reading.gpus).toHaveLength(8);
    expect(reading.processes).toHaveLength(6);
    expect(reading.driverVersion).toBe('580.159.04');
    const calls = await smi.calls();
    expect(calls).toEqual([
      '--query-gpu=index,uuid,name,pci.bus_id,driver_version,memory.total,memory.used,memory.reserved,utilization.gpu,utilization.memory,power.draw,power.limit,clocks.current.sm,clocks.current.memory,temperature.gpu,ecc.errors.uncorrected.volatile.total,mig.mode.current,pstate --format=csv,noheader,nounits',
      '--query-compute-apps=pid,gpu_uuid,used_memory,process_name --format=csv,noheader,nounits',
    ]);
  });

  it('fails probe with one clear error when the binary is missing', async () => {
    const src = nvidiaSmiSource({ path: '/nonexistent/bin/nvidia-smi' });
    await expect(src.probe!()).rejects.toThrow(
      'nvidia-smi not found at /nonexistent/bin/nvidia-smi: install the NVIDIA driver or set OI_NVIDIA_SMI'
    );
    await expect(src.read()).rejects.toBeInstanceOf(NvidiaSmiNotFoundError);
  });

  it("reports a driver failure with nvidia-smi's own words and the exit code, without failing probe", async () => {
    await using smi = await fakeNvidiaSmi({ gpu: 'smi-load.csv', apps: 'smi-apps.csv' });
    await smi.setFailing(true);
    const src = nvidiaSmiSource({ path: smi.path });
    await expect(src.probe!()).resolves.toBeUndefined();
    const err = await src.read().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ScrapeError);
    expect((err as Error).message).toMatch(/exited with 9: NVIDIA-SMI has failed because it couldn't communicate/);
  });

  it('kills a hung nvidia-smi after the timeout', async () => {
    await using smi = await fakeNvidiaSmi({ gpu: 'smi-load.csv', apps: 'smi-apps.csv', sleepS: 2 });
    const err = await nvidiaSmiSource({ path: smi.path, timeoutMs: 200 })
      .read()
      .catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/timed out after 200 ms/);
  });

  it('surfaces a parse error naming the line and field', async () => {
    await using smi = await fakeNvidiaSmi({ gpu: 'constructed-bad-field-count.csv', apps: 'smi-apps.csv' });
    await expect(nvidiaSmiSource({ path: smi.path }).read()).rejects.toThrow(/line 3, field pstate/);
  });
});
