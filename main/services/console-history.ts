/**
 * A domain's recent console output, as xenconsoled keeps it in its per-domain buffer
 * (tools/console/daemon/io.c: struct buffer, trimmed to max_capacity by dropping the
 * oldest bytes), so a console opened later starts with what the guest printed before.
 */
export const DEFAULT_HISTORY_CHARS = 128 * 1024;

export class ConsoleHistory {
  private chunks: string[] = [];
  private length = 0;
  /** Characters ever appended (a subscriber's position in the stream). */
  total = 0;

  constructor(readonly capacity: number = DEFAULT_HISTORY_CHARS) {}

  append(text: string): void {
    if (text === '') return;
    this.chunks.push(text);
    this.length += text.length;
    this.total += text.length;
    while (this.length > this.capacity) {
      const head = this.chunks[0]!;
      const over = this.length - this.capacity;
      if (head.length <= over) {
        this.chunks.shift();
        this.length -= head.length;
      } else {
        this.chunks[0] = head.slice(over);
        this.length -= over;
      }
    }
  }

  text(): string {
    if (this.chunks.length > 1) this.chunks = [this.chunks.join('')];
    return this.chunks[0] ?? '';
  }

  get size(): number {
    return this.length;
  }
}
