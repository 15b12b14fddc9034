import { describe, expect, it } from 'vitest';
import {
  formatDuration,
  formatTimeOfDay,
  parseDuration,
  parseHhmm,
  parseTimeOfDay,
} from '../../workflows/lib/durations.js';

describe('parseDuration reads d/h/m/s durations of the definition format', () => {
  it.each<[string, number]>([
    ['0s', 0],
    ['90s', 90],
    ['10m', 600],
    ['2h', 7200],
    ['1d', 86400],
    ['1h30m', 5400],
    ['1d2h3m4s', 93784],
    ['31d', 2678400],
    ['1h0m', 3600],
    ['120m', 7200],
  ])('%s is %i seconds', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });

  it.each(['', '10', 'm', '1m1h', '1h 30m', ' 1h', '1.5h', '-1m', '1w', '1H', '1h1h', '9'.repeat(20) + 'd'])(
    'refuses %j',
    (text) => {
      expect(parseDuration(text)).toBeUndefined();
    },
  );
});

describe('formatDuration writes the shortest text', () => {
  it.each<[number, string]>([
    [0, '0s'],
    [59, '59s'],
    [90, '1m30s'],
    [600, '10m'],
    [5400, '1h30m'],
    [86400, '1d'],
    [93784, '1d2h3m4s'],
    [90000, '1d1h'],
  ])('%i → %s, which reads back', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
    expect(parseDuration(text)).toBe(seconds);
  });

  it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('throws a RangeError for %s', (seconds) => {
    expect(() => formatDuration(seconds)).toThrow(RangeError);
  });
});

describe('parseTimeOfDay reads "HH:MM" from 00:00 to 23:59', () => {
  it.each<[string, number]>([
    ['00:00', 0],
    ['05:00', 300],
    ['22:10', 1330],
    ['23:59', 1439],
  ])('%s is minute %i', (text, minutes) => {
    expect(parseTimeOfDay(text)).toBe(minutes);
    expect(formatTimeOfDay(minutes)).toBe(text);
  });

  it.each(['24:00', '9:00', '09:60', '0900', '09:00:00', ' 09:00', '', '-1:00'])('refuses %j', (text) => {
    expect(parseTimeOfDay(text)).toBeUndefined();
  });

  it.each([-1, 1440, 0.5])('formatTimeOfDay throws a RangeError for %s', (minutes) => {
    expect(() => formatTimeOfDay(minutes)).toThrow(RangeError);
  });
});

describe('parseHhmm reads the WOI "HHMM" of waitTime (R-JOBT-3) from 0000 to 2359', () => {
  it.each<[string, number]>([
    ['0000', 0],
    ['0900', 540],
    ['1230', 750],
    ['2359', 1439],
  ])('%s is minute %i', (text, minutes) => {
    expect(parseHhmm(text)).toBe(minutes);
  });

  it.each(['2400', '4759', '0960', '900', '09:00', '12345', '', 'abcd'])('refuses %j', (text) => {
    expect(parseHhmm(text)).toBeUndefined();
  });
});
