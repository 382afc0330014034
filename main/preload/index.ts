/**
 * The preload (sandboxed: no Node, only the preload subset of Electron). It asks main for
 * a MessagePort once and exposes `window.xendeck` with two functions — send an envelope,
 * receive envelopes — through contextBridge. The page never sees ipcRenderer, the port
 * object or anything else of Electron (Electron security checklist item 3, "context
 * isolation", and docs/tutorial/message-ports.md).
 */
import { contextBridge, ipcRenderer } from 'electron';
import { IPC_HELLO, IPC_PORT } from '../ipc-channels';

type Envelope = Record<string, unknown>;

let port: MessagePort | undefined;
const outbox: Envelope[] = [];
const listeners: ((m: unknown) => void)[] = [];

ipcRenderer.once(IPC_PORT, (event) => {
  port = event.ports[0];
  if (!port) return;
  port.onmessage = (e: MessageEvent) => {
    for (const l of listeners) l(e.data);
  };
  port.start();
  for (const m of outbox.splice(0)) port.postMessage(m);
});
ipcRenderer.send(IPC_HELLO);

contextBridge.exposeInMainWorld('xendeck', {
  send(m: Envelope): void {
    if (port) port.postMessage(m);
    else outbox.push(m);
  },
  onMessage(cb: (m: unknown) => void): void {
    if (typeof cb === 'function') listeners.push(cb);
  },
});
