/**
 * Copies of a jobnet (R-JN-3): a start or an event raised with a suffix runs `<name>_<suffix>`, an
 * actor of its own whose definition is the jobnet's, renamed, without a time trigger or deadlines
 * of its own (it runs the starts and events handed to it), and with a digest that marks it a copy.
 *
 * Pure and sandbox-safe: no Node built-ins, no I/O.
 */
import type { CompiledJobnet } from './compiled-jobnet.js';
import { copyDigest } from './wire-contract.js';

/** Name of a copy of `jobnet` started with `suffix` (R-JN-3). */
export function copyJobnetName(jobnet: string, suffix: string): string {
  return `${jobnet}_${suffix}`;
}

/**
 * The compiled copy of `definition` for suffix `suffix` (R-JN-3): named `<name>_<suffix>`, with
 * no time trigger of its own (it runs the starts and events handed to it).
 */
export function copyDefinition(definition: CompiledJobnet, suffix: string): CompiledJobnet {
  const copy: CompiledJobnet = { ...definition, name: copyJobnetName(definition.name, suffix) };
  if (definition.schedule !== undefined) {
    const start = definition.schedule.start.events !== undefined ? { events: definition.schedule.start.events } : {};
    copy.schedule = { ...definition.schedule, start, deadlines: {} };
  }
  if (definition.digest !== undefined) copy.digest = copyDigest(definition.digest, suffix);
  return copy;
}
