/**
 * The WOI state colours (R-UI-1): every jobnet status, run status and job state the API answers
 * mapped to one of the console's ten display states, each with its label and CSS class
 * (`app.css` gives the colours). The label is always shown next to the colour.
 *
 * Pure.
 */

export type DisplayState =
  | 'waiting'
  | 'running'
  | 'normal'
  | 'pseudo-normal'
  | 'warning'
  | 'abended'
  | 'held'
  | 'disabled'
  | 'carried-over'
  | 'retired';

export const displayLabels: Record<DisplayState, string> = {
  waiting: 'waiting',
  running: 'running',
  normal: 'normal',
  'pseudo-normal': 'pseudo-normal',
  warning: 'warning',
  abended: 'abended',
  held: 'held',
  disabled: 'disabled',
  'carried-over': 'carried over',
  retired: 'retired',
};

const byStatus: Record<string, DisplayState> = {
  waiting: 'waiting',
  running: 'running',
  warning: 'warning',
  ended: 'normal',
  normal: 'normal',
  confirmed: 'normal',
  passed: 'normal',
  pseudoNormal: 'pseudo-normal',
  abended: 'abended',
  forced: 'abended',
  held: 'held',
  disabled: 'disabled',
  carriedOver: 'carried-over',
  retired: 'retired',
};

/** The display state of a status or job state; an ended jobnet shows its last result. */
export function displayStateOf(status: string | undefined, result?: string | null): DisplayState {
  if (status === 'ended' && result !== undefined && result !== null && byStatus[result] !== undefined)
    return byStatus[result];
  return byStatus[status ?? ''] ?? 'waiting';
}

/** The text shown for a status: its own name when it says more than the display state (forced, passed). */
export function statusText(status: string | undefined, result?: string | null): string {
  if (status === 'forced' || status === 'passed' || status === 'confirmed') return status;
  return displayLabels[displayStateOf(status, result)];
}
