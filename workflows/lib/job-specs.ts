/**
 * The type-specific part of a compiled job (`CompiledJob.spec`), one shape per job type
 * (docs/specification.md §4.5), as the compile step writes it: defaults filled in, durations in seconds, and the
 * strings still holding their `@…@` variable references, which are substituted when the job
 * starts (R-VAR-4). {@link JobSpecs} says which shape belongs to which type.
 *
 * Plain JSON types only; this module runs inside the Temporal workflow sandbox.
 */
import type { JobType } from './exit-classification.js';

/** Operators of a numeric `checkVariable` comparison (R-JOBT-6, WOI 8.1.6 `-num`). */
export type NumberOperator = 'EQ' | 'NE' | 'GT' | 'GE' | 'LT' | 'LE';

/** `sleep` (R-JOBT-2). */
export interface SleepSpec {
  seconds: number;
}

/** `waitTime` (R-JOBT-3): times `HHMM` relative to the calendar's day change. */
export interface WaitTimeSpec {
  until: string;
  latest?: string;
}

/** `raiseEvent` (R-JOBT-4, R-EVT-1). */
export interface RaiseEventSpec {
  event: string;
  project?: string;
  jobnet?: string;
  param?: string;
  suffix?: string;
}

/** `waitEvent` (R-JOBT-5). */
export interface WaitEventSpec {
  event: string;
}

/** One comparison of a numeric check (R-JOBT-6). */
export interface NumberComparisonSpec {
  op: NumberOperator;
  value: number;
}

/** `checkVariable` (R-JOBT-6): exactly one of `number`, `string`, or neither (existence). */
export interface CheckVariableSpec {
  variable: string;
  number?: NumberComparisonSpec | { from: NumberComparisonSpec; to: NumberComparisonSpec };
  string?: { op: 'EQ' | 'NE' | 'IN' | 'NI'; value: string };
  invert: boolean;
}

/** `jobnet` (R-JOBT-7, R-JN-2): the child's compiled form is in `CompiledJobnet.children`. */
export interface ChildJobnetSpec {
  jobnet: string;
}

/** `command` (R-JOBT-8). */
export interface CommandSpec {
  argv: string[];
  env: Record<string, string>;
  cwd?: string;
  timeoutSeconds?: number;
}

/** An HTTP method of a REST call (R-REST-1). */
export type HttpMethod = 'GET' | 'PUT' | 'POST' | 'DELETE';

/** What every call of a REST job has: request, polls and termination (R-REST-1..3). */
export interface RestCallSpec {
  url: string;
  method: HttpMethod;
  /** Query parameters; numbers and booleans as written are sent as their text. */
  query?: Record<string, string | number | boolean>;
  header?: Record<string, string | number | boolean>;
  /** Any JSON value; a string is sent as is (R-REST-1). */
  body?: unknown;
}

/** `request` of a REST job (R-REST-1), defaults filled in. */
export interface RestRequestSpec extends RestCallSpec {
  /** Seconds each call of the job may take (shared by monitoring and termination). */
  timeout: number;
  takeoverKeys?: Record<string, string>;
  jobnetValKeys?: Record<string, string>;
}

/** `monitoring` of a REST job (R-REST-2), defaults filled in. */
export interface RestMonitoringSpec extends RestCallSpec {
  pollingInterval: number;
  /** 0 = unlimited. */
  pollingCount: number;
  firstMonitorInterval: number;
  pollingEndKey: string;
  pollingEndVal: string[];
  checkResultKey: string;
  checkResultVal?: string[];
  jobnetValKeys?: Record<string, string>;
}

/** Where a secret is read from inside the worker (R-CRED-3, R-CRED-4). */
export type SecretSource = { env: string } | { file: string };

/** A credential field: a literal (not secret) or a reference read when the job needs it. */
export type CredentialValue = string | { secretRef: SecretSource };

/** A credential key (R-CRED-2): a literal, `{value}`, or a reference (`secret: true` entries must be one). */
export type CredentialKeyValue = string | { value: string } | { secretRef: SecretSource; secret?: boolean };

/**
 * The credential a REST job authenticates with (R-CRED-1), as written in its Credential
 * document: references only, never a secret value, so it may travel through Temporal history.
 */
export type RestCredential = { name: string; keys?: Record<string, CredentialKeyValue> } & (
  | { type: 'basic'; user: CredentialValue; password: CredentialValue }
  | { type: 'bearer'; token: CredentialValue }
  | {
      type: 'azuread';
      clientId: CredentialValue;
      clientSecret: CredentialValue;
      endpoint: CredentialValue;
      resource?: CredentialValue;
      scope?: CredentialValue;
    }
  | { type: 'scs'; clientId: CredentialValue; clientSecret: CredentialValue; endpoint: CredentialValue }
  | {
      type: 'awssigv4';
      accessKeyId: CredentialValue;
      secretAccessKey: CredentialValue;
      sessionToken?: CredentialValue;
      service: CredentialValue;
      region: CredentialValue;
      endpoint: CredentialValue;
      signedHeaders?: Record<string, string>;
    }
  | { type: 'others' }
);

/** Default cap of a REST job's output in bytes (R-REST-6). */
export const defaultRestOutputLimitBytes = 1024 * 1024;

/**
 * `rest` (R-REST): the request, monitoring and termination objects with their defaults, and the
 * credential they all use, with its secrets still references (resolved inside the worker, R-CRED-4).
 */
export interface RestSpec {
  request: RestRequestSpec;
  monitoring?: RestMonitoringSpec;
  termination?: RestCallSpec;
  /** The credential named by `request.credential`, references only. */
  credential?: RestCredential;
  /** Cap of the job's output in bytes (R-REST-6). */
  outputLimitBytes: number;
}

/**
 * The spec of each job type: `CompiledJob` pairs a job's `type` with `JobSpecs[type]`, so a
 * reader that checked the type has the right spec without a cast.
 */
export interface JobSpecs {
  rest: RestSpec;
  sleep: SleepSpec;
  waitTime: WaitTimeSpec;
  raiseEvent: RaiseEventSpec;
  waitEvent: WaitEventSpec;
  checkVariable: CheckVariableSpec;
  jobnet: ChildJobnetSpec;
  command: CommandSpec;
}

/** A job type and the spec of that type: the part of a compiled job that differs by type. */
export type TypedJobSpec = { [T in JobType]: { type: T; spec: JobSpecs[T] } }[JobType];
