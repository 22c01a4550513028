import { Csrf, Layout, Notice, TableScroll, Time, type Message, type PageFrame } from './layout.js';
import { t } from './messages.js';

export interface WorkspaceView {
  id: string;
  name: string;
  mfaRequired: boolean;
  /** Members must prove a passkey (issue 22). */
  phishingResistant?: boolean;
  graceDays: number;
  mfaDeadline: string | null;
  role?: string | undefined;
}

export function WorkspacesPage(props: { frame: PageFrame; message: Message; workspaces: WorkspaceView[] }) {
  return (
    <Layout {...props.frame} active="workspaces">
      <h1>{t.workspaces.title}</h1>
      <Notice message={props.message} />
      <section class="card">
        {props.workspaces.length === 0 ? (
          <p class="muted">{t.workspaces.none}</p>
        ) : (
          <TableScroll>
            <table>
              <thead>
                <tr>
                  <th>{t.workspaces.columns.name}</th>
                  <th>{t.workspaces.columns.role}</th>
                  <th>{t.workspaces.columns.mfa}</th>
                </tr>
              </thead>
              <tbody>
                {props.workspaces.map((ws) => (
                  <tr key={ws.id}>
                    <td>
                      <a href={`/workspaces/${ws.id}`}>{ws.name}</a>
                    </td>
                    <td>
                      {ws.role === 'owner'
                        ? t.workspaces.ownerRow
                        : ws.role === 'admin'
                          ? t.workspaces.admin
                          : t.workspaces.member}
                    </td>
                    <td>
                      {ws.mfaRequired ? (
                        <span class="badge badge-ok">
                          {ws.phishingResistant ? t.workspaces.onPasskeys : t.workspaces.on}
                        </span>
                      ) : (
                        <span class="muted">{t.workspaces.off}</span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        )}
      </section>
      <section class="card narrow-left">
        <h2>{t.workspaces.createHeading}</h2>
        <form method="post" action="/workspaces">
          <Csrf value={props.frame.csrf} />
          <label>
            {t.workspaces.name}
            <input name="name" type="text" required maxLength={100} />
          </label>
          <button type="submit" class="primary">
            {t.workspaces.create}
          </button>
        </form>
      </section>
    </Layout>
  );
}

export function WorkspacePage(props: {
  frame: PageFrame;
  message: Message;
  workspace: WorkspaceView;
  canManage: boolean;
  members: {
    userId: string;
    role: string;
    name?: string | undefined;
    displayName?: string | undefined;
    mfa: { bound: boolean; types?: string[] };
  }[];
  candidates: { id: string; label: string }[];
  /** The caller, who cannot remove or demote itself here. */
  selfId: string;
  /** A notice naming what happened ("Ada was added"), instead of the fixed one. */
  notice?: string | undefined;
}) {
  const ws = props.workspace;
  const unbound = props.members.filter((m) => !m.mfa.bound).length;
  const hasPasskey = (m: { mfa: { types?: string[] } }) => (m.mfa.types ?? []).includes('webauthn');
  const passkeyless = props.members.filter((m) => !hasPasskey(m)).length;
  // "Remind" reaches the others only: the viewer is not sent a reminder.
  const remindable = props.members.filter((m) => !m.mfa.bound && m.userId !== props.selfId).length;
  const owner = ws.role === 'owner';
  /** The owner manages everyone but itself; an admin manages plain members. */
  const manages = (m: { role: string; userId: string }) =>
    m.role !== 'owner' && m.userId !== props.selfId && (owner || m.role === 'member');
  return (
    <Layout {...props.frame} active="workspaces">
      <p class="muted small">
        <a href="/workspaces">{t.workspaces.title}</a> › {ws.name}
      </p>
      <h1>{ws.name}</h1>
      <Notice message={props.notice ? { kind: 'success', text: props.notice } : props.message} />
      {props.canManage ? (
        <div class="grid">
          <section class="card">
            <h2>{t.workspaces.mandatory}</h2>
            <p class="muted">{t.workspaces.mandatoryText}</p>
            <form method="post" action={`/workspaces/${ws.id}/policy`}>
              <Csrf value={props.frame.csrf} />
              <label class="check">
                <input
                  name="mfaRequired"
                  type="checkbox"
                  value="1"
                  checked={ws.mfaRequired}
                  data-testid="mfa-required"
                />{' '}
                {t.workspaces.requireAll}
              </label>
              <label class="check">
                <input
                  name="phishingResistant"
                  type="checkbox"
                  value="1"
                  checked={ws.phishingResistant === true}
                  data-testid="phishing-resistant"
                />{' '}
                {t.workspaces.requirePasskeys}
              </label>
              <p class="muted small check-hint">{t.workspaces.requirePasskeysHint}</p>
              <label>
                {t.workspaces.grace}
                <input name="graceDays" type="number" min={0} max={90} value={String(ws.graceDays)} />
              </label>
              <button type="submit" class="primary">
                {t.workspaces.savePolicy}
              </button>
            </form>
            {ws.mfaDeadline ? (
              <p class="muted small">
                {t.workspaces.deadline} <Time at={ws.mfaDeadline} />
              </p>
            ) : null}
          </section>
          <section class="card">
            <h2>{t.workspaces.addMember}</h2>
            {props.candidates.length === 0 ? (
              <p class="muted">{t.workspaces.everyoneMember}</p>
            ) : (
              <form method="post" action={`/workspaces/${ws.id}/members`}>
                <Csrf value={props.frame.csrf} />
                <label>
                  {t.workspaces.user}
                  <select name="userId">
                    {props.candidates.map((c) => (
                      <option key={c.id} value={c.id}>
                        {c.label}
                      </option>
                    ))}
                  </select>
                </label>
                <label>
                  {t.workspaces.role}
                  <select name="role">
                    <option value="member">{t.workspaces.member}</option>
                    <option value="admin">{t.workspaces.admin}</option>
                  </select>
                </label>
                <button type="submit">{t.workspaces.add}</button>
              </form>
            )}
          </section>
        </div>
      ) : null}
      {props.canManage ? (
        <section class="card">
          <h2>{t.workspaces.compliance}</h2>
          <p class="muted" data-testid="compliance-summary">
            {unbound === 0 ? t.workspaces.allBound : t.workspaces.someUnbound(unbound, props.members.length)}
            {ws.phishingResistant && passkeyless > 0
              ? ` ${t.workspaces.somePasskeyless(passkeyless, props.members.length)}`
              : ''}
          </p>
          {remindable > 0 ? (
            <form method="post" action={`/workspaces/${ws.id}/remind`}>
              <Csrf value={props.frame.csrf} />
              <button type="submit" data-testid="remind">
                {t.workspaces.remind(remindable)}
              </button>
            </form>
          ) : null}
          <TableScroll>
            <table data-testid="compliance">
              <thead>
                <tr>
                  <th>{t.workspaces.columns.member}</th>
                  <th>{t.workspaces.columns.memberRole}</th>
                  <th>{t.workspaces.columns.memberMfa}</th>
                  <th>{t.workspaces.columns2.actions}</th>
                </tr>
              </thead>
              <tbody>
                {props.members.map((m) => (
                  <tr key={m.userId} data-member={m.name}>
                    <td>
                      {m.displayName} <span class="muted small">{m.name}</span>
                    </td>
                    <td>
                      {m.role === 'owner'
                        ? t.workspaces.ownerRow
                        : m.role === 'admin'
                          ? t.workspaces.admin
                          : t.workspaces.member}
                    </td>
                    <td data-testid="member-mfa">
                      {m.mfa.bound ? (
                        <span class="badge badge-ok">{t.common.bound}</span>
                      ) : (
                        <span class="badge badge-off">{t.common.notBound}</span>
                      )}
                      {ws.phishingResistant && m.mfa.bound && !hasPasskey(m) ? (
                        <>
                          {' '}
                          <span class="badge badge-off">{t.workspaces.noPasskey}</span>
                        </>
                      ) : null}
                      {(m.mfa.types ?? []).length > 0 ? (
                        <span class="muted small device-types" data-testid="member-device-types">
                          {(m.mfa.types ?? []).map((type) => t.devices.types[type] ?? type).join(' · ')}
                        </span>
                      ) : null}
                    </td>
                    <td class="actions">
                      {owner && manages(m) ? (
                        <form method="post" action={`/workspaces/${ws.id}/members/${m.userId}/role`} class="inline">
                          <Csrf value={props.frame.csrf} />
                          <select name="role" aria-label={t.workspaces.role} data-testid="member-role">
                            <option value="member" selected={m.role === 'member'}>
                              {t.workspaces.member}
                            </option>
                            <option value="admin" selected={m.role === 'admin'}>
                              {t.workspaces.admin}
                            </option>
                          </select>{' '}
                          <button type="submit">{t.workspaces.setRole}</button>
                        </form>
                      ) : null}
                      {manages(m) ? (
                        <form method="post" action={`/workspaces/${ws.id}/members/${m.userId}/remove`} class="inline">
                          <Csrf value={props.frame.csrf} />
                          <button type="submit" class="danger" data-testid="remove-member">
                            {t.workspaces.remove}
                          </button>
                        </form>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        </section>
      ) : (
        <section class="card">
          <p>{t.workspaces.welcome(ws.name)}</p>
        </section>
      )}
      {props.canManage ? (
        <section class="card narrow-left">
          <h2>{t.workspaces.settings}</h2>
          <form method="post" action={`/workspaces/${ws.id}/rename`} data-testid="rename">
            <Csrf value={props.frame.csrf} />
            <label>
              {t.workspaces.name}
              <input name="name" type="text" required maxLength={100} value={ws.name} />
            </label>
            <button type="submit">{t.workspaces.rename}</button>
          </form>
          {owner ? (
            <>
              <h3>{t.workspaces.deleteHeading}</h3>
              <p class="muted small">{t.workspaces.deleteText}</p>
              <form method="post" action={`/workspaces/${ws.id}/delete`}>
                <Csrf value={props.frame.csrf} />
                <button type="submit" class="danger" data-testid="delete-workspace">
                  {t.workspaces.deleteButton}
                </button>
              </form>
            </>
          ) : null}
        </section>
      ) : null}
    </Layout>
  );
}
