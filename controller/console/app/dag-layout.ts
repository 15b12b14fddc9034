/**
 * The layout of a jobnet's DAG for drawing (R-UI-1): nodes and edges placed by dagre (left to
 * right), with the edge labels (exit-code conditions) and a mark for AND/OR joins. Recovery jobs
 * hang off the job they recover, by a dashed edge.
 *
 * Pure: computes coordinates from the graph; no DOM.
 */
import dagre from '@dagrejs/dagre';
import type { Graph } from './api.js';

export interface PlacedNode {
  name: string;
  title?: string;
  type: string;
  x: number;
  y: number;
  width: number;
  height: number;
  join?: 'AND' | 'OR';
  child?: string;
  hold: boolean;
  disabled: boolean;
}

export interface PlacedEdge {
  from: string;
  to: string;
  points: { x: number; y: number }[];
  label?: string;
  labelAt?: { x: number; y: number };
  recovery: boolean;
}

export interface DagLayout {
  width: number;
  height: number;
  nodes: PlacedNode[];
  edges: PlacedEdge[];
}

export const nodeWidth = 176;
export const nodeHeight = 56;

export function layoutDag(graph: Graph): DagLayout {
  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: 'LR', nodesep: 24, ranksep: 64, marginx: 12, marginy: 12 });
  g.setDefaultEdgeLabel(() => ({}));
  const names = new Set(graph.jobs.map((job) => job.name));
  for (const job of graph.jobs) g.setNode(job.name, { width: nodeWidth, height: nodeHeight });
  const edges: { from: string; to: string; label?: string; recovery: boolean; id: string }[] = [];
  for (const job of graph.jobs) {
    for (const edge of job.predecessors)
      if (names.has(edge.job))
        edges.push({
          from: edge.job,
          to: job.name,
          recovery: false,
          id: `${edge.job}->${job.name}`,
          ...(edge.exitCode !== undefined ? { label: `exit ${edge.exitCode}` } : {}),
        });
    if (job.recovery !== undefined && names.has(job.recovery))
      edges.push({
        from: job.name,
        to: job.recovery,
        recovery: true,
        label: 'on abend',
        id: `${job.name}~>${job.recovery}`,
      });
  }
  for (const edge of edges)
    g.setEdge(
      edge.from,
      edge.to,
      edge.label !== undefined
        ? { label: edge.label, width: edge.label.length * 7 + 8, height: 16, labelpos: 'c' }
        : {},
      edge.id,
    );
  dagre.layout(g);
  const label = g.graph() as { width?: number; height?: number };
  const nodes = graph.jobs.map((job): PlacedNode => {
    const placed = g.node(job.name) as { x: number; y: number };
    return {
      name: job.name,
      ...(job.title !== undefined ? { title: job.title } : {}),
      type: job.type,
      x: placed.x - nodeWidth / 2,
      y: placed.y - nodeHeight / 2,
      width: nodeWidth,
      height: nodeHeight,
      ...(job.predecessors.length > 1 ? { join: job.join === 'any' ? ('OR' as const) : ('AND' as const) } : {}),
      ...(job.child !== undefined ? { child: job.child } : {}),
      hold: job.hold,
      disabled: job.disabled,
    };
  });
  return {
    width: Math.ceil(label.width ?? 0),
    height: Math.ceil(label.height ?? 0),
    nodes,
    edges: edges.map((edge): PlacedEdge => {
      const placed = g.edge({ v: edge.from, w: edge.to, name: edge.id }) as {
        points?: { x: number; y: number }[];
        x?: number;
        y?: number;
      };
      return {
        from: edge.from,
        to: edge.to,
        points: placed.points ?? [],
        recovery: edge.recovery,
        ...(edge.label !== undefined ? { label: edge.label } : {}),
        ...(edge.label !== undefined && placed.x !== undefined && placed.y !== undefined
          ? { labelAt: { x: placed.x, y: placed.y } }
          : {}),
      };
    }),
  };
}
