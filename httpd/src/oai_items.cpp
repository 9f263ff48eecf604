// OAI-PMH items (oai.hpp): an article's datestamp, sets and metadata.
#include <algorithm>
#include <set>

#include "defter/indexer/gazetteer.hpp"
#include "defter/indexer/labels.hpp"
#include "oai.hpp"
#include "xml_text.hpp"

namespace defter::httpd::oai {

using detail::xml_text;

namespace {

// A date as precise as the archive knows it, as a datestamp: its first
// second ("2023-05" is 2023-05-01T00:00:00Z).
std::string datestamp_of_date(std::string date) {
  if (date.empty()) return "1970-01-01T00:00:00Z";
  if (date.size() == 4) date += "-01";
  if (date.size() == 7) date += "-01";
  return date + "T00:00:00Z";
}

std::vector<std::string> sets_of(const schema::Article& a,
                                 const std::vector<std::string>& languages) {
  std::set<std::string> out;
  for (const auto& c : a.countries) out.insert("country:" + c);
  for (const auto& id : a.authors) out.insert("author:" + id);
  for (const auto& lang : languages) out.insert("language:" + lang);
  return {out.begin(), out.end()};
}

// The translations' languages, the original first.
std::vector<std::string> in_order(const schema::Article& a) {
  std::vector<std::string> out;
  if (a.translations.count(a.original_language)) out.push_back(a.original_language);
  for (const auto& [lang, t] : a.translations)
    if (lang != a.original_language) out.push_back(lang);
  return out;
}

std::string element(const std::string& name, const std::string& text,
                    const std::string& attrs = "") {
  return "<" + name + attrs + ">" + xml_text(text, true, false) + "</" + name + ">";
}

std::string attr(const std::string& name, const std::string& value) {
  return " " + name + "=\"" + xml_text(value) + "\"";
}

std::string article_url(const std::string& base, const std::string& id) {
  return base + "/articles/" + id;
}

}  // namespace

const ItemReader::Known& ItemReader::known(const std::string& id) {
  auto it = authors_.find(id);
  if (it != authors_.end()) return it->second;
  Known k;
  if (auto a = archive_.author(id); a.ok()) k.author = std::move(*a);
  if (auto last = archive_.last_revision(schema::RecordType::kAuthor, id); last.ok() && *last)
    k.changed = (*last)->at;
  return authors_.emplace(id, std::move(k)).first->second;
}

const schema::Author* ItemReader::author(const std::string& id) {
  const Known& k = known(id);
  return k.author ? &*k.author : nullptr;
}

Result<Item> ItemReader::item(const archive::Reader::RecordStamp& stamp) {
  Item item;
  item.id = stamp.id;
  item.deleted = !stamp.exists;
  if (item.deleted) {
    // A record the archive does not hold has a revision: its deletion.
    item.datestamp = stamp.last ? stamp.last->at : datestamp_of_date("");
    if (stamp.last && stamp.last->number > 1) {
      auto before =
          archive_.version(schema::RecordType::kArticle, stamp.id, stamp.last->number - 1);
      if (before.ok() && *before)
        if (const auto* a = std::get_if<schema::Article>(&**before)) {
          std::vector<std::string> languages;
          for (const auto& [lang, t] : a->translations) languages.push_back(lang);
          item.sets = sets_of(*a, languages);
        }
    }
    return item;
  }
  auto a = archive_.article(stamp.id, false);
  if (!a) return a.status();
  item.datestamp = stamp.last ? stamp.last->at : datestamp_of_date(a->published);
  // A change of an author's name or affiliation changes the item's metadata.
  for (const auto& id : a->authors) item.datestamp = std::max(item.datestamp, known(id).changed);
  item.sets = sets_of(*a, archive_.translation_languages(stamp.id));
  return item;
}

bool in_set(const Item& item, const std::string& spec) {
  return std::any_of(item.sets.begin(), item.sets.end(), [&](const std::string& s) {
    return s == spec || (s.size() > spec.size() && s.compare(0, spec.size(), spec) == 0 &&
                         s[spec.size()] == ':');
  });
}

std::string oai_dc(const schema::Article& a, ItemReader& reader, const std::string& base) {
  const auto& gazetteer = indexer::Gazetteer::instance();
  std::string out =
      "<oai_dc:dc xmlns:oai_dc=\"http://www.openarchives.org/OAI/2.0/oai_dc/\" "
      "xmlns:dc=\"http://purl.org/dc/elements/1.1/\" "
      "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
      "xsi:schemaLocation=\"http://www.openarchives.org/OAI/2.0/oai_dc/ "
      "http://www.openarchives.org/OAI/2.0/oai_dc.xsd\">\n";
  auto dc = [&](const std::string& name, const std::string& text, const std::string& lang = "") {
    out += "  " + element("dc:" + name, text, lang.empty() ? "" : attr("xml:lang", lang)) + "\n";
  };
  const auto languages = in_order(a);
  for (const auto& lang : languages) dc("title", a.translations.at(lang).title, lang);
  for (const auto& id : a.authors) {
    const schema::Author* author = reader.author(id);
    dc("creator", author ? author->name : id);
  }
  for (const auto& lang : languages)
    if (const auto& t = a.translations.at(lang); t.translator)
      dc("contributor", *t.translator, lang);
  for (const auto& code : a.countries) dc("subject", gazetteer.label(code, "en"), "en");
  for (const auto& tag : a.tags) dc("subject", tag);
  for (const auto& lang : languages)
    if (const auto& t = a.translations.at(lang); t.subtitle) dc("description", *t.subtitle, lang);
  if (!a.published.empty()) dc("date", a.published);
  dc("type", "Text");
  dc("format", "text/html");
  dc("identifier", article_url(base, a.id));
  if (a.source_url) dc("source", *a.source_url);
  for (const auto& lang : languages) dc("language", lang);
  for (const auto& lang : languages) dc("relation", article_url(base, a.id) + "?lang=" + lang);
  for (const auto& code : a.countries) dc("coverage", code);
  out += "</oai_dc:dc>";
  return out;
}

std::string article_xml(const schema::Article& a, ItemReader& reader, const std::string& base) {
  const auto& gazetteer = indexer::Gazetteer::instance();
  std::string out =
      "<article xmlns=\"" + std::string(kArticleNamespace) +
      "\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:schemaLocation=\"" +
      kArticleNamespace + " " + base + kArticleSchemaPath + "\"" + attr("id", a.id) +
      (a.published.empty() ? "" : attr("published", a.published)) +
      attr("originalLanguage", a.original_language) + ">\n";
  out += "  " + element("url", article_url(base, a.id)) + "\n";
  for (const auto& id : a.authors) {
    const schema::Author* author = reader.author(id);
    out += "  <author" + attr("id", id) + ">\n";
    out += "    " + element("name", author ? author->name : id) + "\n";
    if (author && author->honorific)
      out += "    " + element("honorific", *author->honorific) + "\n";
    if (author && author->affiliation)
      out += "    " + element("affiliation", *author->affiliation) + "\n";
    if (author)
      for (const auto& [lang, bio] : author->bio)
        out += "    " + element("biography", bio, attr("lang", lang)) + "\n";
    out += "  </author>\n";
  }
  for (const auto& code : a.countries)
    out += "  " + element("country", gazetteer.label(code, "en"), attr("code", code)) + "\n";
  for (const auto& tag : a.tags) out += "  " + element("tag", tag) + "\n";
  if (a.source_url) out += "  " + element("source", *a.source_url) + "\n";
  for (const auto& lang : in_order(a)) {
    const schema::Translation& t = a.translations.at(lang);
    out += "  <translation" + attr("lang", lang) +
           (lang == a.original_language ? attr("original", "true") : "") + ">\n";
    out += "    " + element("title", t.title) + "\n";
    if (t.subtitle) out += "    " + element("subtitle", *t.subtitle) + "\n";
    if (t.translator) out += "    " + element("translator", *t.translator) + "\n";
    if (t.modified) out += "    " + element("modified", *t.modified) + "\n";
    out += "    " + element("url", article_url(base, a.id) + "?lang=" + lang) + "\n";
    out += "    " + element("body", t.body, attr("format", "text/markdown")) + "\n";
    for (const auto& note : t.footnotes) {
      out += "    <footnote" + attr("n", std::to_string(note.n)) + ">\n";
      out += "      " + element("text", note.text) + "\n";
      if (note.title) out += "      " + element("title", *note.title) + "\n";
      if (note.publisher) out += "      " + element("publisher", *note.publisher) + "\n";
      if (note.url) out += "      " + element("url", *note.url) + "\n";
      if (note.accessed) out += "      " + element("accessed", *note.accessed) + "\n";
      out += "    </footnote>\n";
    }
    out += "  </translation>\n";
  }
  out += "</article>";
  return out;
}

Result<std::vector<std::pair<std::string, std::string>>> all_sets(const archive::Reader& archive) {
  std::set<std::string> countries, languages;
  // The articles' metadata, and the keys of their translations: no text read.
  Status st = archive.for_each_article(
      [&](const schema::Article& a) {
        countries.insert(a.countries.begin(), a.countries.end());
        for (auto& lang : archive.translation_languages(a.id)) languages.insert(std::move(lang));
        return true;
      },
      false);
  if (!st.ok()) return st;
  std::vector<std::pair<std::string, std::string>> out = {
      {"author", "Authors"},
      {"country", "Countries (the articles' subjects)"},
      {"language", "Languages"}};
  const auto& gazetteer = indexer::Gazetteer::instance();
  for (const auto& c : countries) out.emplace_back("country:" + c, gazetteer.label(c, "en"));
  for (const auto& l : languages)
    out.emplace_back("language:" + l, indexer::language_label(l, "en"));
  st = archive.for_each_author([&](const schema::Author& a) {
    out.emplace_back("author:" + a.id, a.name);
    return true;
  });
  if (!st.ok()) return st;
  std::sort(out.begin(), out.end());
  return out;
}

Result<std::string> earliest_datestamp(const archive::Reader& archive) {
  std::string earliest;
  Status bad;
  Status st =
      archive.for_each_record_stamp(schema::RecordType::kArticle, "", [&](const auto& stamp) {
        std::string at;
        if (stamp.last) {
          at = stamp.last->at;
        } else {  // written before revisions were kept: its publication date
          auto a = archive.article(stamp.id, false);
          if (!a) {
            bad = a.status();
            return false;
          }
          at = datestamp_of_date(a->published);
        }
        if (earliest.empty() || at < earliest) earliest = at;
        return true;
      });
  if (!st.ok()) return st;
  if (!bad.ok()) return bad;
  return earliest;
}

}  // namespace defter::httpd::oai
