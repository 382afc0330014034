/** The api client of this window: Electron's bridge when the preload gave one, else WebSocket. */
import { ApiClient } from './client';
import { ElectronLink } from './electron-link';
import { WebSocketLink, defaultApiUrl } from './websocket-link';

let client: ApiClient | undefined;

export function api(): ApiClient {
  client ??= new ApiClient(window.xendeck ? new ElectronLink(window.xendeck) : new WebSocketLink(defaultApiUrl()));
  return client;
}

export { ApiClient, ApiRequestError } from './client';
