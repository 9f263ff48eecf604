// defter's staff page: the views of records (loaded before app.js, whose
// helpers they call once the page runs): an article with its footnotes, its
// history and its versions; an author with biographies and articles.
'use strict';

// Countries as a reader looks for them: by name in the interface's language.
function byName(countries) {
  return [...countries].sort((x, y) => x.name.localeCompare(y.name, ui));
}

// "Translated by NAME" for a name; a note about the translation as it is
// written ("Translation made for ..."), never "Translated by Translation ...".
function translatorLine(text) {
  if (!text) return null;
  const name = text.split(/\s+/).length <= 5 && !/[;:.,()]/.test(text) && !/^translat|^çeviri|^перевод|^译/i.test(text);
  return name ? el('p', { class: 'translator', lang: ui }, t('translator', text))
    : el('p', { class: 'translator', dir: 'auto' }, text);
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
  const hl = (new URLSearchParams(location.search).get('hl') || '').split(/\s+/).filter(Boolean);
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
          byName(a.countries).map((c, i) => [i ? ', ' : '', el('a', { href: countryUrl(c.code), class: c.subject ? 'subject' : 'mentioned' }, c.name)]))] : null),
      translatorLine(tr.translator),
      a.last_change ? el('p', { class: 'changed', lang: ui, dir: 'ltr' },
        t('last_changed', formatDate(a.last_change.at.slice(0, 10)), a.last_change.who), ' · ',
        el('a', { href: `/articles/${encodeURIComponent(id)}/history` }, t('history'))) : null,
      switcher),
    body, notes);
  const side = el('aside', { class: 'related', lang: ui });
  show(el('div', { class: 'article-layout' }, article, side));
  if (hl.length && markWords(article.querySelector('h1'), hl) + markWords(body, hl) > 0) {
    const clear = el('button', { type: 'button', class: 'clear-highlight', lang: ui, onclick: () => {
      for (const m of article.querySelectorAll('mark.hl')) m.replaceWith(...m.childNodes);
      article.normalize();
      clear.remove();
      const p = new URLSearchParams(location.search);
      p.delete('hl');
      const url = location.pathname + (p.toString() ? '?' + p : '');
      history.replaceState(null, '', url);
      rendered = url;
      main.dataset.rendered = url;
    } }, t('clear_highlight'));
    article.querySelector('header').append(clear);
  }
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
  return searchUrl({ q: '', sort: '', page: 1, filters: { ...emptyFilters(), country: [code] } });
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
      el('ul', {}, au.topics.map(x => el('li', {}, el('a', { href: searchUrl({ q: x, sort: '', page: 1, filters: emptyFilters() }), dir: 'auto' }, x))))) : null,
    el('section', { class: 'bios' }, el('h2', {}, t('biography')),
      langs.length ? langs.map(l => el('section', { class: 'bio-lang' },
        el('h3', {}, languageName(l)), recordText('p', l, au.bio[l], { class: 'bio' }))) : el('p', {}, t('no_bio'))),
    el('section', { class: 'author-articles' }, el('h2', {}, t('articles_by_date')),
      el('ol', {}, (au.articles || []).map(x => el('li', {},
        dateOf(x.published), ' ',
        el('a', { href: `/articles/${encodeURIComponent(x.id)}`, dir: 'auto', lang: x.original_language }, x.title),
        ' ', el('span', { class: 'langs' }, (x.languages || []).map(l => el('abbr', { class: 'lang-tag', title: languageName(l), lang: l }, l)))))))));
}

// Marks each occurrence of `words` (at the start of a word, case and accents
// as the text has them, ignoring case) in the text under `root`; returns how
// many. Text only: the marks are elements made here around text nodes.
function markWords(root, words) {
  if (!root) return 0;
  const escaped = words.map(w => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).sort((x, y) => y.length - x.length);
  const re = new RegExp(`(?<![\\p{L}\\p{N}])(?:${escaped.join('|')})`, 'giu');
  const texts = [];
  const walk = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  while (walk.nextNode()) texts.push(walk.currentNode);
  let count = 0;
  for (const node of texts) {
    const text = node.nodeValue;
    const parts = [];
    let last = 0;
    for (const m of text.matchAll(re)) {
      if (!m[0]) continue;
      parts.push(document.createTextNode(text.slice(last, m.index)), el('mark', { class: 'hl' }, m[0]));
      last = m.index + m[0].length;
      count++;
    }
    if (!parts.length) continue;
    parts.push(document.createTextNode(text.slice(last)));
    node.replaceWith(...parts);
  }
  return count;
}
