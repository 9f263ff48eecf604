// The staff page as a new user meets it, in Debian's chromium: the order it
// says it shows, what an empty search and a missing article offer, facets
// that show every value, snippets and notes that read right, the opened
// article with the search's words highlighted, signing in where the server
// asks for a token, and no serious accessibility violation (axe-core) on
// any view in any interface language.
//
//   node page-usability.mjs --url URL --private URL --token SECRET --screenshots DIR
//
// --url serves the sample archive (with an undated editorial); --private the
// same with --require-read-token, for which SECRET is a read token.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { check, finish, launch, scenario, searched, settled, total, options } from './browser-kit.mjs';

const args = options('page-usability.mjs --url URL --private URL --token SECRET --screenshots DIR',
  ['url', 'private', 'token', 'screenshots']);
const base = args.url;
// Evaluated through the browser's devtools protocol: the page's CSP allows
// no script of another origin or inline, rightly.
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
await launch();

await scenario('the home page lists newest first and says so', async page => {
  await page.goto(`${base}/`);
  await searched(page);
  check(await page.inputValue('#sort') === 'newest', `the sort box says ${await page.inputValue('#sort')}`);
  const dates = await page.$$eval('.hit-meta time', ts => ts.map(t => t.getAttribute('datetime')));
  check(dates.length > 2 && dates.join() === [...dates].sort().reverse().join(), `not newest first: ${dates}`);
  // A query: relevance, unless chosen otherwise.
  await page.fill('#q', 'Kazakhstan');
  await page.press('#q', 'Enter');
  await page.waitForURL(/q=Kazakhstan/);
  await searched(page);
  check(await page.inputValue('#sort') === 'relevance', 'a query is not sorted by relevance');
  check(!page.url().includes('sort='), `the URL fixes the default order: ${page.url()}`);
});

await scenario('no result: the query understood, the filters to remove, tips', async page => {
  await page.goto(`${base}/?q=zzqxvw&country=KZ`);
  await searched(page);
  check(await total(page) === 0, 'there are results');
  const empty = await page.textContent('.empty');
  check(/Nothing matches zzqxvw/.test(empty), `the understood query is not shown: ${empty}`);
  check(await page.locator('.empty .tips li').count() >= 3, 'no search tips');
  check(await page.locator('.chip').count() === 1, 'no chip to remove the filter');
  await page.click('text=Search without them');
  await page.waitForURL(u => !u.search.includes('country'));
  await searched(page);
  check(new URL(page.url()).searchParams.get('q') === 'zzqxvw', 'the query was lost with the filters');
});

await scenario('an unknown article: a page that says so, with ways on', async page => {
  await page.goto(`${base}/articles/no-such-article`);
  await settled(page);
  check((await page.textContent('h1')) === 'This article is not in the archive', `heading: ${await page.textContent('h1')}`);
  check(!(await page.textContent('main')).includes("no article '"), 'the raw API detail is shown');
  const search = page.locator('.ways-on a', { hasText: 'no such article' });
  check(await search.count() === 1, 'no search for its id');
  await page.click('.ways-on a[href="/"]');
  await page.waitForURL(`${base}/`);
  await searched(page);
  await page.goto(`${base}/authors/nobody-here`);
  await settled(page);
  check((await page.textContent('h1')) === 'This author is not in the archive', 'no author not-found page');
}, { expected: /404|Not Found/ });

await scenario('snippets keep headings apart from the text', async page => {
  await page.goto(`${base}/?q=passwd&type=article`);
  await searched(page);
  const snippet = await page.textContent('.hit .snippet');
  check(snippet.includes(' · '), `no block break in ${snippet}`);
  check(!/SYNOPSIS passwd/.test(snippet), `a heading runs into the text: ${snippet}`);
});

await scenario('facets show every value: more on demand, found by name, none cut', async page => {
  await page.goto(`${base}/`);
  await searched(page);
  const country = page.locator('.facet-country');
  const visible = () => country.locator('.facet-values li:visible').count();
  const all = await country.locator('.facet-values li').count();
  check(all > 8, `only ${all} countries`);
  check(await visible() === 8, `${await visible()} countries shown at first`);
  await country.locator('.facet-more').click();
  check(await visible() === all, 'show more does not show them all');
  await country.locator('.facet-more').click();
  check(await visible() === 8, 'show fewer does not fold them');
  await country.locator('.facet-filter').fill('uzb');
  check(await visible() === 1 && /Uzbekistan/.test(await country.locator('.facet-values li:visible').textContent()), 'the filter does not find Uzbekistan');
  // Nothing is cut off: no box clips its last row.
  const clipped = await page.$$eval('.facet-values', ls => ls.some(l => l.scrollHeight > l.clientHeight + 1));
  check(!clipped, 'a facet list clips its values');
  // The year bars say their counts, the undated last.
  const bars = await page.$$eval('.histogram .bar', bs => bs.map(b => [b.querySelector('.bar-count')?.textContent, b.getAttribute('aria-label')]));
  check(bars.length > 1 && bars.every(([n, label]) => n && label.endsWith(`: ${n}`)), `bars: ${JSON.stringify(bars)}`);
  check(/^undated: /.test(bars[bars.length - 1][1]), `the last bar is ${bars[bars.length - 1][1]}`);
});

await scenario('undated and unsigned articles read as such', async page => {
  await page.goto(`${base}/?q=editorial`);
  await searched(page);
  check((await page.textContent('.hit-meta')).includes('undated'), `the hit reads ${await page.textContent('.hit-meta')}`);
  await page.click('.hit-title a');
  await settled(page);
  await page.waitForSelector('article.article h1');
  const meta = await page.textContent('article.article .meta');
  check(meta.includes('undated') && !meta.includes('By'), `the article's line reads ${meta}`);
});

await scenario('the article page: countries by name, each date once, the translation note as written', async page => {
  await page.goto(`${base}/articles/china-central-asia-c5-summit-2023?lang=zh`);
  await settled(page);
  await page.waitForSelector('#fn-1');
  check(await page.locator('#fn-1 .accessed').count() === 0, `note 1 repeats its date: ${await page.textContent('#fn-1')}`);
  await page.goto(`${base}/articles/china-central-asia-c5-summit-2023?lang=tr`);
  await settled(page);
  await page.waitForSelector('.translator');
  const translator = (await page.textContent('.translator')).trim();
  check(!/^Translated by/.test(translator) && translator.startsWith('Translation made for'), `the translator line reads ${translator}`);
  const names = await page.$$eval('.countries a', as => as.map(a => a.textContent));
  check(names.length > 2 && names.join() === [...names].sort((x, y) => x.localeCompare(y, 'en')).join(), `countries: ${names}`);
});

await scenario("the search's words are highlighted in the opened article, until cleared", async page => {
  await page.goto(`${base}/?q=Kazakhstan`);
  await searched(page);
  await page.locator('.hit-title a[href^="/articles/"]').first().click();
  await page.waitForURL(/hl=/);
  await settled(page);
  await page.waitForSelector('article.article mark.hl');
  const marked = await page.$$eval('article.article mark.hl', ms => ms.map(m => m.textContent));
  check(marked.length > 0 && marked.every(m => /kaza|каза|哈萨克/i.test(m)), `marked: ${marked.slice(0, 5)}`);
  await page.click('.clear-highlight');
  check(await page.locator('mark.hl').count() === 0, 'the marks stay');
  check(!page.url().includes('hl='), `the address keeps hl: ${page.url()}`);
  await page.reload();
  await settled(page);
  await page.waitForSelector('article.article h1');
  check(await page.locator('mark.hl').count() === 0, 'the marks come back on reload');
});

await scenario('where reads need a token: sign in, stay signed in, sign out', async page => {
  await page.goto(`${args.private}/?q=Kazakhstan`);
  await page.waitForSelector('form.sign-in');
  check(await page.locator('#results-heading').count() === 0, 'results without a token');
  await page.fill('#token', 'dft_not_a_real_token');
  await page.click('form.sign-in button');
  await page.waitForSelector('text=That token was not accepted');
  await page.fill('#token', args.token);
  await page.click('form.sign-in button');
  await searched(page);
  check(await total(page) >= 2, 'signed in, the search finds nothing');
  // Another view in the same tab keeps the session.
  await page.click('.hit-title a');
  await settled(page);
  await page.waitForSelector('article.article h1');
  await page.click('#sign-out');
  await page.waitForSelector('form.sign-in');
  check(await page.locator('#sign-out').count() === 0, 'still a sign-out button');
}, { expected: /401|Unauthorized/ });

await scenario('no serious accessibility violation on any view, in each interface language', async page => {
  const views = ['/', '/?q=Kazakhstan', '/?q=zzqxvw', '/articles/china-central-asia-c5-summit-2023',
    '/articles/china-central-asia-c5-summit-2023?lang=zh', '/authors/dogacan-basaran', '/articles/no-such-article'];
  const found = [];
  for (const lang of ['en', 'tr', 'ru']) {
    await page.goto(`${base}/`);
    await page.evaluate(l => localStorage.setItem('defter.ui', l), lang);
    for (const view of views) {
      await page.goto(`${base}${view}`);
      await settled(page);
      await page.waitForLoadState('networkidle');
      await page.evaluate(axeSource);
      const violations = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] })).violations
        .filter(v => v.impact === 'serious' || v.impact === 'critical')
        .map(v => `${v.id} (${v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', ')})`));
      for (const v of violations) found.push(`${lang} ${view}: ${v}`);
    }
  }
  check(found.length === 0, found.join('; '));
}, { expected: /404|Not Found/ });

await scenario('Chinese names and titles are drawn, not boxes', async page => {
  await page.goto(`${base}/articles/china-central-asia-c5-summit-2023?lang=zh`);
  await settled(page);
  await page.waitForSelector('article.article h1');
  // With a CJK font, two different characters differ in width or shape;
  // without one, both are the same missing-glyph box.
  const same = await page.evaluate(() => {
    const c = document.createElement('canvas').getContext('2d');
    c.font = '32px sans-serif';
    const draw = ch => { c.clearRect(0, 0, 64, 64); c.fillText(ch, 0, 40); return Array.from(c.getImageData(0, 0, 64, 64).data).join(); };
    return draw('中') === draw('国');
  });
  check(!same, 'CJK characters are drawn as the same box: no CJK font');
  await page.screenshot({ path: join(args.screenshots, 'article-zh.png') });
});

await finish();
