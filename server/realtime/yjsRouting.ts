/**
 * Which Yjs process holds a doc when there are several (YJS_PROCESSES): a fixed hash of its
 * name, so every connection to a doc, and every change the main process makes to it, reaches
 * the one process that has it loaded; no doc is ever in two processes, so none relays to another.
 */

/** FNV-1a (32 bits) of the name's UTF-16 code units: cheap, stable across processes and runs. */
function fnv1a(text: string): number {
	let hash = 0x811c9dc5;
	for (let i = 0; i < text.length; i++) {
		hash ^= text.charCodeAt(i);
		hash = Math.imul(hash, 0x01000193);
	}
	return hash >>> 0;
}

/** The index, in [0, processes), of the Yjs process that holds `docName`. */
export function yjsProcessOf(docName: string, processes: number): number {
	return processes <= 1 ? 0 : fnv1a(docName) % processes;
}
