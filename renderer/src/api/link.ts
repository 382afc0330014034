/**
 * A link carries the api envelopes between this renderer and the services: a MessagePort
 * relayed by the preload in Electron, a WebSocket in a browser. The client above it does
 * not know which.
 */
import type { ClientMessage, ServerMessage } from '../../../main/api/envelope';

export type LinkState = 'connecting' | 'open' | 'closed';

export interface Link {
  send(m: ClientMessage): void;
  onMessage(cb: (m: ServerMessage) => void): void;
  onState(cb: (s: LinkState) => void): void;
  readonly state: LinkState;
}
