/**
 * Which webhook deliveries the listener has already taken (R-GIT-1): each delivery carries an id —
 * GitHub `X-GitHub-Delivery`, GitLab `X-Gitlab-Event-UUID` — that a redelivery or a replayed request
 * repeats, so a delivery seen before triggers nothing. The memory is bounded (the oldest ids are
 * forgotten first); a delivery older than that is harmless anyway, because a webhook never carries
 * a revision, it only makes the source poll.
 *
 * Pure: no I/O, no clock.
 */
import type { WebhookHeaders } from '../source/webhook-signature.js';

/** Ids remembered by default. */
export const defaultRememberedDeliveries = 1_000;

/** The delivery id of a request, when it sends exactly one (GitHub's or GitLab's header). */
export function deliveryIdOf(headers: WebhookHeaders): string | undefined {
  for (const name of ['x-github-delivery', 'x-gitlab-event-uuid']) {
    const value = headers[name];
    const text = Array.isArray(value)
      ? value.length === 1
        ? (value[0] as string)
        : undefined
      : (value as string | undefined);
    if (text !== undefined && text.trim() !== '' && text.length <= 200) return `${name}:${text.trim()}`;
  }
  return undefined;
}

/** A bounded memory of delivery ids, oldest forgotten first. */
export class RecentDeliveries {
  private readonly ids = new Set<string>();

  constructor(private readonly capacity = defaultRememberedDeliveries) {}

  has(id: string): boolean {
    return this.ids.has(id);
  }

  /** Remembers `id`, forgetting the oldest when full. */
  remember(id: string): void {
    this.ids.delete(id);
    this.ids.add(id);
    while (this.ids.size > this.capacity) {
      const oldest = this.ids.values().next().value as string;
      this.ids.delete(oldest);
    }
  }
}
