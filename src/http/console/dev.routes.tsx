import type { FastifyInstance } from 'fastify';
import { Layout, Time, type PageFrame } from './layout.js';
import type { ConsoleKit } from './kit.js';
import { t, textsIn } from './messages.js';
import { consoleLocaleOf } from '../plugins/locale.js';

export function OutboxPage(props: {
  frame: PageFrame;
  messages: {
    id: string;
    to: string;
    subject: string;
    text: string;
    at: string;
    status: string;
    lastError: string | null;
  }[];
}) {
  return (
    <Layout {...props.frame} active="outbox">
      <h1>
        {t.outbox.title} <span class="muted small">{t.outbox.devMode}</span>
      </h1>
      <p class="muted">{t.outbox.intro}</p>
      {props.messages.length === 0 ? (
        <section class="card">
          <p class="muted">{t.outbox.none}</p>
        </section>
      ) : null}
      {props.messages.map((m) => (
        <section class="card message" key={m.id} data-testid="message">
          <p class="muted small">
            <Time at={m.at} /> · {t.outbox.to} <strong>{m.to}</strong> · {m.status}
            {m.lastError ? t.outbox.lastError(m.lastError) : ''}
          </p>
          <h3>{m.subject}</h3>
          <pre>{m.text}</pre>
        </section>
      ))}
    </Layout>
  );
}

/** Dev mode only, like GET /api/v1/dev/outbox: readable without a session, as a test inbox. */
export function registerDevPages(app: FastifyInstance, kit: ConsoleKit) {
  app.get('/dev/outbox', { config: { page: 'public' }, schema: { hide: true } }, async (request, reply) => {
    const t = textsIn(consoleLocaleOf(request));
    return kit.sendPage(
      reply,
      <OutboxPage frame={await kit.frame(request, reply, t.outbox.title)} messages={await kit.services.outbox()} />,
    );
  });
}
