/**
 * The wire contract has one home (workflows/lib/wire-contract.ts): no other module of the
 * controller or the workflows spells a search attribute, a workflow type name, a workflow id
 * prefix or a digest marker as a literal, so a format cannot drift between the writer and the
 * reader. Comments may name them; code may not.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..', '..');
const contract = path.join('workflows', 'lib', 'wire-contract.ts');

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(root, dir)).flatMap((name) => {
    const relative = path.join(dir, name);
    if (statSync(path.join(root, relative)).isDirectory()) return sourceFiles(relative);
    return relative.endsWith('.ts') && !relative.endsWith('.generated.ts') ? [relative] : [];
  });
}

/** The code of a module without its comments (string contents stay). */
function codeOf(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

const forbidden: [string, RegExp][] = [
  ['a search attribute name', /['"`]Jobnet(Project|Name|RunStatus|Revision|BusinessDate|Trigger|Digest)['"`]/],
  [
    'a workflow type name',
    /['"`](runWorkflow|jobnetActorWorkflow|eventRegistryWorkflow|resourceLockWorkflow|deliveryWorkflow)['"`]/,
  ],
  ['a workflow id prefix', /['"`](jobnet|run|resource|jobnet-registry|jobnet-delivery)\/(?!v1\b)/], // not the apiVersion jobnet/v1
  ['a digest marker', /['"`](retired|\+copy:)['"`]/],
];

describe('the wire contract', () => {
  const files = [...sourceFiles('controller'), ...sourceFiles('workflows')].filter((file) => file !== contract);

  it('is the only module that spells the wire formats', () => {
    const found: string[] = [];
    for (const file of files) {
      const code = codeOf(readFileSync(path.join(root, file), 'utf8'));
      for (const [what, pattern] of forbidden) {
        // The console reads jobnet statuses from the API, where `retired` is a status name, not the digest marker.
        if (what === 'a digest marker' && file.startsWith(path.join('controller', 'console', 'app'))) continue;
        const match = pattern.exec(code);
        if (match) found.push(`${file}: ${what} ${match[0]}`);
      }
    }
    expect(found).toEqual([]);
  });

  it('finds a literal where one is written (the check can fail)', () => {
    const code = codeOf(`const a = 'JobnetProject'; // 'runWorkflow' in a comment\nconst id = \`run/\${x}\`;`);
    expect(forbidden.filter(([, pattern]) => pattern.test(code)).map(([what]) => what)).toEqual([
      'a search attribute name',
      'a workflow id prefix',
    ]);
  });
});
