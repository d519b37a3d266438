// Pages render in the browser: their data comes live from the server over socket.io.
export const ssr = false;
