/**
 * The compile step (docs/architecture.md#one-pipeline-from-source-to-status): every jobnet of the bundled definitions compiles to a
 * structurally sound, JSON-pure compiled jobnet for each environment; defaults, durations,
 * conditional edges, calendars and variables come out as the format and docs/specification.md say; unknown names
 * are refused with what exists; and the content digest moves with content, not with revisions.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  compileAllJobnets,
  compileJobnet,
  unversionedRevision,
  type CompileOptions,
  type CompileResult,
} from '../../controller/compile/compile-jobnet.js';
import { canonicalJson, jobnetDigest } from '../../controller/compile/jobnet-digest.js';
import {
  validateRepository,
  validateSnapshot,
  type ValidatedRepository,
} from '../../controller/definitions/validate-repository.js';
import { compiledJobnetProblems, type CompiledJob, type CompiledJobnet } from '../../workflows/lib/compiled-jobnet.js';
import type { RestSpec } from '../../workflows/lib/job-specs.js';

const root = path.join(import.meta.dirname, '..', '..');

/** Validates a directory and insists it is valid: these tests compile only valid repositories. */
async function validDirectory(dir: string): Promise<ValidatedRepository> {
  const result = await validateRepository(dir);
  expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return result.value;
}

/** Validates in-memory files (path → YAML text) at a revision; `valid` says what validation must conclude, if anything. */
function repositoryOf(
  files: Record<string, string>,
  options: { revision?: string; valid?: boolean | 'either' } = {},
): ValidatedRepository {
  const encoder = new TextEncoder();
  const snapshot = {
    files: Object.entries(files).map(([file, text]) => ({ path: file, bytes: encoder.encode(text) })),
  };
  const result = validateSnapshot(
    options.revision === undefined ? snapshot : { ...snapshot, revision: options.revision },
  );
  const valid = options.valid ?? true;
  if (valid === true) expect(result.diagnostics.map((d) => `${d.code} ${d.file}:${d.line} ${d.message}`)).toEqual([]);
  else if (valid === false) expect(result.ok).toBe(false);
  return result.value;
}

function compiled(result: CompileResult): CompiledJobnet {
  if (!result.ok) throw new Error(`unexpected compile failure: ${result.message}`);
  return result.jobnet;
}

function jobOf(jobnet: CompiledJobnet, name: string): CompiledJob {
  const job = jobnet.jobs[name];
  if (job === undefined) throw new Error(`no job ${name} in ${jobnet.project}/${jobnet.name}`);
  return job;
}

function restSpecOf(jobnet: CompiledJobnet, name: string): RestSpec {
  const job = jobOf(jobnet, name);
  if (job.type !== 'rest') throw new Error(`job ${name} is a ${job.type} job, not a rest job`);
  return job.spec;
}

/** True when the value is plain JSON: no undefined, no functions, no class instances, finite numbers. */
function isPlainJson(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(isPlainJson);
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype)
    return Object.values(value).every(isPlainJson);
  return false;
}

// ---------------------------------------------------------------------------------------------
// The bundled definitions and the valid fixtures.

describe.each([
  ['examples', path.join(root, 'examples'), ['dev', 'prod']],
  ['test/fixtures/valid/all-job-types', path.join(root, 'test', 'fixtures', 'valid', 'all-job-types'), [undefined]],
  ['test/fixtures/valid/minimal', path.join(root, 'test', 'fixtures', 'valid', 'minimal'), [undefined]],
])('every jobnet of %s compiles', (_name, dir, environments) => {
  let repository: ValidatedRepository;
  beforeAll(async () => {
    repository = await validDirectory(dir);
  });

  it.each(environments)('for environment %s: sound, JSON-pure, sorted, nothing left out', (environment) => {
    const options: CompileOptions = environment === undefined ? {} : { environment };
    const all = compileAllJobnets(repository, options);
    if (!all.ok) throw new Error(all.message);
    expect(all.failures).toEqual([]);
    expect(all.jobnets.map((j) => `${j.project}/${j.name}`)).toEqual([...repository.index.jobnets.keys()].sort());
    for (const jobnet of all.jobnets) {
      expect(compiledJobnetProblems(jobnet), `${jobnet.project}/${jobnet.name}`).toEqual([]);
      expect(isPlainJson(jobnet), `${jobnet.project}/${jobnet.name} is plain JSON`).toBe(true);
      expect(jobnet.digest).toBe(jobnetDigest(jobnet));
      expect(jobnet.environment).toBe(environment ?? repository.index.settings?.value.spec?.environment);
      for (const [name, child] of Object.entries(jobnet.children ?? {})) {
        expect(child.name).toBe(name);
        expect(child.children).toBeUndefined();
        expect(compiledJobnetProblems(child), `${jobnet.name} → ${name}`).toEqual([]);
        expect(child.digest).toBe(jobnetDigest(child));
      }
      // compileJobnet and compileAllJobnets are the same compilation.
      expect(compiled(compileJobnet(repository, jobnet.project, jobnet.name, options))).toStrictEqual(jobnet);
    }
  });
});

describe('the bundled examples compiled', () => {
  let repository: ValidatedRepository;
  let dailyCloseDev: CompiledJobnet;
  let dailyCloseProd: CompiledJobnet;
  beforeAll(async () => {
    repository = await validDirectory(path.join(root, 'examples'));
    dailyCloseDev = compiled(compileJobnet(repository, 'sales', 'daily-close', { environment: 'dev' }));
    dailyCloseProd = compiled(compileJobnet(repository, 'sales', 'daily-close', { environment: 'prod' }));
  });

  it('carry every jobnet reachable through jobnet jobs as one flat map of children (R-JN-2)', () => {
    // daily-close → sales-aggregate → sales-report: the grandchild sits next to the child.
    expect(Object.keys(dailyCloseDev.children ?? {})).toEqual(['sales-aggregate', 'sales-report']);
    expect(dailyCloseDev.children?.['sales-aggregate']?.jobs['publish-report']?.spec).toEqual({
      jobnet: 'sales-report',
    });
    expect(jobOf(dailyCloseDev, 'aggregate').spec).toEqual({ jobnet: 'sales-aggregate' });
  });

  it('parse conditional edges into exit-code conditions (R-DEP-2)', () => {
    const aggregate = dailyCloseDev.children?.['sales-aggregate'] as CompiledJobnet;
    expect(jobOf(aggregate, 'publish-report').predecessors).toEqual([
      { job: 'check-totals', condition: { kind: 'compare', operator: '==', value: 0 } },
    ]);
    expect(jobOf(aggregate, 'open-anomaly-ticket').predecessors).toEqual([
      { job: 'check-totals', condition: { kind: 'compare', operator: '!=', value: 0 } },
    ]);
    expect(jobOf(aggregate, 'validate-totals').predecessors).toEqual([{ job: 'run-aggregation' }]);
  });

  it('convert durations to seconds and fill in per-job controls (R-JOB, R-DEP-4, R-DEP-5)', () => {
    expect(jobOf(dailyCloseDev, 'extract-orders')).toMatchObject({
      timeLimitSeconds: 7200,
      expectedDurationSeconds: 2400,
      retry: { attempts: 2, intervalSeconds: 300, onExitCodes: [4, 5] },
      exclusive: ['sales-db'],
      recovery: 'reset-staging',
      rerunAfterRecovery: true,
      restartPoint: false,
      join: 'all',
      normalExitMax: 0,
      hold: false,
      disabled: false,
    });
    expect(jobOf(dailyCloseDev, 'aggregate').restartPoint).toBe(true);
    expect(jobOf(dailyCloseDev, 'reset-staging').spec).toEqual({
      argv: ['/opt/sales/bin/reset-staging.sh', '--company', '@COMPANY_CODE@', '--env', '@ENV_NAME@'],
      env: { STAGING_SCHEMA: 'sales_staging' },
      cwd: '/opt/sales',
      timeoutSeconds: 600,
    });
  });

  it('keep REST objects as written with their defaults, @VAR@ references unsubstituted (R-VAR-4), and the credential copied in with references only', () => {
    const spec = restSpecOf(dailyCloseDev, 'extract-orders');
    expect(spec.credential).toMatchObject({
      name: 'aws-batch',
      type: 'awssigv4',
      secretAccessKey: { secretRef: { env: 'AWS_BATCH_SECRET_ACCESS_KEY' } },
    });
    expect(spec.request).not.toHaveProperty('credential');
    expect(spec.request.url).toBe('https://batch.@AWS_REGION@.amazonaws.com/v1/submitjob');
    expect(spec.request.body).toEqual({
      jobName: '@EXTRACT_JOB_NAME@',
      jobQueue: '@BATCH_QUEUE@',
      jobDefinition: '@BATCH_JOBDEF_EXTRACT@',
      parameters: { companyCode: '@COMPANY_CODE@' },
    });
    expect(spec.monitoring).toMatchObject({
      pollingInterval: 60,
      pollingCount: 0,
      pollingEndVal: ['SUCCEEDED', 'FAILED'],
    });
    expect(spec.termination).toMatchObject({ method: 'POST', body: { jobId: '<JOBID>' } });
  });

  it.each([
    ['ENV_NAME', 'dev', 'prod'], // Environment
    ['BATCH_QUEUE', 'sales-batch-queue-dev', 'sales-batch-queue-prod'], // Environment
    ['COMPANY_CODE', 'JP01', 'JP01'], // Settings
    ['BATCH_JOBDEF_EXTRACT', 'sales-extract-orders', 'sales-extract-orders'], // Project
    ['EXTRACT_JOB_NAME', 'daily-extract-orders', 'daily-extract-orders'], // Jobnet
  ])('resolve job-definition variable %s per environment (R-VAR-2): dev %s, prod %s', (name, dev, prod) => {
    expect(dailyCloseDev.variables?.[name]).toBe(dev);
    expect(dailyCloseProd.variables?.[name]).toBe(prod);
  });

  it('differ between environments only in environment, variables and digest', () => {
    const { environment: _e1, variables: _v1, digest: d1, children: c1, ...dev } = dailyCloseDev;
    const { environment: _e2, variables: _v2, digest: d2, children: c2, ...prod } = dailyCloseProd;
    expect(dev).toStrictEqual(prod);
    expect(Object.keys(c1 ?? {})).toEqual(Object.keys(c2 ?? {}));
    expect(d1).not.toBe(d2);
  });

  it.each([
    ['sales', 'daily-close', 'jp-business', 'Asia/Tokyo', 300], // the jobnet's own calendar, day change 05:00
    ['sales', 'sales-aggregate', 'jp-business', 'Asia/Tokyo', 300], // the project's calendar
    ['infra', 'health-check', 'always', 'Asia/Tokyo', 0],
  ])(
    'resolve the calendar of %s/%s: %s in %s, day change at minute %d (R-CAL)',
    (project, jobnet, calendar, timezone, dayChangeMinutes) => {
      const result = compiled(compileJobnet(repository, project, jobnet, { environment: 'dev' }));
      expect(result.calendar).toMatchObject({ name: calendar, timezone, dayChangeMinutes });
    },
  );

  it('record the revision the repository has, or a marker when it has none (R-GIT-3)', () => {
    expect(dailyCloseDev.revision).toBe(unversionedRevision);
    expect(dailyCloseDev.children?.['sales-report']?.revision).toBe(unversionedRevision);
  });
});

// ---------------------------------------------------------------------------------------------
// In-memory repositories.

const settingsYaml = `apiVersion: jobnet/v1
kind: Settings
metadata: {name: settings}
spec:
  timezone: Europe/Berlin
  variables: {REGION: from-settings, ONLY_SETTINGS: settings-value}
`;

const environmentYaml = (name: string) => `apiVersion: jobnet/v1
kind: Environment
metadata: {name: ${name}}
spec:
  variables: {REGION: from-${name}, HOST: ${name}-host, ONLY_ENV: ${name}-value}
`;

const projectYaml = (calendar?: string) => `apiVersion: jobnet/v1
kind: Project
metadata: {name: demo}
spec:
${calendar === undefined ? '' : `  calendar: ${calendar}\n`}  variables: {REGION: from-project, HOST: project-host}
`;

const calendarYaml = (name: string, dayChange: string) => `apiVersion: jobnet/v1
kind: Calendar
metadata: {name: ${name}}
spec:
  timezone: Asia/Tokyo
  dayChangeTime: "${dayChange}"
  weeklyHolidays: [sat, sun]
`;

const credentialYaml = `apiVersion: jobnet/v1
kind: Credential
metadata: {name: api}
spec:
  type: bearer
  token: {secretRef: {env: API_TOKEN}}
`;

/** A jobnet with one job of every type, most fields set. */
const nightlyYaml = (sleepSeconds = 30) => `apiVersion: jobnet/v1
kind: Jobnet
metadata: {project: demo, name: nightly, title: 夜間}
spec:
  variables: {REGION: from-jobnet}
  jobs:
    call:
      type: rest
      variables: {capture: API}
      timeLimit: 1h30m
      expectedDuration: 90s
      retry: {attempts: 3}
      outputLimitBytes: 4096
      request:
        url: https://@HOST@/@REGION@/start
        method: POST
        credential: api
        body: {revision: keep-me, digest: also-content}
        jobnetValKeys: {STATUS: status}
    nap:
      type: sleep
      after: [call]
      seconds: ${sleepSeconds}
      hold: true
    check:
      type: checkVariable
      after: [call]
      variable: API.STATUS
      number: {from: {op: GE, value: 200}, to: {op: LT, value: 300}}
    check-text:
      type: checkVariable
      after: [call]
      variable: API.STATUS
      string: {op: EQ, value: ok}
      invert: true
    until-six:
      type: waitTime
      after: [{job: check, exitCode: "0"}, {job: check-text, exitCode: ">=1"}]
      join: any
      until: "0600"
      latest: "0700"
    wait:
      type: waitEvent
      after: [{job: nap, exitCode: "0-3"}]
      event: GO
      interval: 10
    raise:
      type: raiseEvent
      after: [wait, until-six]
      event: DONE
      project: demo
      jobnet: child
      param: p
      suffix: copy1
      normalExitMax: 2
      alwaysNormal: true
    run-child:
      type: jobnet
      after: [raise]
      jobnet: child
      disabled: true
    script:
      type: command
      after: [run-child]
      argv: [/bin/true]
      exclusive: [db]
      restartPoint: true
`;

const childYaml = (grandchildSeconds = 1) => `apiVersion: jobnet/v1
kind: Jobnet
metadata: {project: demo, name: child}
spec:
  jobs:
    go: {type: jobnet, jobnet: grandchild}
---
apiVersion: jobnet/v1
kind: Jobnet
metadata: {project: demo, name: grandchild}
spec:
  jobs:
    tick: {type: sleep, seconds: ${grandchildSeconds}}
`;

function demoFiles(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    'jobnet.yaml': settingsYaml,
    'environments/dev.yaml': environmentYaml('dev'),
    'environments/prod.yaml': environmentYaml('prod'),
    'calendars/plant.yaml': calendarYaml('plant', '05:00'),
    'credentials/api.yaml': credentialYaml,
    'projects/demo/project.yaml': projectYaml('plant'),
    'projects/demo/jobnets/nightly.yaml': nightlyYaml(),
    'projects/demo/jobnets/child.yaml': childYaml(),
    ...overrides,
  };
}

describe('a jobnet with every job type compiled', () => {
  let nightly: CompiledJobnet;
  beforeAll(() => {
    nightly = compiled(
      compileJobnet(repositoryOf(demoFiles(), { revision: 'c0ffee' }), 'demo', 'nightly', { environment: 'dev' }),
    );
  });

  it.each<[string, unknown]>([
    [
      'call',
      {
        request: {
          url: 'https://@HOST@/@REGION@/start',
          method: 'POST',
          timeout: 10,
          body: { revision: 'keep-me', digest: 'also-content' },
          jobnetValKeys: { STATUS: 'status' },
        },
        outputLimitBytes: 4096,
        credential: { name: 'api', type: 'bearer', token: { secretRef: { env: 'API_TOKEN' } } },
      },
    ],
    ['nap', { seconds: 30 }],
    [
      'check',
      {
        variable: 'API.STATUS',
        number: { from: { op: 'GE', value: 200 }, to: { op: 'LT', value: 300 } },
        invert: false,
      },
    ],
    ['check-text', { variable: 'API.STATUS', string: { op: 'EQ', value: 'ok' }, invert: true }],
    ['until-six', { until: '0600', latest: '0700' }],
    ['wait', { event: 'GO' }],
    ['raise', { event: 'DONE', project: 'demo', jobnet: 'child', param: 'p', suffix: 'copy1' }],
    ['run-child', { jobnet: 'child' }],
    ['script', { argv: ['/bin/true'], env: {} }],
  ])('%s gets the spec of its type (job-specs.ts)', (name, spec) => {
    expect(jobOf(nightly, name).spec).toStrictEqual(spec);
  });

  it('fills every default of the definition format and omits what is absent', () => {
    expect(jobOf(nightly, 'script')).toStrictEqual({
      name: 'script',
      type: 'command',
      predecessors: [{ job: 'run-child' }],
      join: 'all',
      normalExitMax: 0,
      alwaysNormal: false,
      hold: false,
      disabled: false,
      rerunAfterRecovery: false,
      restartPoint: true,
      exclusive: ['db'],
      spec: { argv: ['/bin/true'], env: {} },
    });
  });

  it.each<[string, Partial<CompiledJob>]>([
    [
      'call',
      {
        timeLimitSeconds: 5400,
        expectedDurationSeconds: 90,
        retry: { attempts: 3, intervalSeconds: 0 },
        capturePrefix: 'API',
      },
    ],
    ['nap', { hold: true }],
    ['raise', { normalExitMax: 2, alwaysNormal: true, predecessors: [{ job: 'wait' }, { job: 'until-six' }] }],
    ['run-child', { disabled: true }],
    [
      'until-six',
      {
        join: 'any',
        predecessors: [
          { job: 'check', condition: { kind: 'compare', operator: '==', value: 0 } },
          { job: 'check-text', condition: { kind: 'compare', operator: '>=', value: 1 } },
        ],
      },
    ],
    ['wait', { predecessors: [{ job: 'nap', condition: { kind: 'range', from: 0, to: 3 } }] }],
  ])('%s carries its per-job controls', (name, fields) => {
    expect(jobOf(nightly, name)).toMatchObject(fields);
  });

  it('pins the revision and names the environment and title', () => {
    expect(nightly).toMatchObject({
      project: 'demo',
      name: 'nightly',
      title: '夜間',
      revision: 'c0ffee',
      environment: 'dev',
    });
    expect(nightly.children?.child?.revision).toBe('c0ffee');
  });

  it('flattens child and grandchild into children, neither with children of its own (R-JN-2)', () => {
    expect(Object.keys(nightly.children ?? {})).toEqual(['child', 'grandchild']);
    expect(nightly.children?.child?.children).toBeUndefined();
    expect(nightly.children?.grandchild?.jobs.tick?.spec).toEqual({ seconds: 1 });
  });
});

describe('job-definition variables follow Settings < Environment < Project < Jobnet (R-VAR-2)', () => {
  const repository = repositoryOf(demoFiles());

  it.each<[string | undefined, Record<string, string>]>([
    ['dev', { HOST: 'project-host', ONLY_ENV: 'dev-value', ONLY_SETTINGS: 'settings-value', REGION: 'from-jobnet' }],
    ['prod', { HOST: 'project-host', ONLY_ENV: 'prod-value', ONLY_SETTINGS: 'settings-value', REGION: 'from-jobnet' }],
    [undefined, { HOST: 'project-host', ONLY_SETTINGS: 'settings-value', REGION: 'from-jobnet' }],
  ])('the nightly jobnet in environment %s', (environment, variables) => {
    const nightly = compiled(
      compileJobnet(repository, 'demo', 'nightly', environment === undefined ? {} : { environment }),
    );
    expect(nightly.variables).toStrictEqual(variables);
    expect(Object.keys(nightly.variables ?? {})).toEqual(Object.keys(variables).sort());
  });

  it.each<[string, Record<string, string>]>([
    // The child has no variables of its own: the project's REGION wins over the environment's.
    ['child', { HOST: 'project-host', ONLY_ENV: 'dev-value', ONLY_SETTINGS: 'settings-value', REGION: 'from-project' }],
  ])('a child jobnet gets its own precedence: %s', (child, variables) => {
    const nightly = compiled(compileJobnet(repository, 'demo', 'nightly', { environment: 'dev' }));
    expect(nightly.children?.[child]?.variables).toStrictEqual(variables);
  });
});

describe('the calendar is the jobnet’s, else the project’s, else Settings defaultCalendar, else SYSTEM_CALENDAR (R-CAL-1)', () => {
  const withJobnetCalendar = `apiVersion: jobnet/v1
kind: Jobnet
metadata: {project: demo, name: solo}
spec:
  calendar: office
  jobs:
    a: {type: sleep, seconds: 1}
`;
  const withoutCalendar = withJobnetCalendar.replace('  calendar: office\n', '');
  const settingsWithDefault = settingsYaml.replace('spec:\n', 'spec:\n  defaultCalendar: office\n');

  it.each<[string, Record<string, string>, { name: string; timezone: string; dayChangeMinutes: number }]>([
    [
      'the jobnet names one',
      { 'projects/demo/jobnets/solo.yaml': withJobnetCalendar },
      { name: 'office', timezone: 'Asia/Tokyo', dayChangeMinutes: 6 * 60 },
    ],
    [
      'the project names one',
      { 'projects/demo/jobnets/solo.yaml': withoutCalendar },
      { name: 'plant', timezone: 'Asia/Tokyo', dayChangeMinutes: 5 * 60 },
    ],
    [
      'only Settings names one',
      {
        'jobnet.yaml': settingsWithDefault,
        'projects/demo/project.yaml': projectYaml(),
        'projects/demo/jobnets/solo.yaml': withoutCalendar,
      },
      { name: 'office', timezone: 'Asia/Tokyo', dayChangeMinutes: 6 * 60 },
    ],
    [
      'nobody names one',
      { 'projects/demo/project.yaml': projectYaml(), 'projects/demo/jobnets/solo.yaml': withoutCalendar },
      { name: 'SYSTEM_CALENDAR', timezone: 'Europe/Berlin', dayChangeMinutes: 0 },
    ],
  ])('%s', (_case, overrides, calendar) => {
    const repository = repositoryOf(
      demoFiles({ 'calendars/office.yaml': calendarYaml('office', '06:00'), ...overrides }),
    );
    expect(compiled(compileJobnet(repository, 'demo', 'solo')).calendar).toMatchObject(calendar);
  });
});

describe('unknown names are refused with what exists', () => {
  const repository = repositoryOf(demoFiles());

  it.each<[string, string, CompileOptions, string]>([
    ['demo', 'nope', {}, 'unknown jobnet "demo/nope"; jobnets of project demo: child, grandchild, nightly'],
    ['sales', 'nightly', {}, 'unknown project "sales" (looking for jobnet "sales/nightly"); projects: demo'],
    ['demo', 'nightly', { environment: 'staging' }, 'unknown environment "staging"; environments: dev, prod'],
  ])('%s/%s %j', (project, jobnet, options, message) => {
    expect(compileJobnet(repository, project, jobnet, options)).toEqual({ ok: false, message });
  });

  it('compileAllJobnets refuses an unknown environment instead of compiling nothing', () => {
    expect(compileAllJobnets(repository, { environment: 'staging' })).toEqual({
      ok: false,
      message: 'unknown environment "staging"; environments: dev, prod',
    });
  });

  it('says so when the repository defines no environment at all', () => {
    const files = demoFiles();
    delete files['environments/dev.yaml'];
    delete files['environments/prod.yaml'];
    files['projects/demo/project.yaml'] = projectYaml('plant').replace(
      'HOST: project-host',
      'HOST: project-host, ONLY_ENV: x',
    );
    expect(compileJobnet(repositoryOf(files), 'demo', 'nightly', { environment: 'dev' })).toEqual({
      ok: false,
      message: 'unknown environment "dev"; the repository defines no Environment',
    });
  });
});

describe('a repository that did not validate', () => {
  const files = demoFiles({
    'projects/demo/jobnets/broken.yaml': `apiVersion: jobnet/v1
kind: Jobnet
metadata: {project: demo, name: broken}
spec:
  jobs:
    a: {type: sleep, seconds: 1, colour: red}
`,
    'projects/demo/jobnets/orphan.yaml': `apiVersion: jobnet/v1
kind: Jobnet
metadata: {project: demo, name: orphan}
spec:
  jobs:
    a: {type: jobnet, jobnet: missing}
`,
  });
  const repository = repositoryOf(files, { valid: false });

  it('compiles the jobnets it can and lists the others with the reason, never dropping one silently', () => {
    const all = compileAllJobnets(repository);
    if (!all.ok) throw new Error(all.message);
    expect(all.jobnets.map((j) => j.name)).toEqual(['child', 'grandchild', 'nightly']);
    expect(all.failures).toEqual([
      {
        project: 'demo',
        jobnet: 'broken',
        message: 'jobnet demo/broken (projects/demo/jobnets/broken.yaml) has schema errors; run jobnet validate',
      },
      {
        project: 'demo',
        jobnet: 'orphan',
        message: 'jobnet demo/orphan, job a: child jobnet demo/missing is not defined',
      },
    ]);
  });

  it('refuses a number JSON cannot carry (YAML .inf) instead of letting Temporal turn it into null', () => {
    const withInfinity = nightlyYaml().replace(
      'body: {revision: keep-me, digest: also-content}',
      'body: {limit: .inf}',
    );
    const result = compileJobnet(
      repositoryOf(demoFiles({ 'projects/demo/jobnets/nightly.yaml': withInfinity }), { valid: 'either' }),
      'demo',
      'nightly',
    );
    expect(result).toEqual({
      ok: false,
      message: 'jobnet demo/nightly: not JSON: the number Infinity; a job definition must be plain JSON',
    });
  });
});

describe('the content digest (R-GIT-3)', () => {
  const digestOf = (files: Record<string, string>, revision = 'r1', environment = 'dev') =>
    compiled(compileJobnet(repositoryOf(files, { revision }), 'demo', 'nightly', { environment })).digest;

  it('is a sha256 hex that two compiles of the same content agree on', () => {
    const first = digestOf(demoFiles());
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(digestOf(demoFiles())).toBe(first);
  });

  it('does not move with the revision', () => {
    expect(digestOf(demoFiles(), 'r2')).toBe(digestOf(demoFiles(), 'r1'));
  });

  it('does not move with the order of keys in the YAML', () => {
    const reordered = nightlyYaml()
      .replace('      hold: true\n', '')
      .replace('      seconds: 30\n', '      hold: true\n      seconds: 30\n');
    expect(reordered).not.toBe(nightlyYaml());
    expect(digestOf(demoFiles({ 'projects/demo/jobnets/nightly.yaml': reordered }))).toBe(digestOf(demoFiles()));
  });

  it.each<[string, Record<string, string>, string?]>([
    ['a job field changes', { 'projects/demo/jobnets/nightly.yaml': nightlyYaml(31) }],
    ['a grandchild job changes', { 'projects/demo/jobnets/child.yaml': childYaml(2) }],
    [
      'an environment variable value changes',
      { 'environments/dev.yaml': environmentYaml('dev').replace('ONLY_ENV: dev-value', 'ONLY_ENV: other-value') },
    ],
    ['the calendar changes', { 'calendars/plant.yaml': calendarYaml('plant', '04:00') }],
    ['the environment changes', {}, 'prod'],
  ])('moves when %s', (_case, overrides, environment) => {
    expect(digestOf(demoFiles(overrides), 'r1', environment)).not.toBe(digestOf(demoFiles()));
  });

  it('does not move when an environment value changes that the project overrides (the run would not see it)', () => {
    expect(
      digestOf(
        demoFiles({ 'environments/dev.yaml': environmentYaml('dev').replace('HOST: dev-host', 'HOST: other-host') }),
      ),
    ).toBe(digestOf(demoFiles()));
  });

  it('of a child covers only the child; the parent’s covers the child too', () => {
    const before = compiled(compileJobnet(repositoryOf(demoFiles()), 'demo', 'nightly'));
    const after = compiled(
      compileJobnet(repositoryOf(demoFiles({ 'projects/demo/jobnets/child.yaml': childYaml(2) })), 'demo', 'nightly'),
    );
    expect(after.children?.child?.digest).toBe(before.children?.child?.digest);
    expect(after.children?.grandchild?.digest).not.toBe(before.children?.grandchild?.digest);
    expect(after.digest).not.toBe(before.digest);
  });
});

describe('canonicalJson', () => {
  it.each<[unknown, string]>([
    [{ b: 1, a: [true, null, 'x'] }, '{"a":[true,null,"x"],"b":1}'],
    [{ z: { y: 1, x: 2 } }, '{"z":{"x":2,"y":1}}'],
    [{ a: undefined, b: 'é' }, '{"b":"é"}'],
    [[], '[]'],
  ])('%j → %s', (value, text) => {
    expect(canonicalJson(value)).toBe(text);
  });

  it.each([[Number.NaN], [Infinity], [() => 1], [10n]])('refuses %s, which JSON cannot hold', (value) => {
    expect(() => canonicalJson({ value })).toThrow(TypeError);
  });
});
