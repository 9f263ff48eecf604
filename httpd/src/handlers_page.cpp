// What the staff page's HTML says before any script runs, for crawlers,
// reference managers (Zotero reads Highwire's citation_* tags and
// schema.org's JSON-LD), feed readers and browsers: an article's page
// carries its citation metadata and links to its other languages; a
// search (and the newest articles) is an Atom feed; /opensearch.xml lets a
// browser add the archive's search.
#include <algorithm>
#include <cctype>
#include <ctime>

#include "api_impl.hpp"
#include "xml_text.hpp"
#include "defter/indexer/gazetteer.hpp"

namespace defter::httpd {

namespace {

// An attribute's text ('"' escaped, an apostrophe kept).
std::string attr_escaped(const std::string& text) { return xml_text(text, false); }

std::string meta(const std::string& name, const std::string& content) {
  return "<meta name=\"" + name + "\" content=\"" + attr_escaped(content) + "\">\n";
}

// Highwire's date: YYYY/MM/DD, as precise as the archive knows it.
std::string highwire_date(std::string date) {
  std::replace(date.begin(), date.end(), '-', '/');
  return date;
}

// XML text: the five characters that are markup escaped.
std::string xml_escaped(const std::string& text) { return xml_text(text); }

// RFC 3339, as Atom needs it, of a date as precise as the archive knows it.
std::string atom_time(const std::string& date) {
  std::string full = date;
  if (full.size() == 4) full += "-01";
  if (full.size() == 7) full += "-01";
  return full + "T00:00:00Z";
}

}  // namespace

std::string detail::origin_of(const Request& req) {
  std::string host(req[http::field::host]);
  bool plain = !host.empty() && host.size() < 256 &&
               std::all_of(host.begin(), host.end(), [](unsigned char c) {
                 return std::isalnum(c) || c == '.' || c == '-' || c == ':' || c == '[' || c == ']';
               });
  return "http://" + (plain ? host : std::string("localhost"));
}

std::string detail::now_time() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}


Response ApiWorker::Impl::search_atom(const Request& req, const Params& params, bool newest) {
  Params given = params;
  if (newest) given = {{"sort", "newest"}, {"type", "article"}, {"size", "20"}};
  if (!given.count("type")) given.emplace("type", "article");  // a feed's entries are articles
  indexer::SearchRequest request = search_request(given);
  request.highlight = false;
  auto* index = search_index();
  if (!index) return problem(Problem::kUnavailable, "the index is not built yet");
  auto found = index->search(request);
  if (!found) throw found.status();
  const std::string base = origin_of(req);
  const std::string self = base + std::string(req.target());
  std::string query = std::string(req.target());
  query = query.find('?') == std::string::npos ? "" : query.substr(query.find('?'));
  const std::string page = base + "/" + (newest ? "?sort=newest" : query);
  std::string updated;
  for (const auto& hit : found->hits)
    if (!hit.published.empty()) updated = std::max(updated, atom_time(hit.published));
  if (updated.empty()) updated = now_time();

  std::string out =
      "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n";
  out += "  <id>" + xml_escaped(self) + "</id>\n";
  out += "  <title>" +
         xml_escaped(newest ? std::string("defter: the newest analyses")
                            : "defter: " + (request.query.empty() ? std::string("a search")
                                                                  : request.query)) +
         "</title>\n";
  out += "  <updated>" + updated + "</updated>\n";
  out += "  <author><name>defter</name></author>\n  <generator>defter</generator>\n";
  out +=
      "  <link rel=\"self\" type=\"application/atom+xml\" href=\"" + xml_escaped(self) + "\"/>\n";
  out += "  <link rel=\"alternate\" type=\"text/html\" href=\"" + xml_escaped(page) + "\"/>\n";
  const auto& gazetteer = indexer::Gazetteer::instance();
  for (const auto& hit : found->hits) {
    const std::string url = base + "/articles/" + hit.id;
    const std::string when = hit.published.empty() ? updated : atom_time(hit.published);
    out += "  <entry>\n    <id>" + xml_escaped(url) + "</id>\n";
    // The title and snippet are HTML already (escaped text): Atom's type="html".
    // format=text: the title and summary as Atom's text, else as its html.
    const std::string kind = request.plain_text ? "text" : "html";
    out += "    <title type=\"" + kind + "\" xml:lang=\"" + xml_escaped(hit.lang) + "\">" +
           xml_escaped(hit.title) + "</title>\n";
    out += "    <updated>" + when + "</updated>\n";
    if (!hit.published.empty()) out += "    <published>" + when + "</published>\n";
    for (const auto& [id, name] : hit.authors)
      out += "    <author><name>" + xml_escaped(name) + "</name><uri>" +
             xml_escaped(base + "/authors/" + id) + "</uri></author>\n";
    // Each language version, the one shown first.
    out += "    <link rel=\"alternate\" type=\"text/html\" hreflang=\"" + xml_escaped(hit.lang) +
           "\" href=\"" + xml_escaped(url + "?lang=" + hit.lang) + "\"/>\n";
    for (const auto& lang : hit.languages)
      if (lang != hit.lang)
        out += "    <link rel=\"alternate\" type=\"text/html\" hreflang=\"" + xml_escaped(lang) +
               "\" href=\"" + xml_escaped(url + "?lang=" + lang) + "\"/>\n";
    for (const auto& code : hit.subject_countries)
      out += "    <category term=\"" + xml_escaped(code) + "\" label=\"" +
             xml_escaped(gazetteer.label(code, request.ui_lang)) + "\"/>\n";
    if (!hit.snippet.empty())
      out += "    <summary type=\"" + kind + "\" xml:lang=\"" + xml_escaped(hit.lang) + "\">" +
             xml_escaped(hit.snippet) + "</summary>\n";
    out += "  </entry>\n";
  }
  out += "</feed>\n";
  Response res{http::status::ok, 11};
  res.set(http::field::content_type, "application/atom+xml; charset=utf-8");
  res.set(http::field::cache_control, "no-cache");
  res.body() = std::move(out);
  return res;
}

namespace {

// An export streamed: the snapshot its articles are read from, kept for as
// long as the body is written, and the export over it.
struct ExportBody : BodyStream {
  archive::Snapshot snap;
  std::optional<indexer::ExportStream> stream;
  explicit ExportBody(archive::Snapshot s) : snap(std::move(s)) {}
  std::optional<std::string> next() override {
    auto piece = stream->next(25);  // articles a chunk
    if (!piece) throw piece.status();
    return std::move(*piece);
  }
};

}  // namespace

Response ApiWorker::Impl::search_export(const Request& req, const Params& params,
                                        indexer::ExportFormat format) {
  indexer::SearchRequest request = search_request(params);
  auto* index = search_index();
  if (!index) return problem(Problem::kUnavailable, "the index is not built yet");
  // The search is run and the articles chosen now; their entries are
  // written while the body is sent, a chunk at a time, so that the
  // server never holds the whole file (--export-limit bounds it).
  auto body = std::make_shared<ExportBody>(snapshot());
  auto stream = indexer::ExportStream::open(*index, body->snap, request, format, options.max_export, origin_of(req));
  if (!stream) throw stream.status();
  body->stream.emplace(std::move(*stream));
  Response res{http::status::ok, 11};
  res.set(http::field::content_type, indexer::export_content_type(format));
  res.set(http::field::content_disposition,
          std::string("attachment; filename=\"") + indexer::export_file_name(format) + "\"");
  res.set(http::field::cache_control, "no-cache");
  // How many the search found, and how many the export holds (the
  // operator's --export-limit).
  res.set("X-Total-Count", std::to_string(body->stream->total()));
  res.set("X-Exported-Count", std::to_string(body->stream->count()));
  streaming = std::move(body);
  return res;
}

Response ApiWorker::Impl::article_page(const Request& req, const std::string& id,
                                       const Params& params) {
  Response page = page_asset("index.html");
  // A server that needs a token for reads tells nothing of its records to
  // whoever asks for a page.
  if (options.require_read_token) return page;
  archive::Snapshot snap = snapshot();
  auto article = snap.article(id);
  if (!article || article->translations.empty()) return page;
  auto lang_param = params.find("lang");
  std::string lang = lang_param != params.end() && article->translations.count(lang_param->second)
                         ? lang_param->second
                         : article->original_language;
  if (!article->translations.count(lang)) lang = article->translations.begin()->first;
  const schema::Translation& t = article->translations.at(lang);
  const std::string base = origin_of(req);
  auto url_of = [&](const std::string& l) { return base + "/articles/" + id + "?lang=" + l; };

  std::string head = "<title>" + attr_escaped(t.title) + " · defter</title>\n";
  head += meta("citation_title", t.title);
  json people = json::array();
  for (const auto& author_id : article->authors) {
    auto author = snap.author(author_id);
    if (!author) continue;
    head += meta("citation_author", author->name);
    json person = {
        {"@type", "Person"}, {"name", author->name}, {"url", base + "/authors/" + author_id}};
    if (author->affiliation) {
      head += meta("citation_author_institution", *author->affiliation);
      person["affiliation"] = {{"@type", "Organization"}, {"name", *author->affiliation}};
    }
    people.push_back(std::move(person));
  }
  if (!article->published.empty())
    head += meta("citation_publication_date", highwire_date(article->published));
  head += meta("citation_language", lang);
  for (const auto& tag : article->tags) head += meta("citation_keywords", tag);
  head += "<link rel=\"canonical\" href=\"" + attr_escaped(url_of(lang)) + "\">\n";
  for (const auto& [l, other] : article->translations)
    head += "<link rel=\"alternate\" hreflang=\"" + attr_escaped(l) + "\" href=\"" +
            attr_escaped(url_of(l)) + "\" title=\"" + attr_escaped(other.title) + "\">\n";
  head += "<link rel=\"alternate\" hreflang=\"x-default\" href=\"" +
          attr_escaped(url_of(article->original_language)) + "\">\n";

  // schema.org: the version shown, its sources, and the other versions
  // as translations of the original (or the original it translates).
  auto work = [&](const std::string& l, const schema::Translation& v) {
    json w = {{"@type", "ScholarlyArticle"}, {"@id", url_of(l)}, {"url", url_of(l)},
              {"headline", v.title},         {"name", v.title},  {"inLanguage", l}};
    if (!article->published.empty()) w["datePublished"] = article->published;
    if (v.modified) w["dateModified"] = *v.modified;
    if (!people.empty()) w["author"] = people;
    return w;
  };
  json ld = work(lang, t);
  ld["@context"] = "https://schema.org";
  if (!article->tags.empty()) ld["keywords"] = article->tags;
  const auto& gazetteer = indexer::Gazetteer::instance();
  json places = json::array();
  for (const auto& code : article->countries)
    places.push_back(
        {{"@type", "Country"}, {"name", gazetteer.label(code, lang)}, {"identifier", code}});
  if (!places.empty()) ld["about"] = places;
  json citations = json::array();
  for (const auto& f : t.footnotes) {
    json c = {
        {"@type", "CreativeWork"}, {"name", f.title.value_or(f.text)}, {"description", f.text}};
    if (f.publisher) c["publisher"] = {{"@type", "Organization"}, {"name", *f.publisher}};
    if (f.url) c["url"] = *f.url;
    citations.push_back(std::move(c));
  }
  if (!citations.empty()) ld["citation"] = citations;
  if (lang == article->original_language) {
    json translations = json::array();
    for (const auto& [l, other] : article->translations)
      if (l != lang) translations.push_back(work(l, other));
    if (!translations.empty()) ld["workTranslation"] = translations;
  } else {
    const std::string& original = article->original_language;
    if (article->translations.count(original))
      ld["translationOfWork"] = work(original, article->translations.at(original));
    if (t.translator) ld["translator"] = {{"@type", "Person"}, {"name", *t.translator}};
  }
  // Inside <script> no "<" may appear (it could end the element or open
  // a comment): JSON says it as \u003c, and the same for ">" and "&".
  std::string data;
  for (char c : ld.dump())
    data += c == '<' ? "\\u003c" : c == '>' ? "\\u003e" : c == '&' ? "\\u0026" : std::string(1, c);
  head += "<script type=\"application/ld+json\">" + data + "</script>\n";

  std::string& body = page.body();
  const std::string title = "<title>defter</title>\n";
  if (auto at = body.find(title); at != std::string::npos) body.replace(at, title.size(), head);
  if (auto at = body.find("<html lang=\"en\">"); at != std::string::npos)
    body.replace(at, 16, "<html lang=\"" + attr_escaped(lang) + "\">");
  return page;
}

Response ApiWorker::Impl::opensearch(const Request& req) {
  const std::string base = origin_of(req);
  Response res{http::status::ok, 11};
  res.set(http::field::content_type, "application/opensearchdescription+xml; charset=utf-8");
  res.set(http::field::cache_control, "no-cache");
  res.body() =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<OpenSearchDescription xmlns=\"http://a9.com/-/spec/opensearch/1.1/\">\n"
      "  <ShortName>defter</ShortName>\n"
      "  <Description>Search the archive's analyses, in every language they are in</Description>\n"
      "  <InputEncoding>UTF-8</InputEncoding>\n"
      "  <Url type=\"text/html\" method=\"get\" template=\"" +
      attr_escaped(base) +
      "/?q={searchTerms}\"/>\n"
      "  <Url type=\"application/json\" method=\"get\" template=\"" +
      attr_escaped(base) +
      "/api/v1/search?q={searchTerms}\"/>\n"
      "</OpenSearchDescription>\n";
  return res;
}

}  // namespace defter::httpd
