/**
 * Every error class of the product sets its `name`, so that a log line, a status message
 * (`internal error while validating …: RangeError: …`), an activity failure type or a by-name check
 * says which error it was instead of a bare `Error`. The list below is checked against the source
 * tree, so a new error class without a name (or without a place here) fails.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../controller/api/api-errors.js';
import { TokensFileError } from '../../controller/api/auth/token-accounts.js';
import { ListenerLimitsError } from '../../controller/api/listener-limits.js';
import { WoiAnswer } from '../../controller/api/woi-compat.js';
import { ApiCallError } from '../../controller/cli/api-client.js';
import { CommandFailure, UsageError } from '../../controller/cli/cli-errors.js';
import { CancelFilterError } from '../../controller/runs/run-cancel.js';
import { BundleRefusal } from '../../controller/export/bundle-files.js';
import { CompileRefusal } from '../../controller/compile/compile-jobnet.js';
import { ScheduleCompileError } from '../../controller/compile/compile-schedule.js';
import { GitSnapshotError } from '../../controller/source/git-snapshot.js';
import { GitRunError, GitSourceError } from '../../controller/source/git-source.js';
import { DeploymentOwnedError } from '../../controller/system/controller-process.js';
import { AppliedDefinitionError } from '../../controller/jobnets/applied-definition.js';
import { DevServerExited } from '../../controller/temporal/dev-server.js';
import { TemporalCallError } from '../../controller/temporal/temporal-reachability.js';
import { HistoryCursorError } from '../../controller/runs/history-query.js';
import { TemporalTargetError, TemporalUnavailableError } from '../../controller/temporal/temporal-target.js';
import { AuthenticationError } from '../../workflows/activities/rest/rest-authentication.js';
import { SecretUnavailableError } from '../../workflows/activities/secret-references.js';
import { ExtractKeySyntaxError } from '../../workflows/lib/extract-key.js';
import { RunStateError } from '../../workflows/lib/run-state.js';

const root = path.resolve(import.meta.dirname, '..', '..');

/** Each error class with one instance of it. */
const errors: [string, Error][] = [
  ['ApiCallError', new ApiCallError(500, 'INTERNAL_ERROR', 'm')],
  ['ApiError', new ApiError(503, 'TEMPORAL_UNAVAILABLE', 'm')],
  ['AppliedDefinitionError', new AppliedDefinitionError('m')],
  ['AuthenticationError', new AuthenticationError('m', 10)],
  ['BundleRefusal', new BundleRefusal('m')],
  ['CancelFilterError', new CancelFilterError('job', 'm')],
  ['CommandFailure', new CommandFailure('m')],
  ['CompileRefusal', new CompileRefusal('m')],
  ['DeploymentOwnedError', new DeploymentOwnedError('m')],
  ['DevServerExited', new DevServerExited('m')],
  ['ExtractKeySyntaxError', new ExtractKeySyntaxError('m', 0)],
  ['GitRunError', new GitRunError('m', true)],
  ['GitSnapshotError', new GitSnapshotError('m', 'unknown-ref')],
  ['GitSourceError', new GitSourceError('git', 'm')],
  ['HistoryCursorError', new HistoryCursorError('m')],
  ['ListenerLimitsError', new ListenerLimitsError('m')],
  ['RunStateError', new RunStateError('m')],
  ['ScheduleCompileError', new ScheduleCompileError('m')],
  ['SecretUnavailableError', new SecretUnavailableError('m')],
  ['TemporalCallError', new TemporalCallError('NO_WORKER', 'm')],
  ['TemporalTargetError', new TemporalTargetError('m')],
  ['TemporalUnavailableError', new TemporalUnavailableError('m')],
  ['TokensFileError', new TokensFileError('m')],
  ['UsageError', new UsageError('m')],
  ['WoiAnswer', new WoiAnswer({ statusCode: 400, body: { code: 'OM_API_00010', message: 'm' } })],
];

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(root, dir)).flatMap((name) => {
    const relative = path.join(dir, name);
    if (statSync(path.join(root, relative)).isDirectory()) return sourceFiles(relative);
    return relative.endsWith('.ts') && !relative.endsWith('.test.ts') ? [relative] : [];
  });
}

describe('error classes', () => {
  it.each(errors)('%s names itself', (name, error) => {
    expect(error.name).toBe(name);
    expect(String(error)).toBe(`${name}: m`);
  });

  it('are all listed here', () => {
    const declared = new Set<string>();
    // The console's browser code (its own tsconfig, DOM types) cannot be loaded here; its one error
    // class, ApiFailure, sets its name too.
    const browser = path.join('controller', 'console', 'app');
    for (const file of ['controller', 'workflows', 'bench', 'scripts']
      .flatMap(sourceFiles)
      .filter((file) => !file.startsWith(browser))) {
      for (const match of readFileSync(path.join(root, file), 'utf8').matchAll(/\bclass\s+(\w+)\s+extends\s+(\w+)/g)) {
        const base = match[2] as string;
        if (base === 'Error' || /Error$|Failure$/.test(base)) declared.add(match[1] as string);
      }
    }
    expect([...declared].sort()).toEqual(errors.map(([name]) => name).sort());
  });
});
