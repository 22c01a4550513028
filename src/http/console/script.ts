/**
 * The console's only script: progressive enhancement, never needed for a flow to work (every form
 * posts and every check is repeated on the server). It tells a person *before* they submit that a
 * chosen evidence file is too large or that there are too many (decision 024: a refused upload costs a
 * person in trouble a round trip), and gives the binding key a Copy button.
 */
export const consoleScript = `'use strict';
document.querySelectorAll('input[type=file][data-max-bytes]').forEach(function (input) {
  var note = document.createElement('p');
  note.className = 'field-error';
  note.setAttribute('role', 'alert');
  note.hidden = true;
  input.insertAdjacentElement('afterend', note);
  input.addEventListener('change', function () {
    var max = Number(input.dataset.maxBytes);
    var files = Array.prototype.slice.call(input.files || []);
    var message = '';
    if (files.length > Number(input.dataset.maxFiles || 3)) message = input.dataset.tooMany || '';
    files.forEach(function (file) {
      if (file.size > max) message = file.name + ': ' + (input.dataset.tooLarge || '');
    });
    input.setCustomValidity(message);
    note.textContent = message;
    note.hidden = message === '';
  });
});
document.querySelectorAll('[data-copy]').forEach(function (button) {
  button.hidden = false;
  button.addEventListener('click', function () {
    var source = document.getElementById(button.dataset.copy);
    if (!source || !navigator.clipboard) return;
    navigator.clipboard.writeText(source.textContent.replace(/\\s+/g, '')).then(function () {
      button.textContent = button.dataset.copied || button.textContent;
    });
  });
});
`;
