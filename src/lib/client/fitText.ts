/**
 * Text that fits its box on the projection: the font size steps down from `max` until the
 * element's content no longer overflows it, never below `min` (both in px, or in vh when given
 * as strings like '4vh', so the floor scales with the screen). An element still too full at the
 * floor is marked `data-overflow`, for the paging around it to take over.
 */

export interface FitOptions {
	max: number | string;
	min: number | string;
	/** Anything whose change should trigger a new fit (the text, the page shown). */
	key?: unknown;
}

/** '3vh' or '2vw' (or a number of px) in px for the current window. */
export function toPx(size: number | string): number {
	if (typeof size === 'number') return size;
	const m = /^([\d.]+)(vh|vw|px)$/.exec(size);
	if (!m) throw new Error(`unsupported size: ${size}`);
	const n = Number(m[1]);
	return m[2] === 'vh' ? (n * innerHeight) / 100 : m[2] === 'vw' ? (n * innerWidth) / 100 : n;
}

export function overflows(el: HTMLElement): boolean {
	return el.scrollHeight > el.clientHeight + 1 || el.scrollWidth > el.clientWidth + 1;
}

/** Largest font size in [min, max] at which `fits()` holds (or min); 1 px steps by bisection. */
export function fitFont(el: HTMLElement, max: number, min: number, fits: () => boolean = () => !overflows(el)): boolean {
	let lo = Math.floor(min);
	let hi = Math.floor(max);
	el.style.fontSize = `${hi}px`;
	if (fits()) return true;
	while (hi - lo > 1) {
		const mid = Math.floor((lo + hi) / 2);
		el.style.fontSize = `${mid}px`;
		if (fits()) lo = mid;
		else hi = mid;
	}
	el.style.fontSize = `${lo}px`;
	return fits();
}

export function fitText(node: HTMLElement, options: FitOptions) {
	let current = options;
	const fit = () => {
		const ok = fitFont(node, toPx(current.max), toPx(current.min));
		if (ok) node.removeAttribute('data-overflow');
		else node.setAttribute('data-overflow', '');
	};
	// A new size of the box (window resized, a neighbour grew) means a new fit; the fit itself
	// changes no box size worth a refit.
	let size = '';
	const resized = new ResizeObserver(() => {
		const now = `${node.clientWidth}x${node.clientHeight}`;
		if (now !== size) fit();
		size = now;
	});
	resized.observe(node);
	// New text (the next stage's question) may land after the options change: fit it too.
	const changed = new MutationObserver(() => fit());
	changed.observe(node, { childList: true, subtree: true, characterData: true });
	fit();
	return {
		update(next: FitOptions) {
			current = next;
			fit();
		},
		destroy() {
			resized.disconnect();
			changed.disconnect();
		}
	};
}
