/** The groups' evaluations of the meeting (« évaluation de la rencontre en groupes »), aggregated. */

/**
 * One scale's answer: 1–4, `'declined'` when the group chose « je préfère ne pas répondre », or
 * null when nobody answered (or the answer was cleared). A declined answer is an answer: it is
 * counted apart (`declined`) and never enters a mean or the 1–4 counts.
 */
export type Scale = number | 'declined' | null;

export interface GroupEvaluation {
	everyoneSpoke: Scale;
	feltHeard: Scale;
	worked: string;
	didNotWork: string;
}

/** What one member sends: only the fields they changed. */
export type EvaluationPatch = Partial<GroupEvaluation>;

export const EMPTY_EVALUATION: GroupEvaluation = { everyoneSpoke: null, feltHeard: null, worked: '', didNotWork: '' };

/**
 * One form per group, filled from several phones: each member sends only the fields they changed,
 * and the group's evaluation takes them field by field over what it holds. Two members changing
 * different fields keep both answers; on the same field the last one sent wins.
 */
export function mergeEvaluation(current: GroupEvaluation | null, patch: EvaluationPatch): GroupEvaluation {
	const merged = { ...(current ?? EMPTY_EVALUATION) };
	for (const key of Object.keys(EMPTY_EVALUATION) as (keyof GroupEvaluation)[]) {
		if (patch[key] !== undefined) Object.assign(merged, { [key]: patch[key] });
	}
	return merged;
}

export interface EvaluationSummary {
	groups: number;
	/** Mean of the 1–4 answers given (null when nobody answered), to one decimal. */
	everyoneSpoke: number | null;
	feltHeard: number | null;
	/** How many groups gave each score 1–4. */
	everyoneSpokeCounts: [number, number, number, number];
	feltHeardCounts: [number, number, number, number];
	/** How many groups preferred not to answer each scale. */
	declined: { everyoneSpoke: number; feltHeard: number };
	worked: string[];
	didNotWork: string[];
}

function mean(values: number[]): number | null {
	if (!values.length) return null;
	return Math.round((values.reduce((a, b) => a + b, 0) / values.length) * 10) / 10;
}

function counts(values: number[]): [number, number, number, number] {
	const c: [number, number, number, number] = [0, 0, 0, 0];
	for (const v of values) c[v - 1] = (c[v - 1] ?? 0) + 1;
	return c;
}

const scores = (values: Scale[]) => values.flatMap((v) => (typeof v === 'number' ? [v] : []));
const declinedIn = (values: Scale[]) => values.filter((v) => v === 'declined').length;

export function summariseEvaluations(evaluations: readonly GroupEvaluation[]): EvaluationSummary {
	const spoke = evaluations.map((e) => e.everyoneSpoke);
	const heard = evaluations.map((e) => e.feltHeard);
	return {
		groups: evaluations.length,
		everyoneSpoke: mean(scores(spoke)),
		feltHeard: mean(scores(heard)),
		everyoneSpokeCounts: counts(scores(spoke)),
		feltHeardCounts: counts(scores(heard)),
		declined: { everyoneSpoke: declinedIn(spoke), feltHeard: declinedIn(heard) },
		worked: evaluations.map((e) => e.worked).filter(Boolean),
		didNotWork: evaluations.map((e) => e.didNotWork).filter(Boolean)
	};
}
