/** The console's one stylesheet, served from our origin so the CSP can forbid inline styles. */
export const consoleCss = `
:root { --ink:#1d2433; --muted:#5f6b7d; --line:#e2e6ee; --bg:#f5f7fb; --card:#fff; --brand:#2f5bea; --brand-dark:#2447bd; --ok:#1e8a4c; --ok-bg:#e6f5ec; --off:#8a5a00; --off-bg:#fff4dc; --err:#b3261e; --err-bg:#fdecea; --info-bg:#eaf0ff; }
* { box-sizing: border-box; }
[hidden] { display: none !important; }
html { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink); background: var(--bg); }
body { margin: 0; min-height: 100vh; display: flex; flex-direction: column; }
a { color: var(--brand); text-decoration: none; } a:hover { text-decoration: underline; }
.topbar { display: flex; align-items: center; justify-content: space-between; gap: 32px; padding: 0 28px; min-height: 56px; background: #111a2e; color: #fff; }
.brand { color: #fff; font-weight: 650; font-size: 17px; display: flex; align-items: center; gap: 8px; }
.brand:hover { text-decoration: none; }
.brand-mark { display: inline-grid; place-items: center; width: 26px; height: 26px; border-radius: 7px; background: var(--brand); font-size: 15px; }
.topbar nav { display: flex; align-items: center; gap: 18px; white-space: nowrap; font-size: 14px; }
.nav-links { display: flex; align-items: center; gap: 18px; flex-wrap: wrap; justify-content: flex-end; row-gap: 4px; padding: 6px 0; }
/* Many links (an operator in dev mode, a long language) wrap to a second line rather than pushing Sign out off the bar. */
.topbar nav { flex: 1 1 auto; min-width: 0; justify-content: flex-end; } .nav-links { min-width: 0; }
.menu { display: none; position: relative; }
.menu summary { cursor: pointer; color: #fff; list-style: none; padding: 6px 10px; border: 1px solid #2c3957; border-radius: 8px; }
.menu summary::-webkit-details-marker { display: none; }
.menu-links { position: absolute; right: 0; top: 40px; z-index: 10; display: flex; flex-direction: column; gap: 2px; min-width: 210px; background: #111a2e; border: 1px solid #2c3957; border-radius: 10px; padding: 8px; }
.menu-links a { padding: 8px 10px; border-radius: 6px; }
.table-scroll { overflow-x: auto; -webkit-overflow-scrolling: touch; }
.brand { flex: none; }
.topbar nav a { color: #c9d3ea; } .topbar nav a.active, .topbar nav a:hover { color: #fff; text-decoration: none; }
.who { color: #8d9abb; font-size: 13px; border-left: 1px solid #2c3957; padding-left: 18px; max-width: 260px; overflow: hidden; text-overflow: ellipsis; }
main { flex: 1; width: 100%; max-width: 980px; margin: 0 auto; padding: 32px 24px; }
footer { text-align: center; color: var(--muted); font-size: 12px; padding: 18px; }
h1 { font-size: 24px; margin: 0 0 16px; } h2 { font-size: 18px; margin: 0 0 12px; } h2.sub { color: var(--muted); font-weight: 500; }
h3 { font-size: 15px; margin: 0 0 4px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 12px; padding: 24px; box-shadow: 0 1px 2px rgba(16,24,40,.04); margin-bottom: 20px; }
.card.narrow { max-width: 440px; margin: 24px auto; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); gap: 20px; }
.muted { color: var(--muted); } .small { font-size: 13px; }
form { display: flex; flex-direction: column; gap: 14px; margin: 0; } form.inline { display: inline-flex; }
label { display: flex; flex-direction: column; gap: 6px; font-weight: 550; font-size: 14px; }
input[type=text], input[type=email], input[type=password], input[type=tel], textarea { font: inherit; padding: 10px 12px; border: 1px solid #cdd3df; border-radius: 8px; background: #fff; }
input:focus { outline: 2px solid var(--brand); outline-offset: 1px; border-color: var(--brand); }
input.code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 20px; letter-spacing: .3em; width: 11ch; }
button, .button { font: inherit; font-weight: 600; cursor: pointer; border-radius: 8px; padding: 9px 18px; border: 1px solid #cdd3df; background: #fff; color: var(--ink); display: inline-block; }
button.primary { background: var(--brand); border-color: var(--brand); color: #fff; } button.primary:hover { background: var(--brand-dark); }
button.danger { background: var(--err); border-color: var(--err); color: #fff; }
button.link { background: none; border: 0; padding: 0; color: #c9d3ea; font-weight: 400; } button.link:hover { color: #fff; }
.phone-only { display: none; }
@media (max-width: 640px) { .phone-only { display: block; } }
.evidence-image { display: block; max-width: 100%; max-height: 480px; margin: 8px 0 14px; border: 1px solid var(--line); border-radius: 6px; }
.field-error { color: var(--err); font-size: 13px; margin: -6px 0 10px; }
.alert { border-radius: 8px; padding: 10px 14px; margin-bottom: 14px; font-size: 14px; overflow-wrap: anywhere; }
.alert-error { background: var(--err-bg); color: var(--err); } .alert-success { background: var(--ok-bg); color: var(--ok); } .alert-info { background: var(--info-bg); color: #1f3a8a; }
.hint { background: var(--off-bg); color: #5c3d00; border-radius: 8px; padding: 10px 14px; margin-bottom: 14px; font-size: 14px; }
.setting { display: flex; justify-content: space-between; align-items: center; gap: 24px; padding: 16px 0; border-top: 1px solid var(--line); }
.setting:first-child { border-top: 0; padding-top: 0; }
.setting p { margin: 0; }
.setting-state { display: flex; align-items: center; gap: 12px; white-space: nowrap; flex-wrap: wrap; justify-content: flex-end; }
.badge { font-size: 13px; font-weight: 600; border-radius: 999px; padding: 3px 10px; }
.badge-ok { background: var(--ok-bg); color: var(--ok); } .badge-off { background: var(--off-bg); color: var(--off); }
.badge-verified, .badge-completed { background: var(--ok-bg); color: var(--ok); }
.badge-none, .badge-pending, .badge-submitted, .badge-awaiting_second_approval, .badge-cooling_off { background: var(--off-bg); color: var(--off); }
.badge-rejected, .badge-cancelled { background: var(--err-bg); color: var(--err); }
fieldset.facts { border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px 2px; margin: 0 0 14px; }
fieldset.facts legend { color: var(--muted); font-size: 13px; padding: 0 4px; }
label.inline-choice { display: inline-flex; flex-direction: row; align-items: center; gap: 6px; margin-right: 16px; font-weight: 400; }
label.inline-choice input { width: auto; margin: 0; }
.facts-list { display: grid; grid-template-columns: max-content 1fr; gap: 6px 16px; margin: 0; }
.facts-list dt { color: var(--muted); } .facts-list dd { margin: 0; overflow-wrap: anywhere; }
.match-yes { color: var(--ok); font-weight: 600; } .match-no { color: var(--err); font-weight: 600; }
.bind { display: grid; grid-template-columns: 260px 1fr; gap: 32px; align-items: start; }
.qr { width: 240px; height: 240px; border: 1px solid var(--line); border-radius: 10px; padding: 6px; background: #fff; }
.qr svg { width: 100%; height: 100%; display: block; }
.key { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 17px; letter-spacing: .06em; background: var(--bg); border: 1px dashed #cdd3df; border-radius: 8px; padding: 10px 12px; word-spacing: .4em; }
table { width: 100%; border-collapse: collapse; font-size: 14px; } th, td { text-align: left; padding: 8px 10px; border-bottom: 1px solid var(--line); } th { color: var(--muted); font-weight: 600; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .92em; }
ol { padding-left: 20px; } ol li { margin-bottom: 6px; }
.page-head { display: flex; justify-content: space-between; align-items: center; }
a.primary-link { background: var(--brand); border-color: var(--brand); color: #fff; } a.primary-link:hover { background: var(--brand-dark); text-decoration: none; }
.filters { display: flex; flex-wrap: wrap; gap: 8px; }
.chip { border: 1px solid var(--line); border-radius: 999px; padding: 4px 12px; font-size: 13px; background: #fff; color: var(--ink); }
.chip-active { background: var(--ink); color: #fff; border-color: var(--ink); }
label.check { flex-direction: row; align-items: center; gap: 8px; font-weight: 450; }
.inline-row { flex-direction: row; justify-content: space-between; align-items: center; }
.message pre { white-space: pre-wrap; font-family: inherit; margin: 0; }
.filter-form { flex-direction: row; align-items: end; gap: 12px; margin-bottom: 16px; }
select { font: inherit; padding: 8px 10px; border: 1px solid #cdd3df; border-radius: 8px; background: #fff; }
details.alt { margin-top: 8px; } details.alt summary { cursor: pointer; color: var(--brand); font-size: 14px; margin-bottom: 10px; }
.card.narrow-left { max-width: 440px; }
input[type=number] { font: inherit; padding: 10px 12px; border: 1px solid #cdd3df; border-radius: 8px; width: 8ch; }
.banner { background: var(--off-bg); color: #5c3d00; border-radius: 10px; padding: 12px 16px; margin-bottom: 18px; }
.banner p { margin: 0; } .banner p + p { margin-top: 6px; }
time { white-space: nowrap; }
ol.codes { columns: 2; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 16px; padding-left: 28px; }
ol.codes li { margin-bottom: 8px; }
.divider { display: flex; align-items: center; gap: 10px; color: var(--muted); font-size: 13px; margin: 4px 0 0; }
.divider::before, .divider::after { content: ""; flex: 1; border-top: 1px solid var(--line); }
.passkey { margin-bottom: 14px; }
.passkey + form { margin-top: 4px; }
.device-info { min-width: 0; overflow-wrap: anywhere; }
.device-info h3, .device-info p { margin: 0; }
details.rename summary { list-style: none; }
details.rename summary::-webkit-details-marker { display: none; }
details.rename form { margin-top: 10px; flex-direction: row; align-items: flex-end; gap: 8px; }
.setting.device { align-items: flex-start; }
.device-types { display: block; margin-top: 4px; }
.check-hint { margin: -8px 0 0 26px; }
.device .setting-state { flex-wrap: wrap; justify-content: flex-end; }
details.rename[open] form { white-space: normal; }
@media (max-width: 1280px) { .who { display: none; } }
@media (max-width: 1240px) { .topbar { gap: 16px; } .topbar nav, .nav-links { gap: 12px; } }
@media (max-width: 1050px) { .nav-links { display: none; } .menu { display: block; } }
@media (max-width: 700px) {
  .bind { grid-template-columns: 1fr; } .qr { width: 100%; max-width: 240px; height: auto; aspect-ratio: 1; }
  .topbar { padding: 0 14px; gap: 12px; } .who { display: none; }
  main { padding: 20px 12px; } .card { padding: 16px; } .card.narrow { margin: 8px auto; }
  .grid { grid-template-columns: minmax(0, 1fr); }
  .setting, .page-head, .inline-row { flex-direction: column; align-items: stretch; gap: 10px; }
  .setting-state { flex-wrap: wrap; white-space: normal; }
  .filter-form { flex-direction: column; align-items: stretch; }
  .key { word-break: break-all; }
  details.rename form { flex-direction: column; align-items: stretch; }
  input[type=text], input[type=email], input[type=password], input[type=tel], textarea, select { width: 100%; min-width: 0; }
  h1 { font-size: 21px; overflow-wrap: anywhere; }
}
`;
