// The toolstack façade over a real Xen 4.17 (RemoteToolstackHost): the same calls the GUI
// makes to the embedded host — summary, domain list, create, pause, destroy — answered by
// the real xl, and a dry run checked locally without touching the host.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RemoteXenHost } from '../../engine/remote/remote-host';
import { RemoteToolstackHost } from '../../engine/toolstack/remote-toolstack-host';
import { ToolstackError } from '../../engine/toolstack/toolstack-error';
import { pvGuestConfig } from './capture';
import { fromEnv } from './env';
import { sshTarget } from './ssh';

const env = fromEnv();
const GUEST = 'xendeck-facade';
let host: RemoteToolstackHost;

beforeAll(async () => {
  host = new RemoteToolstackHost('xen', await RemoteXenHost.connect({ ssh: sshTarget(env) }));
});

afterAll(async () => {
  await host?.close();
});

describe('RemoteToolstackHost against a real Xen 4.17 dom0', () => {
  it('summarises the host as the embedded one is summarised', async () => {
    const s = await host.summary();
    expect(s).toMatchObject({ kind: 'remote', nrCpus: 2, scheduler: 'credit2' });
    expect(s.xenVersion).toMatch(/^4\.17/);
    const doms = await host.listDomains();
    expect(doms[0]).toMatchObject({ domid: 0, name: 'Domain-0', cpupool: 'Pool-0' });
  });

  it('creates a guest paused, sees it in the list, refuses a duplicate with libxl words, destroys it', async () => {
    const cfg = pvGuestConfig(GUEST);
    const r = await host.createDomain({ configText: cfg, file: `${GUEST}.cfg`, paused: true });
    expect(r.domid).toBeGreaterThan(0);
    const d = await host.domain(GUEST);
    expect(d.state[2]).toBe('p');
    expect(d.type).toBe('pv');
    const dup = await host.createDomain({ configText: cfg, file: `${GUEST}.cfg` }).catch((e: unknown) => e);
    expect(dup).toBeInstanceOf(ToolstackError);
    expect(dup).toMatchObject({ code: 'EEXIST' });
    await host.destroy(GUEST);
    expect((await host.listDomains()).some((x) => x.name === GUEST)).toBe(false);
  });

  it('answers a dry run from the local xl.cfg reader', async () => {
    const r = await host.createDomain({ configText: pvGuestConfig(GUEST), dryRun: true });
    expect(r.domid).toBeUndefined();
    expect(r.buildInfo.c_info.name).toBe(GUEST);
  });

  it('moves a pCPU to a new credit pool and back, and reads each pool\'s scheduler parameters', async () => {
    await host.cpupoolRemoveCpus('Pool-0', [1]);
    try {
      const p = await host.createCpupool('xd-credit', 'credit', [1]);
      expect(p).toMatchObject({ name: 'xd-credit', sched: 'credit', cpus: [1], nDomains: 0 });
      expect((await host.poolSched('xd-credit')).params).toMatchObject({ tsliceMs: 30, ratelimitUs: 1000 });
      expect((await host.poolSched('Pool-0')).sched).toBe('credit2');
      await host.destroyCpupool('xd-credit');
    } finally {
      await host.cpupoolAddCpus('Pool-0', [1]);
    }
    expect((await host.listCpupools()).map((p) => [p.name, p.cpus])).toEqual([['Pool-0', [0, 1]]]);
  });
});
