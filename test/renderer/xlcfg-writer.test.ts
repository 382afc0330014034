import { describe, expect, it } from 'vitest';
import { parseXlCfgStrict } from '../../engine/toolstack/config/xlcfg-parser';
import { parseDomainConfig } from '../../engine/toolstack/domain-build-info';
import { TEMPLATES } from '../../renderer/src/wizard/templates';
import { quote, writeXlCfg } from '../../renderer/src/wizard/xlcfg-writer';

describe('the wizard writes xl.cfg the toolstack reads back', () => {
  it.each(TEMPLATES.map((t) => [t.id, t] as const))('template %s round-trips through the xl.cfg parser', (_id, t) => {
    const draft = t.draft('web-1');
    const text = writeXlCfg(draft);
    const { buildInfo } = parseDomainConfig(text, 'web-1.cfg');
    expect(buildInfo.c_info).toMatchObject({ name: 'web-1', type: draft.type });
    expect(buildInfo.b_info.target_memkb).toBe(draft.memory * 1024);
    expect(buildInfo.b_info.max_vcpus).toBe(draft.maxvcpus ?? draft.vcpus);
    const settings = parseXlCfgStrict(text);
    if (draft.disks.length > 0) expect(settings.get('disk')?.value.kind).toBe('list');
    if (draft.type === 'hvm') expect(settings.get('boot')?.value).toMatchObject({ kind: 'string', value: draft.boot });
  });

  it('escapes quotes and backslashes as libxlu dequotes them', () => {
    const text = `name = ${quote('a"b\\c')}\n`;
    const s = parseXlCfgStrict(text);
    expect(s.get('name')?.value).toMatchObject({ kind: 'string', value: 'a"b\\c' });
  });

  it('writes maxmem, maxvcpus, affinity and actions only when they differ from the defaults', () => {
    const d = TEMPLATES.find((t) => t.id === 'blank')!.draft('g');
    expect(writeXlCfg(d)).not.toMatch(/maxmem|maxvcpus|on_poweroff|^cpus/m);
    const text = writeXlCfg({ ...d, maxmem: 4096, maxvcpus: 4, cpus: '0-3,^1', onCrash: 'preserve' });
    const { buildInfo } = parseDomainConfig(text);
    expect(buildInfo.b_info.max_memkb).toBe(4096 * 1024);
    expect(buildInfo.b_info.max_vcpus).toBe(4);
    expect(buildInfo.on_crash).toBe('preserve');
    expect(text).toContain('cpus = "0-3,^1"');
  });
});
