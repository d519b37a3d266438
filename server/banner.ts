/** What the server prints once it listens: where to go, where the data is, how to stop. */
import QRCode from 'qrcode';
import { join } from 'node:path';
import { ANY_HOST, LOOPBACK_HOST, type Config } from './config';
import { DB_FILE } from './store/sqlite';

const row = (label: string, value: string) => `  ${label.padEnd(32)} : ${value}`;

export async function readyBanner(config: Config): Promise<string> {
	const home = `${config.publicUrl}/`;
	const lines = [
		'Palabre est prêt. / Palabre is ready.',
		row('Organisateur·rice·s / organisers', `${config.publicUrl}/new  (créer un événement / create an event)`),
		row('Participant·e·s / participants', `${home}  (code de l'événement, ou le QR code projeté / event code, or the projected QR code)`)
	];
	// Listening on every interface (the default): this machine also answers on localhost.
	if (ANY_HOST.test(config.host) && !config.loopbackOnly) {
		lines.push(row('Sur ce poste / on this machine', `http://localhost:${config.port}/`));
	}
	if (config.loopbackOnly) {
		lines.push(
			LOOPBACK_HOST.test(config.host)
				? `  Attention : HOST=${config.host}, seul ce poste peut ouvrir Palabre ; les téléphones ne pourront pas le joindre.\n` +
						`  Warning: HOST=${config.host}, only this machine can open Palabre; phones cannot reach it. Use HOST=0.0.0.0, or PUBLIC_URL behind a proxy.`
				: '  Attention : aucune adresse réseau local ; les téléphones ne pourront pas rejoindre. Connectez ce poste au Wi-Fi du lieu ou indiquez PUBLIC_URL.\n' +
						'  Warning: no local network address; phones cannot join. Connect this machine to the venue Wi-Fi or set PUBLIC_URL.'
		);
	} else {
		// The home page, so the organiser can open it on a phone (and check the Wi-Fi reaches it).
		const qr = await QRCode.toString(home, { type: 'terminal', small: true });
		// Its last line holds colour codes only.
		const drawn = qr.split('\n').filter((line) => line.replace(/\x1b\[\d+m/g, '').trim());
		lines.push(...drawn.map((line) => `  ${line}`), `  ↑ ${home} — à scanner avec un téléphone / scan it with a phone`);
	}
	lines.push(
		row('Données / data', `${join(config.dataDir, DB_FILE)}  (copie à chaud / live copy: npm run backup)`),
		row('Arrêter / stop', 'Ctrl-C (ou / or SIGTERM)')
	);
	return lines.join('\n');
}
