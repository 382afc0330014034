// Conformance: an administrator points Xen's own tools at a running console's host.
// Each embedded host of the console runs its xenstored as its own process
// (main/services/host-xenstored.ts); Debian's xenstore-utils (libxenstore 4.17 clients)
// reach it with XENSTORED_PATH=<socket>, the path the host view shows, and see the live
// host: the layout libxl writes for each domain, and changes as the toolstack makes them.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmbeddedHost } from '../../engine/toolstack/embedded-host';
import { Lab } from '../../main/services/lab';
import { LabStore } from '../../main/services/lab-store';

let dir = '';
let lab: Lab;
let host: EmbeddedHost;
let sock = '';

/** Runs a tool without blocking this process: the host's xenstored supervisor (its socket) lives here. */
function xs(tool: string, ...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(`/usr/bin/${tool}`, args, { env: { ...process.env, XENSTORED_PATH: sock }, encoding: 'utf8', timeout: 10_000 }, (e, stdout, stderr) => {
      resolve({ code: e ? (typeof e.code === 'number' ? e.code : null) : 0, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'xd-conf-xsd-'));
  lab = Lab.open(new LabStore(dir), { xenstoredProcesses: true });
  host = lab.host('lab1') as EmbeddedHost;
  sock = lab.xenstored('lab1')!.socketPath;
  const summary = await host.summary();
  expect(summary.xenstoredPath).toBe(sock);
});

afterAll(async () => {
  await lab?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("Xen's xenstore tools on a running console's host (XENSTORED_PATH)", () => {
  it('xenstore-ls /local/domain shows the live host, then the toolstack changes', async () => {
    const { domid } = await host.createDomain({ configText: 'name = "web1"\nmemory = 256\nvcpus = 2\n' });
    await host.xenstore.settled();
    const ls = await xs('xenstore-ls', '/local/domain');
    expect(ls.stderr).toBe('');
    expect(ls.code).toBe(0);
    expect(ls.stdout).toMatch(/^0 = ""\n {1}name = "Domain-0"\n/m);
    expect(ls.stdout).toMatch(new RegExp(`^${domid} = ""\n vm = "/vm/[0-9a-f-]{36}"\n name = "web1"\n`, 'm'));
    expect(ls.stdout).toContain(`  target = "${256 * 1024}"`);
    expect((await xs('xenstore-read', `/local/domain/${domid}/name`)).stdout).toBe('web1\n');

    await host.renameDomain('web1', 'web2');
    await host.destroy('web2');
    await host.xenstore.settled();
    expect((await xs('xenstore-exists', `/local/domain/${domid}`)).code).not.toBe(0);
    expect((await xs('xenstore-list', '/local/domain')).stdout).toBe('0\n');
  });

  it('what an administrator writes, the console reads back', async () => {
    expect((await xs('xenstore-write', '/tool/note', 'from dom0')).code).toBe(0);
    expect((await host.xenstoreList('/tool/note')).node.value).toBe('from dom0');
  });
});
