/** The careful-words check: names and health details flagged, functions and places not. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anonymise, carefulWords, countFlagged } from '../../src/lib/domain/carefulWords';

const kinds = (text: string, names: string[] = []) => carefulWords(text, names).map((f) => `${f.kind}:${f.match}`);

describe('carefulWords', () => {
	it('flags a civility with a name, and a diagnosis', () => {
		expect(kinds('Mme Dupont, diabétique, nous a dit que le centre était loin')).toEqual(['person:Mme Dupont', 'health:diabétique']);
		expect(kinds('Dr Martin lui a prescrit de l’insuline')).toEqual(['person:Dr Martin', 'health:insuline']);
		expect(kinds('Mr. Smith has been depressed since his HIV test')).toEqual(['person:Mr. Smith', 'health:depressed', 'health:HIV']);
		expect(kinds('Docteure Aït-Ali et Monsieur Lefèvre')).toEqual(['person:Docteure Aït-Ali', 'person:Monsieur Lefèvre']);
	});

	it('flags a member’s first name as a whole word, whatever the accents and case', () => {
		expect(kinds('Aïcha pense que oui, aicha aussi', ['Aïcha B.', 'Jo'])).toEqual(['person:Aïcha', 'person:aicha']);
		// Two letters is too short to be told from a word.
		expect(kinds('Jo a dit: jouer', ['Jo'])).toEqual([]);
		expect(kinds('Les Aïchatou', ['Aïcha'])).toEqual([]);
	});

	it('leaves functions, places and look-alike words alone', () => {
		expect(kinds('Madame la Maire est venue, Monsieur le Préfet aussi')).toEqual([]);
		expect(kinds('Madame Maire, Monsieur Président')).toEqual([]);
		expect(kinds('À Chambéry, Saint-Étienne et Paris, les centres de santé')).toEqual([]);
		expect(kinds('Le Sidaction, l’obéissance, une diatribe, M. le maire')).toEqual([]);
		expect(kinds('Mme D. est venue')).toEqual([]);
	});

	it('flags a diagnosis in a general sentence too (decided: docs/writeup.md)', () => {
		expect(kinds('Le diabète touche beaucoup le quartier')).toEqual(['health:diabète']);
		expect(kinds('Les personnes atteintes de DÉPRESSION')).toEqual(['health:DÉPRESSION']);
	});

	it('counts a name inside a civility once', () => {
		expect(kinds('Mme Karima est venue', ['Karima'])).toEqual(['person:Mme Karima']);
	});

	it('gives each flag where it is in the text as typed, so anonymising replaces just it', () => {
		const text = 'Selon Mme Dupont, diabétique, c’est loin';
		const [person, health] = carefulWords(text);
		expect(person && anonymise(text, person, 'une habitante')).toBe('Selon une habitante, diabétique, c’est loin');
		expect(health && anonymise(text, health, 'malade')).toBe('Selon Mme Dupont, malade, c’est loin');
		fc.assert(
			fc.property(fc.string(), fc.string(), (before, after) => {
				const t = `${before} Mme Dupont ${after}`;
				return carefulWords(t).every((f) => t.slice(f.index, f.index + f.match.length) === f.match);
			})
		);
	});

	it('counts the flagged ideas', () => {
		expect(countFlagged([{ text: 'Mme Dupont' }, { text: 'Rien' }, { text: 'Karim a dit', names: ['Karim'] }, { text: 'le cancer' }])).toBe(3);
	});
});
