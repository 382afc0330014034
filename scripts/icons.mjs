#!/usr/bin/env node
// `npm run icons`: renders assets/icon.svg to every icon electron-builder needs.
//
//   assets/icons/NxN.png  16…1024  (Linux: electron-builder takes the directory)
//   assets/icon.png       512
//   assets/icon.ico       Windows: ICO container, PNG-compressed entries 16…256
//   assets/icon.icns      macOS: ICNS container, PNG entries ic07…ic10 (128…1024)
//
// The ICO and ICNS containers are written here by hand (both are a small header
// plus a directory) rather than by another dependency; @resvg/resvg-js is the only
// renderer. Output is deterministic, so re-running it leaves git clean.
import { Resvg } from '@resvg/resvg-js';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const assets = join(root, 'assets');

export const PNG_SIZES = [16, 24, 32, 48, 64, 128, 256, 512, 1024];
export const ICO_SIZES = [16, 24, 32, 48, 64, 128, 256];
export const ICNS_TYPES = [
  ['ic07', 128],
  ['ic08', 256],
  ['ic09', 512],
  ['ic10', 1024],
];

function render(svg, size) {
  const resvg = new Resvg(svg, { fitTo: { mode: 'width', value: size }, background: 'rgba(0,0,0,0)' });
  return Buffer.from(resvg.render().asPng());
}

/** ICONDIR + ICONDIRENTRY[] + PNG payloads (PNG-in-ICO is valid since Windows Vista). */
export function buildIco(entries) {
  const header = Buffer.alloc(6);
  header.writeUInt16LE(0, 0); // reserved
  header.writeUInt16LE(1, 2); // type 1 = icon
  header.writeUInt16LE(entries.length, 4);
  const dir = Buffer.alloc(16 * entries.length);
  let offset = header.length + dir.length;
  entries.forEach(({ size, png }, i) => {
    const at = i * 16;
    dir.writeUInt8(size >= 256 ? 0 : size, at); // width, 0 means 256
    dir.writeUInt8(size >= 256 ? 0 : size, at + 1); // height
    dir.writeUInt8(0, at + 2); // palette colours
    dir.writeUInt8(0, at + 3); // reserved
    dir.writeUInt16LE(1, at + 4); // colour planes
    dir.writeUInt16LE(32, at + 6); // bits per pixel
    dir.writeUInt32LE(png.length, at + 8);
    dir.writeUInt32LE(offset, at + 12);
    offset += png.length;
  });
  return Buffer.concat([header, dir, ...entries.map((e) => e.png)]);
}

/** 'icns' + total length, then (OSType, length incl. 8-byte header, data) per entry; big-endian. */
export function buildIcns(entries) {
  const chunks = entries.map(({ type, png }) => {
    const head = Buffer.alloc(8);
    head.write(type, 0, 'ascii');
    head.writeUInt32BE(png.length + 8, 4);
    return Buffer.concat([head, png]);
  });
  const body = Buffer.concat(chunks);
  const head = Buffer.alloc(8);
  head.write('icns', 0, 'ascii');
  head.writeUInt32BE(body.length + 8, 4);
  return Buffer.concat([head, body]);
}

function main() {
  const svg = readFileSync(join(assets, 'icon.svg'));
  const pngs = new Map(PNG_SIZES.map((size) => [size, render(svg, size)]));
  mkdirSync(join(assets, 'icons'), { recursive: true });
  for (const [size, png] of pngs) writeFileSync(join(assets, 'icons', `${size}x${size}.png`), png);
  writeFileSync(join(assets, 'icon.png'), pngs.get(512));
  writeFileSync(join(assets, 'icon.ico'), buildIco(ICO_SIZES.map((size) => ({ size, png: pngs.get(size) }))));
  writeFileSync(join(assets, 'icon.icns'), buildIcns(ICNS_TYPES.map(([type, size]) => ({ type, png: pngs.get(size) }))));
  console.log(`icons: ${PNG_SIZES.length} PNGs, icon.png, icon.ico (${ICO_SIZES.length} entries), icon.icns (${ICNS_TYPES.length} entries) in ${assets}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
