import type { FastifyInstance } from 'fastify';
import { requestMeta } from '../plugins/auth.js';
import { Csrf, Layout, Notice, TableScroll, Time, type Message, type PageFrame } from './layout.js';
import type { ConsoleKit } from './kit.js';
import { t, textsIn } from './messages.js';
import { consoleLocaleOf } from '../plugins/locale.js';

/** "Chrome on Android" from a user agent: enough for a person to recognise a device. */
export function describeUserAgent(agent: string | null): string {
  if (!agent) return t.sessions.unknown;
  const browser = /Edg\//.test(agent)
    ? 'Edge'
    : /Firefox\//.test(agent)
      ? 'Firefox'
      : /Chrome\//.test(agent)
        ? 'Chrome'
        : /Safari\//.test(agent)
          ? 'Safari'
          : /curl\//.test(agent)
            ? 'curl'
            : null;
  const system = /Android/.test(agent)
    ? 'Android'
    : /iPhone|iPad|iOS/.test(agent)
      ? 'iOS'
      : /Windows/.test(agent)
        ? 'Windows'
        : /Mac OS X|Macintosh/.test(agent)
          ? 'macOS'
          : /Linux/.test(agent)
            ? 'Linux'
            : null;
  if (browser && system) return `${browser} on ${system}`;
  return browser ?? system ?? agent.slice(0, 60);
}

export function SessionsPage(props: {
  frame: PageFrame;
  message: Message;
  sessions: {
    id: string;
    current: boolean;
    createdAt: number;
    lastSeenAt: number;
    ip: string | null;
    userAgent: string | null;
  }[];
}) {
  const others = props.sessions.filter((s) => !s.current).length;
  return (
    <Layout {...props.frame} active="sessions">
      <h1>{t.sessions.heading}</h1>
      <p class="muted">{t.sessions.intro}</p>
      <Notice message={props.message} />
      <section class="card">
        <TableScroll>
          <table data-testid="sessions">
            <thead>
              <tr>
                <th>{t.sessions.device}</th>
                <th>{t.sessions.from}</th>
                <th>{t.sessions.lastSeen}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {props.sessions.map((s) => (
                <tr key={s.id}>
                  <td>
                    {describeUserAgent(s.userAgent)}
                    <br />
                    <span class="muted small">
                      {t.sessions.signedIn} <Time at={s.createdAt} />
                    </span>
                  </td>
                  <td>{s.ip ?? ''}</td>
                  <td>
                    <Time at={s.lastSeenAt} />
                  </td>
                  <td>
                    {s.current ? (
                      <span class="badge badge-ok">{t.sessions.thisSession}</span>
                    ) : (
                      <form method="post" action={`/account/sessions/${s.id}/end`} class="inline">
                        <Csrf value={props.frame.csrf} />
                        <button type="submit">{t.sessions.signOut}</button>
                      </form>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
        {others === 0 ? (
          <p class="muted">{t.sessions.noOthers}</p>
        ) : (
          <form method="post" action="/account/sessions/end-others">
            <Csrf value={props.frame.csrf} />
            <button type="submit" class="danger" data-testid="end-others">
              {t.sessions.signOutOthers}
            </button>
          </form>
        )}
      </section>
    </Layout>
  );
}

/** Account Management › Sessions: where one is signed in, and signing any of it out. */
export function registerSessionPages(app: FastifyInstance, kit: ConsoleKit) {
  const { services } = kit;
  app.get('/account/sessions', { schema: { hide: true } }, async (request, reply) => {
    const t = textsIn(consoleLocaleOf(request));
    return kit.sendPage(
      reply,
      <SessionsPage
        frame={await kit.frame(request, reply, t.sessions.title)}
        message={kit.notice(request, t.notices)}
        sessions={await services.mySessions.list(request.principal!)}
      />,
    );
  });

  app.post('/account/sessions/:id/end', { schema: { hide: true } }, async (request, reply) => {
    const t = textsIn(consoleLocaleOf(request));
    return kit.formAction(
      request,
      reply,
      { next: '/account/sessions', purpose: t.stepUp.purposes.sessions },
      async (principal) => {
        const { id } = request.params as { id: string };
        await services.mySessions.endOne(principal, id.slice(0, 64), requestMeta(request));
        return '/account/sessions?notice=session-ended';
      },
    );
  });

  app.post('/account/sessions/end-others', { schema: { hide: true } }, async (request, reply) => {
    const t = textsIn(consoleLocaleOf(request));
    return kit.formAction(
      request,
      reply,
      { next: '/account/sessions', purpose: t.stepUp.purposes.sessions },
      async (principal) => {
        await services.mySessions.endOthers(principal, requestMeta(request));
        return '/account/sessions?notice=others-ended';
      },
    );
  });
}
