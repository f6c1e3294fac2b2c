/**
 * Sections of BENCHMARKS.md that a command other than `npm run bench` writes
 * (`npm run bench:load`, tools/bench/load.ts; `npm run mutate:report`,
 * tools/mutate/report.ts), kept between HTML comment markers:
 * each command replaces only its own section, and a full `npm run bench`,
 * which writes the rest of the file anew, carries them over.
 */

/** The commands whose sections `npm run bench` keeps. */
export const KEPT_SECTIONS = ['bench:load', 'mutate:report'] as const;

const begin = (id: string) => `<!-- ${id}: begin (written by npm run ${id}) -->`;
const end = (id: string) => `<!-- ${id}: end -->`;

/** Section `id` of `doc`, markers included, or undefined when it has none. */
export function sectionOf(doc: string, id: string): string | undefined {
  const from = doc.indexOf(begin(id));
  const to = doc.indexOf(end(id), from);
  return from >= 0 && to > from ? doc.slice(from, to + end(id).length) : undefined;
}

/** `doc` with section `id` holding `body`: replaced where it was, appended otherwise. */
export function withSection(doc: string, id: string, body: string): string {
  const section = `${begin(id)}\n${body.trim()}\n${end(id)}`;
  const old = sectionOf(doc, id);
  // A function replacement: `$` in the body must stay literal.
  return old ? doc.replace(old, () => section) : `${doc.trimEnd()}\n\n${section}\n`;
}

/** `fresh` (a newly rendered BENCHMARKS.md) with the kept sections of `previous` appended. */
export function keepSections(fresh: string, previous: string): string {
  return KEPT_SECTIONS.reduce((doc, id) => {
    const kept = sectionOf(previous, id);
    return kept ? `${doc.trimEnd()}\n\n${kept}\n` : doc;
  }, fresh);
}
