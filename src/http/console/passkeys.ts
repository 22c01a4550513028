import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * @simplewebauthn/browser's UMD bundle (it defines `SimpleWebAuthnBrowser`), served from our own
 * origin as /assets/webauthn.js: the CSP allows no other script source, and no page loads from a
 * CDN. Read once, from the installed package (its exports map names no files, so from its main).
 */
let bundle: string | undefined;
export function webauthnBrowserBundle(): string {
  if (bundle !== undefined) return bundle;
  const main = createRequire(import.meta.url).resolve('@simplewebauthn/browser');
  let dir = path.dirname(main);
  while (!dir.endsWith(`${path.sep}browser`) && dir !== path.dirname(dir)) dir = path.dirname(dir);
  bundle = readFileSync(path.join(dir, 'dist', 'bundle', 'index.umd.min.js'), 'utf8');
  return bundle;
}

/**
 * The console's passkey script (issue 22), loaded only by pages with a passkey form
 * (layout.tsx `PasskeyForm`). It shows those forms where the browser can use passkeys (they stay
 * hidden, with a note, where it cannot or where JavaScript is off), and on submit runs the WebAuthn
 * ceremony with @simplewebauthn/browser: the options come from the form (`data-options`) or from a
 * CSRF-checked POST to `data-options-url`; the JSON answer goes into the hidden `credential` field
 * and the form is posted as any other. The server checks everything again. On the login page it also
 * offers passkeys in the login field's autofill (conditional UI), where the browser supports it.
 */
export const passkeyScript = `'use strict';
(function () {
  var lib = window.SimpleWebAuthnBrowser;
  var supported = !!(lib && lib.browserSupportsWebAuthn());
  document.querySelectorAll('[data-webauthn-note]').forEach(function (note) {
    if (supported) note.hidden = true;
    else note.textContent = note.dataset.unsupported || note.textContent;
  });
  if (!supported) return;
  document.querySelectorAll('[data-webauthn-section]').forEach(function (section) {
    section.hidden = false;
  });
  document.querySelectorAll('form[data-webauthn]').forEach(function (form) {
    var credential = form.querySelector('input[name=credential]');
    var challengeId = form.querySelector('input[name=challengeId]');
    var error = form.querySelector('[data-webauthn-error]');
    var button = form.querySelector('button[type=submit]');
    var busy = false;

    function fail(message) {
      busy = false;
      button.disabled = false;
      error.textContent = message;
      error.hidden = false;
    }

    function messageFor(problem) {
      var name = problem && problem.name;
      if (name === 'NotAllowedError' || name === 'AbortError') return form.dataset.cancelled;
      if (name === 'InvalidStateError') return form.dataset.exists;
      if (problem && problem.fromServer) return problem.message;
      return form.dataset.failed;
    }

    function options() {
      if (!form.dataset.optionsUrl) return Promise.resolve({ options: JSON.parse(form.dataset.options) });
      var token = form.querySelector('input[name=_csrf]').value;
      return fetch(form.dataset.optionsUrl, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: token }).toString(),
      }).then(function (response) {
        return response.json().then(function (body) {
          if (response.ok) return body;
          var problem = new Error(body.message || form.dataset.failed);
          problem.fromServer = true;
          throw problem;
        });
      });
    }

    function ceremony(autofill) {
      return options().then(function (got) {
        var answer =
          form.dataset.webauthn === 'register'
            ? lib.startRegistration({ optionsJSON: got.options })
            : lib.startAuthentication({ optionsJSON: got.options, useBrowserAutofill: autofill });
        return answer.then(function (result) {
          credential.value = JSON.stringify(result);
          if (challengeId && got.challengeId) challengeId.value = got.challengeId;
          busy = true;
          form.submit();
        });
      });
    }

    form.addEventListener('submit', function (event) {
      if (credential.value) return;
      event.preventDefault();
      if (busy) return;
      busy = true;
      button.disabled = true;
      error.hidden = true;
      ceremony(false).catch(function (problem) {
        fail(messageFor(problem));
      });
    });

    // Conditional UI: a passkey offered among the login field's suggestions; a click on the button
    // above aborts this ceremony (the library allows one at a time), which then ends quietly.
    if (form.dataset.autofill === '1' && lib.browserSupportsWebAuthnAutofill) {
      lib.browserSupportsWebAuthnAutofill().then(function (available) {
        if (available && document.querySelector('input[autocomplete$=webauthn]'))
          ceremony(true).catch(function () {});
      });
    }
  });
})();
`;
