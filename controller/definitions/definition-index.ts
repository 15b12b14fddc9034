/**
 * The definitions of one revision, indexed by identity (R-REPO-3: kind + name, plus project for
 * a Jobnet). Semantic rules and the compiler read definitions only through this index.
 *
 * Pure: no I/O.
 */
import type { ParsedDocument } from './parse-documents.js';
import type {
  CalendarDocument,
  CredentialDocument,
  DayPatternDocument,
  EnvironmentDocument,
  IncidentPolicyDocument,
  JobnetDocument,
  ProjectDocument,
  SettingsDocument,
} from './types.generated.js';

/** A document together with where it came from. */
export interface Located<T> {
  doc: ParsedDocument;
  value: T;
  /** JSON pointers of the schema errors found in the document. A document with errors still
   * exists (references to it resolve), but content rules skip the parts that failed so one
   * mistake is not reported twice (see rules/rule-context.ts). */
  schemaErrorPaths: readonly string[];
}

export interface DefinitionIndex {
  settings?: Located<SettingsDocument>;
  calendars: Map<string, Located<CalendarDocument>>;
  dayPatterns: Map<string, Located<DayPatternDocument>>;
  credentials: Map<string, Located<CredentialDocument>>;
  environments: Map<string, Located<EnvironmentDocument>>;
  projects: Map<string, Located<ProjectDocument>>;
  /** Keyed by `<project>/<jobnet>`. */
  jobnets: Map<string, Located<JobnetDocument>>;
  incidentPolicies: Map<string, Located<IncidentPolicyDocument>>;
}

/** The calendar that always exists unless a repo redefines it (R-CAL-1). */
export const systemCalendarName = 'SYSTEM_CALENDAR';

export function jobnetKey(project: string, name: string): string {
  return `${project}/${name}`;
}

/** Identity string of a document, or undefined when kind/name are unusable. */
export function identityOf(value: unknown): { kind: string; key: string } | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const v = value as { kind?: unknown; metadata?: { name?: unknown; project?: unknown } };
  if (typeof v.kind !== 'string' || typeof v.metadata?.name !== 'string') return undefined;
  if (v.kind === 'Jobnet') {
    if (typeof v.metadata.project !== 'string') return undefined;
    return { kind: v.kind, key: jobnetKey(v.metadata.project, v.metadata.name) };
  }
  return { kind: v.kind, key: v.metadata.name };
}

export function emptyIndex(): DefinitionIndex {
  return {
    calendars: new Map(),
    dayPatterns: new Map(),
    credentials: new Map(),
    environments: new Map(),
    projects: new Map(),
    jobnets: new Map(),
    incidentPolicies: new Map(),
  };
}

/** The map an identity of `kind` lives in (Settings is single and handled apart). */
export function mapForKind(index: DefinitionIndex, kind: string): Map<string, Located<unknown>> | undefined {
  switch (kind) {
    case 'Calendar':
      return index.calendars;
    case 'DayPattern':
      return index.dayPatterns;
    case 'Credential':
      return index.credentials;
    case 'Environment':
      return index.environments;
    case 'Project':
      return index.projects;
    case 'Jobnet':
      return index.jobnets;
    case 'IncidentPolicy':
      return index.incidentPolicies;
    default:
      return undefined;
  }
}
