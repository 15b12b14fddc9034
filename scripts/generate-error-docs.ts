/** Writes docs/errors.md from the diagnostic-code registry (`npm run gen:docs`). */
import { writeFileSync } from 'node:fs';
import { renderErrorDocs } from '../controller/definitions/render-error-docs.js';

const target = new URL('../docs/errors.md', import.meta.url);
writeFileSync(target, renderErrorDocs());
process.stdout.write(`wrote ${target.pathname}\n`);
