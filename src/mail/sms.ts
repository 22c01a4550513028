/** Where SMS go: a generic HTTP webhook that a real gateway sits behind, or the dev outbox. */
export interface SmsSender {
  readonly kind: 'webhook' | 'outbox';
  send(message: { to: string; text: string; reference: string }): Promise<void>;
}

export const outboxSms: SmsSender = { kind: 'outbox', send: async () => {} };

export class SmsDeliveryError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'SmsDeliveryError';
  }
}

/**
 * POSTs `{"to": "+4915112345678", "text": "…", "reference": "<message id>"}` as JSON. A timeout, a
 * network error or a 5xx is retried (up to `attempts`, with a short growing pause); a 4xx is not,
 * since the gateway refused the message itself. `reference` lets a gateway drop duplicates.
 */
export function createWebhookSms(options: {
  url: string;
  token?: string | null;
  timeoutMs?: number;
  attempts?: number;
  pauseMs?: number;
  fetch?: typeof fetch;
}): SmsSender {
  const doFetch = options.fetch ?? fetch;
  const attempts = options.attempts ?? 3;
  return {
    kind: 'webhook',
    async send(message) {
      let lastError: SmsDeliveryError | undefined;
      for (let attempt = 1; attempt <= attempts; attempt++) {
        try {
          const response = await doFetch(options.url, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
            },
            body: JSON.stringify(message),
            signal: AbortSignal.timeout(options.timeoutMs ?? 5_000),
          });
          await response.arrayBuffer().catch(() => undefined);
          if (response.ok) return;
          lastError = new SmsDeliveryError(
            `SMS webhook answered ${response.status}`,
            response.status >= 500 || response.status === 429,
          );
        } catch (error) {
          const timedOut = (error as Error).name === 'TimeoutError' || (error as Error).name === 'AbortError';
          lastError = new SmsDeliveryError(
            timedOut ? 'SMS webhook timed out' : `SMS webhook unreachable: ${(error as Error).message}`,
            true,
          );
        }
        if (!lastError.retryable) break;
        if (attempt < attempts) await new Promise((resolve) => setTimeout(resolve, (options.pauseMs ?? 500) * attempt));
      }
      throw lastError!;
    },
  };
}
