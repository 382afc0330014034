// The one origin the XenDeck UI is loaded from.
//
// Electron security checklist item 18: "avoid usage of the file:// protocol and
// prefer usage of custom protocols". The renderer is served from app://xendeck/,
// a privileged standard scheme registered by main; navigation guards, the IPC
// sender check and the protocol handler all compare against these constants.

export const APP_SCHEME = 'app';
export const APP_HOST = 'xendeck';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
/** The URL main loads into the window. */
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;
