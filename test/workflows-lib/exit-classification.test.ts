import { describe, expect, it } from 'vitest';
import {
  classifyExitCode,
  describeExitCode,
  forcedEndReasons,
  restExitCodes,
  schedulerExitCodes,
  type ExitClass,
  type ExitClassificationSettings,
  type JobType,
} from '../../workflows/lib/exit-classification.js';

const settings = (type: JobType, normalExitMax = 0, alwaysNormal = false): ExitClassificationSettings => ({
  type,
  normalExitMax,
  alwaysNormal,
});

describe('classifyExitCode follows R-EXIT-1 and R-EXIT-4', () => {
  it.each<[string, ExitClassificationSettings, number, ExitClass]>([
    ['0 is normal', settings('rest'), 0, 'normal'],
    ['1 is abnormal with the default normalExitMax 0', settings('rest'), 1, 'abnormal'],
    ['1…normalExitMax is pseudo-normal (lower bound)', settings('command', 3), 1, 'pseudoNormal'],
    ['1…normalExitMax is pseudo-normal (upper bound)', settings('command', 3), 3, 'pseudoNormal'],
    ['above normalExitMax is abnormal', settings('command', 3), 4, 'abnormal'],
    ['alwaysNormal makes an abnormal code normal', settings('rest', 0, true), 99, 'normal'],
    ['alwaysNormal makes a pseudo-normal code normal', settings('command', 5, true), 3, 'normal'],
    ['checkVariable 0 (match) is normal', settings('checkVariable'), 0, 'normal'],
    ['checkVariable 1 (no match) is normal, not pseudo-normal', settings('checkVariable'), 1, 'normal'],
    ['checkVariable 1 stays normal even with normalExitMax 1', settings('checkVariable', 1), 1, 'normal'],
    ['checkVariable 2 (error) is abnormal', settings('checkVariable'), 2, 'abnormal'],
    ['waitTime 1 (started after latest) is abnormal, as in WOI', settings('waitTime'), 1, 'abnormal'],
    ['waitTime 1 is pseudo-normal when normalExitMax allows it', settings('waitTime', 1), 1, 'pseudoNormal'],
    ['waitTime 21 (bad specification) is abnormal', settings('waitTime'), 21, 'abnormal'],
    ['sleep non-zero is abnormal', settings('sleep'), 1, 'abnormal'],
    ['a scheduler code is abnormal by default', settings('rest'), schedulerExitCodes.jobStartFailed, 'abnormal'],
    ['a negative code is abnormal', settings('command', 10), -1, 'abnormal'],
  ])('%s', (_name, job, code, expected) => {
    expect(classifyExitCode(job, code)).toBe(expected);
  });
});

describe('exit-code constants carry the WOI values', () => {
  it('names every scheduler-assigned code of R-EXIT-2', () => {
    expect(Object.values(schedulerExitCodes).sort((a, b) => a - b)).toEqual([
      239, 242, 245, 246, 247, 248, 249, 250, 254, 256,
    ]);
  });

  it('names every REST code of R-EXIT-3', () => {
    expect(Object.values(restExitCodes).sort((a, b) => a - b)).toEqual([0, 2, 4, 5, 6, 7, 8, 10, 99]);
  });

  it('maps the forced-end reasons to their WOI codes', () => {
    expect(forcedEndReasons.operator.woiCode).toBe('0x40000222');
    expect(forcedEndReasons.timeLimit.woiCode).toBe('0x40000322');
  });
});

describe('describeExitCode gives the meaning printed in incidents', () => {
  it.each<[JobType, number, RegExp]>([
    ['rest', 248, /another predecessor of an OR join ended normally/],
    ['command', 249, /another predecessor of an OR join ended abnormally/],
    ['sleep', 256, /force-terminated/],
    ['rest', 239, /environment stopped/],
    ['rest', 246, /640 jobnet variables/],
    ['rest', 6, /completion wait was exhausted/],
    ['rest', 10, /credential could not be obtained/],
    ['waitTime', 1, /after its latest time/],
    ['checkVariable', 1, /did not match/],
    ['checkVariable', 3, /could not be checked/],
    ['command', 205, /ended abnormally/],
    ['command', 6, /exit code 6/],
  ])('%s %i', (type, code, meaning) => {
    expect(describeExitCode(type, code)).toMatch(meaning);
  });

  it('reads REST codes only for REST jobs', () => {
    expect(describeExitCode('command', 7)).not.toMatch(/checkResultVal/);
    expect(describeExitCode('rest', 7)).toMatch(/checkResultVal/);
  });
});
