/**
 * A Svelte action binding a textarea or input to a Y.Text: local typing becomes the smallest
 * insert/delete, remote edits update the field and keep the caret where the person was.
 */
import type * as Y from 'yjs';

type Field = HTMLTextAreaElement | HTMLInputElement;

/** Where a caret ends up after a remote change described by a Yjs delta. */
export function shiftCaret(caret: number, delta: { retain?: number; insert?: unknown; delete?: number }[]): number {
	let index = 0;
	let result = caret;
	for (const op of delta) {
		if (op.retain) index += op.retain;
		else if (typeof op.insert === 'string') {
			if (index <= result) result += op.insert.length;
			index += op.insert.length;
		} else if (op.delete) {
			if (index < result) result -= Math.min(op.delete, result - index);
		}
	}
	return result;
}

/** The one change that turns `before` into `after`: common prefix and suffix kept. */
export function diff(before: string, after: string): { index: number; remove: number; insert: string } {
	let start = 0;
	while (start < before.length && start < after.length && before[start] === after[start]) start++;
	let end = 0;
	while (
		end < before.length - start &&
		end < after.length - start &&
		before[before.length - 1 - end] === after[after.length - 1 - end]
	) end++;
	return { index: start, remove: before.length - start - end, insert: after.slice(start, after.length - end) };
}

/**
 * A textarea as tall as its text, so that what one typed never scrolls out of its box (where
 * CSS `field-sizing: content` is missing; it does nothing to an input).
 */
export function fitHeight(node: Field) {
	if (!(node instanceof HTMLTextAreaElement) || CSS.supports('field-sizing', 'content')) return;
	node.style.height = 'auto';
	node.style.height = `${node.scrollHeight + node.offsetHeight - node.clientHeight}px`;
}

export function ytext(node: Field, text: Y.Text) {
	let current = text;
	const local = Symbol('local');
	node.value = current.toString();
	requestAnimationFrame(() => fitHeight(node));

	const onInput = () => {
		const { index, remove, insert } = diff(current.toString(), node.value);
		current.doc?.transact(() => {
			if (remove) current.delete(index, remove);
			if (insert) current.insert(index, insert);
		}, local);
		fitHeight(node);
	};
	const observer = (event: Y.YTextEvent, tx: Y.Transaction) => {
		if (tx.origin === local) return;
		const focused = document.activeElement === node;
		const [start, end] = [node.selectionStart ?? 0, node.selectionEnd ?? 0];
		node.value = current.toString();
		if (focused) node.setSelectionRange(shiftCaret(start, event.delta), shiftCaret(end, event.delta));
		fitHeight(node);
	};
	node.addEventListener('input', onInput);
	current.observe(observer);

	return {
		update(next: Y.Text) {
			current.unobserve(observer);
			current = next;
			node.value = current.toString();
			fitHeight(node);
			current.observe(observer);
		},
		destroy() {
			node.removeEventListener('input', onInput);
			current.unobserve(observer);
		}
	};
}
