/**
 * Push webhooks (R-GIT-1): GitHub HMAC and GitLab token verification, and reading which branch a
 * push moved. The HMAC vectors were computed independently, e.g.
 *   printf 'Hello, World!' | openssl dgst -sha256 -hmac "It's a Secret to Everybody"
 * (the first is also the example in GitHub's webhook documentation).
 */
import { describe, expect, it } from 'vitest';
import {
  detectWebhookProvider,
  githubSignature,
  normaliseRepositoryUrl,
  parsePushEvent,
  pushConcernsSource,
  verifyWebhookSignature,
  type PushEvent,
} from '../../controller/source/webhook-signature.js';

const helloSecret = "It's a Secret to Everybody";
const helloSignature = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';
const refSecret = 's3cr3t';
const refBody = '{"ref":"refs/heads/main"}';
const refSignature = 'sha256=8588fd50c04ac2c191575340c4c0fe284157898def8e4d10af822f05dd7c9bb5';

const sha1 = 'a'.repeat(40);
const sha2 = '0123456789abcdef0123456789abcdef01234567';

const githubPush = {
  ref: 'refs/heads/main',
  before: sha1,
  after: sha2,
  created: false,
  deleted: false,
  forced: false,
  repository: {
    id: 1,
    full_name: 'ops/definitions',
    html_url: 'https://github.com/ops/definitions',
    url: 'https://api.github.com/repos/ops/definitions',
    git_url: 'git://github.com/ops/definitions.git',
    ssh_url: 'git@github.com:ops/definitions.git',
    clone_url: 'https://github.com/ops/definitions.git',
    svn_url: 'https://github.com/ops/definitions',
  },
  pusher: { name: 'octocat' },
  commits: [],
};

const gitlabPush = {
  object_kind: 'push',
  event_name: 'push',
  before: sha1,
  after: sha2,
  ref: 'refs/heads/release/2025',
  checkout_sha: sha2,
  project: {
    id: 15,
    name: 'definitions',
    web_url: 'https://gitlab.example.com/ops/definitions',
    git_ssh_url: 'git@gitlab.example.com:ops/definitions.git',
    git_http_url: 'https://gitlab.example.com/ops/definitions.git',
    path_with_namespace: 'ops/definitions',
  },
  repository: {
    name: 'definitions',
    url: 'git@gitlab.example.com:ops/definitions.git',
    homepage: 'https://gitlab.example.com/ops/definitions',
    git_http_url: 'https://gitlab.example.com/ops/definitions.git',
    git_ssh_url: 'git@gitlab.example.com:ops/definitions.git',
  },
  commits: [],
};

function githubHeaders(signature?: string, event = 'push'): Record<string, string> {
  const headers: Record<string, string> = { 'X-GitHub-Event': event, 'Content-Type': 'application/json' };
  if (signature !== undefined) headers['X-Hub-Signature-256'] = signature;
  return headers;
}

function pushOf(result: ReturnType<typeof parsePushEvent>): PushEvent {
  if (!result.ok) throw new Error(`expected a push, got ${result.reason}: ${result.message}`);
  return result.push;
}

describe('GitHub signatures', () => {
  it('computes the signature of the documented vector', () => {
    expect(githubSignature('Hello, World!', helloSecret)).toBe(helloSignature);
    expect(githubSignature(new TextEncoder().encode(refBody), refSecret)).toBe(refSignature);
  });

  it('accepts a valid signature over the raw body, given as a string or bytes, in any header-name and hex case', () => {
    expect(verifyWebhookSignature(githubHeaders(helloSignature), 'Hello, World!', helloSecret)).toEqual({
      ok: true,
      provider: 'github',
    });
    expect(
      verifyWebhookSignature(
        { 'x-github-event': 'push', 'x-hub-signature-256': refSignature.toUpperCase().replace('SHA256', 'sha256') },
        Buffer.from(refBody),
        refSecret,
      ),
    ).toEqual({
      ok: true,
      provider: 'github',
    });
  });

  it('refuses a signature made with another secret or over other bytes', () => {
    const wrongSecret = verifyWebhookSignature(githubHeaders(helloSignature), 'Hello, World!', 'another secret');
    expect(wrongSecret).toMatchObject({ ok: false, reason: 'signature-mismatch' });
    const tampered = verifyWebhookSignature(githubHeaders(refSignature), '{"ref":"refs/heads/evil"}', refSecret);
    expect(tampered).toMatchObject({ ok: false, reason: 'signature-mismatch' });
    // Re-encoding the JSON (whitespace) breaks the signature: verification must use the raw body.
    const reencoded = verifyWebhookSignature(githubHeaders(refSignature), '{"ref": "refs/heads/main"}', refSecret);
    expect(reencoded).toMatchObject({ ok: false, reason: 'signature-mismatch' });
  });

  it('refuses a missing, legacy-only or malformed signature', () => {
    expect(verifyWebhookSignature(githubHeaders(), refBody, refSecret)).toMatchObject({
      ok: false,
      reason: 'missing-signature',
    });
    const legacy = verifyWebhookSignature({ ...githubHeaders(), 'X-Hub-Signature': 'sha1=0000' }, refBody, refSecret);
    expect(legacy).toMatchObject({ ok: false, reason: 'missing-signature' });
    expect(legacy.ok || legacy.message).toMatch(/SHA-1/);
    for (const bad of [
      '',
      'sha256=',
      'sha1=' + 'a'.repeat(40),
      refSignature.slice(0, -2),
      refSignature + '00',
      `sha256=${'z'.repeat(64)}`,
    ]) {
      expect(verifyWebhookSignature(githubHeaders(bad), refBody, refSecret), bad).toMatchObject({
        ok: false,
        reason: 'malformed-signature',
      });
    }
    const repeated = verifyWebhookSignature(
      { 'x-github-event': 'push', 'x-hub-signature-256': [refSignature, refSignature] },
      refBody,
      refSecret,
    );
    expect(repeated).toMatchObject({ ok: false, reason: 'malformed-signature' });
  });

  it('refuses everything when no secret is configured', () => {
    expect(verifyWebhookSignature(githubHeaders(githubSignature(refBody, '')), refBody, '')).toMatchObject({
      ok: false,
      reason: 'secret-not-configured',
    });
  });
});

describe('GitLab tokens', () => {
  it('accepts the shared secret and refuses anything else', () => {
    expect(
      verifyWebhookSignature({ 'X-Gitlab-Event': 'Push Hook', 'X-Gitlab-Token': 'tok-123' }, '{}', 'tok-123'),
    ).toEqual({ ok: true, provider: 'gitlab' });
    for (const wrong of ['tok-12', 'tok-1234', 'TOK-123', '']) {
      expect(
        verifyWebhookSignature({ 'X-Gitlab-Event': 'Push Hook', 'X-Gitlab-Token': wrong }, '{}', 'tok-123'),
        wrong,
      ).toMatchObject({
        ok: false,
        reason: 'signature-mismatch',
      });
    }
  });

  it('refuses a missing or repeated token', () => {
    expect(verifyWebhookSignature({ 'X-Gitlab-Event': 'Push Hook' }, '{}', 'tok-123')).toMatchObject({
      ok: false,
      reason: 'missing-signature',
    });
    expect(
      verifyWebhookSignature(
        { 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': ['tok-123', 'tok-123'] },
        '{}',
        'tok-123',
      ),
    ).toMatchObject({
      ok: false,
      reason: 'malformed-signature',
    });
  });

  it('never puts the secret or the received token in a refusal message', () => {
    const result = verifyWebhookSignature(
      { 'X-Gitlab-Event': 'Push Hook', 'X-Gitlab-Token': 'received-token' },
      '{}',
      'the-real-secret',
    );
    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).not.toMatch(/received-token|the-real-secret/);
  });
});

describe('provider detection', () => {
  it('tells GitHub from GitLab and refuses requests that are neither or both', () => {
    expect(detectWebhookProvider({ 'X-GitHub-Event': 'push' })).toBe('github');
    expect(detectWebhookProvider({ 'X-Gitlab-Event': 'Push Hook' })).toBe('gitlab');
    expect(detectWebhookProvider({ 'Content-Type': 'application/json' })).toBeUndefined();
    expect(detectWebhookProvider({ 'X-GitHub-Event': 'push', 'X-Gitlab-Token': 'x' })).toBeUndefined();
    expect(verifyWebhookSignature({ 'Content-Type': 'application/json' }, '{}', 'x')).toMatchObject({
      ok: false,
      reason: 'unknown-provider',
    });
  });
});

describe('push payloads', () => {
  it('reads a GitHub push: branch, after SHA and every repository URL', () => {
    const push = pushOf(parsePushEvent('github', githubHeaders(), JSON.stringify(githubPush)));
    expect(push).toEqual({
      provider: 'github',
      ref: 'refs/heads/main',
      branch: 'main',
      after: sha2,
      deleted: false,
      repositoryUrls: [
        'https://github.com/ops/definitions.git',
        'git@github.com:ops/definitions.git',
        'git://github.com/ops/definitions.git',
        'https://github.com/ops/definitions',
        'https://api.github.com/repos/ops/definitions',
      ],
    });
  });

  it('reads a GitHub push sent form-encoded', () => {
    const body = new URLSearchParams({ payload: JSON.stringify(githubPush) }).toString();
    const push = pushOf(
      parsePushEvent('github', { 'X-GitHub-Event': 'push', 'Content-Type': 'application/x-www-form-urlencoded' }, body),
    );
    expect(push.branch).toBe('main');
    expect(push.after).toBe(sha2);
  });

  it('reads a GitLab push to a branch with a slash in its name', () => {
    const push = pushOf(
      parsePushEvent('gitlab', { 'X-Gitlab-Event': 'Push Hook' }, Buffer.from(JSON.stringify(gitlabPush))),
    );
    expect(push).toMatchObject({
      provider: 'gitlab',
      ref: 'refs/heads/release/2025',
      branch: 'release/2025',
      after: sha2,
      deleted: false,
    });
    expect(push.repositoryUrls).toEqual([
      'https://gitlab.example.com/ops/definitions.git',
      'git@gitlab.example.com:ops/definitions.git',
      'https://gitlab.example.com/ops/definitions',
    ]);
  });

  it('reads branch deletions and tag pushes', () => {
    const deleted = pushOf(
      parsePushEvent(
        'github',
        githubHeaders(),
        JSON.stringify({ ...githubPush, after: '0'.repeat(40), deleted: true }),
      ),
    );
    expect(deleted).toMatchObject({ branch: 'main', deleted: true });
    const gitlabDeleted = pushOf(
      parsePushEvent(
        'gitlab',
        { 'X-Gitlab-Event': 'Push Hook' },
        JSON.stringify({ ...gitlabPush, after: '0'.repeat(40) }),
      ),
    );
    expect(gitlabDeleted.deleted).toBe(true);
    const tag = pushOf(
      parsePushEvent(
        'gitlab',
        { 'X-Gitlab-Event': 'Tag Push Hook' },
        JSON.stringify({ ...gitlabPush, object_kind: 'tag_push', ref: 'refs/tags/v1.0' }),
      ),
    );
    expect(tag.ref).toBe('refs/tags/v1.0');
    expect(tag.branch).toBeUndefined();
  });

  it('says when an event is not a push', () => {
    expect(
      parsePushEvent(
        'github',
        githubHeaders(undefined, 'ping'),
        JSON.stringify({ zen: 'Keep it simple.', hook_id: 1 }),
      ),
    ).toMatchObject({ ok: false, reason: 'not-a-push' });
    expect(
      parsePushEvent(
        'gitlab',
        { 'X-Gitlab-Event': 'Merge Request Hook' },
        JSON.stringify({ object_kind: 'merge_request' }),
      ),
    ).toMatchObject({
      ok: false,
      reason: 'not-a-push',
    });
  });

  it('refuses payloads that are not JSON or lack the ref or the commit', () => {
    expect(parsePushEvent('github', githubHeaders(), 'not json')).toMatchObject({
      ok: false,
      reason: 'malformed-payload',
    });
    expect(parsePushEvent('github', githubHeaders(), '[]')).toMatchObject({ ok: false, reason: 'malformed-payload' });
    expect(parsePushEvent('github', githubHeaders(), new Uint8Array([0xff, 0xfe]))).toMatchObject({
      ok: false,
      reason: 'malformed-payload',
    });
    expect(parsePushEvent('github', githubHeaders(), JSON.stringify({ ...githubPush, ref: 'main' }))).toMatchObject({
      ok: false,
      reason: 'malformed-payload',
    });
    expect(parsePushEvent('github', githubHeaders(), JSON.stringify({ ...githubPush, after: 'HEAD' }))).toMatchObject({
      ok: false,
      reason: 'malformed-payload',
    });
  });
});

describe('whether a push concerns a source', () => {
  it.each([
    ['https://github.com/ops/definitions.git', 'github.com/ops/definitions'],
    ['https://github.com/Ops/Definitions/', 'github.com/ops/definitions'],
    ['git@github.com:ops/definitions.git', 'github.com/ops/definitions'],
    ['ssh://git@github.com:22/ops/definitions.git', 'github.com/ops/definitions'],
    ['https://gitlab.example.com:8443/group/sub/proj.git', 'gitlab.example.com/group/sub/proj'],
    ['file:///srv/git/definitions.git', '/srv/git/definitions'],
  ])('%s normalises to %s', (url, normal) => {
    expect(normaliseRepositoryUrl(url)).toBe(normal);
  });

  it('matches its repository by any of its URLs and its branch only', () => {
    const push = pushOf(parsePushEvent('github', githubHeaders(), JSON.stringify(githubPush)));
    expect(pushConcernsSource(push, { url: 'git@github.com:ops/definitions.git', branch: 'main' })).toBe(true);
    expect(pushConcernsSource(push, { url: 'https://github.com/ops/definitions', branch: 'main' })).toBe(true);
    expect(pushConcernsSource(push, { url: 'https://github.com/ops/definitions.git', branch: 'develop' })).toBe(false);
    expect(pushConcernsSource(push, { url: 'https://github.com/ops/other.git', branch: 'main' })).toBe(false);
  });

  it('does not match pushes to other branches or tags of the same repository', () => {
    const other = pushOf(
      parsePushEvent('github', githubHeaders(), JSON.stringify({ ...githubPush, ref: 'refs/heads/feature/x' })),
    );
    expect(pushConcernsSource(other, { url: 'https://github.com/ops/definitions.git', branch: 'main' })).toBe(false);
    const tag = pushOf(
      parsePushEvent('github', githubHeaders(), JSON.stringify({ ...githubPush, ref: 'refs/tags/main' })),
    );
    expect(pushConcernsSource(tag, { url: 'https://github.com/ops/definitions.git', branch: 'main' })).toBe(false);
    const gitlab = pushOf(parsePushEvent('gitlab', { 'X-Gitlab-Event': 'Push Hook' }, JSON.stringify(gitlabPush)));
    expect(
      pushConcernsSource(gitlab, { url: 'https://gitlab.example.com/ops/definitions.git', branch: 'release/2025' }),
    ).toBe(true);
    expect(
      pushConcernsSource(gitlab, { url: 'https://gitlab.example.com/ops/definitions.git', branch: 'release' }),
    ).toBe(false);
  });
});
