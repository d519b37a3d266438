/**
 * Real headless Chromium (Debian's), driven by playwright-core. A missing browser is a failure:
 * the launch throws and the test fails, it never skips.
 */
import type { AxeResults, RunOptions } from 'axe-core';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';

export const CHROMIUM = '/usr/bin/chromium';

/** Where browser tests leave screenshots; `SCREENSHOT_DIR=docs/screenshots npm test` refreshes the docs' ones. */
export const SCREENSHOTS = process.env.SCREENSHOT_DIR ?? join(tmpdir(), 'palabre-screenshots');
mkdirSync(SCREENSHOTS, { recursive: true });
const FLAGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync'
];

export interface TestBrowser {
	browser: Browser;
	close(): Promise<void>;
}

/** Playwright gives every launch a fresh, empty user-data-dir (and removes it on close). */
export async function launch(): Promise<TestBrowser> {
	const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
	return { browser, close: () => browser.close() };
}

export const PHONE = { viewport: { width: 360, height: 640 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

export function phone(browser: Browser, locale = 'fr-FR'): Promise<BrowserContext> {
	return browser.newContext({ ...PHONE, locale });
}

/** axe-core's minified build: half the size of its main file, so half the parsing in each page. */
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const WCAG_22_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/**
 * WCAG 2.2 AA check of the page as it is now: zero violations expected. axe-core runs in the page
 * itself, injected once per document (Palabre's pages have no frames): @axe-core/playwright
 * injected it twice per check and merged in a blank page of its own, 3–5 times slower.
 */
export async function expectAccessible(page: Page) {
	// Pages render in the browser: check them once rendered (every page sets its title), not the empty shell.
	await page.waitForFunction(() => document.readyState === 'complete' && document.title !== '');
	if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
	const summary = await page.evaluate(async (tags) => {
		const inPage = window as unknown as { axe: { run(context: Document, options: RunOptions): Promise<AxeResults> } };
		const { violations } = await inPage.axe.run(document, { runOnly: { type: 'tag', values: tags } });
		return violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
	}, WCAG_22_AA);
	expect(summary).toEqual([]);
}
