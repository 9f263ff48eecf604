// The data of the staff page's views, built from the archive and the index
// by the library: the HTTP handlers (GET /api/v1/articles/ID/view and
// /api/v1/authors/ID) serialise it, tests call it directly.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "defter/archive/archive.hpp"
#include "defter/indexer/search.hpp"
#include "defter/schema/status.hpp"

namespace defter::indexer {

// CommonMark to the HTML of an article view (`body_html`). Raw HTML in the
// text is shown as text, as an archivist wrote it (an article may quote
// "<script>"): cmark's HTML nodes become text nodes before rendering, and
// cmark's safe rendering empties links to javascript:, vbscript:, file: and
// data: (but images). The result holds only cmark's own elements.
std::string commonmark_html(const std::string& text);

struct ArticleView {
  nlohmann::json body;  // ArticleView in schema/openapi.json
  // False while the index has not seen the article yet: the countries its
  // text names are missing, and the view will change without the archive
  // changing (not to be cached).
  bool complete = false;
};

// An article as the staff page shows it: one translation (`lang` if it
// exists, else the one in `ui_lang`, else the original, else the first),
// its body as HTML, its footnotes (each saying whether its text already
// shows its access date), its authors' names, its countries (the record's,
// then those its texts name, from `searcher` when given) named in
// `ui_lang`. kNotFound when there is no such article, or it has no
// translation yet.
Result<ArticleView> article_view(const archive::Reader& archive, const std::string& id, const std::string& lang,
                                 const std::string& ui_lang, Searcher* searcher);

// An author as the staff page shows them: the record, and `articles`: each
// article naming them (id, published, original_language, languages, the
// original's title), newest first. kNotFound when there is no such author.
Result<nlohmann::json> author_page(const archive::Reader& archive, const std::string& id);

}  // namespace defter::indexer
