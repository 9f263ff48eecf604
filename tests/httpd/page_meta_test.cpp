// What an article's page says before any script runs, read from the HTML
// the server sends (libxml2's HTML parser, as a crawler or Zotero reads
// it): Highwire citation_* tags, schema.org JSON-LD, links between the
// translations; and the OpenSearch description.
#include <libxml/HTMLparser.h>
#include <libxml/parser.h>

#include <map>
#include <regex>

#include "served.hpp"

using nlohmann::json;

namespace {

struct Head {
  std::multimap<std::string, std::string> meta;   // name -> content
  std::map<std::string, std::string> alternates;  // hreflang -> href
  std::string html_lang, title, canonical;
  std::vector<std::string> json_ld;  // each script's text
  int scripts = 0;                   // every <script> in the document
};

std::string prop(xmlNode* n, const char* name) {
  xmlChar* v = xmlGetProp(n, reinterpret_cast<const xmlChar*>(name));
  std::string out = v ? reinterpret_cast<const char*>(v) : "";
  xmlFree(v);
  return out;
}

void walk(xmlNode* n, Head& h) {
  for (; n; n = n->next) {
    if (n->type == XML_ELEMENT_NODE) {
      std::string tag = reinterpret_cast<const char*>(n->name);
      if (tag == "html") h.html_lang = prop(n, "lang");
      if (tag == "meta" && !prop(n, "name").empty())
        h.meta.emplace(prop(n, "name"), prop(n, "content"));
      if (tag == "link" && prop(n, "rel") == "alternate")
        h.alternates[prop(n, "hreflang")] = prop(n, "href");
      if (tag == "link" && prop(n, "rel") == "canonical") h.canonical = prop(n, "href");
      if (tag == "title") {
        xmlChar* t = xmlNodeGetContent(n);
        h.title = reinterpret_cast<const char*>(t);
        xmlFree(t);
      }
      if (tag == "script") {
        ++h.scripts;
        if (prop(n, "type") == "application/ld+json") {
          xmlChar* t = xmlNodeGetContent(n);
          h.json_ld.push_back(reinterpret_cast<const char*>(t));
          xmlFree(t);
        }
      }
    }
    walk(n->children, h);
  }
}

Head head_of(const std::string& html) {
  htmlDocPtr doc = htmlReadMemory(html.data(), static_cast<int>(html.size()), nullptr, "UTF-8",
                                  HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
  REQUIRE(doc);
  Head h;
  walk(xmlDocGetRootElement(doc), h);
  xmlFreeDoc(doc);
  return h;
}

std::string values(const Head& h, const std::string& name) {
  std::string out;
  auto [a, b] = h.meta.equal_range(name);
  for (auto it = a; it != b; ++it) out += (out.empty() ? "" : "|") + it->second;
  return out;
}

}  // namespace

TEST_CASE("an article's page carries its citation metadata in the HTML the server sends",
          "[httpd][e2e]") {
  Served s;
  auto snap = s.archive->snapshot();
  REQUIRE(snap.ok());
  const auto seed = snap->article(kSeed).value();
  const std::string base = "http://127.0.0.1:" + std::to_string(s.server->port());

  // A translation's page: its title and language, the original's authors and date.
  Reply tr = s.get("/articles/" + kSeed + "?lang=tr",
                   {{"Host", "127.0.0.1:" + std::to_string(s.server->port())}}, false);
  REQUIRE(tr.result() == http::status::ok);
  Head h = head_of(tr.body());
  CHECK(h.html_lang == "tr");
  CHECK(h.title == seed.translations.at("tr").title + " · defter");
  CHECK(values(h, "citation_title") == seed.translations.at("tr").title);
  CHECK(values(h, "citation_author") == "Doğacan Başaran");
  CHECK(values(h, "citation_publication_date") == "2023/05");
  CHECK(values(h, "citation_language") == "tr");
  CHECK(values(h, "citation_keywords") == "China|Central Asia|C+C5|Belt and Road Initiative");
  CHECK(h.canonical == base + "/articles/" + kSeed + "?lang=tr");
  // Every language links every other, and the original is the default.
  for (const auto& [lang, t] : seed.translations)
    CHECK(h.alternates[lang] == base + "/articles/" + kSeed + "?lang=" + lang);
  CHECK(h.alternates["x-default"] == base + "/articles/" + kSeed + "?lang=en");
  REQUIRE(h.json_ld.size() == 1);
  json ld = json::parse(h.json_ld[0]);
  CHECK(ld["@context"] == "https://schema.org");
  CHECK(ld["@type"] == "ScholarlyArticle");
  CHECK(ld["inLanguage"] == "tr");
  CHECK(ld["headline"] == seed.translations.at("tr").title);
  CHECK(ld["datePublished"] == "2023-05");
  CHECK(ld["author"][0]["@type"] == "Person");
  CHECK(ld["author"][0]["name"] == "Doğacan Başaran");
  CHECK(ld["translationOfWork"]["inLanguage"] == "en");
  CHECK(ld["translationOfWork"]["headline"] == seed.translations.at("en").title);
  // Its sources: each footnote a cited work, with what was read from it.
  REQUIRE(ld["citation"].size() == seed.translations.at("tr").footnotes.size());
  CHECK(ld["citation"][0]["name"] == "Kazakhstan to host next China-Central Asia Summit in 2025");
  CHECK(ld["citation"][0]["publisher"]["name"] == "AKI Press");

  // The original's page: the other versions are its translations.
  Head en = head_of(s.get("/articles/" + kSeed, {}, false).body());
  CHECK(values(en, "citation_language") == "en");
  json en_ld = json::parse(en.json_ld.at(0));
  CHECK(en_ld["workTranslation"].size() == seed.translations.size() - 1);
  CHECK_FALSE(en_ld.contains("translationOfWork"));

  // A record's markup stays data: the title in the head is text, the
  // JSON-LD cannot close its script, and no other script appears.
  test::write_file(s.dir.path() / "hostile.jsonl",
                   test::read_file(test::source_dir() / "tests" / "web" / "hostile.jsonl"));
  archive::ImportListener quiet;
  REQUIRE(archive::import_jsonl(*s.archive, {(s.dir.path() / "hostile.jsonl").string()}, {}, quiet)
              .ok());
  Reply hostile = s.get("/articles/hostile-record", {}, false);
  Head bad = head_of(hostile.body());
  const std::string title =
      s.archive->snapshot()->article("hostile-record")->translations.at("en").title;
  CHECK(values(bad, "citation_title") == title);
  CHECK(values(bad, "citation_author") == "Mallory <b>Bold</b>");
  REQUIRE(bad.json_ld.size() == 1);
  CHECK(json::parse(bad.json_ld[0])["headline"] == title);
  CHECK(bad.scripts == 6);  // the page's five and the JSON-LD
  CHECK(hostile.body().find("<script>window.__pwned") == std::string::npos);
  CHECK(hostile.body().find("\\u003cscript\\u003ewindow.__pwned=1\\u003c/script\\u003e") !=
        std::string::npos);

  // No such article: the page as it is, nothing made up.
  Head none = head_of(s.get("/articles/no-such-article", {}, false).body());
  CHECK(values(none, "citation_title").empty());
  CHECK(none.json_ld.empty());
  CHECK(none.title == "defter");
}

TEST_CASE("a server that needs a token for reads tells a page nothing of its records",
          "[httpd][e2e]") {
  httpd::ServerOptions o;
  o.require_read_token = true;
  Served s(o);
  Reply page = s.get("/articles/" + kSeed, {}, false);
  REQUIRE(page.result() == http::status::ok);
  Head h = head_of(page.body());
  CHECK(values(h, "citation_title").empty());
  CHECK(values(h, "citation_author").empty());
  CHECK(h.json_ld.empty());
  CHECK(h.title == "defter");
}

TEST_CASE("the OpenSearch description lets a browser add the archive's search", "[httpd][e2e]") {
  Served s;
  const std::string host = "127.0.0.1:" + std::to_string(s.server->port());
  Reply r = s.get("/opensearch.xml", {{"Host", host}}, false);
  REQUIRE(r.result() == http::status::ok);
  CHECK(
      std::string(r[http::field::content_type]).rfind("application/opensearchdescription+xml", 0) ==
      0);
  xmlDocPtr doc = xmlReadMemory(r.body().data(), static_cast<int>(r.body().size()), nullptr,
                                "UTF-8", XML_PARSE_NONET);
  REQUIRE(doc);
  xmlNode* root = xmlDocGetRootElement(doc);
  CHECK(std::string(reinterpret_cast<const char*>(root->name)) == "OpenSearchDescription");
  CHECK(std::string(reinterpret_cast<const char*>(root->ns->href)) ==
        "http://a9.com/-/spec/opensearch/1.1/");
  std::vector<std::string> templates;
  std::string short_name;
  for (xmlNode* c = root->children; c; c = c->next) {
    if (c->type != XML_ELEMENT_NODE) continue;
    std::string name = reinterpret_cast<const char*>(c->name);
    if (name == "Url") templates.push_back(prop(c, "template"));
    if (name == "ShortName") {
      xmlChar* t = xmlNodeGetContent(c);
      short_name = reinterpret_cast<const char*>(t);
      xmlFree(t);
    }
  }
  xmlFreeDoc(doc);
  CHECK(short_name == "defter");
  REQUIRE(templates.size() == 2);
  CHECK(templates[0] == "http://" + host + "/?q={searchTerms}");
  CHECK(templates[1] == "http://" + host + "/api/v1/search?q={searchTerms}");
  // The page says where it is, and a Host that is not a host is not echoed.
  CHECK(s.get("/", {}, false)
            .body()
            .find("<link rel=\"search\" type=\"application/opensearchdescription+xml\" "
                  "title=\"defter\" href=\"/opensearch.xml\">") != std::string::npos);
  Reply odd = s.get("/opensearch.xml", {{"Host", "evil.example\"><x"}}, false);
  CHECK(odd.body().find("evil") == std::string::npos);
  CHECK(odd.body().find("template=\"http://localhost/?q={searchTerms}\"") != std::string::npos);
}

namespace {

struct Entry {
  std::string id, title, updated;
  std::map<std::string, std::string> alternates;  // hreflang -> href
};

struct Feed {
  std::string id, title, updated, self;
  std::vector<Entry> entries;
};

std::string text_of(xmlNode* n) {
  xmlChar* t = xmlNodeGetContent(n);
  std::string out = t ? reinterpret_cast<const char*>(t) : "";
  xmlFree(t);
  return out;
}

// An Atom document as a reader takes it: well-formed XML in Atom's
// namespace, with what RFC 4287 requires of a feed and of each entry.
Feed read_feed(const std::string& body) {
  xmlDocPtr doc = xmlReadMemory(body.data(), static_cast<int>(body.size()), nullptr, "UTF-8",
                                XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  REQUIRE(doc);
  xmlNode* root = xmlDocGetRootElement(doc);
  REQUIRE(std::string(reinterpret_cast<const char*>(root->name)) == "feed");
  REQUIRE(std::string(reinterpret_cast<const char*>(root->ns->href)) ==
          "http://www.w3.org/2005/Atom");
  Feed f;
  bool author = false;
  for (xmlNode* c = root->children; c; c = c->next) {
    if (c->type != XML_ELEMENT_NODE) continue;
    std::string name = reinterpret_cast<const char*>(c->name);
    if (name == "id") f.id = text_of(c);
    if (name == "title") f.title = text_of(c);
    if (name == "updated") f.updated = text_of(c);
    if (name == "author") author = true;
    if (name == "link" && prop(c, "rel") == "self") f.self = prop(c, "href");
    if (name != "entry") continue;
    Entry e;
    for (xmlNode* x = c->children; x; x = x->next) {
      if (x->type != XML_ELEMENT_NODE) continue;
      std::string part = reinterpret_cast<const char*>(x->name);
      if (part == "id") e.id = text_of(x);
      if (part == "title") e.title = text_of(x);
      if (part == "updated") e.updated = text_of(x);
      if (part == "link" && prop(x, "rel") == "alternate")
        e.alternates[prop(x, "hreflang")] = prop(x, "href");
    }
    f.entries.push_back(std::move(e));
  }
  xmlFreeDoc(doc);
  CHECK(author);  // entries without authors of their own have the feed's
  return f;
}

bool rfc3339(const std::string& t) {
  static const std::regex form(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)");
  return std::regex_match(t, form);
}

}  // namespace

TEST_CASE("the newest articles and any search are Atom feeds, each entry linking its languages",
          "[httpd][e2e]") {
  Served s;
  const std::string base = "http://127.0.0.1";
  Reply r = s.get("/feed.atom", {}, false);
  REQUIRE(r.result() == http::status::ok);
  CHECK(std::string(r[http::field::content_type]) == "application/atom+xml; charset=utf-8");
  Feed newest = read_feed(r.body());
  CHECK(newest.id == base + "/feed.atom");
  CHECK(newest.self == base + "/feed.atom");
  CHECK(newest.title == "defter: the newest analyses");
  CHECK(rfc3339(newest.updated));
  // The same articles as the newest search, in its order.
  auto json_newest = s.get_json("/api/v1/search?sort=newest&type=article&size=20");
  REQUIRE(newest.entries.size() == json_newest["hits"].size());
  auto snap = s.archive->snapshot();
  REQUIRE(snap.ok());
  for (std::size_t i = 0; i < newest.entries.size(); ++i) {
    const Entry& e = newest.entries[i];
    const std::string id = json_newest["hits"][i]["id"];
    INFO(id);
    CHECK(e.id == base + "/articles/" + id);
    CHECK(rfc3339(e.updated));
    CHECK(!e.title.empty());
    // One alternate link a language the article is in.
    auto article = snap->article(id).value();
    REQUIRE(e.alternates.size() == article.translations.size());
    for (const auto& [lang, t] : article.translations)
      CHECK(e.alternates.at(lang) == base + "/articles/" + id + "?lang=" + lang);
  }

  // A search with its filters: the search's articles, and a link back to it.
  Feed kz = read_feed(s.get("/api/v1/search.atom?q=Kazakhstan&country=KZ").body());
  auto json_kz = s.get_json("/api/v1/search?q=Kazakhstan&country=KZ&type=article");
  REQUIRE(!kz.entries.empty());
  REQUIRE(kz.entries.size() == json_kz["hits"].size());
  for (std::size_t i = 0; i < kz.entries.size(); ++i)
    CHECK(kz.entries[i].id == base + "/articles/" + json_kz["hits"][i]["id"].get<std::string>());
  CHECK(kz.title == "defter: Kazakhstan");
  CHECK(kz.self == base + "/api/v1/search.atom?q=Kazakhstan&country=KZ");
  // What the search refuses, the feed refuses, as a problem.
  CHECK(s.get("/api/v1/search.atom?bogus=1", {}, false).result() == http::status::bad_request);
  CHECK(s.get("/api/v1/search.atom?country=XX", {}, false).result() == http::status::bad_request);
  CHECK(s.get("/feed.atom?q=x", {}, false).result() == http::status::bad_request);
  // The page tells readers where the feed is.
  CHECK(s.get("/", {}, false)
            .body()
            .find("<link rel=\"alternate\" type=\"application/atom+xml\" title=\"defter: the "
                  "newest analyses\" "
                  "href=\"/feed.atom\">") != std::string::npos);
}

TEST_CASE("CORS: off by default, and a listed origin's preflight answered and its answers marked",
          "[httpd][e2e]") {
  auto request = [](Served& s, http::verb verb, const std::string& target,
                    const std::map<std::string, std::string>& headers) {
    Client c(s.server->port());
    http::request<http::string_body> req{verb, target, 11};
    for (const auto& [k, v] : headers) req.set(k, v);
    return c.send(std::move(req));
  };
  const std::string site = "https://catalogue.example";
  {
    Served s;  // no --cors-origin: a browser on another origin gets nothing to read
    Reply pre = request(s, http::verb::options, "/api/v1/search",
                        {{"Origin", site}, {"Access-Control-Request-Method", "GET"}});
    CHECK(pre.result() == http::status::method_not_allowed);
    CHECK(pre[http::field::access_control_allow_origin].empty());
    Reply get = request(s, http::verb::get, "/api/v1/search?q=Kazakhstan", {{"Origin", site}});
    CHECK(get.result() == http::status::ok);
    CHECK(get[http::field::access_control_allow_origin].empty());
  }
  httpd::ServerOptions o;
  o.cors_origins = {site};
  Served s(o);
  Reply pre = request(s, http::verb::options, "/api/v1/articles/" + kSeed,
                      {{"Origin", site},
                       {"Access-Control-Request-Method", "PUT"},
                       {"Access-Control-Request-Headers", "authorization, content-type"}});
  CHECK(pre.result() == http::status::no_content);
  CHECK(std::string(pre[http::field::access_control_allow_origin]) == site);
  CHECK(std::string(pre[http::field::access_control_allow_methods]).find("PUT") !=
        std::string::npos);
  CHECK(std::string(pre[http::field::access_control_allow_headers]) ==
        "Authorization, Content-Type, If-None-Match");
  CHECK(std::string(pre[http::field::vary]) == "Origin");
  Reply get = request(s, http::verb::get, "/api/v1/search?q=Kazakhstan",
                      {{"Origin", site}, {"Accept-Encoding", "gzip"}});
  CHECK(get.result() == http::status::ok);
  CHECK(std::string(get[http::field::access_control_allow_origin]) == site);
  CHECK(std::string(get[http::field::access_control_expose_headers]).find("ETag") !=
        std::string::npos);
  CHECK(std::string(get[http::field::vary]) == "Origin, Accept-Encoding");
  // An origin not listed: no CORS headers, so its pages cannot read the answer.
  Reply other = request(s, http::verb::get, "/api/v1/search?q=Kazakhstan",
                        {{"Origin", "https://evil.example"}});
  CHECK(other[http::field::access_control_allow_origin].empty());
  Reply other_pre =
      request(s, http::verb::options, "/api/v1/search",
              {{"Origin", "https://evil.example"}, {"Access-Control-Request-Method", "GET"}});
  CHECK(other_pre[http::field::access_control_allow_origin].empty());
  // Errors are marked too, so the page can read why.
  Reply bad = request(s, http::verb::get, "/api/v1/search?bogus=1", {{"Origin", site}});
  CHECK(bad.result() == http::status::bad_request);
  CHECK(std::string(bad[http::field::access_control_allow_origin]) == site);
}

TEST_CASE("every problem type resolves to a page that explains it, and an error's type is such a page",
          "[httpd][e2e][problems]") {
  Served s;
  const std::vector<httpd::Problem> all = {
      httpd::Problem::kBadRequest,      httpd::Problem::kUnauthorized,   httpd::Problem::kForbidden,
      httpd::Problem::kNotFound,        httpd::Problem::kMethodNotAllowed, httpd::Problem::kConflict,
      httpd::Problem::kLengthRequired,  httpd::Problem::kPayloadTooLarge, httpd::Problem::kUriTooLong,
      httpd::Problem::kHeadersTooLarge, httpd::Problem::kNotImplemented, httpd::Problem::kTooManyRequests,
      httpd::Problem::kUnavailable,     httpd::Problem::kInternal,       httpd::Problem::kStorageFull};
  std::set<std::string> explanations;
  for (auto p : all) {
    const std::string type = httpd::problem_type(p);
    INFO(type);
    Reply r = s.get(type);  // checked against the API document
    REQUIRE(r.result() == http::status::ok);
    CHECK(std::string(r[http::field::content_type]) == "text/html; charset=utf-8");
    Head h = head_of(r.body());
    CHECK(h.html_lang == "en");
    CHECK(h.title.find("(" + std::to_string(static_cast<int>(httpd::problem_status(p))) + ")") != std::string::npos);
    auto explained = r.body().substr(r.body().find("<p>", r.body().find("</p>")));
    CHECK(explained.size() > 100);
    explanations.insert(explained.substr(0, 120));
  }
  CHECK(explanations.size() == all.size());  // each its own
  // A real error's type is one of these pages.
  Reply missing = s.get("/api/v1/articles/no-such-article");
  REQUIRE(missing.result() == http::status::not_found);
  Reply page = s.get(nlohmann::json::parse(missing.body())["type"].get<std::string>());
  CHECK(page.result() == http::status::ok);
  Reply unknown = s.get("/api/v1/problems/no-such-problem");
  CHECK(unknown.result() == http::status::not_found);
}
