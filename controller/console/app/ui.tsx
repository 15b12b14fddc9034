/**
 * Small shared pieces of the console: the state badge, times, the polling hook, error text and
 * the operation button (confirmation, then the API; a refusal disables it with the API's reason).
 *
 * Browser code.
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiFailure, postJson } from './api.js';
import { displayStateOf, statusText } from './states.js';

export function StateBadge({ status, result }: { status: string | undefined; result?: string | null }) {
  const state = displayStateOf(status, result);
  return (
    <span class={`state state-${state}`} data-state={state}>
      {statusText(status, result)}
    </span>
  );
}

/** An ISO instant as local `YYYY-MM-DD HH:mm:ss`, or `–`. */
export function time(iso: string | undefined | null): string {
  if (iso === undefined || iso === null || iso === '') return '–';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

export function duration(from: string | undefined, to: string | undefined): string {
  if (from === undefined) return '–';
  const ms = (to === undefined ? Date.now() : Date.parse(to)) - Date.parse(from);
  if (!Number.isFinite(ms) || ms < 0) return '–';
  const s = Math.round(ms / 1000);
  return s < 60
    ? `${s} s`
    : s < 3600
      ? `${Math.floor(s / 60)} min ${s % 60} s`
      : `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

export function errorText(error: unknown): string {
  if (error instanceof ApiFailure) return `${error.message} (${error.code})`;
  return error instanceof Error ? error.message : String(error);
}

/** Loads `load()` now and every `intervalMs` (≤ 2 s for live views) until unmounted or `key` changes. */
export function usePoll<T>(
  load: () => Promise<T>,
  key: string,
  intervalMs = 2000,
): { data: T | undefined; error: string | undefined; reload: () => void } {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const round = async () => {
      try {
        const value = await load();
        if (!stopped) {
          setData(value);
          setError(undefined);
        }
      } catch (failure) {
        if (!stopped) setError(errorText(failure));
      }
      if (!stopped && intervalMs > 0) timer = setTimeout(() => void round(), intervalMs);
    };
    void round();
    return () => {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [key, tick]);
  return { data, error, reload: () => setTick((n) => n + 1) };
}

/**
 * A button for one operation: asks for confirmation, posts it, and reports the answer. When the
 * API refuses it (409 REFUSED), the button stays disabled with the reason until `resetKey` changes
 * (the state moved on).
 */
export function OperationButton(props: {
  label: string;
  path: string;
  body?: unknown;
  confirmText: string;
  resetKey: string;
  onDone: (message: string) => void;
}) {
  const [refused, setRefused] = useState<{ key: string; reason: string } | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const reason = refused !== undefined && refused.key === props.resetKey ? refused.reason : undefined;
  const run = async () => {
    if (!window.confirm(props.confirmText)) return;
    setBusy(true);
    try {
      const answer = await postJson<{ detail?: string; runId?: string }>(props.path, props.body ?? {});
      props.onDone(`${props.label}: ${answer.detail ?? 'done'}`);
    } catch (failure) {
      if (failure instanceof ApiFailure && failure.code === 'REFUSED')
        setRefused({ key: props.resetKey, reason: failure.message });
      else props.onDone(`${props.label} failed: ${errorText(failure)}`);
    } finally {
      setBusy(false);
    }
  };
  return (
    <span class="operation">
      <button
        type="button"
        disabled={busy || reason !== undefined}
        title={reason ?? props.confirmText}
        data-operation={props.label}
        onClick={() => void run()}
      >
        {props.label}
      </button>
      {reason !== undefined ? (
        <span class="refused" role="note">
          {reason}
        </span>
      ) : null}
    </span>
  );
}
