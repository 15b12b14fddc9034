/** Command-line options of the bench scripts, parsed with Node's `util.parseArgs`. */
import { parseArgs } from 'node:util';

/** Parses `--name N` options that must be positive whole numbers, plus boolean flags and positionals. */
export function parseBenchArgs<N extends string, F extends string>(
  argv: readonly string[],
  numbers: readonly N[],
  flags: readonly F[] = [],
): { numbers: Partial<Record<N, number>>; flags: Record<F, boolean>; positionals: string[] } {
  const options: Record<string, { type: 'string' | 'boolean' }> = {};
  for (const name of numbers) options[name] = { type: 'string' };
  for (const name of flags) options[name] = { type: 'boolean' };
  const { values, positionals } = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  const parsed: Partial<Record<N, number>> = {};
  for (const name of numbers) {
    const text = values[name];
    if (text === undefined) continue;
    const n = Number(text);
    if (typeof text !== 'string' || !Number.isInteger(n) || n < 1)
      throw new Error(`--${name} needs a positive whole number`);
    parsed[name] = n;
  }
  const flagValues = Object.fromEntries(flags.map((f) => [f, values[f] === true])) as Record<F, boolean>;
  return { numbers: parsed, flags: flagValues, positionals };
}
