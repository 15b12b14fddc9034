/**
 * `npm run gen:docs`: writes docs/definitions.md, the definition format reference, from the JSON
 * Schemas in schemas/ (CONTRIBUTING.md#2-the-schema-is-the-format). Writes that one file and nothing else.
 */
import { writeFileSync } from 'node:fs';
import { renderDefinitionDocs } from '../controller/definitions/render-definition-docs.js';
import { loadSchemas } from '../controller/definitions/schema-files.js';

const target = new URL('../docs/definitions.md', import.meta.url);
writeFileSync(target, renderDefinitionDocs(loadSchemas()));
console.log(`wrote ${target.pathname}`);
