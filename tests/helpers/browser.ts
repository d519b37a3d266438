/**
 * Real headless Chromium (Debian's), driven by playwright-core. A missing browser is a failure:
 * the launch throws and the test fails, it never skips.
 */
import { AxeBuilder } from '@axe-core/playwright';
import { mkdirSync } from 'node:fs';
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

/** WCAG 2.2 AA check of the page as it is now: zero violations expected. */
export async function expectAccessible(page: Page) {
	// Pages render in the browser: check them once rendered (every page sets its title), not the empty shell.
	await page.waitForFunction(() => document.readyState === 'complete' && document.title !== '');
	const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
	const summary = result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
	expect(summary).toEqual([]);
}
