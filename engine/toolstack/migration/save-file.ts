/**
 * Reading and writing save files on the machine the toolstack runs on, as xl does with
 * an fd: writes go out in large chunks through fs.writeSync; reads take exact byte
 * counts through fs.readSync with a read-ahead buffer.
 */
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { ToolstackError } from '../toolstack-error';
import type { ByteSink, ByteSource } from './byte-stream';

export function openSaveFileForWrite(file: string): { sink: ByteSink; close(): void } {
  let fd: number;
  try {
    fd = openSync(file, 'w', 0o644);
  } catch (e) {
    throw new ToolstackError('EACCES', `Failed to open temp file ${file} for writing`, (e as Error).message);
  }
  return {
    sink: (chunk) => {
      let at = 0;
      while (at < chunk.length) at += writeSync(fd, chunk, at, chunk.length - at);
    },
    close: () => closeSync(fd),
  };
}

const READ_AHEAD = 4 << 20;

export function openSaveFileForRead(file: string): { source: ByteSource; close(): void } {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new ToolstackError(code === 'ENOENT' ? 'ENOENT' : 'EACCES', `Can't open restore file: ${(e as Error).message}`);
  }
  let buf = new Uint8Array(READ_AHEAD);
  let start = 0;
  let end = 0;
  let eof = false;
  return {
    source: (n) => {
      if (end - start < n && !eof) {
        // keep the unread tail, read more after it
        const need = Math.max(n, READ_AHEAD);
        const next = need > buf.length ? new Uint8Array(need) : buf;
        if (next === buf) next.copyWithin(0, start, end);
        else next.set(buf.subarray(start, end));
        end -= start;
        start = 0;
        buf = next;
        while (end < buf.length) {
          const got = readSync(fd, buf, end, buf.length - end, null);
          if (got === 0) {
            eof = true;
            break;
          }
          end += got;
        }
      }
      const take = Math.min(n, end - start);
      // a copy: the buffer is reused by the next read
      const out = buf.slice(start, start + take);
      start += take;
      return out;
    },
    close: () => closeSync(fd),
  };
}
