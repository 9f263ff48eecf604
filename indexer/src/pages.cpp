#include "defter/indexer/pages.hpp"

#include <cmark.h>

#include <algorithm>
#include <cstdlib>
#include <vector>

#include "defter/indexer/gazetteer.hpp"
#include "defter/schema/footnotes.hpp"

namespace defter::indexer {

using nlohmann::json;

std::string commonmark_html(const std::string& text) {
  cmark_node* doc = cmark_parse_document(text.data(), text.size(), CMARK_OPT_DEFAULT | CMARK_OPT_VALIDATE_UTF8);
  if (!doc) return {};
  std::vector<cmark_node*> raw;
  cmark_iter* it = cmark_iter_new(doc);
  for (cmark_event_type ev; (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE;) {
    cmark_node* n = cmark_iter_get_node(it);
    auto type = cmark_node_get_type(n);
    if (ev == CMARK_EVENT_ENTER && (type == CMARK_NODE_HTML_BLOCK || type == CMARK_NODE_HTML_INLINE)) raw.push_back(n);
  }
  cmark_iter_free(it);
  for (cmark_node* n : raw) {
    const char* literal = cmark_node_get_literal(n);
    std::string content = literal ? literal : "";
    cmark_node* text_node = cmark_node_new(CMARK_NODE_TEXT);
    cmark_node* replacement = text_node;
    if (cmark_node_get_type(n) == CMARK_NODE_HTML_BLOCK) {
      while (!content.empty() && content.back() == '\n') content.pop_back();
      replacement = cmark_node_new(CMARK_NODE_PARAGRAPH);
      cmark_node_append_child(replacement, text_node);
    }
    cmark_node_set_literal(text_node, content.c_str());
    cmark_node_replace(n, replacement);
    cmark_node_free(n);
  }
  char* html = cmark_render_html(doc, CMARK_OPT_DEFAULT);
  cmark_node_free(doc);
  if (!html) return {};
  std::string out(html);
  std::free(html);
  return out;
}

Result<ArticleView> article_view(const archive::Reader& archive, const std::string& id, const std::string& lang,
                                 const std::string& ui_lang, Searcher* searcher) {
  auto a = archive.article(id);
  if (!a) return a.status();
  if (a->translations.empty()) return Status(Code::kNotFound, "article '" + id + "' has no translation yet");
  auto chosen = a->translations.find(lang);
  if (chosen == a->translations.end()) chosen = a->translations.find(ui_lang);
  if (chosen == a->translations.end()) chosen = a->translations.find(a->original_language);
  if (chosen == a->translations.end()) chosen = a->translations.begin();
  const schema::Translation& t = chosen->second;
  json languages = json::array();
  for (const auto& [l, unused] : a->translations) languages.push_back(l);
  json authors = json::array();
  for (const auto& author_id : a->authors) {
    json one = {{"id", author_id}, {"name", author_id}};
    if (auto au = archive.author(author_id); au.ok()) {
      one["name"] = au->name;
      if (au->honorific) one["honorific"] = *au->honorific;
    }
    authors.push_back(std::move(one));
  }
  // The record's countries, then those its texts name (from the index).
  const auto& gazetteer = Gazetteer::instance();
  json countries = json::array();
  for (const auto& code : a->countries)
    countries.push_back({{"code", code}, {"name", gazetteer.label(code, ui_lang)}, {"subject", true}});
  ArticleCountries found;
  if (searcher)
    if (auto c = searcher->countries(id); c.ok()) found = std::move(*c);
  for (const auto& code : found.mentioned)
    if (std::find(a->countries.begin(), a->countries.end(), code) == a->countries.end())
      countries.push_back({{"code", code}, {"name", gazetteer.label(code, ui_lang)}, {"subject", false}});
  // Each note as stored, and whether its text already shows its access
  // date (the page then does not add it again).
  json notes = json::array();
  for (const auto& f : t.footnotes) {
    json n = f;
    if (f.accessed) n["accessed_in_text"] = schema::read_footnote(f.text).accessed.has_value();
    notes.push_back(std::move(n));
  }
  json translation = {{"title", t.title}, {"body_html", commonmark_html(t.body)}, {"footnotes", std::move(notes)}};
  if (t.subtitle) translation["subtitle"] = *t.subtitle;
  if (t.translator) translation["translator"] = *t.translator;
  if (t.modified) translation["modified"] = *t.modified;
  ArticleView view;
  view.body = {{"id", a->id},         {"published", a->published}, {"original_language", a->original_language},
               {"languages", languages}, {"lang", chosen->first},  {"authors", authors},
               {"countries", countries}, {"tags", a->tags},        {"translation", translation}};
  if (a->source_url) view.body["source_url"] = *a->source_url;
  view.complete = found.indexed;
  return view;
}

Result<json> author_page(const archive::Reader& archive, const std::string& id) {
  auto a = archive.author(id);
  if (!a) return a.status();
  json body = *a;
  body["articles"] = json::array();
  std::vector<json> articles;
  for (const auto& article_id : archive.articles_by_author(id)) {
    auto art = archive.article(article_id);
    if (!art) continue;  // deleted since the index row was read: same transaction, cannot happen
    json item = {{"id", art->id}, {"published", art->published}, {"original_language", art->original_language},
                 {"languages", json::array()}, {"title", ""}};
    for (const auto& [l, t] : art->translations) item["languages"].push_back(l);
    auto original = art->translations.find(art->original_language);
    if (original == art->translations.end()) original = art->translations.begin();
    if (original != art->translations.end()) item["title"] = original->second.title;
    articles.push_back(std::move(item));
  }
  std::stable_sort(articles.begin(), articles.end(), [](const json& x, const json& y) {
    return x["published"].get<std::string>() > y["published"].get<std::string>();
  });
  for (auto& item : articles) body["articles"].push_back(std::move(item));
  return body;
}

}  // namespace defter::indexer
