/**
 * The paper kit (issue 22): a print-ready A4 PDF, in the event's language, with a paper
 * equivalent of every digital step — the verbatim capture sheet of day 1, a poster per room (QR
 * code, join code and address), a card per statement, a write-up sheet per group, the evaluation
 * sheet. What is written on paper is typed in later « pour le groupe » and reaches the actes.
 *
 * QR codes are drawn as vector squares (sharp at any print size). A room's QR code opens the join
 * page with that room chosen (`?salle=`); a statement's card opens its room's: the statement is then
 * picked on the phone (there is no link that picks a statement directly).
 */
import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';
import type { Language } from '../src/lib/protocol';
import { formatEventDates } from '../src/lib/domain/eventDates';
import { en } from '../src/lib/i18n/en';
import { fr, type MessageKey } from '../src/lib/i18n/fr';
import { embedFonts, withFallback, type FontName } from './actes/pdf';
import type { Links } from './links';
import type { EventRecord, Store } from './store/store';

export interface PaperKitInput {
	title: string;
	/** Already formatted in the event's language. */
	dates: string | null;
	place: string | null;
	language: Language;
	joinCode: string;
	/** The address people type the code at (the home page). */
	homeUrl: string;
	stages: { name: string; question: string; minutes: number }[];
	rooms: {
		title: string;
		/** The join page with this room chosen. */
		joinUrl: string;
		statements: { number: number; text: string; groups: number[] }[];
	}[];
}

/** The join page with a room chosen: what a room's poster and its statements' cards open. */
export const roomJoinUrl = (joinUrl: string, roomId: string) => `${joinUrl}?salle=${encodeURIComponent(roomId)}`;

/** The kit's content for an event, from the store. */
export function paperKitInput(store: Store, links: Links, event: EventRecord): PaperKitInput {
	const joinUrl = links.join(event);
	const { stageNames, stageQuestions, stageMinutes } = event.settings;
	return {
		title: event.title,
		dates: formatEventDates(event.date, event.endDate, event.language),
		place: event.place,
		language: event.language,
		joinCode: event.joinCode,
		homeUrl: `${links.publicUrl}/`,
		stages: stageQuestions.map((question, k) => ({ name: stageNames[k] as string, question, minutes: stageMinutes[k] as number })),
		rooms: store.listRooms(event.id).map((room) => {
			const groups = store.listGroups(room.id);
			return {
				title: room.title,
				joinUrl: roomJoinUrl(joinUrl, room.id),
				statements: store.listStatements(room.id).map((s, i) => ({
					number: i + 1,
					text: s.text,
					groups: groups.filter((g) => g.statementId === s.id).map((g) => g.number).sort((a, b) => a - b)
				}))
			};
		})
	};
}

const MARGIN = 48;
const TEXT = '#1a1a1a';
const GREY = '#555555';
const LINE = '#888888';

class Kit {
	readonly doc: PDFKit.PDFDocument;
	private readonly glyphs: Record<FontName, (cp: number) => boolean>;
	private font: FontName = 'regular';

	constructor(private readonly input: PaperKitInput) {
		this.doc = new PDFDocument({
			size: 'A4',
			margins: { top: MARGIN, bottom: MARGIN, left: MARGIN, right: MARGIN },
			autoFirstPage: false,
			lang: input.language === 'fr' ? 'fr-FR' : 'en-GB',
			displayTitle: true,
			info: { Title: this.sayWith(input.language, 'kit.footer', { title: input.title }), Creator: 'Palabre' }
		});
		this.glyphs = embedFonts(this.doc);
	}

	private sayWith(lang: Language, key: MessageKey, params: Record<string, string | number> = {}) {
		return (lang === 'fr' ? fr : en)[key].replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
	}

	private say(key: MessageKey, params: Record<string, string | number> = {}) {
		return this.sayWith(this.input.language, key, params);
	}

	private get width() {
		return this.doc.page.width - 2 * MARGIN;
	}

	private use(font: FontName, size: number, colour = TEXT) {
		this.doc.font(font).fontSize(size).fillColor(colour);
		this.font = font;
	}

	private safe(text: string) {
		return withFallback(text, this.glyphs[this.font]);
	}

	private write(text: string, options: PDFKit.Mixins.TextOptions = {}, x = MARGIN, width = this.width) {
		this.doc.text(this.safe(text), x, this.doc.y, { width, ...options });
	}

	private footerText: string | undefined;

	/** « title — kit papier » on one line: a long title is shortened, never the words after it. */
	private footer() {
		if (this.footerText === undefined) {
			let title = this.input.title.replace(/\s+/g, ' ');
			const text = () => this.safe(this.say('kit.footer', { title }));
			while (title.length > 1 && this.doc.widthOfString(text()) > this.width) title = `${Array.from(title).slice(0, -2).join('').trimEnd()}…`;
			this.footerText = text();
		}
		return this.footerText;
	}

	/** A new page with the event's name in its footer (so loose sheets find their event). */
	private page() {
		this.doc.addPage();
		const y = this.doc.page.height - MARGIN + 14;
		this.use('regular', 8, GREY);
		// Below the bottom margin: lifted for this line, or pdfkit would open a new page for it.
		const margins = this.doc.page.margins;
		this.doc.page.margins = { ...margins, bottom: 0 };
		this.doc.text(this.footer(), MARGIN, y, { width: this.width, align: 'center', lineBreak: false });
		this.doc.page.margins = margins;
		this.doc.x = MARGIN;
		this.doc.y = MARGIN;
	}

	private readonly codes = new Map<string, QRCode.QRCode>();

	/** Draws `url` as a QR code of side `size` at (x, y). */
	private qr(url: string, x: number, y: number, size: number) {
		let code = this.codes.get(url);
		if (!code) this.codes.set(url, (code = QRCode.create(url, { errorCorrectionLevel: 'M' })));
		const { modules } = code;
		// Four modules of quiet zone on each side, as the standard asks.
		const cell = size / (modules.size + 8);
		this.doc.save().rect(x, y, size, size).fill('#ffffff');
		this.doc.fillColor('#000000');
		for (let row = 0; row < modules.size; row++) {
			for (let col = 0; col < modules.size; col++) {
				if (modules.get(row, col)) this.doc.rect(x + (col + 4) * cell, y + (row + 4) * cell, cell, cell);
			}
		}
		this.doc.fill().restore();
	}

	/** The largest whole size (down to `min`) at which `text` fits in `width` × `height`: a binary search, layouts cost. */
	private fit(text: string, font: FontName, max: number, min: number, width: number, height: number) {
		const fits = (size: number) => this.doc.font(font).fontSize(size).heightOfString(this.safe(text), { width }) <= height;
		let [lo, hi] = [min, max];
		while (lo < hi) {
			const mid = Math.ceil((lo + hi) / 2);
			if (fits(mid)) lo = mid;
			else hi = mid - 1;
		}
		return lo;
	}

	/** A framed box with a heading, to write in by hand. */
	private box(heading: string, height: number) {
		const top = this.doc.y;
		this.doc.save().lineWidth(0.8).strokeColor(LINE).roundedRect(MARGIN, top, this.width, height, 6).stroke().restore();
		this.doc.y = top + 8;
		this.use('bold', 10.5);
		this.write(heading, {}, MARGIN + 10, this.width - 20);
		this.doc.y = top + height + 10;
	}

	verbatimSheet() {
		this.page();
		this.use('bold', 18);
		this.write(this.say('kit.verbatimTitle'));
		this.doc.moveDown(0.3);
		this.use('regular', 10);
		this.write(this.say('kit.verbatimIntro'));
		this.doc.moveDown(0.5);
		this.use('italic', 9.5, GREY);
		this.write(this.say('kit.themes', { list: this.input.rooms.map((r, i) => `${i + 1}. ${r.title}`).join(' · ') }));
		this.doc.moveDown(0.6);
		this.use('regular', 10.5);
		this.write(this.say('kit.verbatimWorkshop'));
		this.doc.moveDown(0.8);
		// Columns: time, sentence, theme, lively, said by.
		const widths = [44, 0, 44, 52, 92];
		widths[1] = this.width - widths.reduce((a, b) => a + b, 0);
		const headers = [this.say('kit.colTime'), this.say('kit.colSentence'), this.say('kit.colTheme'), this.say('kit.colLively'), this.say('kit.colWho')];
		let y = this.doc.y;
		const headerHeight = 28;
		const bottom = this.doc.page.height - MARGIN - 4;
		const rows = Math.floor((bottom - y - headerHeight) / 58);
		const xs = widths.map((_, i) => MARGIN + widths.slice(0, i).reduce((a, b) => a + b, 0));
		this.use('bold', 8.5);
		headers.forEach((h, i) => this.doc.text(this.safe(h), (xs[i] as number) + 3, y + 4, { width: (widths[i] as number) - 6 }));
		const tableBottom = y + headerHeight + rows * 58;
		this.doc.save().lineWidth(0.6).strokeColor(LINE);
		for (let r = 0; r <= rows; r++) this.doc.moveTo(MARGIN, y + headerHeight + r * 58).lineTo(MARGIN + this.width, y + headerHeight + r * 58);
		this.doc.moveTo(MARGIN, y).lineTo(MARGIN + this.width, y);
		for (const x of [...xs, MARGIN + this.width]) this.doc.moveTo(x, y).lineTo(x, tableBottom);
		this.doc.stroke();
		// A box to tick in the « très animé » column.
		for (let r = 0; r < rows; r++) this.doc.rect((xs[3] as number) + 19, y + headerHeight + r * 58 + 22, 14, 14);
		this.doc.stroke().restore();
		y = tableBottom;
		this.doc.y = y;
	}

	poster(room: PaperKitInput['rooms'][number], n: number) {
		this.page();
		this.use('regular', 13, GREY);
		this.write(this.input.title, { align: 'center' });
		const when = [this.input.dates, this.input.place].filter(Boolean).join(' — ');
		if (when) this.write(when, { align: 'center' });
		this.doc.moveDown(0.8);
		this.use('bold', 30);
		this.write(this.say('kit.posterJoin'), { align: 'center' });
		this.doc.moveDown(0.3);
		const roomTitle = this.say('kit.posterRoom', { n, room: room.title });
		this.use('bold', this.fit(roomTitle, 'bold', 24, 12, this.width, 90));
		this.write(roomTitle, { align: 'center' });
		this.doc.moveDown(0.8);
		const size = 300;
		const top = this.doc.y;
		this.qr(room.joinUrl, MARGIN + (this.width - size) / 2, top, size);
		this.doc.y = top + size + 6;
		this.use('regular', 14);
		this.write(this.say('kit.posterScan'), { align: 'center' });
		this.write(this.say('kit.posterOr', { url: this.input.homeUrl }), { align: 'center' });
		this.doc.moveDown(0.2);
		this.use('bold', 44);
		this.write(this.input.joinCode, { align: 'center', characterSpacing: 6 });
		this.doc.moveDown(0.4);
		this.use('italic', 11, GREY);
		this.write(this.say('kit.posterNoPhone'), { align: 'center' });
	}

	card(room: PaperKitInput['rooms'][number], statement: PaperKitInput['rooms'][number]['statements'][number]) {
		this.page();
		this.use('regular', 12, GREY);
		this.write(room.title);
		this.doc.moveDown(0.5);
		this.use('bold', 40);
		this.write(this.say('kit.cardStatement', { n: statement.number }));
		this.doc.moveDown(0.5);
		const quoted = `« ${statement.text} »`;
		const qrSize = 150;
		const textHeight = this.doc.page.height - MARGIN - qrSize - 30 - this.doc.y;
		this.use('bold', this.fit(quoted, 'bold', 34, 12, this.width, textHeight));
		this.write(quoted);
		const top = this.doc.page.height - MARGIN - qrSize - 10;
		this.qr(room.joinUrl, MARGIN, top, qrSize);
		this.use('regular', 11, GREY);
		this.doc.y = top + qrSize / 2 - 20;
		this.write(this.say('kit.cardScan', { room: room.title, n: statement.number }), {}, MARGIN + qrSize + 16, this.width - qrSize - 16);
	}

	writeupSheet(room: PaperKitInput['rooms'][number], statement: PaperKitInput['rooms'][number]['statements'][number], group: number | null) {
		this.page();
		this.use('bold', 16);
		this.write(`${this.say('kit.writeupTitle')} — ${group === null ? this.say('kit.writeupGroupBlank') : this.say('kit.writeupGroup', { n: group })}`);
		this.use('regular', 10, GREY);
		this.write(`${room.title} · ${this.say('kit.cardStatement', { n: statement.number })}`);
		const quoted = `« ${statement.text} »`;
		this.use('bold', this.fit(quoted, 'bold', 12, 8, this.width, 48));
		this.write(quoted);
		this.doc.moveDown(0.3);
		this.use('regular', 9.5);
		this.write(this.say('kit.writeupComposition'));
		const rule = this.doc.y + 16;
		this.doc.save().lineWidth(0.6).strokeColor(LINE).moveTo(MARGIN, rule).lineTo(MARGIN + this.width, rule).stroke().restore();
		this.doc.y = rule + 12;
		const parts: string[] = [this.say('kit.constats'), this.say('kit.ilFaudrait', { part: this.say('kit.ideal') }), this.say('kit.ilFaudrait', { part: this.say('kit.concretement') })];
		const footer = 34;
		const each = (this.doc.page.height - MARGIN - footer - this.doc.y) / 3;
		this.input.stages.forEach((stage, k) => {
			const top = this.doc.y;
			this.use('bold', 10);
			this.write(this.say('kit.writeupStage', { n: k + 1, name: stage.name, minutes: stage.minutes }));
			this.use('italic', 9.5);
			this.write(stage.question);
			this.doc.moveDown(0.2);
			this.box(parts[k] as string, top + each - this.doc.y - 12);
		});
		this.use('italic', 8.5, GREY);
		this.write(this.say('kit.typeLater'));
	}

	evaluationSheet() {
		this.page();
		this.use('bold', 18);
		this.write(this.say('stage.evaluation'));
		this.doc.moveDown(0.3);
		this.use('regular', 10.5);
		this.write(this.say('kit.evaluationGroup'));
		this.doc.moveDown(0.3);
		this.use('italic', 10, GREY);
		this.write(this.say('kit.evaluationIntro'));
		this.doc.moveDown(0.8);
		for (const question of ['eval.everyoneSpoke', 'eval.feltHeard'] as const) {
			this.use('bold', 12);
			this.write(this.say(question));
			this.doc.moveDown(0.4);
			this.use('regular', 10.5);
			const y = this.doc.y;
			const step = this.width / 4;
			(['eval.scale1', 'eval.scale2', 'eval.scale3', 'eval.scale4'] as const).forEach((scale, i) => {
				const x = MARGIN + i * step;
				this.doc.save().lineWidth(0.8).strokeColor(LINE).rect(x, y, 12, 12).stroke().restore();
				this.doc.fillColor(TEXT).text(this.safe(this.say(scale)), x + 18, y + 1, { width: step - 22 });
			});
			this.doc.y = y + 34;
		}
		const left = (this.doc.page.height - MARGIN - 10 - this.doc.y) / 2;
		this.box(this.say('eval.worked'), left - 10);
		this.box(this.say('eval.didNotWork'), left - 10);
	}

	async render(): Promise<Buffer> {
		const chunks: Buffer[] = [];
		const done = new Promise<Buffer>((resolve, reject) => {
			this.doc.on('data', (chunk: Buffer) => chunks.push(chunk));
			this.doc.on('end', () => resolve(Buffer.concat(chunks)));
			this.doc.on('error', reject);
		});
		// In the order of the event: day 1's verbatims, then the rooms, the statements, the stages, the evaluation.
		this.verbatimSheet();
		this.input.rooms.forEach((room, i) => this.poster(room, i + 1));
		for (const room of this.input.rooms) for (const s of room.statements) this.card(room, s);
		for (const room of this.input.rooms) {
			for (const s of room.statements) {
				for (const group of s.groups.length ? s.groups : [null]) this.writeupSheet(room, s, group);
			}
		}
		this.evaluationSheet();
		this.doc.end();
		return done;
	}
}

export function renderPaperKit(input: PaperKitInput): Promise<Buffer> {
	return new Kit(input).render();
}
