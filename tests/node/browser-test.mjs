// The staff page in Debian's chromium, headless, driven by playwright-core.
//
//   node browser-test.mjs --url http://127.0.0.1:PORT --screenshots DIR
//
// The server serves the sample archive plus tests/web/hostile.jsonl. Each
// scenario prints one JSON line {"scenario", "ok", "detail"}; the Catch2
// test (tests/web/browser_test.cpp) that runs this checks each of them.
// Exit status: 0 when every scenario passed, 1 otherwise, 2 when the browser
// could not start.
import { join } from 'node:path';
import { DESKTOP, PHONE, check, finish, launch, newPage, results, scenario, searched, settled, total, options } from './browser-kit.mjs';

const args = options('browser-test.mjs --url URL --screenshots DIR', ['url', 'screenshots']);
const base = args.url;
const shots = args.screenshots;
await launch();

await scenario('a search and its results', async page => {
  await page.goto(`${base}/`);
  await searched(page);
  await page.fill('#q', 'Kazakhstan');
  await page.press('#q', 'Enter');
  await page.waitForURL(/\?q=Kazakhstan/);
  await searched(page);
  const n = await total(page);
  check(n >= 2, `"Kazakhstan" finds ${n} results`);
  const hits = await results(page);
  check(hits.length === Math.min(n, 10), `${hits.length} results listed of ${n}`);
  check(await page.locator('.hit .snippet mark').count() > 0, 'no highlighted snippet');
  check(await page.locator('.hit .lang-tag').count() > 0, 'no languages shown');
  check(await page.locator('.hit-meta time').count() > 0, 'no dates shown');
  // Sorting: oldest first puts the dates in order.
  await page.selectOption('#sort', 'oldest');
  await page.waitForURL(/sort=oldest/);
  await searched(page);
  const dates = await page.$$eval('.hit-meta time', ts => ts.map(t => t.getAttribute('datetime')));
  check(dates.join() === [...dates].sort().join(), `oldest first gives ${dates.join(', ')}`);
  // The search as a feed: the link names the same search, and the server
  // answers it with Atom.
  const feedHref = await page.getAttribute('a.feed', 'href');
  check(feedHref === '/api/v1/search.atom?q=Kazakhstan&sort=oldest', `the feed link is ${feedHref}`);
  const feed = await page.evaluate(async href => (await fetch(href)).text(), feedHref);
  check(feed.includes('<feed xmlns="http://www.w3.org/2005/Atom">') && feed.includes('<entry>'), 'the feed is not Atom');
  // The results as files: one link a format, the same search.
  const downloads = await page.$$eval('.download a', as => as.map(a => a.getAttribute('href')));
  check(downloads.join() === ['csv', 'ris', 'bib', 'csl.json'].map(e => `/api/v1/search.${e}?q=Kazakhstan&sort=oldest`).join(),
    `the download links are ${downloads.join(', ')}`);
  const csv = await page.evaluate(async href => (await fetch(href)).text(), downloads[0]);
  // (fetch's text() takes the byte order mark off, as a spreadsheet does)
  check(csv.replace(/^\ufeff/, '').startsWith('id,title,authors,published'), 'the CSV download is not the export');
  // Did you mean: a misspelt word.
  await page.goto(`${base}/?q=Kazakhstn`);
  await searched(page);
  const dym = page.locator('.did-you-mean a');
  check(await dym.count() === 1, 'no "did you mean" for "Kazakhstn"');
  await dym.click();
  await page.waitForURL(/q=kazakhstan/i);
  await searched(page);
  check(await total(page) >= 2, 'the suggestion finds nothing');
  // Suggestions as you type, chosen with the keyboard.
  await page.fill('#q', '');
  await page.type('#q', 'Başar', { delay: 20 });
  await page.waitForSelector('#suggestions [role=option]');
  await page.press('#q', 'ArrowDown');
  check(await page.getAttribute('#q', 'aria-activedescendant') === 'suggestion-0', 'arrow keys do not move through suggestions');
  await page.press('#q', 'Enter');
  await page.waitForURL(/\/authors\/dogacan-basaran/);
});

await scenario('each facet narrows and widens', async page => {
  await page.goto(`${base}/`);
  await searched(page);
  const all = await total(page);
  // Country: one value narrows; a second widens (OR within a facet); the
  // counts beside the other values are what selecting them would add.
  const kzCount = Number(await page.textContent('#facet-country-KZ + label .count'));
  await page.check('#facet-country-KZ');
  await page.waitForURL(/country=KZ/);
  await searched(page);
  const kz = await total(page);
  check(kz === kzCount && kz < all, `KZ: ${kz} results, count said ${kzCount}, of ${all}`);
  check(await page.locator('.chip').count() === 1, 'no chip for the country');
  const afCount = Number(await page.textContent('#facet-country-AF + label .count'));
  await page.check('#facet-country-AF');
  await page.waitForURL(/country=AF/);
  await searched(page);
  const kzAf = await total(page);
  check(kzAf > kz && kzAf <= kz + afCount, `KZ or AF: ${kzAf} (KZ ${kz}, AF ${afCount})`);
  // Language narrows across facets (AND).
  await page.check('#facet-lang-ru');
  await page.waitForURL(/lang=ru/);
  await searched(page);
  const ru = await total(page);
  check(ru < kzAf && ru > 0, `KZ or AF, in Russian: ${ru} of ${kzAf}`);
  // Removing chips widens again.
  for (let i = 0; i < 3; i++) {
    await page.locator('.chip').first().click();
    await searched(page);
  }
  await page.waitForURL(u => !u.search.includes('country') && !u.search.includes('lang='));
  check(await total(page) === all, 'removing every chip does not give every result back');
  // Year: the histogram's bar selects a year, then its months.
  await page.click('.histogram .bar[aria-label^="2023"]');
  await page.waitForURL(/year=2023/);
  await searched(page);
  const y2023 = await total(page);
  check(y2023 > 0 && y2023 < all, `2023: ${y2023}`);
  await page.waitForSelector('.facet-month');
  const month = page.locator('.facet-month input').first();
  await month.check();
  await page.waitForURL(/month=2023-/);
  await searched(page);
  const m = await total(page);
  check(m > 0 && m <= y2023, `a month of 2023: ${m} of ${y2023}`);
  // Author and type.
  await page.click('.chips .clear');
  await searched(page);
  await page.check('#facet-author-dogacan-basaran');
  await page.waitForURL(/author=dogacan-basaran/);
  await searched(page);
  const byAuthor = await total(page);
  check(byAuthor >= 3, `Doğacan Başaran: ${byAuthor}`);
  await page.check('#facet-type-author');
  await page.waitForURL(/type=author/);
  await searched(page);
  check(await total(page) >= 1, 'the author is not among the results');
  check((await results(page)).every(h => h.startsWith('/authors/')), 'type=author lists articles');
});

await scenario('the URL holds the state and the back button goes back', async page => {
  await page.goto(`${base}/?q=Kazakhstan&country=KZ`);
  await searched(page);
  check(await page.inputValue('#q') === 'Kazakhstan', 'the query is not in the box');
  check(await page.isChecked('#facet-country-KZ'), 'the country from the URL is not checked');
  const first = await total(page);
  await page.check('#facet-lang-ru');
  await page.waitForURL(/lang=ru/);
  await searched(page);
  await page.fill('#q', 'energy');
  await page.press('#q', 'Enter');
  await page.waitForURL(/q=energy/);
  await searched(page);
  check(new URL(page.url()).searchParams.getAll('country').join() === 'KZ', 'a new query lost the filters');
  await page.goBack();
  await page.waitForURL(/q=Kazakhstan/);
  await searched(page);
  check(await page.inputValue('#q') === 'Kazakhstan', 'back did not restore the query');
  await page.goBack();
  await page.waitForURL(u => !u.search.includes('lang='));
  await searched(page);
  check(!(await page.isChecked('#facet-lang-ru')), 'back did not undo the language filter');
  check(await total(page) === first, 'back did not give the same results');
  await page.goForward();
  await page.waitForURL(/lang=ru/);
  // A shared link opens the same search in a new page.
  const url = page.url();
  const other = await newPage();
  await other.goto(url);
  await searched(other);
  check(await other.isChecked('#facet-lang-ru') && await other.inputValue('#q') === 'Kazakhstan', 'the link does not reopen the search');
  await other.context().close();
});

await scenario('the article view: language switch and footnotes both ways', async page => {
  await page.goto(`${base}/articles/china-central-asia-c5-summit-2023`);
  await settled(page);
  await page.waitForSelector('article.article h1');
  check(await page.getAttribute('article.article', 'lang') === 'en', 'the English page does not open in English');
  const enTitle = await page.textContent('article.article h1');
  const switchLinks = await page.$$eval('.lang-switch a', as => as.map(a => a.getAttribute('hreflang')));
  check(['en', 'ru', 'tr', 'zh'].every(l => switchLinks.includes(l)), `switcher offers ${switchLinks}`);
  await page.click('.lang-switch a[hreflang=tr]');
  await page.waitForURL(/lang=tr/);
  await settled(page);
  await page.waitForSelector('article.article[lang=tr]');
  const trTitle = await page.textContent('article.article h1');
  check(trTitle !== enTitle, 'the Turkish title is the English one');
  // Footnote 1: from the text to the note, and back.
  const ref = page.locator('.body sup.fnref a').first();
  const n = (await ref.textContent()).trim();
  await ref.click();
  await page.waitForURL(new RegExp(`#fn-${n}$`));
  const note = page.locator(`#fn-${n}`);
  check(await note.isVisible(), `note ${n} is not shown`);
  check(await page.evaluate(k => document.querySelector(`#fn-${k}`).matches(':target'), n), 'the note is not the target');
  await note.locator('a.backref').click();
  await page.waitForURL(new RegExp(`#fnref-${n}$`));
  check(await page.evaluate(k => document.activeElement?.id === `fnref-${k}` || document.querySelector(`#fnref-${k}`).matches(':target'), n),
    'the back link does not lead to the marker');
  // Notes show their sources and access dates (note 1: AKI Press, 20 May
  // 2023), the date once: the note's text gives it, so none is added.
  const first = await page.textContent('#fn-1');
  check(first.includes('Kazakhstan to host next China-Central Asia Summit in 2025') && first.includes('AKI Press'), `note 1 reads ${first}`);
  check(first.split('2023').length - 1 === 1 && first.includes('20.05.2023'), `note 1 gives its access date other than once: ${first}`);
  check(await page.locator('#fn-1 .accessed').count() === 0, 'note 1 has its access date added again');
  // The author card: the biography (Turkish only) labelled as the original
  // on the English interface; more by the author; more on these countries.
  check(await page.locator('.author-card .bio[lang=tr]').count() === 1, 'no Turkish biography on the card');
  check(await page.locator('.author-card .bio-label').count() === 1, 'the biography is not labelled as the original');
  check(await page.locator('.more-by-author li').count() >= 2, 'no "more by this author"');
  check(await page.locator('.more-countries li').count() >= 1, 'no "more on these countries"');
  check(!(await page.$$eval('.more-countries a', as => as.some(a => a.getAttribute('href').includes('china-central-asia-c5-summit-2023')))),
    'the article is among its own related reading');
});

await scenario('names across scripts and suggestions in the reader\'s language', async page => {
  // Ирина Соколова, by her name in Latin letters; Doğacan Başaran in Cyrillic.
  await page.goto(`${base}/?q=Sokolova`);
  await searched(page);
  check((await results(page)).includes('/authors/irina-sokolova'), `Sokolova finds ${await results(page)}`);
  await page.goto(`${base}/?q=${encodeURIComponent('Башаран')}`);
  await searched(page);
  check((await results(page)).includes('/authors/dogacan-basaran'), `Башаран finds ${await results(page)}`);
  // A country by a transliteration of its Russian name.
  await page.goto(`${base}/?q=${encodeURIComponent('country:Kazahstan')}`);
  await searched(page);
  check(await total(page) >= 2, 'country:Kazahstan finds nothing');
  // Typing a Latin prefix offers the Cyrillic name.
  await page.fill('#q', '');
  await page.type('#q', 'Sokol', { delay: 20 });
  await page.waitForSelector('#suggestions [role=option]');
  check((await page.textContent('#suggestions')).includes('Ирина Соколова'), `suggestions for Sokol: ${await page.textContent('#suggestions')}`);
  // Country suggestions in the interface language.
  await page.selectOption('#ui-lang', 'tr');
  await page.waitForFunction(() => document.documentElement.lang === 'tr');
  await page.fill('#q', '');
  await page.type('#q', 'Kaz', { delay: 20 });
  await page.waitForFunction(() => document.querySelector('#suggestions').textContent.includes('Kazakistan'));
  check(!(await page.textContent('#suggestions')).includes('Kazachst'), `suggestions for Kaz: ${await page.textContent('#suggestions')}`);
});

await scenario('the author page', async page => {
  await page.goto(`${base}/articles/china-central-asia-c5-summit-2023`);
  await page.waitForSelector('.meta a[href^="/authors/"]');
  await page.click('.meta a[href^="/authors/"]');
  await page.waitForURL(/\/authors\/dogacan-basaran$/);
  await settled(page);
  await page.waitForSelector('.author-page h1');
  check((await page.textContent('.author-page h1')).includes('Doğacan Başaran'), 'the name is not the heading');
  check(await page.locator('.bio-lang .bio[lang=tr]').count() === 1, 'no Turkish biography');
  const dates = await page.$$eval('.author-articles time', ts => ts.map(t => t.getAttribute('datetime')));
  check(dates.length === 3, `${dates.length} articles listed`);
  check(dates.join() === [...dates].sort().reverse().join(), `articles not newest first: ${dates}`);
  check(await page.locator('.topics li').count() > 0, 'no topics');
  await page.goBack();
  await page.waitForURL(/\/articles\/china-central-asia-c5-summit-2023/);
  await settled(page);
  await page.waitForSelector('article.article h1');
  // An author with biographies in two languages.
  await page.goto(`${base}/authors/irina-sokolova`);
  await settled(page);
  await page.waitForSelector('.author-page h1');
  check(await page.locator('.bio-lang').count() === 2, 'not every biography is shown');
});

await scenario('the interface language switch', async page => {
  await page.goto(`${base}/?country=KZ`);
  await searched(page);
  check(await page.getAttribute('html', 'lang') === 'en', 'the page does not start in English');
  await page.selectOption('#ui-lang', 'tr');
  await page.waitForFunction(() => document.documentElement.lang === 'tr');
  await searched(page);
  check((await page.textContent('#search-form button')).trim() === 'Ara', 'the search button is not in Turkish');
  check((await page.textContent('#facet-country')).trim() === 'Ülke', 'the facet heading is not in Turkish');
  check((await page.textContent('#facet-country-KZ + label .facet-label')).trim() === 'Kazakistan', 'country names are not in Turkish');
  check(/sonuç/.test(await page.textContent('#results-heading')), 'the total is not in Turkish');
  await page.reload();
  await searched(page);
  check(await page.getAttribute('html', 'lang') === 'tr', 'the choice is not kept');
  // Russian from the browser's language, on a fresh page.
  const ru = await newPage(DESKTOP, 'ru-RU');
  await ru.goto(`${base}/articles/china-central-asia-c5-summit-2023`);
  await settled(ru);
  await ru.waitForSelector('article.article h1');
  check(await ru.getAttribute('html', 'lang') === 'ru', 'a Russian browser does not get the Russian interface');
  check((await ru.textContent('.footnotes h2')).trim() === 'Примечания', 'the notes heading is not in Russian');
  check(await ru.getAttribute('article.article', 'lang') === 'ru', 'the article does not open in the interface language');
  await ru.context().close();
});

await scenario('keyboard use', async page => {
  await page.goto(`${base}/`);
  await searched(page);
  await page.keyboard.press('Tab');
  check(await page.evaluate(() => document.activeElement.classList.contains('skip')), 'the first Tab does not reach the skip link');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  check(await page.evaluate(() => document.activeElement.id === 'q'), 'Tab does not reach the search box');
  await page.keyboard.type('Aral');
  await page.keyboard.press('Enter');
  await page.waitForURL(/q=Aral/);
  await searched(page);
  // Every control has a name a screen reader can read.
  const unnamed = await page.$$eval('input, select, button, a[href]', els => els.filter(e => {
    const label = e.labels && e.labels.length ? e.labels[0].textContent : '';
    return !(e.getAttribute('aria-label') || label.trim() || e.textContent.trim() || e.getAttribute('title'));
  }).map(e => e.outerHTML.slice(0, 80)));
  check(unnamed.length === 0, `controls without a name: ${unnamed.join(' | ')}`);
  // Focus is visible.
  await page.focus('#sort');
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  check(outline !== 'none', 'no visible focus');
});

await scenario('phone width', async page => {
  await page.setViewportSize(PHONE);
  await page.goto(`${base}/?q=Central%20Asia`);
  await searched(page);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(overflow <= 0, `the search page is ${overflow}px wider than the phone`);
  check(!(await page.getAttribute('#filters', 'open') !== null), 'the filters are open on a phone');
  await page.click('#filters summary');
  await page.check('#facet-country-KZ');
  await page.waitForURL(/country=KZ/);
  await searched(page);
  await page.click('.hit-title a >> nth=0');
  await settled(page);
  await page.waitForSelector('article.article h1');
  const articleOverflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(articleOverflow <= 0, `the article is ${articleOverflow}px wider than the phone`);
});

await scenario('record text never becomes markup', async page => {
  await page.goto(`${base}/?q=hostile`);
  await searched(page);
  const title = page.locator('.hit-title a', { hasText: '<script>' });
  check(await title.count() === 1, 'the hostile title is not shown as text');
  check((await title.textContent()).includes('<img src=x onerror='), 'the img tag of the title is not text');
  await title.click();
  await settled(page);
  await page.waitForSelector('article.article h1');
  check((await page.textContent('article.article h1')).includes('<script>'), 'the title on the article is not text');
  const body = await page.textContent('.body');
  check(body.includes('<script>window.__pwned') && body.includes('<img src=x onerror'), 'the raw HTML of the body is not shown as text');
  check(await page.locator('.body script, .body img, .body iframe, article [onerror], article [onclick]').count() === 0,
    'the body made elements');
  check((await page.textContent('.footnotes')).includes('<svg onload='), "the note's title is not text");
  check(await page.locator('.body a[href^="javascript"]').count() === 0, 'a javascript: link in the body');
  check((await page.textContent('.author-card')).includes('<b>'), "the author's name is not text");
  check(await page.evaluate(() => window.__pwned === undefined), 'a script of the record ran');
});

// Screenshots for people: the three views at both widths.
await scenario('an article\'s history and its versions', async page => {
  const id = 'china-central-asia-c5-summit-2023';
  await page.goto(`${base}/articles/${id}?lang=tr`);
  await settled(page);
  const changed = await page.textContent('.changed');
  check(/alice/.test(changed), `the article says "${changed}" of its last change`);
  await page.click('.changed a');
  await page.waitForURL(/\/history$/);
  await settled(page);
  const revisions = page.locator('.revisions > li');
  check(await revisions.count() >= 2, `${await revisions.count()} revisions listed`);
  const newest = await revisions.first().textContent();
  check(/alice/.test(newest) && /tr: title/.test(newest), `the newest revision reads "${newest}"`);
  // The version before alice's: the title as the first import had it.
  await revisions.nth(1).locator('a').click();
  await page.waitForURL(/revision=/);
  await settled(page);
  const version = await page.textContent('main');
  check(/Revision/.test(await page.textContent('h1')), 'no version heading');
  check(!/düzeltilmiş/.test(version) && /Çin-Orta Asya/.test(version), 'the older version shows the changed title');
  await page.click('text=Back to the history');
  await page.waitForURL(/\/history$/);
  await settled(page);
});

await scenario('screenshots', async page => {
  for (const [name, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
    await page.setViewportSize(viewport);
    await page.goto(`${base}/?q=Central%20Asia&country=KZ`);
    await searched(page);
    await page.screenshot({ path: join(shots, `search-${name}.png`), fullPage: name === 'desktop' });
    await page.goto(`${base}/articles/china-central-asia-c5-summit-2023?lang=tr`);
    await page.waitForSelector('.author-card');
    await page.waitForLoadState('networkidle');
    await page.screenshot({ path: join(shots, `article-${name}.png`) });
    await page.goto(`${base}/authors/irina-sokolova`);
    await settled(page);
    await page.waitForSelector('.author-page h1');
    await page.screenshot({ path: join(shots, `author-${name}.png`) });
  }
});

await finish();
