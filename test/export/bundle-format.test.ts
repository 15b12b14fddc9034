/**
 * Reading a bundle's text (controller/export/bundle-format.ts): the fast parser reads what export
 * writes — `&&` in a definition included — and a text with aliases is read by the definitions
 * parser, which accepts a few and refuses an alias bomb with its position.
 */
import { describe, expect, it } from 'vitest';
import {
  buildBundle,
  readBundle,
  renderBundle,
  renderBundleParts,
  yamlText,
} from '../../controller/export/bundle-format.js';

const project = { apiVersion: 'jobnet/v1', kind: 'Project', metadata: { name: 'sales' } };
const jobnet = {
  apiVersion: 'jobnet/v1',
  kind: 'Jobnet',
  metadata: { project: 'sales', name: 'close', title: 'build && check', description: 'first\n  second\n\nlast\n' },
  spec: { jobs: { a: { type: 'sleep', seconds: 1 }, b: { type: 'sleep', seconds: 1, after: ['a'] } } },
};
const bundle = buildBundle({ project: 'sales', definitions: [project, jobnet] }, '2027-01-01T00:00:00.000Z', {});

describe('readBundle', () => {
  it('reads what export writes, && included, and its parts make the same text', () => {
    const text = renderBundle(bundle);
    expect([...renderBundleParts(bundle)].join('')).toBe(`${text.split('\n')[0]}\n${yamlText(bundle)}`);
    const read = readBundle('b.yaml', text);
    expect(read.ok && read.bundle.definitions).toEqual(bundle.definitions);
  });

  it('reads a bundle with a few aliases through the definitions parser, the checksum still checked', () => {
    const jobs = '{a: &sleep {type: sleep, seconds: 1}, b: *sleep}';
    const aliased = {
      ...jobnet,
      spec: { jobs: { a: { type: 'sleep', seconds: 1 }, b: { type: 'sleep', seconds: 1 } } },
    };
    const sum = buildBundle({ project: 'sales', definitions: [project, aliased] }, 'x', {}).sha256;
    const text = `apiVersion: jobnet/v1\nkind: Bundle\nexportedAt: x\nproject: sales\nsha256: ${sum}\ndefinitions:\n  - ${JSON.stringify(project)}\n  - {apiVersion: jobnet/v1, kind: Jobnet, metadata: ${JSON.stringify(aliased.metadata)}, spec: {jobs: ${jobs}}}\n`;
    const read = readBundle('b.yaml', text);
    expect(read.ok ? 'ok' : read.message).toBe('ok');
  });

  it('refuses an alias bomb with its position', () => {
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++)
      levels.push(
        `${'abcdefghi'[i]}: &${'abcdefghi'[i]} [${Array(9)
          .fill(`*${'abcdefghi'[i - 1]}`)
          .join(',')}]`,
      );
    const text = `apiVersion: jobnet/v1\nkind: Bundle\n${levels.join('\n')}\n`;
    const read = readBundle('bomb.yaml', text);
    expect(read.ok).toBe(false);
    expect(read.ok ? '' : read.message).toMatch(/^bomb\.yaml:\d+:\d+: .*alias/i);
  });
});
