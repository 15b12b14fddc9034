/**
 * Where `jobnet import` writes each definition: the recommended layout of R-REPO-2 (the one of
 * examples/), and the check that no derived path leaves the target directory.
 *
 *   jobnet.yaml                              Settings
 *   calendars/<name>.yaml                    Calendar
 *   daypatterns/<name>.yaml                  DayPattern
 *   credentials/<name>.yaml                  Credential
 *   environments/<name>.yaml                 Environment
 *   incidents/<name>.yaml                    IncidentPolicy
 *   projects/<project>/project.yaml          Project
 *   projects/<project>/jobnets/<name>.yaml   Jobnet
 *
 * Pure: no I/O. Symbolic links in the target are checked by the import's I/O (bundle-files.ts).
 */

const folders: Record<string, string> = {
  Calendar: 'calendars',
  DayPattern: 'daypatterns',
  Credential: 'credentials',
  Environment: 'environments',
  IncidentPolicy: 'incidents',
};

export type LayoutResult = { ok: true; path: string } | { ok: false; message: string };

/**
 * The recommended path of a definition, relative to the repository root with forward slashes,
 * or why none can be derived (an unknown kind, a missing name, or a name that is not a safe
 * path segment: empty, `.`/`..`, starting with a dot, holding `/`, `\`, `:` or a control character).
 */
export function recommendedPath(value: unknown): LayoutResult {
  const doc = value as { kind?: unknown; metadata?: { name?: unknown; project?: unknown } } | null;
  const kind = typeof doc?.kind === 'string' ? doc.kind : undefined;
  if (kind === 'Settings') return { ok: true, path: 'jobnet.yaml' };
  const name = doc?.metadata?.name;
  const what = `${kind ?? 'a definition without kind'} ${JSON.stringify(name ?? null)}`;
  const unsafe = unsafeSegment(name);
  if (unsafe !== undefined) return { ok: false, message: `${what}: its name ${unsafe}` };
  const segment = name as string;
  if (kind === 'Project') return { ok: true, path: `projects/${segment}/project.yaml` };
  if (kind === 'Jobnet') {
    const project = doc?.metadata?.project;
    const unsafeProject = unsafeSegment(project);
    if (unsafeProject !== undefined) return { ok: false, message: `${what}: its project ${unsafeProject}` };
    return { ok: true, path: `projects/${project as string}/jobnets/${segment}.yaml` };
  }
  const folder = kind === undefined ? undefined : folders[kind];
  if (folder === undefined) return { ok: false, message: `${what}: unknown kind, no place for it in the layout` };
  return { ok: true, path: `${folder}/${segment}.yaml` };
}

/** Why `name` cannot be a path segment below the target, or undefined when it can. */
export function unsafeSegment(name: unknown): string | undefined {
  if (typeof name !== 'string' || name === '') return 'is missing';
  if (name === '.' || name === '..' || name.includes('..')) return 'would leave the target directory (..)';
  if (name.startsWith('.')) return 'starts with a dot (such files are not loaded)';
  if (/[/\\:]/.test(name)) return 'holds a path separator (/, \\ or :), which would place the file elsewhere';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'holds a control character';
  if (new TextEncoder().encode(name).length > 200) return 'is too long for a file name';
  return undefined;
}

/** Whether a relative path stays below the root: no absolute path, no `..` segment, no empty segment. */
export function staysBelowRoot(relativePath: string): boolean {
  if (relativePath === '' || relativePath.startsWith('/') || /^[A-Za-z]:/.test(relativePath)) return false;
  return relativePath.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..');
}
