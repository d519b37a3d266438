/**
 * Work counted rather than timed, for the tests: with PALABRE_TRACE naming kinds of work
 * (comma-separated, e.g. `views`), the server prints one line per unit of that work on stdout,
 * `trace <kind> <detail>`. Off by default; speed itself is measured by the benchmark only.
 */
const traced = new Set((process.env.PALABRE_TRACE ?? '').split(',').filter(Boolean));

export function trace(kind: string, detail: string) {
	if (traced.has(kind)) console.log(`trace ${kind} ${detail}`);
}
