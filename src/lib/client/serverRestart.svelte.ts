/** True from the server's `restarting` notice until a connection is back: « reconnexion » says why. */
export const serverRestart = $state({ pending: false });
