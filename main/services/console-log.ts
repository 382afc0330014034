/**
 * A domain's console log, as xenconsoled keeps one with --log=guest
 * (tools/console/daemon/io.c: /var/log/xen/console/guest-NAME.log, the guest's output
 * appended as it reads it from the ring, the file reopened when the domain comes back).
 * XenDeck keeps them in the lab folder: <lab>/logs/console/guest-NAME.log. Output that
 * arrives before the domain's name is known waits, in order. The ring is read 2 KiB at a
 * time; what one burst reads goes to the file in one write (a flood made one write per
 * ring read, a large part of the served console's time). The file gets the ring's bytes
 * as they are, as io.c writes them, not text encoded again (a flood's UTF-8 encode was a
 * fifth of the served console's CPU per MB).
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';

export class ConsoleLogFile {
  private stream: WriteStream | undefined;
  private waiting: Uint8Array[] = [];
  private burst: Uint8Array[] = [];
  private ended = false;

  constructor(private readonly dir: string) {}

  /** The file's name is the domain's: open it (append) and write what waited. */
  open(domainName: string): void {
    if (this.ended || this.stream) return;
    mkdirSync(this.dir, { recursive: true });
    // a name is a file name here: path separators cannot come through (xl refuses them in names)
    const safe = domainName.replace(/[/\\]/g, '_');
    this.stream = createWriteStream(join(this.dir, `guest-${safe}.log`), { flags: 'a' });
    this.stream.on('error', () => undefined);
    for (const t of this.waiting) this.stream.write(t);
    this.waiting = [];
  }

  /** Bytes read from the ring (kept until written: the caller may not reuse them). */
  write(data: Uint8Array): void {
    if (this.ended || data.length === 0) return;
    if (!this.stream) {
      this.waiting.push(data);
      return;
    }
    if (this.burst.push(data) === 1) queueMicrotask(() => this.writeBurst());
  }

  private writeBurst(): void {
    const chunks = this.burst;
    this.burst = [];
    if (chunks.length > 0) this.stream?.write(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
  }

  /** Resolves once what was written is on disk. */
  end(): Promise<void> {
    this.writeBurst();
    this.ended = true;
    const s = this.stream;
    this.stream = undefined;
    this.waiting = [];
    return new Promise((resolve) => (s ? s.end(() => resolve()) : resolve()));
  }
}
