/**
 * The Electron link: the preload exposes `window.xendeck` (contextBridge), which relays
 * envelopes over a MessagePort to main. Nothing else of Electron or Node reaches the page.
 */
import type { ClientMessage, ServerMessage } from '../../../main/api/envelope';
import type { Link, LinkState } from './link';

export interface XenDeckBridge {
  send(m: ClientMessage): void;
  onMessage(cb: (m: ServerMessage) => void): void;
}

declare global {
  interface Window {
    xendeck?: XenDeckBridge;
  }
}

export class ElectronLink implements Link {
  readonly state: LinkState = 'open';
  constructor(private readonly bridge: XenDeckBridge) {}
  send(m: ClientMessage): void {
    this.bridge.send(m);
  }
  onMessage(cb: (m: ServerMessage) => void): void {
    this.bridge.onMessage(cb);
  }
  onState(cb: (s: LinkState) => void): void {
    cb('open');
  }
}
