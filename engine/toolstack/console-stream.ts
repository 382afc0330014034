/**
 * A guest console as the toolstack hands it to clients (`xl console`, the GUI's console
 * service): bytes out of the guest, keystrokes in, and an end. engine/remote's
 * RemoteConsole (`xl console` over ssh) has this shape; the embedded host's
 * EmbeddedConsole reads the simulated guest's ring (./guest-console.ts).
 */
export interface ConsoleStream {
  readonly domid: number;
  /** Guest output, as bytes (the terminal decodes them). */
  onData(listener: (data: Uint8Array) => void): () => void;
  /** Called once when the console ends: detached, or the domain gone. */
  onClose(listener: (reason: string) => void): () => void;
  /** Keystrokes to the guest. */
  write(data: string | Uint8Array): void;
  close(): void;
  /**
   * Flow control: stop reading the guest's output ring, so the guest waits (as it does
   * when xenconsoled stops reading); resume() reads again. Not every host has it.
   */
  pause?(): void;
  resume?(): void;
}
