/**
 * Scrapes `/metrics` over HTTP and reads the families with a Prometheus text-format parser, so the
 * tests check the exposition a Prometheus server reads, not prom-client's objects.
 */
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { expect } from 'vitest';

export interface Scrape {
  /** The counter's value for the samples whose labels include `labels` (summed), 0 when none. */
  value(name: string, labels?: Record<string, string>): number;
  /** A histogram's observation count for the samples whose labels include `labels` (summed). */
  count(name: string, labels?: Record<string, string>): number;
  families: string[];
}

export async function scrape(url: string, headers: Record<string, string> = {}): Promise<Scrape> {
  const response = await fetch(url, { headers });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const text = await response.text();
  const families = parsePrometheusTextFormat(text);
  // The parser merges a labelled histogram's series into one sample, losing its labels: its
  // `_count` series are read as plain samples of the text without the histogram TYPE lines (where
  // each label set's series come as families of their own).
  const series = parsePrometheusTextFormat(text.replace(/^# TYPE \S+ histogram\n/gm, ''));
  const matchingIn = (parsed: typeof families, name: string, labels: Record<string, string>) =>
    parsed
      .filter((family) => family.name === name)
      .flatMap((family) => family.metrics)
      .filter((sample) => Object.entries(labels).every(([key, value]) => sample.labels?.[key] === value));
  return {
    families: families.map((family) => family.name),
    value: (name, labels = {}) =>
      matchingIn(families, name, labels).reduce((sum, sample) => sum + Number(sample.value ?? 0), 0),
    count: (name, labels = {}) =>
      matchingIn(series, `${name}_count`, labels).reduce((sum, sample) => sum + Number(sample.value ?? 0), 0),
  };
}
