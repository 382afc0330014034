// The committed icon set: PNG sizes read from their IHDR headers, and the ICO/ICNS
// directories written by scripts/icons.mjs (no image library needed to check them).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Resvg } from '@resvg/resvg-js';
import { describe, expect, it } from 'vitest';

const assets = fileURLToPath(new URL('../../assets/', import.meta.url));
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
  expect(png.toString('ascii', 12, 16)).toBe('IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

describe('icon set', () => {
  it('has square PNGs 16…1024', () => {
    for (const size of [16, 24, 32, 48, 64, 128, 256, 512, 1024]) {
      expect(pngSize(readFileSync(`${assets}icons/${size}x${size}.png`)), `${size}`).toEqual({ width: size, height: size });
    }
    expect(pngSize(readFileSync(`${assets}icon.png`))).toEqual({ width: 512, height: 512 });
  });

  it('has an ICO with PNG entries 16…256 whose directory matches their payloads', () => {
    const ico = readFileSync(`${assets}icon.ico`);
    expect(ico.readUInt16LE(0)).toBe(0);
    expect(ico.readUInt16LE(2)).toBe(1);
    const count = ico.readUInt16LE(4);
    const sizes: number[] = [];
    let end = 6 + 16 * count;
    for (let i = 0; i < count; i++) {
      const at = 6 + 16 * i;
      const dirSize = ico.readUInt8(at) || 256;
      expect(ico.readUInt8(at + 1) || 256).toBe(dirSize);
      expect(ico.readUInt16LE(at + 4)).toBe(1);
      expect(ico.readUInt16LE(at + 6)).toBe(32);
      const length = ico.readUInt32LE(at + 8);
      const offset = ico.readUInt32LE(at + 12);
      expect(offset).toBe(end);
      end = offset + length;
      expect(pngSize(ico.subarray(offset, offset + length))).toEqual({ width: dirSize, height: dirSize });
      sizes.push(dirSize);
    }
    expect(end).toBe(ico.length);
    expect(sizes).toEqual([16, 24, 32, 48, 64, 128, 256]);
  });

  it('has an ICNS with ic07…ic10 PNG entries', () => {
    const icns = readFileSync(`${assets}icon.icns`);
    expect(icns.toString('ascii', 0, 4)).toBe('icns');
    expect(icns.readUInt32BE(4)).toBe(icns.length);
    const found: Record<string, number> = {};
    let at = 8;
    while (at < icns.length) {
      const type = icns.toString('ascii', at, at + 4);
      const length = icns.readUInt32BE(at + 4);
      expect(length).toBeGreaterThan(8);
      found[type] = pngSize(icns.subarray(at + 8, at + length)).width;
      at += length;
    }
    expect(at).toBe(icns.length);
    expect(found).toEqual({ ic07: 128, ic08: 256, ic09: 512, ic10: 1024 });
  });

  it('comes from one SVG', () => {
    const svg = readFileSync(`${assets}icon.svg`, 'utf8');
    expect(svg).toMatch(/^<svg[^>]+viewBox="0 0 1024 1024"/);
    expect(svg).not.toMatch(/<script|<image|href="http/i);
  });

  it('is up to date with icon.svg (run `npm run icons` after editing it)', () => {
    const svg = readFileSync(`${assets}icon.svg`);
    for (const size of [32, 256]) {
      const png = Buffer.from(new Resvg(svg, { fitTo: { mode: 'width', value: size }, background: 'rgba(0,0,0,0)' }).render().asPng());
      expect(png.equals(readFileSync(`${assets}icons/${size}x${size}.png`)), `${size}x${size}.png`).toBe(true);
    }
  });
});
