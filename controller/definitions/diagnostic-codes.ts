/**
 * The registry of diagnostic codes. Codes are stable strings (tests, docs and users' scripts
 * depend on them); docs/errors.md is generated from this table, and a test fails when a code
 * has no invalid fixture or the generated page is stale.
 *
 * Pure module: data only.
 */

/** How bad a problem is: an error fails validation, a warning does not. */
export type Severity = 'error' | 'warning';

export interface DiagnosticCodeInfo {
  severity: Severity;
  /** One line: what is wrong. */
  title: string;
  /** How to fix it. */
  fix: string;
  /** Spec rules behind the check. */
  rules?: string[];
}

export const diagnosticCodes = {
  // --- Files and YAML -------------------------------------------------------------------
  'FILE-TOO-LARGE': {
    severity: 'error',
    title: 'A definition file is larger than the loader accepts (default 5 MiB).',
    fix: 'Split the file into several files; one jobnet per file is the recommended layout.',
    rules: ['R-SEC-4'],
  },
  'FILE-ENCODING': {
    severity: 'error',
    title: 'A definition file is not valid UTF-8 text.',
    fix: 'Save the file as UTF-8 (definitions may contain Japanese text, but must be UTF-8 encoded).',
    rules: ['R-SEC-4'],
  },
  'FILE-SYMLINK': {
    severity: 'warning',
    title: 'A symbolic link in the definitions tree is not followed: it leads outside the tree, or to nothing.',
    fix: 'Links are followed only while they stay inside the definitions tree (one revision is read whole, and nothing outside it). Copy the file into the tree, point the link at a file inside it, or remove the link; a link to a missing file is probably left over from a move.',
    rules: ['R-REPO-1', 'R-GIT-2'],
  },
  'REPO-EMPTY': {
    severity: 'warning',
    title: 'The definitions tree holds no definition document.',
    fix: 'Check the directory (or the git repository, branch and --path) you gave: definitions are the *.yaml and *.yml files outside dot-directories and Settings.spec.ignore. Applying an empty tree retires every applied jobnet.',
    rules: ['R-REPO-1'],
  },
  'YAML-SYNTAX': {
    severity: 'error',
    title: 'The file is not valid YAML.',
    fix: 'Correct the YAML at the position shown (indentation, unclosed quotes or brackets, tabs).',
    rules: ['R-REPO-1', 'R-SEC-4'],
  },
  'YAML-DUPLICATE-KEY': {
    severity: 'error',
    title: 'A mapping has the same key twice; YAML parsers disagree on which one wins, so it is refused.',
    fix: 'Remove or rename one of the two keys.',
    rules: ['R-REPO-1'],
  },
  'DOC-NOT-MAPPING': {
    severity: 'error',
    title: 'A YAML document is not a mapping with apiVersion, kind, metadata and spec.',
    fix: 'Every document in a definitions repo must be a mapping; remove stray scalars or lists, or move non-definition YAML under a path listed in Settings.spec.ignore.',
    rules: ['R-REPO-1'],
  },
  'DOC-API-VERSION': {
    severity: 'error',
    title: 'The document has a missing or unsupported apiVersion.',
    fix: 'Use `apiVersion: jobnet/v1`.',
    rules: ['R-REPO-1'],
  },
  'DOC-KIND': {
    severity: 'error',
    title: 'The document has a missing or unknown kind.',
    fix: 'Use one of Settings, Calendar, DayPattern, Credential, Environment, Project, Jobnet, IncidentPolicy.',
    rules: ['R-REPO-1'],
  },
  // --- JSON Schema ----------------------------------------------------------------------
  'SCHEMA-UNKNOWN-FIELD': {
    severity: 'error',
    title: 'A field is not part of the definition format (often a typo).',
    fix: 'Check the spelling against docs/definitions.md; the message lists the allowed fields.',
    rules: ['R-REPO-5', 'R-SEC-4'],
  },
  'SCHEMA-REQUIRED': {
    severity: 'error',
    title: 'A required field is missing.',
    fix: 'Add the field named in the message.',
    rules: ['R-REPO-5'],
  },
  'SCHEMA-TYPE': {
    severity: 'error',
    title: 'A value has the wrong type (for example a string where a number is expected).',
    fix: 'Write the value with the type the message names; quote strings that YAML would read as numbers or booleans.',
    rules: ['R-REPO-5'],
  },
  'SCHEMA-ENUM': {
    severity: 'error',
    title: 'A value is not one of the allowed values.',
    fix: 'Use one of the values listed in the message.',
    rules: ['R-REPO-5'],
  },
  'SCHEMA-FORMAT': {
    severity: 'error',
    title: 'A value does not have the required form (name, time, date, duration, URL, …).',
    fix: 'Write the value in the form the message describes.',
    rules: ['R-REPO-4', 'R-REPO-5'],
  },
  'SCHEMA-RANGE': {
    severity: 'error',
    title: 'A number, string or list is outside its allowed range or length.',
    fix: 'Bring the value within the bounds named in the message.',
    rules: ['R-REPO-5'],
  },
  'SCHEMA-CONSTRAINT': {
    severity: 'error',
    title:
      'A value breaks a structural rule of the format (a field that needs another, or a shape none of the alternatives match).',
    fix: 'Read the message: it names the field that must be added or the alternative shapes allowed.',
    rules: ['R-REPO-5'],
  },
  // --- Identity and names ---------------------------------------------------------------
  'DUPLICATE-IDENTITY': {
    severity: 'error',
    title: 'Two documents have the same identity (kind + name, plus project for a Jobnet).',
    fix: 'Rename or remove one of them; identity comes from metadata, not from the file path.',
    rules: ['R-REPO-3'],
  },
  'SETTINGS-MULTIPLE': {
    severity: 'error',
    title: 'A repository may hold at most one Settings document.',
    fix: 'Merge the Settings documents into one (normally `jobnet.yaml` at the root).',
    rules: ['R-REPO-2'],
  },
  'NAME-TOO-LONG': {
    severity: 'error',
    title: 'A name or text is longer than its byte limit (UTF-8 bytes, so a Japanese character counts 3).',
    fix: 'Shorten the name: project, jobnet and event names ≤ 50 bytes, credential, calendar, variable and job names ≤ 64 bytes, descriptions ≤ 1024 bytes.',
    rules: ['R-REPO-4'],
  },
  // --- References -----------------------------------------------------------------------
  'REF-PROJECT': {
    severity: 'error',
    title: 'A jobnet (or event scope) names a project that is not defined.',
    fix: 'Add `projects/<project>/project.yaml` with kind Project, or correct the project name.',
    rules: ['R-REPO-2', 'R-EVT-1'],
  },
  'REF-CALENDAR': {
    severity: 'error',
    title: 'A calendar is referenced but not defined.',
    fix: 'Define the calendar under calendars/ or use SYSTEM_CALENDAR.',
    rules: ['R-CAL-1'],
  },
  'REF-DAYPATTERN': {
    severity: 'error',
    title: 'A day pattern is referenced but not defined.',
    fix: 'Define the DayPattern under daypatterns/ or correct the name.',
    rules: ['R-DAYS-2'],
  },
  'REF-CREDENTIAL': {
    severity: 'error',
    title: 'A credential is referenced but not defined, or is of a type that cannot be used there.',
    fix: 'Define the Credential under credentials/ with a suitable type (the message names the types accepted).',
    rules: ['R-CRED-1', 'R-INC-1'],
  },
  'REF-JOBNET': {
    severity: 'error',
    title: 'A child-jobnet job or an event scope names a jobnet that does not exist in the project.',
    fix: 'Correct the jobnet name; a child jobnet must be in the same project.',
    rules: ['R-JN-2', 'R-EVT-1'],
  },
  'REF-JOB': {
    severity: 'error',
    title: 'A job refers (in `after` or `recovery`) to a job that is not in the jobnet.',
    fix: 'Correct the job name; job names are the keys of `spec.jobs`.',
    rules: ['R-JN-1', 'R-DEP-4'],
  },
  // --- Structure of jobnets ----------------------------------------------------------
  'DAG-CYCLE': {
    severity: 'error',
    title: 'The `after` dependencies of a jobnet form a cycle.',
    fix: 'Break the cycle shown in the message; dependencies must form a directed acyclic graph.',
    rules: ['R-JN-1'],
  },
  'CHILD-DEPTH': {
    severity: 'error',
    title: 'Child jobnets nest more than 5 levels deep, or a jobnet runs itself through its children.',
    fix: 'Flatten the chain shown in the message; a top-level jobnet is level 1 and level 5 is the deepest allowed.',
    rules: ['R-JN-2'],
  },
  'JOB-LIMIT': {
    severity: 'error',
    title:
      'A jobnet has more than 255 jobs. (The limit of 640 jobnet variables per run is enforced at run time: exit code 246.)',
    fix: 'Split the jobnet into child jobnets.',
    rules: ['R-JN-4'],
  },
  'RESTART-POINT-MULTIPLE': {
    severity: 'error',
    title: 'More than one job of a jobnet is marked `restartPoint: true`.',
    fix: 'Keep `restartPoint: true` on one job only.',
    rules: ['R-DEP-5'],
  },
  'RECOVERY-INVALID': {
    severity: 'error',
    title:
      'A recovery job setting cannot work (a job that recovers itself, a recovery job that is also an ordinary successor, or a job that runs after a recovery job and so would never start).',
    fix: 'Name another job as `recovery`; a recovery job should not be part of the normal `after` chain of the job it recovers.',
    rules: ['R-DEP-4'],
  },
  'EXCLUSIVE-FIELDS': {
    severity: 'error',
    title: 'Two fields that exclude each other are both set, or none of a required alternative is.',
    fix: 'Keep exactly one of the fields named in the message.',
    rules: ['R-CRED-1', 'R-SCH-1', 'R-DAYS-1', 'R-JOBT-6'],
  },
  'EDGE-CONDITION': {
    severity: 'error',
    title: 'A conditional edge has an exit-code condition that cannot be read.',
    fix: 'Write the condition as "N", "!=N", ">=N", ">N", "<=N", "<N" or "N-M" with whole numbers.',
    rules: ['R-DEP-2'],
  },
  'SCHEDULE-INVALID': {
    severity: 'error',
    title:
      'A schedule, start-day rule or wait time is inconsistent (a waitTime `latest` before `until`, an interval whose `from` is after `until`, `businessDays: 0`, day patterns excluding each other in a cycle).',
    fix: 'Correct the times named in the message.',
    rules: ['R-JOBT-3', 'R-SCH-1', 'R-DAYS-1', 'R-DAYS-2'],
  },
  // --- Variables ------------------------------------------------------------------------
  'VAR-UNKNOWN': {
    severity: 'error',
    title:
      'A job-definition variable `@NAME@` is used but defined nowhere (Settings, Environment, Project or Jobnet variables).',
    fix: 'Define the variable, or correct its name; every environment must define the variables it leaves to the environment.',
    rules: ['R-VAR-2'],
  },
  'VAR-CAPTURE-UNKNOWN': {
    severity: 'warning',
    title:
      'A jobnet variable `@PREFIX.NAME@` uses a prefix that no job of the jobnet (or, for a child, of its parents) captures.',
    fix: 'Add `variables: {capture: PREFIX}` to the job that produces the value, or correct the prefix.',
    rules: ['R-VAR-1'],
  },
  // --- Credentials and secrets ----------------------------------------------------------
  'CRED-LITERAL-SECRET': {
    severity: 'error',
    title: 'A secret (password, client secret, token, secret key, or a key marked secret) is written as a literal.',
    fix: 'Replace the literal by a reference, e.g. `{secretRef: {env: MY_SECRET}}`, and remove the secret from git history.',
    rules: ['R-CRED-3', 'R-SEC-1'],
  },
  // --- REST jobs ------------------------------------------------------------------------
  'REST-EXTRACT-KEY': {
    severity: 'error',
    title: 'A key-extraction expression (takeoverKeys, jobnetValKeys, pollingEndKey, checkResultKey) cannot be read.',
    fix: 'Use `a`, `a.b.c`, `list.[2].x` or `list.[?"name"=="value"].x`.',
    rules: ['R-REST-4'],
  },
  'REST-TAKEOVER-UNDEFINED': {
    severity: 'error',
    title:
      'A `<name>` takeover value is used but not defined by `request.takeoverKeys`, or is used in the request itself.',
    fix: 'Define the name in `request.takeoverKeys`; takeover values exist only after the request, so use them in monitoring and termination.',
    rules: ['R-REST-4'],
  },
  'REST-OUTPUT-NAME': {
    severity: 'error',
    title: 'A `jobnetValKeys` name collides with a name the REST job prints itself (HttpStatusCode, HttpResBody, …).',
    fix: 'Choose another variable name.',
    rules: ['R-REST-6'],
  },
  'CHECK-VARIABLE-INVALID': {
    severity: 'error',
    title:
      'A `checkVariable` comparison cannot be evaluated: a range whose `from` is not `GT`/`GE`, whose `to` is not `LT`/`LE`, or whose `from.value` is not below `to.value`; or a value outside 32-bit integers.',
    fix: 'Write the range as `from: {op: GE, value: LOW}` and `to: {op: LE, value: HIGH}` with LOW < HIGH, or use a single `op`/`value` comparison.',
    rules: ['R-JOBT-6'],
  },
} as const satisfies Record<string, DiagnosticCodeInfo>;

export type DiagnosticCode = keyof typeof diagnosticCodes;
