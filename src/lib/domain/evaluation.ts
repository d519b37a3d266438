/** The groups' evaluations of the meeting (« évaluation de la rencontre en groupes »), aggregated. */

export interface GroupEvaluation {
	everyoneSpoke: number | null;
	feltHeard: number | null;
	worked: string;
	didNotWork: string;
}

export interface EvaluationSummary {
	groups: number;
	/** Mean of the 1–4 answers given (null when nobody answered), to one decimal. */
	everyoneSpoke: number | null;
	feltHeard: number | null;
	/** How many groups gave each score 1–4. */
	everyoneSpokeCounts: [number, number, number, number];
	feltHeardCounts: [number, number, number, number];
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

export function summariseEvaluations(evaluations: readonly GroupEvaluation[]): EvaluationSummary {
	const spoke = evaluations.flatMap((e) => (e.everyoneSpoke === null ? [] : [e.everyoneSpoke]));
	const heard = evaluations.flatMap((e) => (e.feltHeard === null ? [] : [e.feltHeard]));
	return {
		groups: evaluations.length,
		everyoneSpoke: mean(spoke),
		feltHeard: mean(heard),
		everyoneSpokeCounts: counts(spoke),
		feltHeardCounts: counts(heard),
		worked: evaluations.map((e) => e.worked).filter(Boolean),
		didNotWork: evaluations.map((e) => e.didNotWork).filter(Boolean)
	};
}
