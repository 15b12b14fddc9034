/**
 * Every document that code comments, tests and docs cite is in this repository, so a contributor
 * who clones it can follow every citation (CONTRIBUTING.md#11-comments-explain-why):
 * - no citation of documents kept elsewhere: the specification, design and conventions under
 *   their draft names (`SPEC 4.1`, a design or conventions file and section), digests of the WOI
 *   user guide, paths into a folder outside the repository, or the guide under an internal
 *   nickname (cite it as "the WOI user guide" or "WOI 8.3.1");
 * - every rule id (`R-REST-4`) has an entry in docs/specification.md, and every rule family
 *   (`R-REST`) a section there;
 * - every `docs/specification.md §4.1` names a section that exists, and every link or path with
 *   an anchor (`docs/architecture.md#performance-budget`) names a heading or anchor that exists.
 *
 * scripts/rewrite-citations.py rewrites the old citations into these forms.
 */
import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..', '..');
const scannedDirectories = [
  'controller',
  'workflows',
  'test',
  'bench',
  'scripts',
  'docs',
  'schemas',
  'examples',
  'bin',
  '.ci',
];
const scannedRootFiles = [
  'README.md',
  'CONTRIBUTING.md',
  'eslint.config.js',
  'vitest.config.ts',
  'tsconfig.json',
  'package.json',
];
const skippedDirectories = new Set(['node_modules', '.git', '.tools', '.data', 'dist', 'coverage', '.out']);
/** Files whose job is to name the old citations: this test and the script that rewrites them. */
const exempt = new Set(['test/architecture/cited-documents.test.ts', 'scripts/rewrite-citations.py']);
const specificationFile = 'docs/specification.md';

/** Repository-relative paths (with `/`) of the text files under `dir`. */
function filesUnder(dir: string): string[] {
  const absolute = path.join(root, dir);
  if (!existsSync(absolute)) return [];
  return readdirSync(absolute)
    .sort()
    .flatMap((name) => {
      if (skippedDirectories.has(name)) return [];
      const relative = `${dir}/${name}`;
      const entry = lstatSync(path.join(root, relative));
      // Fixtures of symbolic links are not followed: their targets are scanned where they live.
      if (entry.isSymbolicLink()) return [];
      return entry.isDirectory() ? filesUnder(relative) : [relative];
    });
}

interface ScannedFile {
  file: string;
  lines: string[];
}

function scannedFiles(): ScannedFile[] {
  const files = [
    ...scannedDirectories.flatMap(filesUnder),
    ...scannedRootFiles.filter((file) => existsSync(path.join(root, file))),
  ];
  return files
    .filter((file) => !exempt.has(file))
    .map((file) => ({ file, text: readFileSync(path.join(root, file), 'utf8') }))
    .filter(({ text }) => !text.includes('\u0000'))
    .map(({ file, text }) => ({ file, lines: text.split('\n') }));
}

/** Citations of documents that are not in the repository. */
const outsideCitations: [string, RegExp][] = [
  ['a document kept outside the repository', /\b(?:SPEC|DESIGN|CONVENTIONS)(?:\.md)?\b/g],
  ['a path outside the repository', /\.\.\/shared\/|\/work\/shared\b/g],
  ['a digest of the WOI user guide kept outside the repository', /\b[Ss]eed digest\b/g],
  ['the WOI user guide under an internal name', /\b[Ss]eed (?:WOI\b|\d)|\b[Tt]he seed\b|\b[Aa] seed example\b/g],
];
const ruleIdPattern = /\bR-[A-Z]+-\d+[a-z]?\b/g;
const ruleFamilyPattern = /\bR-[A-Z]+\b(?!-\d)/g;

/** `file:line: what "match"` for every match of `pattern` in `files`. */
function findings(files: ScannedFile[], pattern: RegExp, accept: (match: string) => boolean, what: string): string[] {
  const found: string[] = [];
  for (const { file, lines } of files) {
    lines.forEach((line, index) => {
      for (const match of line.matchAll(pattern)) {
        if (!accept(match[0])) found.push(`${file}:${index + 1}: ${what} "${match[0]}"`);
      }
    });
  }
  return found;
}

function outsideCitationsIn(files: ScannedFile[]): string[] {
  return outsideCitations.flatMap(([what, pattern]) => findings(files, pattern, () => false, what));
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens. */
function headingAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/<[^>]*>/g, '')
    .replace(/[^\p{L}\p{N}\p{M} _-]/gu, '')
    .replace(/ /g, '-');
}

/** The anchors a Markdown file offers: its headings and its `<a id="…">` elements. */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  for (const line of markdown.split('\n')) {
    const heading = /^#{1,6} (.+)$/.exec(line);
    if (heading?.[1] !== undefined) anchors.add(headingAnchor(heading[1]));
    for (const element of line.matchAll(/<a id="([^"]+)"><\/a>/g)) anchors.add(element[1] ?? '');
  }
  return anchors;
}

/** The rule entries of the specification: list items that start with their anchor and bold id. */
function ruleEntries(specification: string): string[] {
  return [...specification.matchAll(/^- <a id="(R-[A-Z]+-\d+[a-z]?)"><\/a>\*\*(R-[A-Z]+-\d+[a-z]?)\*\*/gm)].map(
    (match) => (match[1] === match[2] ? (match[1] ?? '') : `${match[1] ?? ''} != ${match[2] ?? ''}`),
  );
}

/** The rule families of the specification: the `(R-XXX, R-YYY)` at the end of its headings. */
function ruleFamilies(specification: string): Set<string> {
  const families = new Set<string>();
  for (const heading of specification.matchAll(/^#{2,4} .*\(([^)]*)\)\s*$/gm)) {
    for (const family of (heading[1] ?? '').matchAll(/\bR-[A-Z]+\b(?!-\d)/g)) families.add(family[0]);
  }
  return families;
}

/** The numbered sections of the specification (`4.1`, `6`). */
function sectionNumbers(specification: string): Set<string> {
  return new Set([...specification.matchAll(/^#{2,3} (\d+(?:\.\d+)*)\.? /gm)].map((match) => match[1] ?? ''));
}

function sectionReferencesIn(files: ScannedFile[], sections: Set<string>): string[] {
  const found: string[] = [];
  for (const { file, lines } of files) {
    lines.forEach((line, index) => {
      for (const reference of line.matchAll(/specification\.md(?:#[\w-]+)? ((?:§\d+(?:\.\d+)*(?:, )?)+)/g)) {
        for (const section of (reference[1] ?? '').matchAll(/§(\d+(?:\.\d+)*)/g)) {
          if (!sections.has(section[1] ?? ''))
            found.push(`${file}:${index + 1}: no section ${section[0]} in ${specificationFile}`);
        }
      }
    });
  }
  return found;
}

/** Links (Markdown) and paths (elsewhere) with an anchor into a Markdown file of the repository. */
function anchorReferencesIn(files: ScannedFile[]): string[] {
  const anchorsByFile = new Map<string, Set<string> | undefined>();
  const anchorsOfFile = (file: string): Set<string> | undefined => {
    if (!anchorsByFile.has(file)) {
      const absolute = path.join(root, file);
      anchorsByFile.set(file, existsSync(absolute) ? anchorsOf(readFileSync(absolute, 'utf8')) : undefined);
    }
    return anchorsByFile.get(file);
  };
  const found: string[] = [];
  for (const { file, lines } of files) {
    const markdown = file.endsWith('.md');
    const pattern = markdown ? /\]\(([^)\s#]*)#([^)\s]+)\)/g : /(?<![\w/.-])((?:[\w.-]+\/)*[\w.-]+\.md)#([\w-]+)/g;
    lines.forEach((line, index) => {
      for (const match of line.matchAll(pattern)) {
        const target = match[1] ?? '';
        if (/^[a-z]+:/.test(target)) continue; // https://… and other schemes
        const targetFile =
          target === ''
            ? file
            : path.posix.normalize(markdown ? path.posix.join(path.posix.dirname(file), target) : target);
        if (!targetFile.endsWith('.md')) continue;
        const anchors = anchorsOfFile(targetFile);
        if (anchors === undefined) found.push(`${file}:${index + 1}: ${targetFile} does not exist`);
        else if (!anchors.has(match[2] ?? ''))
          found.push(`${file}:${index + 1}: no anchor #${match[2] ?? ''} in ${targetFile}`);
      }
    });
  }
  return found;
}

describe('cited documents', () => {
  const files = scannedFiles();
  const specification = readFileSync(path.join(root, specificationFile), 'utf8');
  const entries = ruleEntries(specification);
  const defined = new Set(entries);
  const families = ruleFamilies(specification);

  it('scans the code, tests, benchmarks, scripts and docs', () => {
    const scanned = new Set(files.map(({ file }) => file));
    for (const file of [
      'README.md',
      specificationFile,
      'controller/cli/main.ts',
      'workflows/run-workflow.ts',
      'eslint.config.js',
    ]) {
      expect(scanned.has(file), file).toBe(true);
    }
  });

  it('cites no document that is kept outside the repository', () => {
    expect(outsideCitationsIn(files)).toEqual([]);
  });

  it('cites only rule ids that docs/specification.md has an entry for', () => {
    expect(findings(files, ruleIdPattern, (id) => defined.has(id), 'no entry in docs/specification.md for')).toEqual(
      [],
    );
  });

  it('cites only rule families that docs/specification.md has a section for', () => {
    expect(
      findings(files, ruleFamilyPattern, (family) => families.has(family), 'no section in docs/specification.md for'),
    ).toEqual([]);
  });

  it('refers only to sections of docs/specification.md that exist', () => {
    expect(sectionReferencesIn(files, sectionNumbers(specification))).toEqual([]);
  });

  it('links only to anchors that exist', () => {
    expect(anchorReferencesIn(files)).toEqual([]);
  });

  it('gives every rule of docs/specification.md one entry with its own anchor', () => {
    expect(entries.length).toBeGreaterThan(90);
    expect(entries.filter((entry) => entry.includes('!='))).toEqual([]);
    expect(entries.filter((entry, index) => entries.indexOf(entry) !== index)).toEqual([]);
    expect([...families].sort()).toEqual(expect.arrayContaining(['R-JOB', 'R-REST', 'R-SCALE', 'R-TRB']));
  });

  it('finds what it looks for (the checks can fail)', () => {
    const sample: ScannedFile[] = [
      {
        file: 'sample.ts',
        lines: [
          '// as SPEC 4.1 says (DESIGN.md §3 "Run", CONVENTIONS.md §8), see ../shared/notes',
          '// R-REST-4 and R-NOPE-1, R-REST and R-NOPE; seed digest §4.2; the seed; seed WOI 8.3.1',
          '// docs/specification.md §4.1, §99.9 and docs/architecture.md#no-such-heading',
        ],
      },
    ];
    expect(outsideCitationsIn(sample).map((found) => found.replace(/^.*"(.*)"$/, '$1'))).toEqual([
      'SPEC',
      'DESIGN.md',
      'CONVENTIONS.md',
      '../shared/',
      'seed digest',
      'the seed',
      'seed WOI',
    ]);
    expect(findings(sample, ruleIdPattern, (id) => defined.has(id), 'unknown')).toEqual([
      'sample.ts:2: unknown "R-NOPE-1"',
    ]);
    expect(findings(sample, ruleFamilyPattern, (family) => families.has(family), 'unknown')).toEqual([
      'sample.ts:2: unknown "R-NOPE"',
    ]);
    expect(sectionReferencesIn(sample, sectionNumbers(specification))).toEqual([
      'sample.ts:3: no section §99.9 in docs/specification.md',
    ]);
    expect(anchorReferencesIn(sample)).toEqual(['sample.ts:3: no anchor #no-such-heading in docs/architecture.md']);
    expect(headingAnchor('8. Workflow code is deterministic')).toBe('8-workflow-code-is-deterministic');
    expect(headingAnchor('The Temporal CLI, built from the Go module proxy')).toBe(
      'the-temporal-cli-built-from-the-go-module-proxy',
    );
  });
});
