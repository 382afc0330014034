// How many SSH sessions (channels) the connector keeps open on one connection. OpenSSH's
// sshd refuses a session beyond MaxSessions, 10 by default (sshd_config(5)), with "open
// failed": the GUI asks many things at once (a domain's page alone sends half a dozen
// queries) while consoles (ptys) and the domain watch hold sessions for their whole
// life. Commands wait for a free slot; long-lived sessions may take all but a few, so
// commands always get through.
import { NotSupportedError } from './errors';

/** OpenSSH's default MaxSessions. */
export const OPENSSH_MAX_SESSIONS = 10;
/** Slots long-lived sessions (consoles, watches) leave to commands. */
const KEPT_FOR_COMMANDS = 2;

export type SlotKind = 'command' | 'session';

export class ChannelSlots {
  private inUse = 0;
  private sessions = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly capacity = OPENSSH_MAX_SESSIONS) {}

  /** Resolves with the release function once a slot is free. */
  acquire(kind: SlotKind): Promise<() => void> {
    if (kind === 'session' && this.sessions >= this.capacity - KEPT_FOR_COMMANDS) {
      return Promise.reject(
        new NotSupportedError(
          `${this.sessions} consoles and watches already hold the SSH sessions this connection may keep open`,
          `sshd allows ${this.capacity} sessions per connection (MaxSessions); close a console first`,
        ),
      );
    }
    if (kind === 'session') this.sessions++;
    return new Promise((resolve) => {
      const take = (): void => {
        this.inUse++;
        let released = false;
        resolve(() => {
          if (released) return;
          released = true;
          this.inUse--;
          if (kind === 'session') this.sessions--;
          this.waiting.shift()?.();
        });
      };
      if (this.inUse < this.capacity) take();
      else this.waiting.push(take);
    });
  }

  get open(): number {
    return this.inUse;
  }

  get queued(): number {
    return this.waiting.length;
  }
}
