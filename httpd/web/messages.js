// defter's staff page: the interface's own words in each interface
// language, and what the other scripts read from them (loaded first;
// app.js chooses the language).
'use strict';

// ---- the interface's own words -------------------------------------------

const MESSAGES = {
  en: {
    skip: 'Skip to content', search_label: 'Search the archive', search_button: 'Search',
    ui_language: 'Interface language', results: n => `${n} ${n === 1 ? 'result' : 'results'}`,
    results_about: n => `about ${n} results`, no_results: 'Nothing matches this search.',
    did_you_mean: 'Did you mean', sort: 'Sort', sort_relevance: 'Relevance', sort_newest: 'Newest first',
    sort_oldest: 'Oldest first', filters: 'Filters', selected_filters: 'Selected filters',
    remove_filter: v => `Remove filter ${v}`, clear_filters: 'Clear all',
    facet_country: 'Country', facet_year: 'Year', facet_month: 'Month', facet_author: 'Author',
    facet_lang: 'Language', facet_type: 'Type', type_article: 'Article', type_author: 'Author',
    previous: 'Previous', next: 'Next', page: (p, n) => `Page ${p} of ${n}`, pagination: 'Pages',
    languages: 'Languages', read_in: 'Read in', by: 'By', published: 'Published', undated: 'undated', countries: 'Countries',
    footnotes: 'Notes', back_to_text: n => `Back to the text of note ${n}`, note: n => `Note ${n}`,
    accessed: d => `accessed ${d}`, translator: t => `Translated by ${t}`, source: 'Source',
    about_author: 'About the author', bio_original: lang => `Biography in the original language (${lang})`,
    no_bio: 'No biography yet.', more_by_author: 'More by this author', more_on_countries: 'More on these countries',
    author_page: 'Author', topics: 'Topics', biography: 'Biography', articles_by_date: 'Articles, newest first',
    affiliation: 'Affiliation', loading: 'Loading…', error: 'Something went wrong', not_found: 'Not found',
    retry: 'Try again', suggestions: 'Suggestions', kind_title: 'Article', kind_author: 'Author', kind_country: 'Country',
    open_article: 'Open the article', years_chart: 'Articles by year', none: 'none',
    last_changed: (d, who) => `Last changed ${d}${who ? ` by ${who}` : ''}`, history: 'History',
    history_of: title => `History of “${title}”`, revision: n => `Revision ${n}`, view_version: 'View this version',
    version_of: (n, title) => `Revision ${n} of “${title}”`, back_to_history: 'Back to the history',
    back_to_article: 'Back to the article', change_added: 'added', change_replaced: 'changed', change_deleted: 'deleted',
    no_revisions: 'No changes recorded since revisions were kept.', not_at_revision: 'It did not exist at this revision.',
  },
  tr: {
    skip: 'İçeriğe geç', search_label: 'Arşivde ara', search_button: 'Ara',
    ui_language: 'Arayüz dili', results: n => `${n} sonuç`, results_about: n => `yaklaşık ${n} sonuç`,
    no_results: 'Bu aramaya uyan bir şey yok.', did_you_mean: 'Bunu mu demek istediniz', sort: 'Sırala',
    sort_relevance: 'İlgi', sort_newest: 'Önce en yeni', sort_oldest: 'Önce en eski', filters: 'Süzgeçler',
    selected_filters: 'Seçili süzgeçler', remove_filter: v => `${v} süzgecini kaldır`, clear_filters: 'Tümünü temizle',
    facet_country: 'Ülke', facet_year: 'Yıl', facet_month: 'Ay', facet_author: 'Yazar', facet_lang: 'Dil',
    facet_type: 'Tür', type_article: 'Makale', type_author: 'Yazar', previous: 'Önceki', next: 'Sonraki',
    page: (p, n) => `Sayfa ${p} / ${n}`, pagination: 'Sayfalar', languages: 'Diller', read_in: 'Şu dilde oku',
    by: 'Yazar', published: 'Yayın', undated: 'tarihsiz', countries: 'Ülkeler', footnotes: 'Notlar',
    back_to_text: n => `${n}. notun metnine dön`, note: n => `Not ${n}`, accessed: d => `erişim ${d}`,
    translator: t => `Çeviren: ${t}`, source: 'Kaynak', about_author: 'Yazar hakkında',
    bio_original: lang => `Özgeçmiş özgün dilinde (${lang})`, no_bio: 'Henüz özgeçmiş yok.',
    more_by_author: 'Yazarın diğer yazıları', more_on_countries: 'Bu ülkeler üzerine diğer yazılar',
    author_page: 'Yazar', topics: 'Konular', biography: 'Özgeçmiş', articles_by_date: 'Yazılar, en yeniden',
    affiliation: 'Kurum', loading: 'Yükleniyor…', error: 'Bir sorun çıktı', not_found: 'Bulunamadı',
    retry: 'Yeniden dene', suggestions: 'Öneriler', kind_title: 'Makale', kind_author: 'Yazar', kind_country: 'Ülke',
    open_article: 'Makaleyi aç', years_chart: 'Yıllara göre yazılar', none: 'yok',
    last_changed: (d, who) => `Son değişiklik ${d}${who ? `, ${who}` : ''}`, history: 'Geçmiş',
    history_of: title => `“${title}” geçmişi`, revision: n => `Sürüm ${n}`, view_version: 'Bu sürümü göster',
    version_of: (n, title) => `“${title}”, sürüm ${n}`, back_to_history: 'Geçmişe dön',
    back_to_article: 'Makaleye dön', change_added: 'eklendi', change_replaced: 'değiştirildi', change_deleted: 'silindi',
    no_revisions: 'Sürümler tutulmaya başlandığından beri değişiklik yok.', not_at_revision: 'Bu sürümde yoktu.',
  },
  ru: {
    skip: 'К содержанию', search_label: 'Поиск по архиву', search_button: 'Найти',
    ui_language: 'Язык интерфейса',
    results: n => `${n} ${plural_ru(n, 'результат', 'результата', 'результатов')}`,
    results_about: n => `около ${n} ${plural_ru(n, 'результата', 'результатов', 'результатов')}`,
    no_results: 'По этому запросу ничего не найдено.', did_you_mean: 'Возможно, вы имели в виду', sort: 'Порядок',
    sort_relevance: 'По релевантности', sort_newest: 'Сначала новые', sort_oldest: 'Сначала старые',
    filters: 'Фильтры', selected_filters: 'Выбранные фильтры', remove_filter: v => `Убрать фильтр ${v}`,
    clear_filters: 'Сбросить все', facet_country: 'Страна', facet_year: 'Год', facet_month: 'Месяц',
    facet_author: 'Автор', facet_lang: 'Язык', facet_type: 'Тип', type_article: 'Статья', type_author: 'Автор',
    previous: 'Назад', next: 'Вперёд', page: (p, n) => `Страница ${p} из ${n}`, pagination: 'Страницы',
    languages: 'Языки', read_in: 'Читать на', by: 'Автор', published: 'Опубликовано', undated: 'без даты', countries: 'Страны',
    footnotes: 'Примечания', back_to_text: n => `Вернуться к тексту примечания ${n}`, note: n => `Примечание ${n}`,
    accessed: d => `дата обращения ${d}`, translator: t => `Перевод: ${t}`, source: 'Источник',
    about_author: 'Об авторе', bio_original: lang => `Биография на языке оригинала (${lang})`,
    no_bio: 'Биографии пока нет.', more_by_author: 'Другие статьи автора', more_on_countries: 'Ещё об этих странах',
    author_page: 'Автор', topics: 'Темы', biography: 'Биография', articles_by_date: 'Статьи, сначала новые',
    affiliation: 'Организация', loading: 'Загрузка…', error: 'Что-то пошло не так', not_found: 'Не найдено',
    retry: 'Повторить', suggestions: 'Подсказки', kind_title: 'Статья', kind_author: 'Автор', kind_country: 'Страна',
    open_article: 'Открыть статью', years_chart: 'Статьи по годам', none: 'нет',
    last_changed: (d, who) => `Изменено ${d}${who ? `, ${who}` : ''}`, history: 'История',
    history_of: title => `История: «${title}»`, revision: n => `Версия ${n}`, view_version: 'Показать эту версию',
    version_of: (n, title) => `«${title}», версия ${n}`, back_to_history: 'К истории',
    back_to_article: 'К статье', change_added: 'добавлено', change_replaced: 'изменено', change_deleted: 'удалено',
    no_revisions: 'С тех пор как хранятся версии, изменений не было.', not_at_revision: 'В этой версии статьи не было.',
  },
};
const UI_LANGS = Object.keys(MESSAGES);
const RTL_LANGS = new Set(['ar', 'fa', 'he', 'ur', 'ps', 'yi', 'dv', 'ckb']);

function plural_ru(n, one, few, many) {
  const m10 = n % 10, m100 = n % 100;
  if (m10 === 1 && m100 !== 11) return one;
  if (m10 >= 2 && m10 <= 4 && (m100 < 12 || m100 > 14)) return few;
  return many;
}
