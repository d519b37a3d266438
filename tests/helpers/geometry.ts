/**
 * Layout checks run inside a page, for screens that must fit their window (the projection): what
 * is beyond the viewport, what text is clipped or has no size, what is drawn over something else,
 * and whether any of the given names shows in the page's text or attributes. Returns the problems
 * found, described, so a failing test says where.
 */
import type { Page } from 'playwright-core';

export interface GeometryOptions {
	/** Names that must appear nowhere (text, attributes, title). */
	names: string[];
	/** Selector of elements whose text must be at least `minFontPx` high. */
	readable?: string;
	minFontPx?: number;
	/** A page that scrolls down (a phone's): only its width must fit the viewport. */
	scrolls?: boolean;
}

export function layoutProblems(page: Page, options: GeometryOptions): Promise<string[]> {
	return page.evaluate(({ names, readable, minFontPx, scrolls }) => {
		const W = innerWidth;
		const H = scrolls ? Infinity : innerHeight;
		const problems: string[] = [];
		const TOL = 1;
		const describe = (el: Element) => {
			const testid = el.getAttribute('data-testid');
			const cls = typeof el.className === 'string' && el.className ? `.${el.className.split(' ')[0]}` : '';
			return `${el.tagName.toLowerCase()}${testid ? `[${testid}]` : ''}${cls} «${(el.textContent ?? '').trim().slice(0, 50)}»`;
		};
		// Text meant for screen readers only is clipped on purpose.
		const shown = (el: Element) => {
			if (el.closest('.visually-hidden')) return false;
			// A closed <details> keeps its content laid out, unseen: only its summary shows.
			const folded = el.closest('details:not([open])');
			if (folded && !el.closest('summary')?.parentElement?.isSameNode(folded) && el !== folded) return false;
			const cs = getComputedStyle(el);
			return cs.visibility !== 'hidden' && el.getClientRects().length > 0;
		};
		const all = [...document.body.querySelectorAll('*')].filter(shown);

		for (const el of all) {
			const r = el.getBoundingClientRect();
			if (r.width === 0 && r.height === 0) continue;
			if (r.left < -TOL || (!scrolls && r.top < -TOL) || r.right > W + TOL || r.bottom > H + TOL) {
				problems.push(`beyond the viewport: ${describe(el)} (${Math.round(r.left)},${Math.round(r.top)})–(${Math.round(r.right)},${Math.round(r.bottom)})`);
			}
		}

		const textNodes: { node: Text; owner: Element }[] = [];
		for (const el of all) {
			for (const n of el.childNodes) if (n.nodeType === Node.TEXT_NODE && n.textContent?.trim()) textNodes.push({ node: n as Text, owner: el });
		}
		const owners = [...new Set(textNodes.map((t) => t.owner))];
		for (const el of owners) {
			const r = el.getBoundingClientRect();
			if (r.width < 1 || r.height < 1) problems.push(`text of zero size: ${describe(el)}`);
			if (getComputedStyle(el).display !== 'inline' && (el.scrollHeight > el.clientHeight + TOL || el.scrollWidth > el.clientWidth + TOL)) {
				problems.push(`text clipped (scroll ${el.scrollWidth}×${el.scrollHeight} > client ${el.clientWidth}×${el.clientHeight}): ${describe(el)}`);
			}
			// Hidden by an ancestor that clips its overflow.
			for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
				const cs = getComputedStyle(a);
				if (cs.overflowX === 'visible' && cs.overflowY === 'visible') continue;
				const ar = a.getBoundingClientRect();
				if (r.top < ar.top - TOL || r.bottom > ar.bottom + TOL || r.left < ar.left - TOL || r.right > ar.right + TOL) {
					problems.push(`text cut by ${describe(a)}: ${describe(el)}`);
					break;
				}
			}
		}

		// Text drawn over other text: line boxes of different text nodes that overlap by more than a sliver.
		const lines: { rect: DOMRect; owner: Element; i: number }[] = [];
		textNodes.forEach(({ node, owner }, i) => {
			const range = document.createRange();
			range.selectNodeContents(node);
			for (const rect of range.getClientRects()) if (rect.width > 0 && rect.height > 0) lines.push({ rect, owner, i });
		});
		const overlap = (a: DOMRect, b: DOMRect) => ({
			w: Math.min(a.right, b.right) - Math.max(a.left, b.left),
			h: Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top)
		});
		for (let x = 0; x < lines.length; x++) {
			for (let y = x + 1; y < lines.length; y++) {
				const a = lines[x] as (typeof lines)[number];
				const b = lines[y] as (typeof lines)[number];
				if (a.i === b.i) continue;
				const o = overlap(a.rect, b.rect);
				if (o.w > 2 && o.h > 0.3 * Math.min(a.rect.height, b.rect.height)) problems.push(`text over text: ${describe(a.owner)} / ${describe(b.owner)}`);
			}
		}

		// Content boxes (the slide's regions, tiles, images) never overlap one another.
		const boxes = all.filter((el) => el.matches('main > *, .tile, img'));
		for (let x = 0; x < boxes.length; x++) {
			for (let y = x + 1; y < boxes.length; y++) {
				const a = boxes[x] as Element;
				const b = boxes[y] as Element;
				if (a.contains(b) || b.contains(a)) continue;
				const o = overlap(a.getBoundingClientRect(), b.getBoundingClientRect());
				if (o.w > TOL && o.h > TOL) problems.push(`boxes overlap: ${describe(a)} / ${describe(b)}`);
			}
		}

		if (readable && minFontPx) {
			for (const el of document.querySelectorAll(readable)) {
				const size = parseFloat(getComputedStyle(el).fontSize);
				if (size < minFontPx) problems.push(`text below ${minFontPx}px (${size}px): ${describe(el)}`);
			}
		}

		const text = `${document.title}\n${document.body.innerText}`;
		const attributes = [...document.querySelectorAll('*')].flatMap((el) => [...el.attributes].map((a) => a.value));
		for (const name of names) {
			if (text.includes(name)) problems.push(`a name is shown: ${name}`);
			if (attributes.some((v) => v.includes(name))) problems.push(`a name is in an attribute: ${name}`);
		}
		return [...new Set(problems)];
	}, options);
}
