import type { FastifyInstance } from 'fastify';
import { auditEventTypes, type AuditEventType } from '../../domain/audit/audit.js';
import type { AuditActor } from '../../domain/audit/audit-query.js';
import { Layout, TableScroll, Time, type PageFrame } from './layout.js';
import type { ConsoleKit } from './kit.js';
import { t, textsIn } from './messages.js';
import { consoleLocaleOf } from '../plugins/locale.js';

export function AuditPage(props: {
  frame: PageFrame;
  events: {
    id: string;
    type: string;
    at: string;
    ip: string | null;
    userId: string | null;
    actorId: string | null;
    actor: AuditActor;
    details: Record<string, unknown>;
  }[];
  types: string[];
  people: { id: string; label: string }[];
  selected: { type?: string | undefined; userId?: string | undefined };
}) {
  const names = new Map(props.people.map((p) => [p.id, p.label]));
  const label = (type: string) => t.audit.labels[type] ?? type;
  return (
    <Layout {...props.frame} active="audit">
      <h1>{t.audit.title}</h1>
      <form method="get" action="/audit" class="filter-form">
        {props.people.length > 0 ? (
          <label>
            {t.audit.user}
            <select name="userId">
              <option value="">{t.audit.everyone}</option>
              {props.people.map((p) => (
                <option key={p.id} value={p.id} selected={props.selected.userId === p.id}>
                  {p.label}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        <label>
          {t.audit.event}
          <select name="type">
            <option value="">{t.audit.allEvents}</option>
            {props.types.map((type) => (
              <option key={type} value={type} selected={props.selected.type === type}>
                {label(type)}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">{t.audit.filter}</button>
      </form>
      <section class="card">
        <TableScroll>
          <table>
            <thead>
              <tr>
                <th>{t.audit.when}</th>
                <th>{t.audit.event}</th>
                {props.people.length > 0 ? <th>{t.audit.user}</th> : null}
                <th>{t.audit.from}</th>
              </tr>
            </thead>
            <tbody>
              {props.events.map((e) => (
                <tr key={e.id}>
                  <td>
                    <Time at={e.at} />
                  </td>
                  <td>
                    {label(e.type)} <code class="muted small">{e.type}</code>
                    {e.actor === 'support' ? (
                      <span class="muted small" data-actor="support">
                        {t.audit.by(t.audit.aSupportOperator)}
                      </span>
                    ) : e.actor === 'api_token' ? (
                      <span class="muted small" data-actor="api_token">
                        {t.audit.by(
                          t.audit.anApiToken(
                            typeof e.details.apiTokenName === 'string' ? e.details.apiTokenName : '',
                            e.actorId ? (names.get(e.actorId) ?? null) : null,
                          ),
                        )}
                      </span>
                    ) : e.actor === 'account' && e.actorId ? (
                      <span class="muted small">{t.audit.by(names.get(e.actorId) ?? t.audit.anAdministrator)}</span>
                    ) : null}
                    {typeof e.details.reason === 'string' ? (
                      <span class="muted small">
                        {' · '}
                        {/* A reason code the system wrote is worded; one a person typed is shown as typed. */}
                        {Object.hasOwn(t.audit.reasons, e.details.reason)
                          ? t.audit.reasons[e.details.reason as keyof typeof t.audit.reasons]
                          : e.details.reason}
                      </span>
                    ) : null}
                  </td>
                  {props.people.length > 0 ? <td>{e.userId ? (names.get(e.userId) ?? e.userId) : ''}</td> : null}
                  <td>{e.ip ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
        {props.events.length === 0 ? <p class="muted">{t.audit.none}</p> : null}
      </section>
    </Layout>
  );
}

/** The audit log of the caller's account, filterable by user and event. */
export function registerAuditPage(app: FastifyInstance, kit: ConsoleKit) {
  const { services } = kit;
  app.get('/audit', { schema: { hide: true } }, async (request, reply) => {
    const t = textsIn(consoleLocaleOf(request));
    const principal = request.principal!;
    const query = request.query as Record<string, string | undefined>;
    const type = query.type && auditEventTypes.includes(query.type as AuditEventType) ? query.type : undefined;
    const userId = query.userId && /^[A-Za-z0-9_-]{1,64}$/.test(query.userId) ? query.userId : undefined;
    const events = await services.auditQuery(principal, { limit: 200, type, userId });
    const profile = await services.profile(principal.userId);
    const people =
      profile.canManageUsers && principal.kind === 'root'
        ? [
            { id: principal.userId, label: t.audit.you(profile.loginName) },
            ...(await services.users.list(principal)).map((u) => ({ id: u.id, label: u.username })),
          ]
        : [];
    return kit.sendPage(
      reply,
      <AuditPage
        frame={await kit.frame(request, reply, t.audit.title)}
        events={events}
        types={[...auditEventTypes]}
        people={people}
        selected={{ type, userId }}
      />,
    );
  });
}
