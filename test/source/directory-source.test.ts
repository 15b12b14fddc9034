/**
 * The local-directory source (R-GIT-1) on a real temporary directory and the real chokidar watcher:
 * content-hash revisions that stay put while nothing changes, and one debounced callback per burst.
 */
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  DirectorySource,
  directoryRevision,
  isIgnoredDirectoryPath,
} from '../../controller/source/directory-source.js';
import type { StopWatching } from '../../controller/source/source-types.js';

let root: string;
const stops: StopWatching[] = [];

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'jobnet-dir-source-'));
  await mkdir(path.join(root, 'projects', 'p', 'jobnets'), { recursive: true });
  await writeFile(path.join(root, 'jobnet.yaml'), 'apiVersion: jobnet/v1\nkind: Settings\n');
  await writeFile(path.join(root, 'projects', 'p', 'jobnets', 'a.yaml'), 'kind: Jobnet # a\n');
});

afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
  await rm(root, { recursive: true, force: true });
});

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('directory revision', () => {
  it('is dir: plus 12 hex digits, independent of file order', () => {
    const a = { path: 'a.yaml', bytes: bytes('x') };
    const b = { path: 'b.yaml', bytes: bytes('y') };
    expect(directoryRevision([a, b])).toMatch(/^dir:[0-9a-f]{12}$/);
    expect(directoryRevision([b, a])).toBe(directoryRevision([a, b]));
  });

  it('changes when bytes move between files or a file is renamed', () => {
    const base = directoryRevision([
      { path: 'a.yaml', bytes: bytes('ab') },
      { path: 'b.yaml', bytes: bytes('c') },
    ]);
    const moved = directoryRevision([
      { path: 'a.yaml', bytes: bytes('a') },
      { path: 'b.yaml', bytes: bytes('bc') },
    ]);
    const renamed = directoryRevision([
      { path: 'a.yaml', bytes: bytes('ab') },
      { path: 'c.yaml', bytes: bytes('c') },
    ]);
    expect(new Set([base, moved, renamed]).size).toBe(3);
  });
});

describe('ignored paths', () => {
  it.each([
    ['.git/HEAD', true],
    ['.github/workflows/ci.yaml', true],
    ['projects/.hidden/x.yaml', true],
    ['.swap.yaml', true],
    ['node_modules/pkg/x.yaml', true],
    ['projects/p/jobnets/a.yaml', false],
    ['', false],
  ])('%s ignored: %s', (relative, ignored) => {
    expect(isIgnoredDirectoryPath(relative)).toBe(ignored);
  });
});

describe('DirectorySource.fetch', () => {
  it('reads the definition files and gives the same revision while nothing changes', async () => {
    const source = new DirectorySource(root);
    const first = await source.fetch();
    const second = await source.fetch();
    expect(first.revision).toMatch(/^dir:[0-9a-f]{12}$/);
    expect(second.revision).toBe(first.revision);
    expect(first.snapshot.revision).toBe(first.revision);
    expect(first.snapshot.files.map((f) => f.path).sort()).toEqual(['jobnet.yaml', 'projects/p/jobnets/a.yaml']);
    expect(first.oversized).toEqual([]);
    expect(source.describe()).toBe(`directory ${root}`);
  });

  it('keeps the revision when only non-definition files or dot-directories change', async () => {
    const source = new DirectorySource(root);
    const before = (await source.fetch()).revision;
    await writeFile(path.join(root, 'README.md'), '# notes\n');
    await mkdir(path.join(root, '.git'));
    await writeFile(path.join(root, '.git', 'x.yaml'), 'kind: Jobnet\n');
    expect((await source.fetch()).revision).toBe(before);
  });

  it('changes the revision when a definition file changes, is renamed or is added', async () => {
    const source = new DirectorySource(root);
    const seen = [(await source.fetch()).revision];
    await writeFile(path.join(root, 'projects', 'p', 'jobnets', 'a.yaml'), 'kind: Jobnet # b\n');
    seen.push((await source.fetch()).revision);
    await rename(
      path.join(root, 'projects', 'p', 'jobnets', 'a.yaml'),
      path.join(root, 'projects', 'p', 'jobnets', 'b.yaml'),
    );
    seen.push((await source.fetch()).revision);
    await writeFile(path.join(root, 'calendars.yml'), 'kind: Calendar\n');
    seen.push((await source.fetch()).revision);
    expect(new Set(seen).size).toBe(4);
  });

  it('throws naming the directory when it does not exist', async () => {
    const missing = path.join(root, 'nope');
    await expect(new DirectorySource(missing).fetch()).rejects.toThrow(
      `definitions directory ${missing} cannot be read (ENOENT)`,
    );
  });
});

describe('DirectorySource.watch', () => {
  it('calls back once for a burst of writes', async () => {
    const source = new DirectorySource(root, { debounceMs: 400 });
    let calls = 0;
    stops.push(source.watch(() => calls++));
    await source.whenWatching();

    // Six writes paced 30 ms apart, as an editor or a checkout makes them: each is seen as its own
    // event (so without debouncing there would be six calls), all within one debounce period.
    const dir = path.join(root, 'projects', 'p', 'jobnets');
    for (const n of [1, 2, 3, 4, 5]) {
      await writeFile(path.join(dir, `burst-${n}.yaml`), `kind: Jobnet # ${n}\n`);
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
    await writeFile(path.join(dir, 'a.yaml'), 'kind: Jobnet # changed\n');
    await vi.waitFor(() => expect(calls).toBe(1), { timeout: 5_000, interval: 20 });

    // A later, separate change gives exactly one more call: had the burst produced several
    // callbacks, they would have been counted before this one.
    await writeFile(path.join(root, 'jobnet.yaml'), 'apiVersion: jobnet/v1\nkind: Settings # later\n');
    await vi.waitFor(() => expect(calls).toBe(2), { timeout: 5_000, interval: 20 });
  });

  it('ignores changes in dot-directories, node_modules and to non-definition files', async () => {
    await mkdir(path.join(root, '.git'));
    await mkdir(path.join(root, 'node_modules', 'pkg'), { recursive: true });
    const debounceMs = 50;
    const source = new DirectorySource(root, { debounceMs });
    let calls = 0;
    stops.push(source.watch(() => calls++));
    await source.whenWatching();

    await writeFile(path.join(root, '.git', 'index.yaml'), 'x: 1\n');
    await mkdir(path.join(root, '.hidden'));
    await writeFile(path.join(root, '.hidden', 'a.yaml'), 'x: 1\n');
    await writeFile(path.join(root, 'node_modules', 'pkg', 'b.yaml'), 'x: 1\n');
    await writeFile(path.join(root, 'notes.txt'), 'x\n');
    // The absence of a callback can only be shown by waiting: ten debounce periods, bounded.
    await new Promise((resolve) => setTimeout(resolve, debounceMs * 10));
    expect(calls).toBe(0);

    // The watcher is alive: a definition change is seen.
    await writeFile(path.join(root, 'projects', 'p', 'jobnets', 'a.yaml'), 'kind: Jobnet # seen\n');
    await vi.waitFor(() => expect(calls).toBe(1), { timeout: 5_000, interval: 20 });
  });

  it('stops calling back once stopped', async () => {
    const source = new DirectorySource(root, { debounceMs: 30 });
    let calls = 0;
    const stop = source.watch(() => calls++);
    await source.whenWatching();
    await writeFile(path.join(root, 'jobnet.yaml'), 'kind: Settings # 1\n');
    await vi.waitFor(() => expect(calls).toBe(1), { timeout: 5_000, interval: 20 });
    await stop();

    // With the watcher closed nothing can fire; a fresh watch proves the write was observable.
    const other = new DirectorySource(root, { debounceMs: 30 });
    let otherCalls = 0;
    stops.push(other.watch(() => otherCalls++));
    await other.whenWatching();
    await writeFile(path.join(root, 'jobnet.yaml'), 'kind: Settings # 2\n');
    await vi.waitFor(() => expect(otherCalls).toBe(1), { timeout: 5_000, interval: 20 });
    expect(calls).toBe(1);
  });
});
