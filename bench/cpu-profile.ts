/** Summaries of V8 CPU profiles (`node --cpu-prof`) written by the benches' worker processes. */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

/** The functions with the most self time in each `.cpuprofile` of `dir` (one per thread), as Markdown tables headed by `label`. */
export function cpuProfileSummary(dir: string, label: string, top = 25): string[] {
  const lines: string[] = [];
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as CpuProfile;
    const byId = new Map(profile.nodes.map((node) => [node.id, node]));
    const self = new Map<string, number>();
    let total = 0;
    profile.samples.forEach((id, index) => {
      const delta = profile.timeDeltas[index] ?? 0;
      const frame = byId.get(id)?.callFrame;
      const where = frame?.url
        ? frame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/(?=[^/]+\/[^/]+$)/, '')
        : '';
      const name = `${frame?.functionName || '(anonymous)'} ${where}:${(frame?.lineNumber ?? 0) + 1}`;
      self.set(name, (self.get(name) ?? 0) + delta);
      total += delta;
    });
    // V8's pseudo-frames have no line (`:0`); idle time is not the thread's work.
    const idle = self.get('(idle) :0') ?? 0;
    lines.push(
      '',
      `${label} — ${file}: ${(total / 1e6).toFixed(1)} s sampled, ${((total - idle) / 1e6).toFixed(1)} s not idle`,
    );
    lines.push('', '| self ms | % of not idle | function |', '| ---: | ---: | --- |');
    for (const [name, micros] of [...self]
      .filter(([name]) => name !== '(idle) :0')
      .sort((a, b) => b[1] - a[1])
      .slice(0, top))
      lines.push(`| ${(micros / 1000).toFixed(0)} | ${((micros / (total - idle)) * 100).toFixed(1)} | \`${name}\` |`);
  }
  return lines;
}

/**
 * Where the self time of each `.cpuprofile` of `dir` went, by area: a package of node_modules,
 * a top-level directory of the project, Node's own modules, or V8 itself (`(garbage collector)`,
 * `(program)`), as Markdown tables headed by `label`.
 */
export function cpuProfileByArea(dir: string, label: string, projectRoot: string): string[] {
  const lines: string[] = [];
  const root = `file://${projectRoot}/`;
  const areaOf = (url: string, functionName: string): string => {
    if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
    const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
    if (modules) return modules[1] ?? url;
    if (url.startsWith('node:')) return 'node: (Node itself)';
    if (url.startsWith(root)) return `${url.slice(root.length).split('/')[0] ?? ''}/`;
    return url.startsWith('evalmachine') || url.includes('workflow-bundle') ? 'the workflow bundle' : url;
  };
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as CpuProfile;
    const byId = new Map(profile.nodes.map((node) => [node.id, node]));
    const self = new Map<string, number>();
    let total = 0;
    profile.samples.forEach((id, index) => {
      const delta = profile.timeDeltas[index] ?? 0;
      const frame = byId.get(id)?.callFrame;
      const area = areaOf(frame?.url ?? '', frame?.functionName ?? '');
      self.set(area, (self.get(area) ?? 0) + delta);
      total += delta;
    });
    const idle = self.get('(idle)') ?? 0;
    lines.push('', `${label} — ${file}: ${((total - idle) / 1e6).toFixed(1)} s not idle, by area`);
    lines.push('', '| self ms | % of not idle | area |', '| ---: | ---: | --- |');
    for (const [area, micros] of [...self].filter(([area]) => area !== '(idle)').sort((a, b) => b[1] - a[1]))
      lines.push(`| ${(micros / 1000).toFixed(0)} | ${((micros / (total - idle)) * 100).toFixed(1)} | ${area} |`);
  }
  return lines;
}
