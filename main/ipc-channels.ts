/** The only two IPC channel names: the preload asks for a port, main answers with one. */
export const IPC_HELLO = 'xendeck:hello';
export const IPC_PORT = 'xendeck:port';
