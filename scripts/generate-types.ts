/**
 * `npm run gen:types`: writes controller/definitions/types.generated.ts from the JSON Schemas in
 * schemas/ (CONTRIBUTING.md#2-the-schema-is-the-format). Writes that one file and nothing else.
 */
import { writeFileSync } from 'node:fs';
import { generateTypes } from '../controller/definitions/generate-types.js';

const target = new URL('../controller/definitions/types.generated.ts', import.meta.url);
writeFileSync(target, await generateTypes());
console.log(`wrote ${target.pathname}`);
