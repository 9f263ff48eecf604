// defter's staff page: building its elements, and the two kinds of markup
// the API sends rebuilt from their parts (titles and snippets with <mark>;
// article bodies copied element by element from an allow-list). Loaded
// before app.js.
'use strict';

// ---- building the page ---------------------------------------------------

// el('a', {href: '/'}, 'text', child...): attributes are set as attributes
// (or as properties when they start with '.', as listeners with 'on'),
// strings become text nodes.
function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (k.startsWith('.')) e[k.slice(1)] = v;
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

// Text in a record's language: its lang and direction.
function recordText(tag, lang, text, attrs = {}) {
  return el(tag, { lang, dir: RTL_LANGS.has(lang) ? 'rtl' : 'auto', ...attrs }, text);
}

// The API's highlighted text (HTML-escaped, matches in <mark>) as nodes.
function highlighted(html) {
  const out = [];
  const decode = s => s.replace(/&(amp|lt|gt|quot|#39|#x27);/g, (m, n) =>
    ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", '#x27': "'" })[n]);
  let marked = false;
  for (const part of String(html).split(/(<mark>|<\/mark>)/)) {
    if (part === '<mark>') marked = true;
    else if (part === '</mark>') marked = false;
    else if (part) out.push(marked ? el('mark', {}, decode(part)) : document.createTextNode(decode(part)));
  }
  return out;
}

// cmark's safe HTML for a body, copied through an allow-list of elements
// and attributes (nothing else survives, whatever the server sent).
const ALLOWED = new Set(['P', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'BLOCKQUOTE', 'UL', 'OL', 'LI', 'EM', 'STRONG',
  'CODE', 'PRE', 'A', 'BR', 'HR', 'DEL', 'SUP', 'SUB']);
function safeBody(html) {
  const doc = new DOMParser().parseFromString(`<body>${html}</body>`, 'text/html');
  const copy = node => {
    if (node.nodeType === Node.TEXT_NODE) return document.createTextNode(node.data);
    if (node.nodeType !== Node.ELEMENT_NODE) return null;
    const kids = [...node.childNodes].map(copy).filter(Boolean);
    if (!ALLOWED.has(node.tagName)) return kids.length ? kids : null;
    const e = document.createElement(node.tagName.toLowerCase());
    if (node.tagName === 'A') {
      const href = node.getAttribute('href') || '';
      if (/^https?:\/\//i.test(href)) {
        e.setAttribute('href', href);
        e.setAttribute('rel', 'noopener noreferrer');
      }
    }
    if (node.tagName === 'OL' && /^\d+$/.test(node.getAttribute('start') || '')) e.setAttribute('start', node.getAttribute('start'));
    e.append(...kids.flat());
    return e;
  };
  const frag = document.createDocumentFragment();
  for (const n of doc.body.childNodes) {
    const c = copy(n);
    if (c) frag.append(...[c].flat());
  }
  return frag;
}

// Footnote markers [n] in a body's text become links to note n, each with
// an id the note links back to (the first: fnref-n; later ones fnref-n-2...).
function linkFootnotes(root, numbers) {
  const seen = new Map();
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const texts = [];
  while (walker.nextNode()) {
    const n = walker.currentNode;
    if (!n.parentElement.closest('code, pre, a')) texts.push(n);
  }
  for (const node of texts) {
    const parts = node.data.split(/\[(\d+)\]/);
    if (parts.length === 1) continue;
    const frag = document.createDocumentFragment();
    parts.forEach((p, i) => {
      if (i % 2 === 0) { if (p) frag.append(p); return; }
      const n = Number(p);
      if (!numbers.has(n)) { frag.append(`[${p}]`); return; }
      const k = (seen.get(n) || 0) + 1;
      seen.set(n, k);
      frag.append(el('sup', { class: 'fnref' },
        el('a', { href: `#fn-${n}`, id: k === 1 ? `fnref-${n}` : `fnref-${n}-${k}`, 'aria-label': t('note', n) }, String(n))));
    });
    node.replaceWith(frag);
  }
}
