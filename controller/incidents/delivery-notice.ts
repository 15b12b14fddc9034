/**
 * Sends a delivery-failure notice (R-INC-5) to the IncidentPolicy's `notify` targets: a mail
 * through SMTP (nodemailer) and a JSON post to each webhook, signed the Standard Webhooks way.
 * The caller resolves the credentials; nothing here is logged.
 *
 * SMTP and HTTP I/O.
 */
import { createTransport } from 'nodemailer';
import type { CompiledEmailNotify } from '../../workflows/lib/delivery-config.js';
import { noticeText, type SinkNotice } from '../../workflows/lib/delivery-sink.js';
import { postSigned } from '../logs/log-webhook-client.js';

export async function mailNotice(
  email: CompiledEmailNotify,
  auth: { user: string; pass: string } | undefined,
  notice: SinkNotice,
  deployment: string,
): Promise<void> {
  const transport = createTransport({
    host: email.smtp.host,
    port: email.smtp.port,
    secure: email.smtp.secure,
    ...(auth !== undefined ? { auth } : {}),
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
  });
  const { subject, body } = noticeText(notice, deployment);
  try {
    await transport.sendMail({ from: email.from, to: email.to, subject, text: body });
  } finally {
    transport.close();
  }
}

export interface NoticeWebhook {
  url: string;
  headers: Record<string, string>;
  signingSecret?: string;
}

/** The notice's webhook id: one per streak and kind, so a retried notice is recognised. */
export function noticeId(notice: SinkNotice, deployment: string): string {
  return `notice:${deployment}:${notice.sink}:${notice.since}:${notice.kind}`;
}

export async function postNotice(hook: NoticeWebhook, notice: SinkNotice, deployment: string): Promise<void> {
  const { subject, body } = noticeText(notice, deployment);
  const payload = JSON.stringify({ type: `delivery.${notice.kind}`, deployment, subject, text: body, ...notice });
  const outcome = await postSigned(
    {
      url: hook.url,
      id: noticeId(notice, deployment),
      payload,
      headers: hook.headers,
      ...(hook.signingSecret !== undefined ? { signingSecret: hook.signingSecret } : {}),
    },
    'notice webhook',
  );
  if (!outcome.ok) throw new Error(outcome.error);
}
