// defter's staff page: a client of the JSON API (/api/v1). Three views, each
// read from the URL: the search (/?q=...&country=..), an article
// (/articles/ID?lang=..) and an author (/authors/ID). Record text is only
// ever set as text (textContent); the two kinds of markup the API sends are
// rebuilt from their parts: titles and snippets (HTML-escaped text with
// <mark>) and article bodies (cmark's safe HTML, copied element by element
// from an allow-list). The interface's words are in messages.js, building
// elements in dom.js, the record views in records.js, signing in in
// session.js; all load first.
'use strict';

const PAGE_SIZE = 10;

// The filters and facets, from the server's field table (GET /api/v1/fields),
// read once before the first view.
let FACETS = [];   // the filters, in the order the panels show them
let COUNTED = [];  // the facets the server counts
let fieldsRead = null;
function readFields(signal) {
  fieldsRead ??= api('fields', {}, signal).then(r => {
    FACETS = r.fields.filter(f => f.filter).map(f => f.name);
    COUNTED = r.fields.filter(f => f.facet).map(f => f.name);
  }, err => {
    fieldsRead = null;  // read again by the next view
    throw err;
  });
  return fieldsRead;
}

function chooseUiLang() {
  const stored = localStorage.getItem('defter.ui');
  if (UI_LANGS.includes(stored)) return stored;
  for (const l of navigator.languages || [navigator.language || 'en']) {
    const base = String(l).toLowerCase().split('-')[0];
    if (UI_LANGS.includes(base)) return base;
  }
  return 'en';
}

let ui = chooseUiLang();

function t(key, ...args) {
  const m = MESSAGES[ui][key] ?? MESSAGES.en[key];
  return typeof m === 'function' ? m(...args) : m;
}

function languageName(code) {
  try {
    const name = new Intl.DisplayNames([ui], { type: 'language' }).of(code);
    return name && name !== code ? name.charAt(0).toLocaleUpperCase(ui) + name.slice(1) : code;
  } catch { return code; }
}

function monthName(ym) {
  const [y, m] = ym.split('-').map(Number);
  if (!y || !m) return ym;
  return new Intl.DateTimeFormat(ui, { year: 'numeric', month: 'long', timeZone: 'UTC' }).format(Date.UTC(y, m - 1, 1));
}

// A date as a <time>, or "undated" for undated material.
function dateOf(d) {
  return d ? el('time', { datetime: d }, formatDate(d)) : el('span', { class: 'undated' }, t('undated'));
}

// A partial date (YYYY, YYYY-MM, YYYY-MM-DD) as precise as it is.
function formatDate(d) {
  if (!d) return '';
  const p = d.split('-').map(Number);
  if (p.length === 1) return String(p[0]);
  if (p.length === 2) return monthName(d);
  return new Intl.DateTimeFormat(ui, { year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' })
    .format(Date.UTC(p[0], p[1] - 1, p[2]));
}

// ---- the API --------------------------------------------------------------

class ApiError extends Error {
  constructor(status, detail) { super(detail); this.status = status; }
}

let inflight = null;  // the view being loaded; a newer navigation aborts it

async function api(path, params = {}, signal) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    for (const one of [].concat(v)) if (one !== undefined && one !== null && one !== '') q.append(k, one);
  }
  const qs = q.toString();
  const headers = { Accept: 'application/json' };
  const token = sessionToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  const res = await fetch(`/api/v1/${path}${qs ? '?' + qs : ''}`, { signal, headers });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new ApiError(res.status, body.detail || res.statusText);
  return body;
}

// ---- navigation -------------------------------------------------------------

let navigated = false;  // whether the page moved since it loaded (then a view takes the focus)
let rendered = '';  // the path and query of what is on screen

function navigate(url, replace = false) {
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  navigated = true;
  render();
}

// Links inside the page navigate without a reload.
document.addEventListener('click', e => {
  const a = e.target.closest('a[href]');
  if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || url.pathname.startsWith('/api/') || a.target) return;
  if (url.pathname === location.pathname && url.search === location.search && url.hash) return;  // in-page
  e.preventDefault();
  navigate(url.pathname + url.search + url.hash);
});
// Back and forward; not a move within the page (a footnote link).
window.addEventListener('popstate', () => {
  if (location.pathname + location.search === rendered) return;
  navigated = true;
  render();
});

function searchState() {
  const p = new URLSearchParams(location.search);
  const filters = {};
  for (const f of FACETS) filters[f] = p.getAll(f);
  return {
    q: p.get('q') || '',
    sort: p.get('sort') || '',  // '' the default: relevance for words, newest without
    page: Math.max(1, Number(p.get('page')) || 1),
    filters,
  };
}

function searchUrl(state) {
  const p = new URLSearchParams();
  if (state.q) p.set('q', state.q);
  for (const f of FACETS) for (const v of state.filters[f] || []) p.append(f, v);
  if (state.sort) p.set('sort', state.sort);
  if (state.page > 1) p.set('page', state.page);
  const qs = p.toString();
  return '/' + (qs ? '?' + qs : '');
}

function withFilter(state, facet, value, on) {
  const next = structuredClone(state);
  const list = next.filters[facet];
  const i = list.indexOf(value);
  if (on && i < 0) list.push(value);
  if (!on && i >= 0) list.splice(i, 1);
  if (facet === 'year' && !on) next.filters.month = next.filters.month.filter(m => !m.startsWith(value + '-'));
  next.page = 1;
  return next;
}

// ---- views -------------------------------------------------------------------

const main = document.getElementById('main');

function show(...nodes) {
  main.replaceChildren(...nodes.flat());
}

function showError(err) {
  if (err.name === 'AbortError') return;
  const notFound = err instanceof ApiError && err.status === 404;
  if (notFound) return showNotFound();
  if (err instanceof ApiError && err.status === 401) {
    // The server wants a token (or refused the one kept): ask for one.
    const rejected = Boolean(sessionToken());
    forgetToken();
    updateSessionUi();
    return showSignIn(rejected);
  }
  show(el('div', { class: 'error', role: 'alert' },
    el('h1', { tabindex: '-1' }, t('error')),
    el('p', {}, err.message || ''),
    el('button', { type: 'button', onclick: () => render() }, t('retry'))));
}

// An article or author that is not in the archive (or no longer): said in
// the page's words, with ways on: a search for its id, and the search page.
function showNotFound() {
  const m = location.pathname.match(/^\/(articles|authors)\/([^/]+)/);
  const id = m ? decodeURIComponent(m[2]) : '';
  const words = id.replace(/[-_]+/g, ' ').trim();
  document.title = `${t('not_found')} — defter`;
  show(el('div', { class: 'not-found' },
    el('h1', { tabindex: '-1' }, m ? t(m[1] === 'authors' ? 'no_such_author' : 'no_such_article') : t('no_such_page')),
    id ? el('p', {}, t('not_in_archive', id)) : null,
    el('ul', { class: 'ways-on' },
      words ? el('li', {}, el('a', { href: searchUrl({ q: words, sort: '', page: 1, filters: emptyFilters() }) }, t('search_for', words))) : null,
      el('li', {}, el('a', { href: '/' }, t('back_to_search'))))));
}

// No result: what was searched for as the server understood it, its notes,
// the filters to remove, and what to try.
function emptyResults(state, r) {
  const cleared = { ...state, filters: emptyFilters(), page: 1 };
  const filtered = FACETS.some(f => state.filters[f].length);
  return el('div', { class: 'empty' },
    el('p', {}, r.query.understood ? t('no_results_for', r.query.understood) : t('no_results')),
    (r.query.notes || []).map(n => el('p', { class: 'note' }, n)),
    filtered ? el('p', {}, t('filters_narrow'), ' ', el('a', { href: searchUrl(cleared) }, t('search_without_filters'))) : null,
    el('h2', {}, t('tips')),
    el('ul', { class: 'tips' }, ['tip_spelling', 'tip_fewer', 'tip_prefix', 'tip_languages'].map(k => el('li', {}, t(k)))));
}

function focusHeading() {
  const h = main.querySelector('h1');
  if (h && document.activeElement !== document.getElementById('q')) h.focus({ preventScroll: true });
}

async function render() {
  if (inflight) inflight.abort();
  inflight = new AbortController();
  const signal = inflight.signal;
  applyUiLang();
  updateSessionUi();
  const path = location.pathname, here = location.pathname + location.search;
  rendered = here;
  main.removeAttribute('data-rendered');
  let m;
  try {
    await readFields(signal);
    if ((m = path.match(/^\/articles\/([^/]+)$/))) await renderArticle(decodeURIComponent(m[1]), signal);
    else if ((m = path.match(/^\/articles\/([^/]+)\/history$/))) await renderHistory(decodeURIComponent(m[1]), signal);
    else if ((m = path.match(/^\/authors\/([^/]+)$/))) await renderAuthor(decodeURIComponent(m[1]), signal);
    else await renderSearch(signal);
    if (location.hash) document.getElementById(decodeURIComponent(location.hash.slice(1)))?.scrollIntoView();
    else if (navigated) focusHeading();
  } catch (err) {
    if (err.name === 'AbortError') return;
    showError(err);
  }
  // What is on screen now shows this address (the browser tests wait for it).
  if (!signal.aborted) main.dataset.rendered = here;
}

// The order shown and asked for: the one chosen, else relevance when there
// are words and newest first when there are none (as the server does).
function sortOf(state) {
  return state.sort || (state.q ? 'relevance' : 'newest');
}

// The search: results, facets, chips, sort, pagination.
async function renderSearch(signal) {
  const state = searchState();
  document.getElementById('q').value = state.q;
  // The months of a year once a year is chosen.
  const facets = COUNTED.filter(f => f !== 'month' || state.filters.year.length);
  const sort = sortOf(state);
  const r = await api('search', {
    q: state.q, sort, page: state.page, size: PAGE_SIZE, ui_lang: ui, facets: facets.join(','), facet_size: 100,
    prefer: ui, ...state.filters,
  }, signal);
  document.title = state.q ? `${state.q} — defter` : 'defter';
  const pages = Math.max(1, Math.ceil(r.total / PAGE_SIZE));
  const summary = el('div', { class: 'summary' },
    el('h1', { tabindex: '-1', id: 'results-heading' }, r.total_exact ? t('results', r.total) : t('results_about', r.total)),
    el('label', { class: 'sort' }, t('sort'), ' ',
      el('select', {
        id: 'sort', onchange: e => navigate(searchUrl({ ...state, sort: e.target.value, page: 1 })),
      }, ['relevance', 'newest', 'oldest'].map(s => el('option', { value: s, selected: s === sort }, t('sort_' + s))))),
    // The same search as an Atom feed, for a feed reader.
    el('a', { class: 'feed', href: '/api/v1/search.atom' + searchUrl({ ...state, page: 1 }).slice(1), type: 'application/atom+xml' },
      t('feed')),
    // Every article it finds, as a file for a spreadsheet or a reference manager.
    el('details', { class: 'download' },
      el('summary', {}, t('download')),
      el('ul', {}, [['csv', 'download_csv'], ['ris', 'download_ris'], ['bib', 'download_bib'], ['csl.json', 'download_csl']]
        .map(([ext, label]) => el('li', {},
          el('a', { href: `/api/v1/search.${ext}` + searchUrl({ ...state, page: 1 }).slice(1), download: true }, t(label)))))));
  const suggestion = r.suggestion ? el('p', { class: 'did-you-mean' }, t('did_you_mean'), ': ',
    el('a', { href: searchUrl({ ...state, q: r.suggestion, page: 1 }) }, r.suggestion), '?') : null;
  const list = r.hits.length
    ? el('ol', { class: 'hits', start: (state.page - 1) * PAGE_SIZE + 1 }, r.hits.map(hitItem))
    : emptyResults(state, r);
  show(
    el('div', { class: 'search-layout' },
      el('aside', { class: 'facets', 'aria-labelledby': 'filters-heading' },
        el('details', { open: !matchMedia('(max-width: 700px)').matches, id: 'filters' },
          el('summary', { id: 'filters-heading' }, t('filters')),
          facetPanels(r.facets, state))),
      el('section', { class: 'results', 'aria-labelledby': 'results-heading' },
        summary, chips(state, r.facets), suggestion, list, pagination(state, pages))));
}

function hitItem(h) {
  // An article opens with the words the search matched in it highlighted
  // (hl: the marked forms of its title and snippet, as the server's
  // stemming found them, and the query's own words).
  const p = new URLSearchParams();
  if (h.lang) p.set('lang', h.lang);
  const hl = markedWords(h.title + ' ' + h.snippet, searchState().q);
  if (hl) p.set('hl', hl);
  const href = h.type === 'author' ? `/authors/${encodeURIComponent(h.id)}`
    : `/articles/${encodeURIComponent(h.id)}${p.toString() ? '?' + p : ''}`;
  return el('li', { class: 'hit' },
    el('h2', { class: 'hit-title' }, el('a', { href, lang: h.lang || null, dir: 'auto' }, highlighted(h.title))),
    el('p', { class: 'hit-meta' },
      h.type === 'author' ? t('type_author') : null,
      h.authors.length ? h.authors.map((a, i) => [i ? ', ' : '', el('a', { href: `/authors/${encodeURIComponent(a.id)}` }, a.name)]) : null,
      h.type === 'article' ? [h.authors.length ? ' · ' : '', dateOf(h.published)] : null,
      h.languages.length ? [' · ', el('span', { class: 'langs', 'aria-label': t('languages') },
        h.languages.map(l => el('abbr', { class: 'lang-tag', title: languageName(l), lang: l }, l)))] : null),
    h.snippet ? el('p', { class: 'snippet', lang: h.lang || null, dir: 'auto' }, highlighted(h.snippet)) : null);
}

// The words in <mark> of the server's HTML, and the plain words of a query
// (no operators, fields or quotes), space-separated, each once.
function markedWords(html, q) {
  const words = new Set();
  for (const m of String(html).matchAll(/<mark>([^<]*)<\/mark>/g)) words.add(m[1].replace(/&[a-z#0-9]+;/g, ' ').trim());
  for (const w of q.replace(/\b[a-z_]+:/gi, ' ').split(/[\s"()*+\-]+/)) if (w && !/^(AND|OR|NOT)$/.test(w)) words.add(w);
  return [...words].filter(w => w.length > 1).slice(0, 20).join(' ');
}

function facetLabel(facet, v) {
  if (facet === 'lang') return languageName(v.value);
  if (facet === 'type') return t('type_' + v.value) || v.value;
  if (facet === 'month') return monthName(v.value);
  return v.label || v.value;
}

function facetPanels(facets, state) {
  const panels = [];
  for (const name of FACETS) {
    const values = facets[name];
    if (!values || (!values.length && !state.filters[name].length)) continue;
    const id = `facet-${name}`;
    const body = name === 'year' ? yearHistogram(values, state) : facetList(name, id, values, state);
    panels.push(el('section', { class: `facet facet-${name}`, 'aria-labelledby': id },
      el('h2', { id }, t('facet_' + name)), body));
  }
  return panels;
}

// A facet's values: the first FACET_SHOWN (and every selected one) with a
// button for the rest; with many, a box that narrows the list by name.
const FACET_SHOWN = 8;
function facetList(name, id, values, state) {
  const items = values.map(v => {
        const checked = state.filters[name].includes(v.value);
        const cid = `${id}-${v.value}`.replace(/[^A-Za-z0-9_-]/g, '_');
        return el('li', {},
          el('input', {
            type: 'checkbox', id: cid, '.checked': checked,
            onchange: e => navigate(searchUrl(withFilter(state, name, v.value, e.target.checked))),
          }),
          el('label', { for: cid }, el('span', { class: 'facet-label', dir: 'auto' }, facetLabel(name, v)),
            el('span', { class: 'count' }, String(v.count))));
  });
  const list = el('ul', { class: 'facet-values', id: `${id}-values` }, items);
  if (values.length <= FACET_SHOWN) return list;
  const labels = values.map(v => facetLabel(name, v).toLocaleLowerCase(ui));
  let expanded = false, needle = '';
  const more = el('button', { type: 'button', class: 'facet-more', 'aria-controls': `${id}-values`, 'aria-expanded': 'false' });
  // Its name, also shown inside the empty box as the hint of what to type.
  const hint = t('facet_filter', t('facet_' + name));
  const filter = el('input', {
    type: 'search', class: 'facet-filter', 'aria-label': hint, placeholder: hint,
    oninput: e => { needle = e.target.value.trim().toLocaleLowerCase(ui); update(); },
  });
  const update = () => {
    items.forEach((li, i) => {
      const selected = state.filters[name].includes(values[i].value);
      li.hidden = needle ? !labels[i].includes(needle) : !(expanded || i < FACET_SHOWN || selected);
    });
    more.hidden = Boolean(needle);
    more.textContent = expanded ? t('facet_fewer') : t('facet_more', values.length - FACET_SHOWN);
    more.setAttribute('aria-expanded', String(expanded));
  };
  more.addEventListener('click', () => { expanded = !expanded; update(); });
  update();
  return [filter, list, more];
}

// Years as a small histogram of buttons, oldest first; a year's button
// selects it (and shows its months).
function yearHistogram(values, state) {
  // Oldest to newest, the undated after them; each bar with its count.
  const undated = v => v.value === 'undated';
  const years = [...values].sort((a, b) => undated(a) !== undated(b) ? (undated(a) ? 1 : -1) : a.value.localeCompare(b.value));
  const max = Math.max(1, ...years.map(v => v.count));
  const short = years.length > 6;  // many bars: '21 rather than 2021
  return el('div', { class: 'histogram', role: 'group', 'aria-label': t('years_chart') },
    years.map(v => {
      const on = state.filters.year.includes(v.value);
      return el('button', {
        type: 'button', class: 'bar', 'aria-pressed': on ? 'true' : 'false',
        // The name holds the label as shown ('21, with the full year beside it).
        title: `${facetLabel('year', v)}: ${v.count}`,
        'aria-label': `${short && !undated(v) ? `'${v.value.slice(2)} (${v.value})` : facetLabel('year', v)}: ${v.count}`,
        onclick: () => navigate(searchUrl(withFilter(state, 'year', v.value, !on))),
      // The label first, then the count: read in that order, as the name says.
      }, el('span', { class: 'bar-label' }, undated(v) ? facetLabel('year', v) : short ? `'${v.value.slice(2)}` : v.value), ' ',
      fill(Math.max(8, Math.round(100 * v.count / max)), String(v.count)));
    }));
}

// A bar's fill, its height set through the CSSOM (the page's CSP allows no
// style attributes).
function fill(percent, count) {
  const e = el('span', { class: 'fill' }, count ? el('span', { class: 'bar-count' }, count) : null);
  e.style.height = `${percent}%`;
  return e;
}

function chips(state, facets) {
  const selected = [];
  for (const f of FACETS) {
    for (const value of state.filters[f]) {
      const known = (facets[f] || []).find(v => v.value === value);
      const label = facetLabel(f, known || { value, label: value });
      selected.push(el('li', {}, el('button', {
        type: 'button', class: 'chip', 'aria-label': t('remove_filter', label),
        onclick: () => navigate(searchUrl(withFilter(state, f, value, false))),
      }, `${t('facet_' + f)}: ${label}`, el('span', { 'aria-hidden': 'true' }, ' ×'))));
    }
  }
  if (!selected.length) return null;
  const cleared = { ...state, filters: Object.fromEntries(FACETS.map(f => [f, []])), page: 1 };
  return el('div', { class: 'chips' },
    el('h2', { class: 'visually-hidden' }, t('selected_filters')),
    el('ul', {}, selected),
    el('a', { href: searchUrl(cleared), class: 'clear' }, t('clear_filters')));
}

function pagination(state, pages) {
  if (pages <= 1) return null;
  const link = (p, label, rel) => el('a', { href: searchUrl({ ...state, page: p }), rel }, label);
  return el('nav', { class: 'pagination', 'aria-label': t('pagination') },
    state.page > 1 ? link(state.page - 1, t('previous'), 'prev') : null,
    el('span', { 'aria-current': 'page' }, t('page', state.page, pages)),
    state.page < pages ? link(state.page + 1, t('next'), 'next') : null);
}

// ---- the search box: suggestions as you type ----------------------------------

const form = document.getElementById('search-form');
const input = document.getElementById('q');
const box = document.getElementById('suggestions');
let suggestTimer = null, suggestAbort = null, active = -1, options = [];

function closeSuggestions() {
  box.hidden = true;
  box.replaceChildren();
  input.setAttribute('aria-expanded', 'false');
  input.removeAttribute('aria-activedescendant');
  active = -1;
  options = [];
}

function choose(s) {
  closeSuggestions();
  if (s.kind === 'author') return navigate(`/authors/${encodeURIComponent(s.value)}`);
  if (s.kind === 'title') return navigate(`/articles/${encodeURIComponent(s.value)}`);
  if (s.kind === 'country') {
    const state = location.pathname === '/' ? searchState() : { q: '', sort: '', page: 1, filters: emptyFilters() };
    input.value = state.q;
    return navigate(searchUrl(withFilter(state, 'country', s.value, true)));
  }
  input.value = s.text;
  form.requestSubmit();
}

function setActive(i) {
  const items = box.querySelectorAll('[role=option]');
  items.forEach((o, k) => o.setAttribute('aria-selected', k === i ? 'true' : 'false'));
  active = i;
  if (i >= 0) input.setAttribute('aria-activedescendant', items[i].id);
  else input.removeAttribute('aria-activedescendant');
}

input.addEventListener('input', () => {
  clearTimeout(suggestTimer);
  const text = input.value.trim();
  if (text.length < 2) return closeSuggestions();
  suggestTimer = setTimeout(async () => {
    if (suggestAbort) suggestAbort.abort();
    suggestAbort = new AbortController();
    try {
      const list = await api('suggest', { q: text, limit: 8, ui_lang: ui }, suggestAbort.signal);
      if (input.value.trim() !== text) return;
      options = list;
      box.replaceChildren(...list.map((s, i) => el('li', {
        role: 'option', id: `suggestion-${i}`, 'aria-selected': 'false',
        onmousedown: e => { e.preventDefault(); choose(s); },
      }, el('span', { class: 'kind' }, t('kind_' + s.kind) || s.kind), ' ', el('span', { dir: 'auto' }, s.text))));
      box.hidden = !list.length;
      input.setAttribute('aria-expanded', list.length ? 'true' : 'false');
      active = -1;
    } catch (err) {
      if (err.name !== 'AbortError') closeSuggestions();
    }
  }, 120);
});

input.addEventListener('keydown', e => {
  if (box.hidden || !options.length) return;
  if (e.key === 'ArrowDown') { e.preventDefault(); setActive((active + 1) % options.length); }
  else if (e.key === 'ArrowUp') { e.preventDefault(); setActive(active <= 0 ? options.length - 1 : active - 1); }
  else if (e.key === 'Escape') { e.preventDefault(); closeSuggestions(); }
  else if (e.key === 'Enter' && active >= 0) { e.preventDefault(); choose(options[active]); }
});
input.addEventListener('blur', () => setTimeout(closeSuggestions, 100));

form.addEventListener('submit', e => {
  e.preventDefault();
  closeSuggestions();
  const state = location.pathname === '/' ? searchState() : { q: '', sort: '', page: 1, filters: emptyFilters() };
  navigate(searchUrl({ ...state, q: input.value.trim(), page: 1 }));
});

// ---- the interface language -------------------------------------------------

const uiSelect = document.getElementById('ui-lang');
function applyUiLang() {
  document.documentElement.lang = ui;
  uiSelect.value = ui;
  for (const e of document.querySelectorAll('[data-i18n]')) e.textContent = t(e.dataset.i18n);
}
uiSelect.addEventListener('change', () => {
  ui = uiSelect.value;
  localStorage.setItem('defter.ui', ui);
  render();
});

render();
