// defter's staff page: a client of the JSON API (/api/v1). Three views, each
// read from the URL: the search (/?q=...&country=..), an article
// (/articles/ID?lang=..) and an author (/authors/ID). Record text is only
// ever set as text (textContent); the two kinds of markup the API sends are
// rebuilt from their parts: titles and snippets (HTML-escaped text with
// <mark>) and article bodies (cmark's safe HTML, copied element by element
// from an allow-list). The interface's words are in messages.js, building
// elements in dom.js; both load first.
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

// A partial date (YYYY, YYYY-MM, YYYY-MM-DD) as precise as it is.
// A date as a <time>, or "undated" for undated material.
function dateOf(d) {
  return d ? el('time', { datetime: d }, formatDate(d)) : el('span', { class: 'undated' }, t('undated'));
}

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
  const res = await fetch(`/api/v1/${path}${qs ? '?' + qs : ''}`, { signal, headers: { Accept: 'application/json' } });
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
    sort: p.get('sort') || 'relevance',
    page: Math.max(1, Number(p.get('page')) || 1),
    filters,
  };
}

function searchUrl(state) {
  const p = new URLSearchParams();
  if (state.q) p.set('q', state.q);
  for (const f of FACETS) for (const v of state.filters[f] || []) p.append(f, v);
  if (state.sort && state.sort !== 'relevance') p.set('sort', state.sort);
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
  show(el('div', { class: 'error', role: 'alert' },
    el('h1', { tabindex: '-1' }, notFound ? t('not_found') : t('error')),
    el('p', {}, err.message || ''),
    notFound ? null : el('button', { type: 'button', onclick: () => render() }, t('retry'))));
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

// The search: results, facets, chips, sort, pagination.
async function renderSearch(signal) {
  const state = searchState();
  document.getElementById('q').value = state.q;
  // The months of a year once a year is chosen.
  const facets = COUNTED.filter(f => f !== 'month' || state.filters.year.length);
  const r = await api('search', {
    q: state.q, sort: state.sort, page: state.page, size: PAGE_SIZE, ui_lang: ui, facets: facets.join(','),
    prefer: ui, ...state.filters,
  }, signal);
  document.title = state.q ? `${state.q} — defter` : 'defter';
  const pages = Math.max(1, Math.ceil(r.total / PAGE_SIZE));
  const summary = el('div', { class: 'summary' },
    el('h1', { tabindex: '-1', id: 'results-heading' }, r.total_exact ? t('results', r.total) : t('results_about', r.total)),
    el('label', { class: 'sort' }, t('sort'), ' ',
      el('select', {
        id: 'sort', onchange: e => navigate(searchUrl({ ...state, sort: e.target.value, page: 1 })),
      }, ['relevance', 'newest', 'oldest'].map(s => el('option', { value: s, selected: s === state.sort }, t('sort_' + s))))));
  const suggestion = r.suggestion ? el('p', { class: 'did-you-mean' }, t('did_you_mean'), ': ',
    el('a', { href: searchUrl({ ...state, q: r.suggestion, page: 1 }) }, r.suggestion), '?') : null;
  const list = r.hits.length
    ? el('ol', { class: 'hits', start: (state.page - 1) * PAGE_SIZE + 1 }, r.hits.map(hitItem))
    : el('p', { class: 'empty' }, t('no_results'));
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
  const href = h.type === 'author' ? `/authors/${encodeURIComponent(h.id)}`
    : `/articles/${encodeURIComponent(h.id)}${h.lang ? '?lang=' + encodeURIComponent(h.lang) : ''}`;
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
    const body = name === 'year' ? yearHistogram(values, state) : el('ul', { class: 'facet-values' },
      values.map(v => {
        const checked = state.filters[name].includes(v.value);
        const cid = `${id}-${v.value}`.replace(/[^A-Za-z0-9_-]/g, '_');
        return el('li', {},
          el('input', {
            type: 'checkbox', id: cid, '.checked': checked,
            onchange: e => navigate(searchUrl(withFilter(state, name, v.value, e.target.checked))),
          }),
          el('label', { for: cid }, el('span', { class: 'facet-label', dir: 'auto' }, facetLabel(name, v)),
            el('span', { class: 'count' }, String(v.count))));
      }));
    panels.push(el('section', { class: `facet facet-${name}`, 'aria-labelledby': id },
      el('h2', { id }, t('facet_' + name)), body));
  }
  return panels;
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
        title: `${facetLabel('year', v)}: ${v.count}`, 'aria-label': `${facetLabel('year', v)}: ${v.count}`,
        onclick: () => navigate(searchUrl(withFilter(state, 'year', v.value, !on))),
      }, fill(Math.max(8, Math.round(100 * v.count / max)), String(v.count)),
      el('span', { class: 'bar-label' }, undated(v) ? '—' : short ? `'${v.value.slice(2)}` : v.value));
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

// An article: the chosen translation, a switcher, footnotes linked both
// ways, the author card and related reading.
async function renderArticle(id, signal) {
  const lang = new URLSearchParams(location.search).get('lang') || '';
  const a = await api(`articles/${encodeURIComponent(id)}/view`, { lang, ui_lang: ui }, signal);
  const tr = a.translation;
  document.title = `${tr.title} — defter`;
  const dir = RTL_LANGS.has(a.lang) ? 'rtl' : 'auto';
  const switcher = el('nav', { class: 'lang-switch', 'aria-label': t('read_in') },
    el('span', {}, t('read_in'), ': '),
    el('ul', {}, a.languages.map(l => el('li', {}, l === a.lang
      ? el('a', { href: `/articles/${encodeURIComponent(id)}?lang=${l}`, 'aria-current': 'true', lang: l, hreflang: l }, languageName(l))
      : el('a', { href: `/articles/${encodeURIComponent(id)}?lang=${l}`, lang: l, hreflang: l }, languageName(l))))));
  const body = el('div', { class: 'body', lang: a.lang, dir });
  body.append(safeBody(tr.body_html));
  linkFootnotes(body, new Set(tr.footnotes.map(f => f.n)));
  const notes = tr.footnotes.length ? el('section', { class: 'footnotes', 'aria-labelledby': 'notes-heading' },
    el('h2', { id: 'notes-heading' }, t('footnotes')),
    el('ol', { lang: a.lang, dir }, tr.footnotes.map(f => el('li', { id: `fn-${f.n}`, value: f.n },
      // The note as written; then what it does not already say: its
      // source's title and publisher, a link, the access date (once: not
      // when the text gives it).
      el('span', { dir: 'auto' }, f.text),
      f.title && !f.text.includes(f.title) ? [' ', el('cite', { dir: 'auto' }, f.title)] : null,
      f.publisher && !f.text.includes(f.publisher) ? [', ', el('span', { dir: 'auto' }, f.publisher)] : null,
      f.url && /^https?:\/\//i.test(f.url) ? [' ', el('a', { href: f.url, rel: 'noopener noreferrer', class: 'source' }, f.url)] : null,
      f.accessed && !f.accessed_in_text ? [' ', el('span', { class: 'accessed' }, '(', t('accessed', ''), el('time', { datetime: f.accessed }, formatDate(f.accessed)), ')')] : null,
      body.querySelector(`#fnref-${f.n}`) ? [' ', el('a', { href: `#fnref-${f.n}`, class: 'backref', 'aria-label': t('back_to_text', f.n) }, '↩')] : null)))) : null;
  const article = el('article', { class: 'article', lang: a.lang, dir },
    el('header', {},
      el('h1', { tabindex: '-1', dir: 'auto' }, tr.title),
      tr.subtitle ? el('p', { class: 'subtitle', dir: 'auto' }, tr.subtitle) : null,
      el('p', { class: 'meta', lang: ui, dir: 'ltr' },
        a.authors.length ? [t('by'), ' ', a.authors.map((au, i) => [i ? ', ' : '', el('a', { href: `/authors/${encodeURIComponent(au.id)}` }, au.name)]), ' · '] : null,
        dateOf(a.published),
        a.countries.length ? [' · ', el('span', { class: 'countries', 'aria-label': t('countries') },
          a.countries.map((c, i) => [i ? ', ' : '', el('a', { href: countryUrl(c.code), class: c.subject ? 'subject' : 'mentioned' }, c.name)]))] : null),
      tr.translator ? el('p', { class: 'translator', lang: ui }, t('translator', tr.translator)) : null,
      a.last_change ? el('p', { class: 'changed', lang: ui, dir: 'ltr' },
        t('last_changed', formatDate(a.last_change.at.slice(0, 10)), a.last_change.who), ' · ',
        el('a', { href: `/articles/${encodeURIComponent(id)}/history` }, t('history'))) : null,
      switcher),
    body, notes);
  const side = el('aside', { class: 'related', lang: ui });
  show(el('div', { class: 'article-layout' }, article, side));
  // The author card and related reading: after the text is on screen.
  const [authors, related] = await Promise.all([
    Promise.all(a.authors.map(au => api(`authors/${encodeURIComponent(au.id)}`, {}, signal).catch(() => null))),
    a.countries.length ? api('search', {
      country: a.countries.map(c => c.code), size: 6, facets: '', type: 'article', ui_lang: ui, prefer: ui, highlight: 'false',
    }, signal).catch(() => null) : null,
  ]);
  for (const au of authors.filter(Boolean)) side.append(authorCard(au, id));
  if (related) {
    const items = related.hits.filter(h => h.id !== id).slice(0, 5);
    if (items.length) side.append(el('section', { class: 'more-countries' },
      el('h2', {}, t('more_on_countries')),
      el('ul', {}, items.map(h => el('li', {}, el('a', { href: `/articles/${encodeURIComponent(h.id)}?lang=${h.lang}`, lang: h.lang, dir: 'auto' }, highlighted(h.title)))))));
  }
}

// An article's history (its revisions, newest first: when, who, how, the
// fields each changed), or with ?revision=N that version of it.
async function renderHistory(id, signal) {
  const revision = new URLSearchParams(location.search).get('revision');
  const path = encodeURIComponent(id);
  const current = await api(`articles/${path}/view`, { ui_lang: ui }, signal).catch(() => null);
  const title = current ? current.translation.title : id;
  if (revision !== null) return renderVersion(id, revision, title, signal);
  const h = await api(`articles/${path}/history`, {}, signal);
  document.title = `${t('history_of', title)} — defter`;
  show(el('section', { class: 'history', lang: ui },
    el('h1', { tabindex: '-1', dir: 'auto' }, t('history_of', title)),
    current ? el('p', {}, el('a', { href: `/articles/${path}` }, t('back_to_article'))) : null,
    h.revisions.length ? el('ol', { class: 'revisions', reversed: true }, h.revisions.map(r => el('li', { value: r.revision },
      el('h2', {}, t('revision', r.revision)),
      el('p', { class: 'meta', dir: 'ltr' }, el('time', { datetime: r.at }, r.at.replace('T', ' ').replace('Z', ' UTC')), ' · ',
        r.who || '?', ' · ', r.how, ' · ', t(`change_${r.change}`), r.source ? [' · ', el('code', {}, r.source)] : null),
      r.fields.length ? el('ul', { class: 'fields' }, r.fields.map(f => el('li', {},
        el('code', {}, f.lang ? `${f.lang}: ${f.field}` : f.field), ' ', t(`change_${f.change === 'changed' ? 'replaced' : f.change === 'removed' ? 'deleted' : 'added'}`)))) : null,
      r.change !== 'deleted' ? el('a', { href: `/articles/${path}/history?revision=${r.revision}` }, t('view_version')) : null)))
      : el('p', {}, t('no_revisions'))));
}

async function renderVersion(id, revision, title, signal) {
  const path = encodeURIComponent(id);
  const v = await api(`articles/${path}/revisions/${encodeURIComponent(revision)}`, {}, signal);
  const a = v.record;
  document.title = `${t('version_of', v.revision, title)} — defter`;
  show(el('section', { class: 'version', lang: ui },
    el('h1', { tabindex: '-1', dir: 'auto' }, t('version_of', v.revision, title)),
    el('p', {}, el('a', { href: `/articles/${path}/history` }, t('back_to_history'))),
    el('p', { class: 'meta', dir: 'ltr' }, a.authors.length ? [a.authors.join(', '), ' · '] : null, dateOf(a.published)),
    Object.entries(a.translations).map(([lang, tr]) => el('article', { class: 'version-text', lang, dir: RTL_LANGS.has(lang) ? 'rtl' : 'auto' },
      el('h2', {}, languageName(lang), ': ', tr.title),
      el('div', { class: 'plain-body' }, tr.body)))));
}

function countryUrl(code) {
  return searchUrl({ q: '', sort: 'relevance', page: 1, filters: { ...emptyFilters(), country: [code] } });
}

function emptyFilters() {
  return Object.fromEntries(FACETS.map(f => [f, []]));
}

// The biography in the page's language when there is one, else the first
// (labelled with its language).
function pickBio(bio) {
  const langs = Object.keys(bio || {});
  if (!langs.length) return null;
  const lang = langs.includes(ui) ? ui : langs[0];
  return { lang, text: bio[lang], original: lang !== ui };
}

function authorCard(au, currentArticle) {
  const bio = pickBio(au.bio);
  const others = (au.articles || []).filter(x => x.id !== currentArticle).slice(0, 5);
  return el('section', { class: 'author-card' },
    el('h2', {}, t('about_author')),
    el('p', { class: 'author-name' }, el('a', { href: `/authors/${encodeURIComponent(au.id)}` },
      au.honorific ? `${au.honorific} ${au.name}` : au.name)),
    bio ? [bio.original ? el('p', { class: 'bio-label' }, t('bio_original', languageName(bio.lang))) : null,
      recordText('p', bio.lang, bio.text, { class: 'bio' })] : el('p', {}, t('no_bio')),
    others.length ? el('section', { class: 'more-by-author' },
      el('h3', {}, t('more_by_author')),
      el('ul', {}, others.map(x => el('li', {},
        el('a', { href: `/articles/${encodeURIComponent(x.id)}`, dir: 'auto', lang: x.original_language }, x.title),
        ' ', dateOf(x.published))))) : null);
}

// An author: biographies in every language, topics, articles by date.
async function renderAuthor(id, signal) {
  const au = await api(`authors/${encodeURIComponent(id)}`, {}, signal);
  document.title = `${au.name} — defter`;
  const langs = Object.keys(au.bio || {}).sort((x, y) => (x === ui ? -1 : y === ui ? 1 : x.localeCompare(y)));
  show(el('article', { class: 'author-page' },
    el('h1', { tabindex: '-1', dir: 'auto' }, au.honorific ? `${au.honorific} ${au.name}` : au.name),
    au.affiliation ? el('p', { class: 'affiliation' }, t('affiliation'), ': ', el('span', { dir: 'auto' }, au.affiliation)) : null,
    au.topics && au.topics.length ? el('section', { class: 'topics' }, el('h2', {}, t('topics')),
      el('ul', {}, au.topics.map(x => el('li', {}, el('a', { href: searchUrl({ q: x, sort: 'relevance', page: 1, filters: emptyFilters() }), dir: 'auto' }, x))))) : null,
    el('section', { class: 'bios' }, el('h2', {}, t('biography')),
      langs.length ? langs.map(l => el('section', { class: 'bio-lang' },
        el('h3', {}, languageName(l)), recordText('p', l, au.bio[l], { class: 'bio' }))) : el('p', {}, t('no_bio'))),
    el('section', { class: 'author-articles' }, el('h2', {}, t('articles_by_date')),
      el('ol', {}, (au.articles || []).map(x => el('li', {},
        dateOf(x.published), ' ',
        el('a', { href: `/articles/${encodeURIComponent(x.id)}`, dir: 'auto', lang: x.original_language }, x.title),
        ' ', el('span', { class: 'langs' }, (x.languages || []).map(l => el('abbr', { class: 'lang-tag', title: languageName(l), lang: l }, l)))))))));
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
    const state = location.pathname === '/' ? searchState() : { q: '', sort: 'relevance', page: 1, filters: emptyFilters() };
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
  const state = location.pathname === '/' ? searchState() : { q: '', sort: 'relevance', page: 1, filters: emptyFilters() };
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
