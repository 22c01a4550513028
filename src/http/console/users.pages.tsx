import { Csrf, NewPasswordInput, Layout, Notice, TableScroll, Time, type Message, type PageFrame } from './layout.js';
import { t } from './messages.js';
import { DeviceFacts, type DeviceView } from './devices.pages.js';

export interface SubUserView {
  id: string;
  username: string;
  displayName: string;
  email?: string | undefined;
  phone?: string | undefined;
  roles: string[];
  mfaRequired: boolean;
  disabled: boolean;
  createdAt: string;
  mfa: { bound: boolean; device?: { id: string; boundAt: string } | undefined };
}

function MfaBadge(props: { bound: boolean }) {
  return props.bound ? (
    <span class="badge badge-ok">{t.common.bound}</span>
  ) : (
    <span class="badge badge-off">{t.common.notBound}</span>
  );
}

export function UsersPage(props: {
  frame: PageFrame;
  message: Message;
  users: SubUserView[];
  alias: string;
  filter: 'unbound' | null;
}) {
  const c = t.users.columns;
  return (
    <Layout {...props.frame} active="users">
      <div class="page-head">
        <h1>{t.users.title}</h1>
        <a class="button primary-link" href="/users/new">
          {t.users.create}
        </a>
      </div>
      <Notice message={props.message} />
      <p class="muted">{t.users.intro(props.alias)}</p>
      <p class="filters">
        <a class={props.filter === null ? 'chip chip-active' : 'chip'} href="/users">
          {t.users.all}
        </a>
        <a
          class={props.filter === 'unbound' ? 'chip chip-active' : 'chip'}
          href="/users?mfa=unbound"
          data-testid="filter-unbound"
        >
          {t.users.unboundFilter}
        </a>
      </p>
      <section class="card">
        {props.users.length === 0 ? (
          <p class="muted">{props.filter === 'unbound' ? t.users.everyoneBound : t.users.none}</p>
        ) : (
          <TableScroll>
            <table data-testid="users">
              <thead>
                <tr>
                  <th>{c.username}</th>
                  <th>{c.displayName}</th>
                  <th>{c.mfa}</th>
                  <th>{c.required}</th>
                  <th>{c.role}</th>
                  <th>{c.status}</th>
                </tr>
              </thead>
              <tbody>
                {props.users.map((u) => (
                  <tr key={u.id}>
                    <td>
                      <a href={`/users/${u.id}`}>{u.username}</a>
                    </td>
                    <td>{u.displayName}</td>
                    <td>
                      <MfaBadge bound={u.mfa.bound} />
                    </td>
                    <td>{u.mfaRequired ? t.users.yes : t.users.no}</td>
                    <td>{u.roles.includes('user-admin') ? t.users.userAdmin : ''}</td>
                    <td>{u.disabled ? <span class="badge badge-off">{t.users.disabled}</span> : t.users.active}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        )}
      </section>
    </Layout>
  );
}

export function NewUserPage(props: { frame: PageFrame; message: Message; values: Record<string, string> }) {
  return (
    <Layout {...props.frame} active="users">
      <section class="card narrow">
        <h1>{t.users.newTitle}</h1>
        <Notice message={props.message} />
        <form method="post" action="/users/new">
          <Csrf value={props.frame.csrf} />
          <label>
            {t.users.usernameLabel} <span class="muted">{t.users.usernameHint}</span>
            <input
              name="username"
              type="text"
              required
              maxLength={64}
              pattern="[A-Za-z0-9][A-Za-z0-9._\-]{0,63}"
              value={props.values.username ?? ''}
            />
          </label>
          <label>
            {t.common.displayName} <span class="muted">{t.common.optional}</span>
            <input name="displayName" type="text" maxLength={100} value={props.values.displayName ?? ''} />
          </label>
          <label>
            {t.common.email} <span class="muted">{t.users.emailHint}</span>
            <input name="email" type="email" maxLength={254} value={props.values.email ?? ''} />
          </label>
          <label>
            {t.users.initialPassword} <span class="muted">{t.users.initialPasswordHint}</span>
            <NewPasswordInput />
          </label>
          <label class="check">
            <input name="mfaRequired" type="checkbox" value="1" checked={props.values.mfaRequired === '1'} />{' '}
            {t.users.requireMfaNew}
          </label>
          <button type="submit" class="primary">
            {t.users.create}
          </button>
        </form>
        <p class="muted small">
          <a href="/users">{t.users.back}</a>
        </p>
      </section>
    </Layout>
  );
}

export function UserDetailsPage(props: {
  frame: PageFrame;
  message: Message;
  user: SubUserView;
  loginName: string;
  manageable: boolean;
  isPrimary: boolean;
  /** The user's MFA devices (issue 22): each can be removed on its own. */
  devices: DeviceView[];
}) {
  const u = props.user;
  return (
    <Layout {...props.frame} active="users">
      <p class="muted small">
        <a href="/users">{t.users.title}</a> › {t.users.breadcrumb}
      </p>
      <h1>
        {u.displayName} <span class="muted">({u.username})</span>
      </h1>
      <Notice message={props.message} />
      <div class="grid">
        <section class="card">
          <h2>{t.users.details}</h2>
          <p>
            {t.users.login}: <code data-testid="user-login">{props.loginName}</code>
          </p>
          <p>
            {t.common.email}: {u.email ?? <span class="muted">{t.common.none}</span>}
          </p>
          <p>
            {t.users.created}: <Time at={u.createdAt} dateOnly />
          </p>
          {props.manageable ? (
            <form method="post" action={`/users/${u.id}/edit`}>
              <Csrf value={props.frame.csrf} />
              <label>
                {t.common.displayName}
                <input name="displayName" type="text" required maxLength={100} value={u.displayName} />
              </label>
              <label>
                {t.common.email}
                <input name="email" type="email" maxLength={254} value={u.email ?? ''} />
              </label>
              <label class="check">
                <input name="mfaRequired" type="checkbox" value="1" checked={u.mfaRequired} /> {t.users.requireMfa}
              </label>
              <label class="check">
                <input name="disabled" type="checkbox" value="1" checked={u.disabled} /> {t.users.disabledLabel}
              </label>
              {props.isPrimary ? (
                <label class="check">
                  <input name="userAdmin" type="checkbox" value="1" checked={u.roles.includes('user-admin')} />{' '}
                  {t.users.adminLabel}
                </label>
              ) : null}
              <button type="submit">{t.users.save}</button>
            </form>
          ) : (
            <p class="muted small">{t.users.onlyPrimary}</p>
          )}
        </section>
        <section class="card">
          <h2>{t.users.credential}</h2>
          <div class="setting">
            <div>
              <h3>{t.mfaCard.title}</h3>
              <p class="muted">
                {u.mfa.bound ? (
                  <>
                    {t.users.boundSince} <Time at={u.mfa.device!.boundAt} dateOnly />.
                  </>
                ) : (
                  t.users.noDevice
                )}
              </p>
            </div>
            <div class="setting-state">
              <span data-testid="user-mfa-status">
                <MfaBadge bound={u.mfa.bound} />
              </span>
            </div>
          </div>
          {props.devices.length > 0 ? (
            <div data-testid="user-devices">
              <h3>{t.users.devicesHeading}</h3>
              {props.devices.map((d) => (
                <div class="setting device" key={d.id} data-device={d.name}>
                  <div class="device-info">
                    <strong>{d.name}</strong>
                    <DeviceFacts device={d} />
                  </div>
                  {props.manageable ? (
                    <div class="setting-state">
                      <form method="post" action={`/users/${u.id}/devices/${d.id}/remove`} class="inline">
                        <Csrf value={props.frame.csrf} />
                        <button type="submit" class="danger" data-testid="remove-user-device">
                          {t.users.removeDevice}
                        </button>
                      </form>
                    </div>
                  ) : null}
                </div>
              ))}
              {props.manageable && props.devices.length > 1 ? (
                <p class="muted small">{t.users.removeDeviceHelp}</p>
              ) : null}
            </div>
          ) : null}
          {props.manageable && !u.mfa.bound ? (
            <form method="post" action={`/users/${u.id}/mfa/bind`}>
              <Csrf value={props.frame.csrf} />
              <p class="muted small">{t.users.bindHelp}</p>
              <button type="submit" class="primary">
                {t.users.bindForUser}
              </button>
            </form>
          ) : null}
          {props.manageable && u.mfa.bound ? (
            <form method="post" action={`/users/${u.id}/mfa/reset`}>
              <Csrf value={props.frame.csrf} />
              <p class="muted small">{t.users.resetHelp}</p>
              <button type="submit" class="danger">
                {t.users.reset}
              </button>
            </form>
          ) : null}
          {props.manageable ? (
            <div data-testid="user-password">
              <h3>{t.users.passwordHeading}</h3>
              {u.email ? (
                <form method="post" action={`/users/${u.id}/password-reset`}>
                  <Csrf value={props.frame.csrf} />
                  <p class="muted small">{t.users.sendResetHelp}</p>
                  <button type="submit" data-testid="send-reset-link">
                    {t.users.sendReset}
                  </button>
                </form>
              ) : (
                <p class="muted small">{t.users.noEmailForReset}</p>
              )}
              <form method="post" action={`/users/${u.id}/password`}>
                <Csrf value={props.frame.csrf} />
                <label>
                  {t.users.newPassword}
                  <NewPasswordInput />
                </label>
                <p class="muted small">{t.users.setPasswordHelp}</p>
                <button type="submit" data-testid="set-password">
                  {t.users.setPassword}
                </button>
              </form>
            </div>
          ) : null}
        </section>
      </div>
      {props.manageable ? (
        <section class="card">
          <form method="post" action={`/users/${u.id}/delete`} class="inline-row">
            <Csrf value={props.frame.csrf} />
            <span class="muted">{t.users.deleteHelp}</span>
            <button type="submit" class="danger">
              {t.users.delete}
            </button>
          </form>
        </section>
      ) : null}
    </Layout>
  );
}
