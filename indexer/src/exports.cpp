#include "defter/indexer/exports.hpp"

#include <map>
#include <nlohmann/json.hpp>
#include <vector>

#include "defter/indexer/gazetteer.hpp"

namespace defter::indexer {

namespace {

using nlohmann::json;

// What every format writes of an article.
struct Entry {
  std::string id, url, published, original_language, title;
  std::vector<std::pair<std::string, std::string>> others;  // (lang, title) of the other versions
  std::vector<std::string> languages, authors, countries, tags;
};

std::string joined(const std::vector<std::string>& items, const std::string& sep) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : sep) + i;
  return out;
}

// RFC 4180: quoted when it holds the separator, a quote or a line break.
std::string csv_cell(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string one_line(std::string text) {
  for (char& c : text)
    if (c == '\n' || c == '\r') c = ' ';
  return text;
}

// BibTeX: TeX's special characters written as TeX reads them back.
std::string tex(const std::string& text) {
  std::string out;
  for (char c : one_line(text)) {
    switch (c) {
      case '{':
        out += "\\{";
        break;
      case '}':
        out += "\\}";
        break;
      case '\\':
        out += "\\textbackslash{}";
        break;
      case '%':
      case '&':
      case '#':
      case '$':
      case '_':
        out += std::string("\\") + c;
        break;
      case '~':
        out += "\\textasciitilde{}";
        break;
      case '^':
        out += "\\textasciicircum{}";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::vector<int> date_parts(const std::string& date) {
  std::vector<int> parts;
  for (std::size_t at = 0; at < date.size();) {
    std::size_t end = date.find('-', at);
    if (end == std::string::npos) end = date.size();
    parts.push_back(std::stoi(date.substr(at, end - at)));
    at = end + 1;
  }
  return parts;
}

void write_csv(const Entry& e, std::string& out) {
  std::vector<std::string> translated;
  for (const auto& [lang, title] : e.others) translated.push_back(lang + ": " + title);
  for (const std::string& cell :
       {e.id, e.title, joined(e.authors, "; "), e.published, e.original_language,
        joined(e.languages, "; "), joined(e.countries, "; "), joined(e.tags, "; "),
        joined(translated, "; "), e.url})
    out += csv_cell(cell) + ",";
  out.back() = '\r';
  out += '\n';
}

void write_ris(const Entry& e, std::string& out) {
  auto tag = [&](const char* name, const std::string& value) {
    if (!value.empty()) out += std::string(name) + "  - " + one_line(value) + "\r\n";
  };
  tag("TY", "RPRT");
  tag("ID", e.id);
  tag("TI", e.title);
  for (const auto& [lang, title] : e.others) tag("TT", title);  // RIS's translated title
  for (const auto& a : e.authors) tag("AU", a);
  if (!e.published.empty()) {
    tag("PY", e.published.substr(0, 4));
    std::string da = e.published;
    for (char& c : da)
      if (c == '-') c = '/';
    tag("DA", da + (e.published.size() == 10 ? "/" : e.published.size() == 7 ? "//" : "///"));
  }
  tag("LA", e.original_language);
  for (const auto& t : e.tags) tag("KW", t);
  for (const auto& c : e.countries) tag("KW", c);
  tag("UR", e.url);
  out += "ER  - \r\n\r\n";
}

void write_bibtex(const Entry& e, std::string& out) {
  static const char* kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                  "jul", "aug", "sep", "oct", "nov", "dec"};
  out += "@report{" + e.id + ",\n";
  auto field = [&](const char* name, const std::string& value) {
    if (!value.empty()) out += std::string("  ") + name + " = {" + value + "},\n";
  };
  field("title", tex(e.title));
  std::vector<std::string> names;
  for (const auto& a : e.authors) names.push_back(tex(a));
  field("author", joined(names, " and "));
  if (!e.published.empty()) {
    auto parts = date_parts(e.published);
    field("year", std::to_string(parts[0]));
    if (parts.size() > 1 && parts[1] >= 1 && parts[1] <= 12)
      out += std::string("  month = ") + kMonths[parts[1] - 1] + ",\n";
    field("date", e.published);
  }
  field("langid", e.original_language);
  std::vector<std::string> translated;
  for (const auto& [lang, title] : e.others) translated.push_back(lang + ": " + tex(title));
  if (!translated.empty()) field("note", "Also in " + joined(translated, "; "));
  std::vector<std::string> keywords;
  for (const auto& t : e.tags) keywords.push_back(tex(t));
  for (const auto& c : e.countries) keywords.push_back(tex(c));
  field("keywords", joined(keywords, ", "));
  field("url", e.url);
  out += "}\n\n";
}

json csl(const Entry& e) {
  json item = {{"id", e.id},
               {"type", "report"},
               {"title", e.title},
               {"language", e.original_language},
               {"URL", e.url}};
  json authors = json::array();
  for (const auto& a : e.authors) authors.push_back({{"literal", a}});
  if (!authors.empty()) item["author"] = authors;
  if (!e.published.empty())
    item["issued"] = {{"date-parts", json::array({date_parts(e.published)})}};
  std::vector<std::string> keywords = e.tags;
  keywords.insert(keywords.end(), e.countries.begin(), e.countries.end());
  if (!keywords.empty()) item["keyword"] = joined(keywords, ", ");
  std::vector<std::string> translated;
  for (const auto& [lang, title] : e.others) translated.push_back(lang + ": " + title);
  if (!translated.empty()) item["note"] = "Also in " + joined(translated, "; ");
  return item;
}

}  // namespace

std::optional<ExportFormat> parse_export_format(std::string_view name) {
  if (name == "csv") return ExportFormat::kCsv;
  if (name == "ris") return ExportFormat::kRis;
  if (name == "bibtex" || name == "bib") return ExportFormat::kBibtex;
  if (name == "csl" || name == "csl.json") return ExportFormat::kCsl;
  return std::nullopt;
}

const char* export_content_type(ExportFormat format) {
  switch (format) {
    case ExportFormat::kCsv:
      return "text/csv; charset=utf-8";
    case ExportFormat::kRis:
      return "application/x-research-info-systems; charset=utf-8";
    case ExportFormat::kBibtex:
      return "application/x-bibtex; charset=utf-8";
    case ExportFormat::kCsl:
      return "application/vnd.citationstyles.csl+json";
  }
  return "application/octet-stream";
}

const char* export_file_name(ExportFormat format) {
  switch (format) {
    case ExportFormat::kCsv:
      return "defter-search.csv";
    case ExportFormat::kRis:
      return "defter-search.ris";
    case ExportFormat::kBibtex:
      return "defter-search.bib";
    case ExportFormat::kCsl:
      return "defter-search.csl.json";
  }
  return "defter-search";
}

struct ExportStream::Impl {
  const archive::Reader& archive;
  ExportFormat format;
  std::string base_url;
  std::vector<std::string> ids;  // the articles the file holds, in the search's order
  std::uint64_t total = 0;
  std::size_t at = 0;  // the next of ids to write
  enum class Part { kHead, kEntries, kDone } part = Part::kHead;
  std::map<std::string, std::string> names;  // author id -> name

  Impl(const archive::Reader& a, ExportFormat f, std::string base) : archive(a), format(f), base_url(std::move(base)) {}

  // An article as an entry; none when it has no translation.
  Result<std::optional<Entry>> entry(const std::string& id) {
    auto article = archive.article(id);
    if (!article) return article.status();
    Entry e;
    e.id = article->id;
    e.url = base_url + "/articles/" + article->id;
    e.published = article->published;
    e.original_language = article->original_language;
    auto original = article->translations.find(article->original_language);
    if (original == article->translations.end()) original = article->translations.begin();
    if (original == article->translations.end()) return std::optional<Entry>();
    e.title = original->second.title;
    for (const auto& [lang, t] : article->translations) {
      e.languages.push_back(lang);
      if (lang != original->first) e.others.emplace_back(lang, t.title);
    }
    for (const auto& author : article->authors) {
      auto [it, fresh] = names.try_emplace(author, author);
      if (fresh)
        if (auto a = archive.author(author)) it->second = a->name;
      e.authors.push_back(it->second);
    }
    const auto& gazetteer = Gazetteer::instance();
    for (const auto& code : article->countries) e.countries.push_back(gazetteer.label(code, "en"));
    e.tags = article->tags;
    return std::optional<Entry>(std::move(e));
  }
};

ExportStream::ExportStream(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ExportStream::ExportStream(ExportStream&&) noexcept = default;
ExportStream::~ExportStream() = default;

Result<ExportStream> ExportStream::open(Searcher& searcher, const archive::Reader& archive, SearchRequest request,
                                        ExportFormat format, std::uint64_t limit, const std::string& base_url) {
  auto impl = std::make_unique<Impl>(archive, format, base_url);
  request.facets.clear();
  request.highlight = false;
  request.snippet_chars = 0;
  request.size = 100;
  request.filters["type"] = {"article"};
  for (request.page = 1; impl->ids.size() < limit; ++request.page) {
    auto found = searcher.search(request);
    if (!found) return found.status();
    impl->total = found->total;
    if (found->hits.empty()) break;
    for (const auto& hit : found->hits) {
      if (impl->ids.size() >= limit) break;
      // Written are the articles `archive` has with a translation: one
      // deleted since it was indexed is not, so the count holds.
      if (archive.translation_languages(hit.id).empty()) continue;
      impl->ids.push_back(hit.id);
    }
    if (found->hits.size() < request.size) break;
  }
  return ExportStream(std::move(impl));
}

std::uint64_t ExportStream::total() const { return impl_->total; }
std::uint64_t ExportStream::count() const { return impl_->ids.size(); }

Result<std::optional<std::string>> ExportStream::next(std::size_t articles) {
  Impl& m = *impl_;
  std::string out;
  switch (m.part) {
    case Impl::Part::kHead:
      m.part = Impl::Part::kEntries;
      if (m.format == ExportFormat::kCsv)
        out =
            "\xEF\xBB\xBF"
            "id,title,authors,published,original_language,languages,countries,tags,translations,"
            "url\r\n";
      if (m.format == ExportFormat::kCsl) out = "[";
      if (!out.empty()) return std::optional<std::string>(std::move(out));
      [[fallthrough]];
    case Impl::Part::kEntries:
      for (std::size_t n = 0; n < std::max<std::size_t>(articles, 1) && m.at < m.ids.size(); ++n) {
        auto e = m.entry(m.ids[m.at]);
        if (!e) return e.status();
        if (!*e) return Status(Code::kConflict, "article " + m.ids[m.at] + " lost its translations during the export");
        switch (m.format) {
          case ExportFormat::kCsv:
            write_csv(**e, out);
            break;
          case ExportFormat::kRis:
            write_ris(**e, out);
            break;
          case ExportFormat::kBibtex:
            write_bibtex(**e, out);
            break;
          case ExportFormat::kCsl:
            out += (m.at == 0 ? "\n" : ",\n") + csl(**e).dump();
            break;
        }
        ++m.at;
      }
      if (m.at == m.ids.size()) m.part = Impl::Part::kDone;
      if (m.part == Impl::Part::kDone && m.format == ExportFormat::kCsl) out += "\n]\n";
      if (out.empty() && m.part == Impl::Part::kDone) return std::optional<std::string>();
      return std::optional<std::string>(std::move(out));
    case Impl::Part::kDone:
      break;
  }
  return std::optional<std::string>();
}

}  // namespace defter::indexer
