/**
 * Which host `xl` runs against (issue 5): a running XenDeck when one answers on its api
 * socket (--socket PATH, else defaultSocketPath(): $XENDECK_SOCKET or the user's runtime
 * folder), unless a lab was chosen (--lab DIR or $XENDECK_LAB). With nothing answering
 * xl quietly runs the ./.lab lab as before; only an explicit --socket or --host that
 * cannot be honoured is an error, since the user asked for a running XenDeck.
 */
import { defaultSocketPath } from '../../../main/serve/socket-path';
import { ToolstackError } from '../../toolstack/toolstack-error';
import { ApiHost, fromApiError } from './api-host';
import type { XlGlobals } from './context';

export const DEFAULT_HOST_ID = 'lab1';

export async function connectRunning(g: XlGlobals, env: Record<string, string | undefined>): Promise<ApiHost | undefined> {
  if (g.labChosen) {
    if (g.socketPath !== undefined || g.hostId !== undefined) {
      throw new ToolstackError('EINVAL', `${g.socketPath !== undefined ? '--socket' : '--host'} is for a running XenDeck, not a lab`, 'drop --lab (and unset XENDECK_LAB) to use the running XenDeck');
    }
    return undefined;
  }
  const path = g.socketPath ?? defaultSocketPath(env);
  try {
    return await ApiHost.connect(path, g.hostId ?? DEFAULT_HOST_ID);
  } catch (e) {
    if (g.socketPath !== undefined || g.hostId !== undefined) throw fromApiError(e);
    return undefined;
  }
}
