import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EmbeddedHost } from '../../../../engine/toolstack/embedded-host';
import { ToolstackError } from '../../../../engine/toolstack/toolstack-error';

const dir = mkdtempSync(join(tmpdir(), 'xendeck-save-'));

function host(): EmbeddedHost {
  return new EmbeddedHost({ id: 'lab', preset: 'small-lab', seed: 7 });
}

/** Writes a recognisable pattern into some pages of the guest (what a kernel would leave there). */
function scribble(h: EmbeddedHost, domid: number, gfns: number[]): void {
  const fm = h.xen.hypercall({ op: 'privcmd.map_foreign', domid });
  for (const g of gfns) {
    const page = new Uint8Array(4096);
    for (let i = 0; i < 4096; i++) page[i] = (g * 31 + i * 7) & 0xff;
    fm.write(g, 0, page);
  }
}

/** Every populated gfn's bytes, compared as a digest per page (zeros skipped). */
function memoryImage(h: EmbeddedHost, domid: number): Map<number, string> {
  const fm = h.xen.hypercall({ op: 'privcmd.map_foreign', domid });
  const out = new Map<number, string>();
  fm.forEachPopulated((g, n) => {
    for (let i = 0; i < n; i++) {
      const p = fm.peekPage(g + i);
      out.set(g + i, p && p.some((b) => b !== 0) ? Buffer.from(p).toString('base64') : '0');
    }
  });
  return out;
}

async function state(h: EmbeddedHost): Promise<unknown> {
  return { list: (await h.listDomains()).map((d) => ({ ...d, cpuTimeS: 0 })), free: (await h.physinfo()).freePages };
}

describe('xl save / xl restore on the embedded host (xl format, libxl stream v2 around libxc stream v3)', () => {
  for (const type of ['pv', 'hvm'] as const) {
    it(`round-trips a ${type.toUpperCase()} guest: same memory bytes, vCPUs, config, uuid; the domain is gone after save`, async () => {
      const h = host();
      const { domid } = await h.createDomain({ configText: `name="g-${type}"\ntype="${type}"\nmemory=64\nmaxmem=96\nvcpus=2\nmaxvcpus=3\non_reboot="destroy"\non_crash="preserve"\ncpuid="host,avx2=0"\n` });
      const before = await h.domain(domid!);
      scribble(h, domid!, [0, 1, 100, 8191, 16383]);
      const image = memoryImage(h, domid!);
      expect([...image.values()].filter((v) => v !== "0")).toHaveLength(5);
      const policy = await h.cpuPolicy(domid!);
      const file = join(dir, `${type}.save`);
      const saved = await h.save(domid!, file);
      expect(saved.log[0]).toMatch(new RegExp(`^Saving to ${file} new xl format \\(info 0x3/0x0/\\d+\\)$`));
      expect(saved.pages).toBe(16384);
      expect(saved.dataPages).toBe(5);
      // 5 pages of data, the rest as pfns: far less than 64 MiB
      expect(saved.bytes).toBeLessThan(256 * 1024);
      expect((await h.listDomains()).map((d) => d.name)).toEqual(['Domain-0']);

      const r = await h.restore(file);
      expect(r.log).toContain('Parsing config from <saved>');
      const after = await h.domain(r.domid);
      expect(after.name).toBe(before.name);
      expect(after.uuid).toBe(before.uuid);
      expect(after.type).toBe(type);
      expect(after.memoryMiB).toBe(before.memoryMiB);
      expect(after.maxMemoryMiB).toBe(before.maxMemoryMiB);
      expect(after.onlineVcpus).toBe(before.onlineVcpus);
      expect(after.maxVcpus).toBe(3);
      expect(after.state).not.toContain('p');
      expect(memoryImage(h, r.domid)).toEqual(image);
      expect((await h.cpuPolicy(r.domid)).features).toEqual(policy.features);
      expect(h.configOf(r.domid)!.buildInfo.on_crash).toBe('preserve');
      expect(h.configOf(r.domid)!.buildInfo.on_reboot).toBe('destroy');
    });
  }

  it('keeps the vCPUs online at save time (avail_vcpus read back, as libxl_retrieve_domain_configuration does)', async () => {
    const h = host();
    const { domid } = await h.createDomain({ configText: 'name="hot"\nmemory=32\nvcpus=3\n' });
    h.advanceClock(2e9);
    await h.setOnlineVcpus(domid!, 1);
    h.advanceClock(2e9);
    expect((await h.domain(domid!)).onlineVcpus).toBe(1);
    const f = join(dir, 'hot.save');
    await h.save(domid!, f);
    const r = await h.restore(f);
    h.advanceClock(2e9);
    const back = await h.domain(r.domid);
    expect(back.maxVcpus).toBe(3);
    expect(back.onlineVcpus).toBe(1);
  });

  it('reports progress as domain.progress events, a slice of memory at a time, the event loop turning between them', async () => {
    const h = host();
    const { domid } = await h.createDomain({ configText: 'name="big"\nmemory=600\n' });
    const seen: [number, number][] = [];
    let turns = 0;
    const ticker = setInterval(() => turns++, 0);
    h.subscribe((e) => {
      if (e.kind === 'domain.progress') seen.push([e.done, e.total]);
    });
    await h.save(domid!, join(dir, 'big.save'));
    clearInterval(ticker);
    expect(seen).toEqual([
      [65536, 153600],
      [131072, 153600],
      [153600, 153600],
    ]);
    expect(turns).toBeGreaterThan(0);
  });

  it('xl save -c keeps the domain running, -p leaves it paused; restore -p leaves the copy paused', async () => {
    const h = host();
    const { domid } = await h.createDomain({ configText: 'name="c"\nmemory=32\n' });
    await h.save(domid!, join(dir, 'c.save'), { checkpoint: true });
    expect((await h.domain(domid!)).state).not.toContain('p');
    await h.save(domid!, join(dir, 'p.save'), { paused: true });
    expect((await h.domain(domid!)).state).toContain('p');
    await h.destroy(domid!);
    const r = await h.restore(join(dir, 'p.save'), { paused: true });
    expect((await h.domain(r.domid)).state).toContain('p');
  });

  it('refuses to restore over a running domain of the same name, leaving the host unchanged', async () => {
    const h = host();
    const { domid } = await h.createDomain({ configText: 'name="twice"\nmemory=32\n' });
    await h.save(domid!, join(dir, 'twice.save'), { checkpoint: true });
    const s = await state(h);
    await expect(h.restore(join(dir, 'twice.save'))).rejects.toThrow(/already exists/);
    expect(await state(h)).toEqual(s);
  });

  it('a corrupt or truncated file gives a clear error and leaves the host unchanged', async () => {
    const h = host();
    const { domid } = await h.createDomain({ configText: 'name="victim"\nmemory=32\n' });
    scribble(h, domid!, [3]);
    const good = join(dir, 'victim.save');
    await h.save(domid!, good);
    const bytes = readFileSync(good);
    const s = await state(h);
    const cases: [string, Uint8Array, RegExp][] = [
      ['magic', Buffer.concat([Buffer.from('Xen saved domain, xm format'), bytes.subarray(27)]), /wrong magic number/],
      ['truncated header', bytes.subarray(0, 40), /truncated/],
      ['truncated stream', bytes.subarray(0, bytes.length - 5000), /truncated stream/],
      ['no END', bytes.subarray(0, bytes.length - 16), /truncated stream/],
      ['mandatory flag', (() => { const b = Buffer.from(bytes); b.writeUInt32LE(7, 36); return b; })(), /mandatory flag\(s\) 0x4 which are not supported/],
      ['config', (() => { const b = Buffer.from(bytes); const at = b.indexOf('"c_info"'); b.write('"x_info"', at); return b; })(), /c_info is not an object/],
    ];
    for (const [what, data, msg] of cases) {
      const f = join(dir, `bad-${what.replace(/ /g, '-')}.save`);
      writeFileSync(f, data);
      const err = await h.restore(f).then(() => undefined, (e: unknown) => e);
      expect(err, what).toBeInstanceOf(ToolstackError);
      expect((err as Error).message, what).toMatch(msg);
      expect(await state(h), what).toEqual(s);
    }
  });

  it('a stream whose pages stop mid-way destroys the half-restored domain', async () => {
    const h = host();
    const { domid } = await h.createDomain({ configText: 'name="half"\nmemory=64\n' });
    scribble(h, domid!, Array.from({ length: 200 }, (_, i) => i * 50));
    const f = join(dir, 'half.save');
    await h.save(domid!, f);
    const bytes = readFileSync(f);
    const s = await state(h);
    writeFileSync(f, bytes.subarray(0, Math.floor(bytes.length / 2)));
    await expect(h.restore(f)).rejects.toThrow(/truncated stream.*at byte/);
    expect(await state(h)).toEqual(s);
  });

  it('a failed save (unwritable file) resumes the domain and writes nothing', async () => {
    const h = host();
    const { domid } = await h.createDomain({ configText: 'name="stay"\nmemory=32\n' });
    const f = join(dir, 'no-such-dir', 'x.save');
    await expect(h.save(domid!, f)).rejects.toThrow(/Failed to open temp file/);
    expect((await h.domain(domid!)).state).not.toContain('p');
    expect(existsSync(f)).toBe(false);
  });
});

describe('the saved config carries the devices', () => {
  it('a restored domain gets the same disks and vifs (libxl_device_disk / _nic back as xl.cfg specs)', async () => {
    const h = host();
    const cfg = 'name="dev"\nmemory=32\ndisk=[ "format=raw,vdev=xvda,access=rw,target=/var/lib/xen/images/a,b.img", "/dev/vg/cd,raw,xvdb,ro,devtype=cdrom" ]\nvif=[ "mac=00:16:3e:01:02:03,bridge=xenbr1,rate=10MB/s@20ms", "bridge=xenbr0,vifname=web0" ]\n';
    const { domid } = await h.createDomain({ configText: cfg });
    const before = h.configOf(domid!)!.buildInfo;
    const file = join(dir, 'devices.save');
    await h.save(domid!, file);
    const r = await h.restore(file);
    const after = h.configOf(r.domid)!.buildInfo;
    expect(after.disks).toEqual(before.disks);
    expect(after.nics).toEqual(before.nics);
    expect(before.disks?.[0]?.pdev_path).toBe('/var/lib/xen/images/a,b.img');
  });
});
