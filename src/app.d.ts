// See https://svelte.dev/docs/kit/types#app.d.ts
declare global {
	namespace App {}

	// TypeScript's lib is ES2023 (tsconfig.json), what Node 20 implements; Node 20 also has these
	// two ES2024 methods (V8 11.3), used by the actes, which are built on the server.
	interface String {
		isWellFormed(): boolean;
		toWellFormed(): string;
	}
}
export {};
