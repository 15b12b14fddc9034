/**
 * A webhook receiver on loopback that verifies Standard Webhooks signatures with the
 * `standardwebhooks` package (not the product's code): a message whose `webhook-id`,
 * `webhook-timestamp` and `webhook-signature` do not verify against the secret is answered 401
 * and counted as refused. Verified messages are kept with their id; a repeated id is kept too, so
 * tests can count duplicates. No vitest: other tiers may use it.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface ReceivedWebhook {
  id: string;
  body: unknown;
  headers: Record<string, string>;
  /** When it was received (epoch ms). */
  at: number;
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  refused: number;
  /** Answer this status instead of 204 for the next requests. */
  mode: { failWith: number; failures: number };
  close(): Promise<void>;
}

export async function startWebhookReceiver(secret: string): Promise<WebhookReceiver> {
  const verifier = new Webhook(secret);
  const receiver: WebhookReceiver = {
    url: '',
    received: [],
    refused: 0,
    mode: { failWith: 503, failures: 0 },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const payload = Buffer.concat(chunks).toString('utf8');
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(request.headers)) if (typeof value === 'string') headers[name] = value;
      let body: unknown;
      try {
        body = verifier.verify(payload, headers);
      } catch {
        receiver.refused += 1;
        response.writeHead(401).end();
        return;
      }
      if (receiver.mode.failures > 0) {
        receiver.mode.failures -= 1;
        response.writeHead(receiver.mode.failWith).end();
        return;
      }
      receiver.received.push({ id: headers['webhook-id'] ?? '', body, headers, at: Date.now() });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/jobnet`;
  return receiver;
}
