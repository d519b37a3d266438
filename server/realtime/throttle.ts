/**
 * Sends the views of the ids marked since the last run, at most once every `everyMs`, or at
 * once when urgent: a rush of changes costs one view per id and period, not one per change.
 * Views are built one per turn of the event loop (a view may add steps of its own through
 * `later`), so keystrokes waiting to be relayed go in between. A step that throws is one id's
 * failure, handed to `fail`: the other ids' views still go, now and later.
 */
export class Throttled {
	private readonly due = new Set<string>();
	private readonly steps: { id: string; step: () => void }[] = [];
	private timer: NodeJS.Timeout | undefined;
	private pending: NodeJS.Immediate | undefined;
	private last = 0;

	constructor(
		private readonly everyMs: number,
		private readonly send: (id: string, later: (step: () => void) => void) => void,
		private readonly fail: (id: string, err: unknown) => void = () => {}
	) {}

	mark(id: string) {
		this.due.add(id);
	}

	schedule(urgent: boolean) {
		if (this.due.size === 0) return;
		if (urgent) {
			clearTimeout(this.timer);
			this.run();
		} else this.timer ??= setTimeout(() => this.run(), Math.max(0, this.last + this.everyMs - Date.now()));
	}

	private run() {
		this.timer = undefined;
		this.last = Date.now();
		for (const id of this.due) this.later(id, () => this.send(id, (step) => this.later(id, step)));
		this.due.clear();
	}

	private later(id: string, step: () => void) {
		this.steps.push({ id, step });
		this.pending ??= setImmediate(() => this.pump());
	}

	private pump() {
		this.pending = undefined;
		const next = this.steps.shift();
		try {
			next?.step();
		} catch (err) {
			this.fail(next?.id as string, err);
		}
		if (this.steps.length) this.pending = setImmediate(() => this.pump());
	}

	/** A slower lane into this throttle: what is marked there reaches it at most once every `everyMs`. */
	slower(everyMs: number): Throttled {
		return new Throttled(everyMs, (id) => {
			this.mark(id);
			this.schedule(false);
		});
	}

	close() {
		clearTimeout(this.timer);
		clearImmediate(this.pending);
		this.steps.length = 0;
	}
}
