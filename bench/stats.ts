/** Percentiles by nearest rank: every reported value is one that was actually measured. */

export interface Summary {
	n: number;
	p50: number;
	p95: number;
	p99: number;
	max: number;
	mean: number;
}

export function summarise(values: readonly number[]): Summary | null {
	if (values.length === 0) return null;
	const sorted = Float64Array.from(values).sort();
	const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
	let sum = 0;
	for (const v of sorted) sum += v;
	return {
		n: sorted.length,
		p50: round(at(50)),
		p95: round(at(95)),
		p99: round(at(99)),
		max: round(sorted[sorted.length - 1] as number),
		mean: round(sum / sorted.length)
	};
}

export const round = (v: number, digits = 1) => {
	const f = 10 ** digits;
	return Math.round(v * f) / f;
};

export function mean(values: readonly number[]): number | null {
	if (values.length === 0) return null;
	let sum = 0;
	for (const v of values) sum += v;
	return sum / values.length;
}

/** a / b, or null when either is missing or b is zero. */
export function ratio(a: number | null | undefined, b: number | null | undefined): number | null {
	if (a == null || b == null || b === 0) return null;
	return round(a / b, 2);
}
