/** The resumable participant token, kept on the device per event so a reload is the same person. */
const key = (joinCode: string) => `palabre.participant.${joinCode}`;

export const loadToken = (joinCode: string): string | null => localStorage.getItem(key(joinCode));
export const saveToken = (joinCode: string, token: string) => localStorage.setItem(key(joinCode), token);
export const forgetToken = (joinCode: string) => localStorage.removeItem(key(joinCode));
