// defter's staff page: signing in to a server that wants a token for reads
// (defter serve --require-read-token). The page asks for a token once,
// keeps it for the browser tab's session (sessionStorage: gone when the tab
// closes, never written to disk by the page), sends it with each API call,
// and forgets it on signing out. Loaded before app.js, whose helpers it
// calls once the page runs.
'use strict';

const TOKEN_KEY = 'defter.token';

function sessionToken() {
  try { return sessionStorage.getItem(TOKEN_KEY) || ''; } catch { return ''; }
}

function forgetToken() {
  try { sessionStorage.removeItem(TOKEN_KEY); } catch { /* storage refused: nothing kept */ }
}

// The sign-in form; `rejected`: the token given was refused.
function showSignIn(rejected) {
  document.title = `${t('sign_in')} — defter`;
  const input = el('input', { id: 'token', type: 'password', autocomplete: 'off', spellcheck: 'false', required: true });
  show(el('form', {
    class: 'sign-in', 'aria-labelledby': 'sign-in-heading',
    onsubmit: e => {
      e.preventDefault();
      try { sessionStorage.setItem(TOKEN_KEY, input.value.trim()); } catch { /* kept for nothing: asked again */ }
      render();
    },
  },
  el('h1', { tabindex: '-1', id: 'sign-in-heading' }, t('sign_in')),
  el('p', {}, t(rejected ? 'token_rejected' : 'sign_in_why')),
  el('label', { for: 'token' }, t('token')), ' ', input, ' ',
  el('button', { type: 'submit' }, t('sign_in'))));
  input.focus();
}

// A sign-out button in the header while a token is kept.
function updateSessionUi() {
  let out = document.getElementById('sign-out');
  if (!sessionToken()) {
    out?.remove();
    return;
  }
  if (!out) {
    out = el('button', {
      type: 'button', id: 'sign-out', class: 'sign-out',
      onclick: () => { forgetToken(); navigate('/'); },
    });
    document.querySelector('header.top').append(out);
  }
  out.textContent = t('sign_out');
}
