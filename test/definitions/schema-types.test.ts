/**
 * Drift checks for the artefacts generated from schemas/ (CONTRIBUTING.md#2-the-schema-is-the-format): the TypeScript types
 * and the definition format reference must be exactly what the current schemas produce.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateTypes } from '../../controller/definitions/generate-types.js';
import { renderDefinitionDocs } from '../../controller/definitions/render-definition-docs.js';
import { loadSchemas } from '../../controller/definitions/schema-files.js';

const committed = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

describe('generated from the schemas', () => {
  it('controller/definitions/types.generated.ts matches the schemas', async () => {
    const expected = await generateTypes();
    expect(
      committed('controller/definitions/types.generated.ts'),
      'types.generated.ts is out of date: run `npm run gen:types`',
    ).toBe(expected);
  });

  it('docs/definitions.md matches the schemas', () => {
    const expected = renderDefinitionDocs(loadSchemas());
    expect(committed('docs/definitions.md'), 'docs/definitions.md is out of date: run `npm run gen:docs`').toBe(
      expected,
    );
  });

  it('type generation is deterministic', async () => {
    expect(await generateTypes()).toBe(await generateTypes());
  });

  it('the generated types name every kind and the job and REST pieces', async () => {
    const source = await generateTypes();
    const exported = new Set([...source.matchAll(/^export (?:interface|type) (\w+)/gm)].map((m) => m[1]));
    for (const name of [
      'SettingsDocument',
      'CalendarDocument',
      'DayPatternDocument',
      'CredentialDocument',
      'EnvironmentDocument',
      'ProjectDocument',
      'JobnetDocument',
      'IncidentPolicyDocument',
      'BundleDocument',
      'DefinitionDocument',
      'Job',
      'RestJob',
      'RestRequest',
      'RestMonitoring',
      'RestTermination',
      'DayRules',
      'SecretRef',
      'SecretValue',
    ]) {
      expect(exported.has(name), `types.generated.ts exports ${name}`).toBe(true);
    }
  });
});
