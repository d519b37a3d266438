/** Renders the actes in the format an organiser asks for (docs/actes.md): the model laid out once, then drawn. */
import { actesBlocks, type ActesLayout } from '../../src/lib/domain/actes/layout';
import type { ActesModel } from '../../src/lib/domain/actes/model';
import { renderDocx } from './docx';
import { renderHtml } from './html';
import { renderMarkdown } from './markdown';
import { renderPdf } from './pdf';

export const ACTES_FORMATS = ['md', 'html', 'docx', 'pdf'] as const;
export type ActesFormat = (typeof ACTES_FORMATS)[number];

export interface RenderedActes {
	body: Buffer | string;
	contentType: string;
	filename: string;
}

/** ASCII only, so that it goes into a Content-Disposition header as it is; cut between words. */
function actesFilename(title: string, format: ActesFormat): string {
	const words = title
		.normalize('NFD')
		.replace(/[\u0300-\u036f]/g, '')
		.toLowerCase()
		.split(/[^a-z0-9]+/)
		.filter(Boolean);
	let slug = 'actes';
	for (const word of words) {
		if (slug.length + 1 + word.length > 80) break;
		slug += `-${word}`;
	}
	return `${slug}.${format}`;
}

export async function renderActes(model: ActesModel, format: ActesFormat): Promise<RenderedActes> {
	const actes: ActesLayout = { lang: model.lang, title: model.title, blocks: actesBlocks(model) };
	const filename = actesFilename(actes.title, format);
	switch (format) {
		case 'md':
			return { body: renderMarkdown(actes), contentType: 'text/markdown; charset=utf-8', filename };
		case 'html':
			return { body: renderHtml(actes), contentType: 'text/html; charset=utf-8', filename };
		case 'docx':
			return { body: await renderDocx(actes), contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', filename };
		case 'pdf':
			return { body: await renderPdf(actes), contentType: 'application/pdf', filename };
	}
}
