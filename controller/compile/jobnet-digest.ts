/**
 * The content digest of a compiled jobnet (R-GIT-3): the controller applies a jobnet only when
 * its digest changed, so the digest must change with anything a run would do differently and
 * must not change with anything else — in particular not with the revision, which moves on every
 * commit, nor with key order or with which engineer's machine compiled it.
 *
 * It is a small hash tree of sha256 (hex) digests of canonical JSON texts (object keys sorted by
 * code unit, no whitespace, arrays in order): the jobnet's body — everything but `revision`,
 * `digest` and `children` — is hashed once, and a jobnet with a `children` map hashes its body
 * digest together with its children's digests. A changed child changes what a run of the parent
 * executes, so it changes the parent's digest too; yet each child's content is hashed only once
 * per compilation, however many parents run it. Keys named `revision` or `digest` deeper down (a
 * REST body may have them) are content and stay in.
 *
 * Controller side only (node:crypto); it must not be imported by workflow code. Pure otherwise.
 */
import { createHash } from 'node:crypto';
import type { CompiledJobnet } from '../../workflows/lib/compiled-jobnet.js';

/**
 * Canonical JSON of a plain JSON value: object keys sorted by UTF-16 code unit, no whitespace,
 * arrays in order. Object keys whose value is `undefined` are left out and array holes are
 * `null`, as `JSON.stringify` does.
 * @throws TypeError for values JSON cannot represent (functions, symbols, bigints, non-finite
 *   numbers): compiled jobnets are plain JSON, so such a value is a compile bug.
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`not JSON: the number ${value}`);
      return String(value);
    case 'object': {
      // String concatenation rather than arrays of entries: this runs over every compiled jobnet
      // of every reconcile (docs/architecture.md#performance-budget budget), and it is the compile step's hottest loop.
      if (Array.isArray(value)) {
        let text = '[';
        for (let i = 0; i < value.length; i++) text += (i > 0 ? ',' : '') + canonicalJson(value[i] ?? null);
        return `${text}]`;
      }
      const record = value as Record<string, unknown>;
      let text = '{';
      for (const key of Object.keys(record).sort()) {
        const item = record[key];
        if (item === undefined) continue;
        text += (text.length > 1 ? ',' : '') + JSON.stringify(key) + ':' + canonicalJson(item);
      }
      return `${text}}`;
    }
    default:
      throw new TypeError(`not JSON: a value of type ${typeof value}`);
  }
}

/**
 * Content digest of a compiled jobnet (R-GIT-3), recomputed from scratch (stored `digest` fields
 * are ignored): {@link jobnetDigestOf} with the body digest of the jobnet and of each child.
 * Equal content gives an equal digest whatever the key order or revision.
 * @throws TypeError when the jobnet holds a value JSON cannot represent (a compile bug).
 */
export function jobnetDigest(jobnet: CompiledJobnet): string {
  const children =
    jobnet.children === undefined
      ? undefined
      : Object.fromEntries(Object.entries(jobnet.children).map(([name, child]) => [name, jobnetDigest(child)]));
  return jobnetDigestOf(jobnetBodyDigest(jobnet), children);
}

/**
 * Digest of a compiled jobnet without its children: sha256 hex of the canonical JSON of the
 * jobnet without `revision`, `digest` and `children`. This is the whole digest of a jobnet that
 * has no `children` map (the entries of a `children` map).
 * @throws TypeError when the jobnet holds a value JSON cannot represent (a compile bug).
 */
export function jobnetBodyDigest(jobnet: CompiledJobnet): string {
  const { revision: _revision, digest: _digest, children: _children, ...content } = jobnet;
  return sha256(canonicalJson(content));
}

/**
 * The digest of a jobnet from the digest of its body ({@link jobnetBodyDigest}) and those of its
 * children, by name: without a `children` map it is the body digest; with one, the sha256 hex of
 * the canonical JSON `{"children": {name: digest, …}, "jobnet": bodyDigest}` (a hash tree, so a
 * child's content is hashed once however many parents run it).
 */
export function jobnetDigestOf(bodyDigest: string, childDigests?: Record<string, string>): string {
  return childDigests === undefined
    ? bodyDigest
    : sha256(canonicalJson({ jobnet: bodyDigest, children: childDigests }));
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
