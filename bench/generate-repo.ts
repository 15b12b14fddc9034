/**
 * Generates a synthetic but realistic definitions repository for benchmarks (docs/architecture.md#performance-budget:
 * "validate 1,000 jobnets × 20 jobs in < 2 s"). The output has the recommended layout of
 * R-REPO-2 — Settings, a calendar, day pattern, credentials by reference, environments,
 * projects and one file per jobnet — and a job mix like a real shop's: mostly REST jobs with
 * monitoring (AWS Batch, Step Functions, Azure VMs), some sleeps, variable checks on captured
 * values, child jobnets, `after` chains with fan-out, fan-in and OR joins.
 *
 * Deterministic: a seeded PRNG (never Math.random), so the same options always give the same
 * bytes and benchmark runs are comparable across commits.
 *
 * Usage: npx tsx bench/generate-repo.ts OUTDIR [--jobnets N] [--jobs N] [--projects N] [--seed N]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseBenchArgs } from './bench-options.js';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { stringify } from 'yaml';

export interface GenerateOptions {
  /** Number of projects (default 10). */
  projects?: number;
  /** Jobnets per project (default 100). */
  jobnetsPerProject?: number;
  /** Jobs per jobnet (default 20, at most 255 — R-JN-4). */
  jobsPerJobnet?: number;
  /** PRNG seed (default 20260101). */
  seed?: number;
}

export interface GeneratedRepo {
  dir: string;
  /** YAML files written. */
  files: number;
  /** YAML documents written (one per file). */
  documents: number;
  jobnets: number;
  /** Jobs over all jobnets. */
  jobs: number;
}

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };
type After = string | { job: string; exitCode: string };

/** mulberry32: small, fast, good enough for shaping test data; deterministic for a seed. */
function createRandom(seed: number): {
  next: () => number;
  int: (min: number, max: number) => number;
  pick: <T>(items: readonly T[]) => T;
  chance: (p: number) => boolean;
} {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const chance = (p: number): boolean => next() < p;
  return { next, int, pick, chance };
}

const verbs = [
  'extract',
  'load',
  'transform',
  'aggregate',
  'export',
  'import',
  'reconcile',
  'archive',
  'publish',
  'cleanse',
  'index',
  'sync',
] as const;
const nouns = [
  'orders',
  'stock',
  'invoices',
  'customers',
  'ledger',
  'shipments',
  'returns',
  'prices',
  'payments',
  'forecast',
  'catalog',
  'audit',
] as const;
const projectWords = [
  'sales',
  'finance',
  'logistics',
  'hr',
  'marketing',
  'procurement',
  'crm',
  'warehouse',
  'billing',
  'reporting',
] as const;
const projectTitles = [
  '販売管理',
  '財務会計',
  '物流',
  '人事給与',
  'マーケティング',
  '購買',
  '顧客管理',
  '倉庫管理',
  '請求',
  'レポーティング',
] as const;

/** Writes the repository into `dir` (created if missing) and returns what it wrote. */
export function generateRepo(dir: string, options: GenerateOptions = {}): GeneratedRepo {
  const projects = options.projects ?? 10;
  const jobnetsPerProject = options.jobnetsPerProject ?? 100;
  const jobsPerJobnet = Math.min(options.jobsPerJobnet ?? 20, 255);
  const random = createRandom(options.seed ?? 20260101);
  const root = resolve(dir);
  let files = 0;
  let jobs = 0;

  const write = (path: string, header: string, document: JsonObject): void => {
    const file = join(root, path);
    mkdirSync(join(file, '..'), { recursive: true });
    // YAML 1.1 quoting rules on output: times ("08:00") and dates ("2024-03-01") come out
    // quoted, as a person would write them, so any YAML parser reads them as strings.
    writeFileSync(file, `# ${header}\n${stringify(document, { lineWidth: 0, version: '1.1' })}`);
    files++;
  };

  write('jobnet.yaml', 'Settings of the generated benchmark repository.', {
    apiVersion: 'jobnet/v1',
    kind: 'Settings',
    metadata: { name: 'settings', title: 'ベンチマーク用リポジトリ' },
    spec: {
      timezone: 'Asia/Tokyo',
      defaultCalendar: 'jp-business',
      ignore: ['drafts/**'],
      history: { retention: '31d' },
      variables: { COMPANY_CODE: 'JP01', AWS_REGION: 'ap-northeast-1' },
    },
  });
  write('calendars/jp-business.yaml', 'Business calendar.', {
    apiVersion: 'jobnet/v1',
    kind: 'Calendar',
    metadata: { name: 'jp-business', title: '営業日カレンダー' },
    spec: {
      timezone: 'Asia/Tokyo',
      dayChangeTime: '05:00',
      weeklyHolidays: ['sat', 'sun'],
      holidays: [
        { date: '2026-01-01', name: '元日' },
        { date: '2026-01-12', name: '成人の日' },
        { date: '2026-02-11', name: '建国記念の日' },
        { date: '2026-02-23', name: '天皇誕生日' },
        { date: '2026-03-20', name: '春分の日' },
        { date: '2026-04-29', name: '昭和の日' },
        { date: '2026-05-04', name: 'みどりの日' },
        { date: '2026-05-05', name: 'こどもの日' },
        { date: '2026-05-06', name: '振替休日' },
        '2026-12-31',
      ],
    },
  });
  write('daypatterns/month-end.yaml', 'Last operating day of the month.', {
    apiVersion: 'jobnet/v1',
    kind: 'DayPattern',
    metadata: { name: 'month-end' },
    spec: { businessDays: [-1] },
  });
  write('credentials/aws-batch.yaml', 'AWS Batch credential, secrets by reference.', {
    apiVersion: 'jobnet/v1',
    kind: 'Credential',
    metadata: { name: 'aws-batch' },
    spec: {
      type: 'awssigv4',
      accessKeyId: { secretRef: { env: 'AWS_BATCH_ACCESS_KEY_ID' } },
      secretAccessKey: { secretRef: { env: 'AWS_BATCH_SECRET_ACCESS_KEY' } },
      service: 'batch',
      region: 'ap-northeast-1',
      endpoint: 'batch.ap-northeast-1.amazonaws.com',
    },
  });
  write('credentials/aws-states-api.yaml', 'Step Functions via API Gateway, secrets by reference.', {
    apiVersion: 'jobnet/v1',
    kind: 'Credential',
    metadata: { name: 'aws-states-api' },
    spec: {
      type: 'awssigv4',
      accessKeyId: { secretRef: { env: 'AWS_STATES_ACCESS_KEY_ID' } },
      secretAccessKey: { secretRef: { file: '/run/secrets/aws-states/secret-access-key' } },
      service: 'execute-api',
      region: 'ap-northeast-1',
      endpoint: 'a1b2c3d4e5.execute-api.ap-northeast-1.amazonaws.com',
    },
  });
  write('credentials/azure-arm.yaml', 'Azure Resource Manager credential, secret by reference.', {
    apiVersion: 'jobnet/v1',
    kind: 'Credential',
    metadata: { name: 'azure-arm' },
    spec: {
      type: 'azuread',
      clientId: '3f6b8d21-4c7e-4a90-b5d2-8e1f0a6c9b47',
      clientSecret: { secretRef: { env: 'AZURE_ARM_CLIENT_SECRET' } },
      endpoint: 'https://login.microsoftonline.com/7d3c1a52-9b4e-4f0a-8c61-2e5b9d0f4a38/oauth2/v2.0/token',
      scope: 'https://management.azure.com/.default',
    },
  });
  for (const [name, account, subscription] of [
    ['dev', '210987654321', '9c1f4e27-3b8a-4d65-a0e2-5f7b1c9d3e84'],
    ['prod', '123456789012', '12345678-1234-1234-1234-123456789abc'],
  ] as const) {
    write(`environments/${name}.yaml`, `Environment ${name}.`, {
      apiVersion: 'jobnet/v1',
      kind: 'Environment',
      metadata: { name },
      spec: {
        variables: {
          AWS_ACCOUNT_ID: account,
          AZ_SUBSCRIPTION_ID: subscription,
          BATCH_QUEUE: `batch-queue-${name}`,
          SFN_API_HOST: 'a1b2c3d4e5.execute-api.ap-northeast-1.amazonaws.com',
        },
      },
    });
  }

  for (let p = 0; p < projects; p++) {
    const project = projectName(p);
    write(`projects/${project}/project.yaml`, `Project ${project}.`, {
      apiVersion: 'jobnet/v1',
      kind: 'Project',
      metadata: {
        name: project,
        title: `${projectTitles[p % projectTitles.length]!}${p >= projectTitles.length ? ` ${p}` : ''}`,
      },
      spec: {
        calendar: 'jp-business',
        variables: { AZ_RESOURCE_GROUP: `rg-${project}`, SFN_STAGE: 'v1' },
        maxConcurrentJobs: 20,
      },
    });
    for (let n = 0; n < jobnetsPerProject; n++) {
      const name = jobnetName(n);
      // Jobnets come in groups of ten: the first five may call the last five as children,
      // so child chains stay two levels deep and acyclic.
      const group = Math.floor(n / 10) * 10;
      const childCandidates =
        n % 10 < 5 ? range(group + 5, Math.min(group + 10, jobnetsPerProject)).map(jobnetName) : [];
      const jobMap = generateJobs(random, jobsPerJobnet, childCandidates);
      jobs += Object.keys(jobMap).length;
      const spec: JsonObject = {
        ...schedule(random, n),
        variables: { JOB_PREFIX: `${project}-${name}` },
        jobs: jobMap,
      };
      write(`projects/${project}/jobnets/${name}.yaml`, `Jobnet ${project}/${name}.`, {
        apiVersion: 'jobnet/v1',
        kind: 'Jobnet',
        metadata: { project, name, title: `${random.pick(nouns)} ${random.pick(verbs)} ${n}` },
        spec,
      });
    }
  }
  return { dir: root, files, documents: files, jobnets: projects * jobnetsPerProject, jobs };
}

function projectName(p: number): string {
  const word = projectWords[p % projectWords.length]!;
  return p < projectWords.length ? word : `${word}${Math.floor(p / projectWords.length) + 1}`;
}

function jobnetName(n: number): string {
  return `jn-${String(n).padStart(4, '0')}`;
}

function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; i < to; i++) out.push(i);
  return out;
}

/** Start days and start condition: mostly daily times, some intervals, some events, some manual. */
function schedule(random: ReturnType<typeof createRandom>, n: number): JsonObject {
  const kind = n % 10;
  if (kind >= 5) return {}; // child jobnets: started by their parent (or manually)
  const hour = String(random.int(18, 23)).padStart(2, '0');
  const minute = random.pick(['00', '15', '30', '45']);
  switch (random.int(0, 3)) {
    case 0:
      return {
        days: { weekdays: ['mon', 'tue', 'wed', 'thu', 'fri'], holidayShift: 'skip' },
        start: { every: { minutes: random.pick([15, 30, 60]), from: '08:00', until: '20:00' } },
      };
    case 1:
      return {
        days: { everyDay: true, holidayShift: 'skip' },
        start: {
          events: { names: [`EV_${String(n).padStart(4, '0')}`], notBefore: `${hour}:${minute}`, oncePerDay: true },
        },
        deadlines: { start: '23:50' },
      };
    case 2:
      return {
        daysFrom: 'month-end',
        start: { at: [`${hour}:${minute}`] },
        deadlines: { start: `${hour}:${minute === '45' ? '55' : '50'}`, end: { after: '3h' } },
        requireConfirmation: true,
      };
    default:
      return {
        days: { everyDay: true, holidayShift: 'skip' },
        start: { at: [`${hour}:${minute}`] },
        deadlines: { end: { after: '2h' } },
      };
  }
}

/**
 * A layered DAG: each job runs after one or two earlier jobs (fan-in), several jobs may share
 * a predecessor (fan-out), some two-predecessor joins are OR joins, and a variable check is
 * followed by a conditional edge.
 */
function generateJobs(
  random: ReturnType<typeof createRandom>,
  count: number,
  childCandidates: readonly string[],
): JsonObject {
  const jobs: JsonObject = {};
  const names: string[] = [];
  /** Capture prefixes and the jobs that capture them. */
  const captures: { prefix: string; job: string }[] = [];
  let restartPointSet = false;
  for (let k = 0; k < count; k++) {
    const name = `s${String(k).padStart(3, '0')}-${random.pick(verbs)}-${random.pick(nouns)}`;
    const job: JsonObject = {};
    const roll = random.next();
    let type: 'rest' | 'sleep' | 'checkVariable' | 'jobnet';
    if (roll < 0.08 && k > 0) type = 'sleep';
    else if (roll < 0.16 && captures.length > 0) type = 'checkVariable';
    else if (roll < 0.22 && childCandidates.length > 0) type = 'jobnet';
    else type = 'rest';

    job.type = type;

    // Dependencies.
    const previous = names[names.length - 1];
    if (previous !== undefined) {
      const after: After[] = [];
      const shape = random.next();
      if (shape < 0.15 && names.length >= 3) {
        // fan-out: hang off an earlier job instead of the latest one
        after.push(names[random.int(Math.max(0, names.length - 4), names.length - 2)]!);
      } else if (shape < 0.35 && names.length >= 2) {
        // fan-in of the latest job and an earlier one; some of them OR joins
        after.push(previous, names[random.int(0, names.length - 2)]!);
        if (random.chance(0.3)) job.join = 'any';
      } else {
        after.push(previous);
      }
      const predecessor = jobs[previous] as JsonObject | undefined;
      if (predecessor?.type === 'checkVariable' && after[0] === previous) {
        after[0] = { job: previous, exitCode: random.chance(0.5) ? '0' : '!=0' };
      }
      job.after = after;
    }

    switch (type) {
      case 'sleep':
        job.seconds = random.pick([30, 60, 120, 300]);
        break;
      case 'checkVariable': {
        // Check a value captured upstream: run after the capturing job (and the latest one).
        const capture = random.pick(captures);
        job.after = capture.job === previous ? [capture.job] : [capture.job, previous!];
        job.variable = `${capture.prefix}.STATUS`;
        job.string = { op: 'EQ', value: 'SUCCEEDED' };
        break;
      }
      case 'jobnet':
        job.jobnet = random.pick(childCandidates);
        break;
      case 'rest': {
        Object.assign(job, restJob(random, k));
        if (random.chance(0.3)) {
          const prefix = `V${k}`;
          job.variables = { capture: prefix };
          captures.push({ prefix, job: name });
        }
        if (random.chance(0.25)) job.retry = { attempts: 2, interval: '1m', onExitCodes: [4, 5] };
        if (random.chance(0.2)) job.exclusive = [`db-${random.int(1, 5)}`];
        break;
      }
    }
    if (random.chance(0.3)) job.timeLimit = random.pick(['30m', '1h', '2h']);
    if (random.chance(0.2)) job.expectedDuration = random.pick(['10m', '20m', '45m']);
    if (!restartPointSet && k > count / 2 && random.chance(0.2)) {
      job.restartPoint = true;
      restartPointSet = true;
    }
    jobs[name] = job;
    names.push(name);
  }
  return jobs;
}

/** A REST job after one of the WOI user guide's service examples, with takeover keys and monitoring. */
function restJob(random: ReturnType<typeof createRandom>, k: number): JsonObject {
  const jobnetValKeys = (key: string): JsonObject => ({ STATUS: key });
  switch (random.int(0, 2)) {
    case 0:
      return {
        request: {
          url: 'https://batch.@AWS_REGION@.amazonaws.com/v1/submitjob',
          method: 'POST',
          credential: 'aws-batch',
          timeout: 60,
          takeoverKeys: { JOBID: 'jobId' },
          body: {
            jobName: `@JOB_PREFIX@-${k}`,
            jobQueue: '@BATCH_QUEUE@',
            jobDefinition: `job-def-${random.int(1, 40)}`,
          },
        },
        monitoring: {
          url: 'https://batch.@AWS_REGION@.amazonaws.com/v1/describejobs',
          method: 'POST',
          pollingInterval: 60,
          pollingCount: 0,
          pollingEndKey: 'jobs.[?"jobId"=="<JOBID>"].status',
          pollingEndVal: ['SUCCEEDED', 'FAILED'],
          checkResultKey: 'jobs.[?"jobId"=="<JOBID>"].status',
          checkResultVal: ['SUCCEEDED'],
          jobnetValKeys: jobnetValKeys('jobs.[?"jobId"=="<JOBID>"].status'),
          body: { jobs: ['<JOBID>'] },
        },
        termination: {
          url: 'https://batch.@AWS_REGION@.amazonaws.com/v1/terminatejob',
          method: 'POST',
          body: { reason: 'Terminating job.', jobId: '<JOBID>' },
        },
      };
    case 1:
      return {
        request: {
          url: 'https://@SFN_API_HOST@/@SFN_STAGE@/startexecution',
          method: 'POST',
          credential: 'aws-states-api',
          timeout: 60,
          takeoverKeys: { executionId: 'executionArn' },
          body: {
            input: '{"companyCode": "@COMPANY_CODE@"}',
            stateMachineArn: `arn:aws:states:@AWS_REGION@:@AWS_ACCOUNT_ID@:stateMachine:machine-${random.int(1, 30)}`,
          },
        },
        monitoring: {
          url: 'https://@SFN_API_HOST@/@SFN_STAGE@/describeexecution',
          method: 'POST',
          pollingInterval: 60,
          pollingCount: 0,
          pollingEndKey: 'status',
          pollingEndVal: ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'],
          checkResultKey: 'status',
          checkResultVal: ['SUCCEEDED'],
          jobnetValKeys: jobnetValKeys('status'),
          body: { executionArn: '<executionId>' },
        },
        termination: {
          url: 'https://@SFN_API_HOST@/@SFN_STAGE@/stopexecution',
          method: 'POST',
          body: { executionArn: '<executionId>' },
        },
      };
    default: {
      const vm = `vm-${random.int(1, 50)}`;
      const base = `https://management.azure.com/subscriptions/@AZ_SUBSCRIPTION_ID@/resourceGroups/@AZ_RESOURCE_GROUP@/providers/Microsoft.Compute/virtualMachines/${vm}`;
      return {
        request: {
          url: `${base}/${random.chance(0.5) ? 'start' : 'deallocate'}`,
          method: 'POST',
          credential: 'azure-arm',
          query: { 'api-version': '2024-03-01' },
          timeout: 60,
        },
        monitoring: {
          url: `${base}/instanceView`,
          method: 'GET',
          query: { 'api-version': '2024-03-01' },
          pollingInterval: 60,
          pollingCount: 15,
          pollingEndKey: 'statuses.[0].displayStatus',
          pollingEndVal: ['Provisioning succeeded', 'Provisioning failed'],
          checkResultKey: 'statuses.[0].displayStatus',
          checkResultVal: ['Provisioning succeeded'],
          jobnetValKeys: jobnetValKeys('statuses.[0].displayStatus'),
        },
      };
    }
  }
}

function parseArgs(argv: readonly string[]): { outDir: string; options: GenerateOptions } {
  const { numbers, positionals } = parseBenchArgs(argv, ['jobnets', 'jobs', 'projects', 'seed']);
  const [outDir, ...rest] = positionals;
  if (outDir === undefined || rest.length > 0)
    throw new Error('usage: generate-repo OUTDIR [--jobnets N] [--jobs N] [--projects N] [--seed N]');
  const jobnets = numbers.jobnets ?? 1000;
  const options: GenerateOptions = {};
  if (numbers.jobs !== undefined) options.jobsPerJobnet = numbers.jobs;
  if (numbers.seed !== undefined) options.seed = numbers.seed;
  options.projects = Math.min(numbers.projects ?? 10, jobnets);
  options.jobnetsPerProject = Math.ceil(jobnets / options.projects);
  return { outDir, options };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  try {
    const { outDir, options } = parseArgs(process.argv.slice(2));
    const result = generateRepo(outDir, options);
    console.log(`wrote ${result.files} files (${result.jobnets} jobnets, ${result.jobs} jobs) to ${result.dir}`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 2;
  }
}
