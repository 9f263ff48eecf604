// OAI-PMH at /oai, end to end against the real server: a real harvester
// (Debian's HTTP::OAI, its oai_pmh command) harvests the whole archive and
// a set of it through resumption tokens, a deleted article arriving as
// deleted; every response validates against the protocol's XML Schema and
// the formats' (xmllint, tests/data/oai/harvest.xsd); the records say what
// the archive holds; each of the protocol's errors; from and until; the
// page size at the limit and past it.
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include <map>
#include <set>

#include "served.hpp"

namespace {

const char* const kRepository = "institute.example";
const std::string kPrefix = std::string("oai:") + kRepository + ":";

httpd::ServerOptions oai_options(std::size_t page_size) {
  httpd::ServerOptions o;
  o.oai_name = "The institute's analyses";
  o.oai_admin_email = "archive@institute.example";
  o.oai_repository_id = kRepository;
  o.oai_page_size = page_size;
  return o;
}

// A response parsed, its elements found by XPath (prefixes oai, dc, oai_dc, a).
class Xml {
 public:
  explicit Xml(const std::string& text)
      : doc_(xmlReadMemory(text.data(), static_cast<int>(text.size()), "oai.xml", "UTF-8",
                           XML_PARSE_NONET)) {
    REQUIRE(doc_ != nullptr);
    ctx_ = xmlXPathNewContext(doc_);
    for (auto [prefix, uri] : {std::pair{"oai", "http://www.openarchives.org/OAI/2.0/"},
                               std::pair{"dc", "http://purl.org/dc/elements/1.1/"},
                               std::pair{"oai_dc", "http://www.openarchives.org/OAI/2.0/oai_dc/"},
                               std::pair{"a", "https://schema.defter.invalid/oai/article/1"}})
      xmlXPathRegisterNs(ctx_, reinterpret_cast<const xmlChar*>(prefix),
                         reinterpret_cast<const xmlChar*>(uri));
  }
  ~Xml() {
    xmlXPathFreeContext(ctx_);
    xmlFreeDoc(doc_);
  }
  Xml(const Xml&) = delete;
  Xml& operator=(const Xml&) = delete;

  // The text of every node the expression selects, in document order.
  std::vector<std::string> all(const std::string& xpath) const {
    std::vector<std::string> out;
    xmlXPathObjectPtr r =
        xmlXPathEvalExpression(reinterpret_cast<const xmlChar*>(xpath.c_str()), ctx_);
    REQUIRE(r != nullptr);
    if (r->nodesetval)
      for (int i = 0; i < r->nodesetval->nodeNr; ++i) {
        xmlChar* t = xmlNodeGetContent(r->nodesetval->nodeTab[i]);
        out.emplace_back(t ? reinterpret_cast<const char*>(t) : "");
        xmlFree(t);
      }
    xmlXPathFreeObject(r);
    return out;
  }
  std::string one(const std::string& xpath) const {
    auto v = all(xpath);
    INFO(xpath);
    REQUIRE(v.size() == 1);
    return v[0];
  }

 private:
  xmlDocPtr doc_;
  xmlXPathContextPtr ctx_ = nullptr;
};

struct Harvest {
  Served& s;
  int validated = 0;

  // GET /oai?QUERY: 200, text/xml, valid against the schemas.
  std::string get(const std::string& query) {
    Reply r = s.get("/oai?" + query);
    REQUIRE(r.result() == http::status::ok);
    CHECK(std::string(r[http::field::content_type]) == "text/xml; charset=utf-8");
    valid(r.body());
    return r.body();
  }
  void valid(const std::string& body) {
    auto file = s.dir.path() / "response.xml";
    test::write_file(file, body);
    auto checked = test::run(
        {"/usr/bin/xmllint", "--noout", "--nonet", "--schema",
         (test::source_dir() / "tests" / "data" / "oai" / "harvest.xsd").string(), file.string()});
    INFO(body.substr(0, 2000) << "\n" << checked.err);
    REQUIRE(checked.exit_code == 0);  // xmllint is installed by tools/dev (libxml2-utils)
    ++validated;
  }
  // The error a request is answered with (its code), and that its
  // <request> echoes the arguments or (badVerb, badArgument) none.
  std::string error(const std::string& query) {
    Xml x(get(query));
    std::string code = x.one("/oai:OAI-PMH/oai:error/@code");
    bool echo = !x.all("/oai:OAI-PMH/oai:request/@*").empty();
    CHECK(echo == (code != "badVerb" && code != "badArgument"));
    return code;
  }
  // Every page of a list, following its resumption tokens: the responses.
  std::vector<std::string> pages(const std::string& verb, const std::string& args) {
    std::vector<std::string> out;
    std::string query = "verb=" + verb + "&" + args;
    for (int guard = 0; guard < 100; ++guard) {
      out.push_back(get(query));
      Xml x(out.back());
      auto tokens = x.all("//oai:resumptionToken");
      if (tokens.empty() || tokens[0].empty()) return out;
      query = "verb=" + verb + "&resumptionToken=" + tokens[0];
    }
    FAIL("a list that never ends");
    return out;
  }
};

// What `oai_pmh` (HTTP::OAI's harvester) printed: each item's identifier,
// status and setSpecs, by identifier; and how often each arrived.
struct Harvested {
  std::map<std::string, std::string> status;
  std::map<std::string, std::set<std::string>> sets;
  std::map<std::string, int> arrivals;
  std::map<std::string, std::string> metadata;
};

Harvested harvest_with_oai_pmh(std::uint16_t port, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"/usr/bin/perl", "/usr/bin/oai_pmh"};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back("http://127.0.0.1:" + std::to_string(port) + "/oai");
  auto run = test::run(argv);
  INFO(run.err);
  REQUIRE(run.exit_code == 0);  // libhttp-oai-perl is installed by tools/dev
  Harvested h;
  std::size_t at = 0;
  while (at < run.out.size()) {
    std::size_t end = run.out.find('\f', at);
    if (end == std::string::npos) end = run.out.size();
    std::string block = run.out.substr(at, end - at);
    at = end + 1;
    std::string id;
    std::size_t line_at = 0;
    while (line_at < block.size()) {
      std::size_t nl = block.find('\n', line_at);
      if (nl == std::string::npos) nl = block.size();
      std::string line = block.substr(line_at, nl - line_at);
      line_at = nl + 1;
      if (line.empty()) {
        if (!id.empty()) h.metadata[id] = block.substr(line_at);
        break;
      }
      auto colon = line.find(": ");
      std::string key = line.substr(0, colon),
                  value = colon == std::string::npos ? "" : line.substr(colon + 2);
      if (line.back() == ':') key = line.substr(0, line.size() - 1);
      if (key == "identifier") {
        id = value;
        ++h.arrivals[id];
        h.sets[id];
      }
      if (key == "status") h.status[id] = value;
      if (key == "setSpec") h.sets[id].insert(value);
    }
  }
  return h;
}

// The archive's articles: id -> their setSpecs.
std::map<std::string, std::set<std::string>> articles_of(archive::Archive& a) {
  auto snap = a.snapshot();
  REQUIRE(snap.ok());
  std::map<std::string, std::set<std::string>> out;
  REQUIRE(snap->for_each_article([&](const schema::Article& article) {
                auto& sets = out[article.id];
                for (const auto& c : article.countries) sets.insert("country:" + c);
                for (const auto& au : article.authors) sets.insert("author:" + au);
                for (const auto& [lang, t] : article.translations) sets.insert("language:" + lang);
                return true;
              })
              .ok());
  return out;
}

}  // namespace

TEST_CASE(
    "OAI-PMH: a harvester harvests the whole archive, deleted articles as deleted, every response "
    "valid",
    "[httpd][e2e][oai]") {
  xmlInitParser();
  Served s(oai_options(3));
  Harvest h{s};
  const auto before = articles_of(*s.archive);
  REQUIRE(before.size() >= 8);
  const std::string gone = "eaeu-ten-years";
  REQUIRE(before.count(gone));
  REQUIRE(before.at(gone).count("country:KZ"));
  REQUIRE(test::defter(s.dir.path().string(), {"delete", gone}).exit_code == 0);
  const auto now = articles_of(*s.archive);
  REQUIRE(now.size() == before.size() - 1);

  SECTION(
      "HTTP::OAI's harvester: every article once, the deleted one as deleted, sets as the "
      "archive's") {
    for (const char* format : {"oai_dc", "defter"}) {
      INFO(format);
      Harvested got = harvest_with_oai_pmh(s.server->port(), {"--metadataPrefix", format});
      CHECK(got.arrivals.size() == before.size());
      for (const auto& [id, sets] : before) {
        INFO(id);
        CHECK(got.arrivals[kPrefix + id] == 1);
        CHECK(got.status[kPrefix + id] == (id == gone ? "deleted" : ""));
        CHECK(got.sets[kPrefix + id] == sets);  // a deleted article's sets are its last version's
        CHECK(got.metadata[kPrefix + id].empty() == (id == gone));
      }
    }
    // Selective harvesting by set (ListIdentifiers): the articles about
    // Kazakhstan, the deleted one among them.
    Harvested kz = harvest_with_oai_pmh(
        s.server->port(),
        {"-X", "ListIdentifiers", "--metadataPrefix", "defter", "--set", "country:KZ"});
    std::set<std::string> want, got;
    for (const auto& [id, sets] : before)
      if (sets.count("country:KZ")) want.insert(kPrefix + id);
    for (const auto& [id, n] : kz.arrivals) got.insert(id);
    CHECK(got == want);
    CHECK(want.size() >= 2);
    CHECK(kz.status[kPrefix + gone] == "deleted");
  }

  SECTION("the six verbs, each response valid against the protocol's and the formats' schemas") {
    Xml identify(h.get("verb=Identify"));
    CHECK(identify.one("//oai:repositoryName") == "The institute's analyses");
    CHECK(identify.one("//oai:baseURL") == "http://127.0.0.1/oai");
    CHECK(identify.one("//oai:adminEmail") == "archive@institute.example");
    CHECK(identify.one("//oai:deletedRecord") == "persistent");
    CHECK(identify.one("//oai:granularity") == "YYYY-MM-DDThh:mm:ssZ");
    CHECK(identify.one("/oai:OAI-PMH/oai:request/@verb") == "Identify");

    for (const std::string& q :
         std::vector<std::string>{"verb=ListMetadataFormats",
                                  "verb=ListMetadataFormats&identifier=" + kPrefix + test::kSeed}) {
      Xml formats(h.get(q));
      CHECK(formats.all("//oai:metadataPrefix") == std::vector<std::string>{"oai_dc", "defter"});
      CHECK(formats.all("//oai:schema")[1] == "http://127.0.0.1/oai/article.xsd");
    }
    // The schema the server names is the one the responses validate against.
    Reply xsd = s.get("/oai/article.xsd");
    REQUIRE(xsd.result() == http::status::ok);
    CHECK(xsd.body() == test::read_file(test::source_dir() / "schema" / "oai" / "article.xsd"));

    Xml sets(h.get("verb=ListSets"));
    auto specs = sets.all("//oai:setSpec");
    for (const char* spec :
         {"country", "author", "language", "country:KZ", "author:dogacan-basaran", "language:tr"})
      CHECK(std::count(specs.begin(), specs.end(), spec) == 1);
    CHECK(sets.one("//oai:set[oai:setSpec='country:KZ']/oai:setName") == "Kazakhstan");
    CHECK(sets.one("//oai:set[oai:setSpec='language:tr']/oai:setName") == "Turkish");
    CHECK(sets.one("//oai:set[oai:setSpec='author:dogacan-basaran']/oai:setName") ==
          "Doğacan Başaran");

    // Every list, page by page: three items a page, the token's cursor
    // counting them, the last page's token empty with the list's size.
    for (const char* verb : {"ListIdentifiers", "ListRecords"})
      for (const char* format : {"oai_dc", "defter"}) {
        INFO(verb << " " << format);
        auto pages = h.pages(verb, std::string("metadataPrefix=") + format);
        CHECK(pages.size() == (before.size() + 2) / 3);
        std::vector<std::string> ids;
        for (std::size_t i = 0; i < pages.size(); ++i) {
          Xml page(pages[i]);
          auto got = page.all("//oai:header/oai:identifier");
          CHECK(got.size() == (i + 1 < pages.size() ? 3 : before.size() - 3 * i));
          ids.insert(ids.end(), got.begin(), got.end());
          if (i > 0) CHECK(page.one("//oai:resumptionToken/@cursor") == std::to_string(3 * i));
          if (i + 1 == pages.size())
            CHECK(page.one("//oai:resumptionToken/@completeListSize") ==
                  std::to_string(before.size()));
        }
        CHECK(std::is_sorted(ids.begin(), ids.end()));
        CHECK(std::set<std::string>(ids.begin(), ids.end()).size() == before.size());
      }
    // A form POST is the same request.
    Client c(s.server->port());
    http::request<http::string_body> post{http::verb::post, "/oai", 11};
    post.set(http::field::content_type, "application/x-www-form-urlencoded");
    post.body() = "verb=GetRecord&metadataPrefix=oai_dc&identifier=" + kPrefix + test::kSeed;
    Reply posted = c.send(std::move(post));
    REQUIRE(posted.result() == http::status::ok);
    h.valid(posted.body());
    CHECK(Xml(posted.body()).one("//oai:header/oai:identifier") == kPrefix + test::kSeed);
    CHECK(h.validated >= 12);
  }

  SECTION("a record says what the archive holds, in oai_dc and in the archive's format") {
    auto snap = s.archive->snapshot();
    REQUIRE(snap.ok());
    const auto article = snap->article(test::kSeed).value();
    Xml dc(h.get("verb=GetRecord&metadataPrefix=oai_dc&identifier=" + kPrefix + test::kSeed));
    const std::string m = "//oai:metadata/oai_dc:dc/";
    for (const auto& [lang, t] : article.translations) {
      INFO(lang);
      CHECK(dc.one(m + "dc:title[@xml:lang='" + lang + "']") == t.title);
      CHECK(dc.all(m + "dc:language[.='" + lang + "']").size() == 1);
      CHECK(dc.all(m + "dc:relation[.='http://127.0.0.1/articles/" + article.id + "?lang=" + lang +
                   "']")
                .size() == 1);
    }
    CHECK(dc.all(m + "dc:title")[0] ==
          article.translations.at(article.original_language).title);  // the original first
    std::vector<std::string> creators;
    for (const auto& id : article.authors) creators.push_back(snap->author(id).value().name);
    CHECK(dc.all(m + "dc:creator") == creators);
    CHECK(dc.one(m + "dc:date") == article.published);
    CHECK(dc.one(m + "dc:identifier") == "http://127.0.0.1/articles/" + article.id);
    CHECK(dc.one(m + "dc:type") == "Text");

    // Subjects: the article's countries by name (a record that has some).
    Xml aral(h.get("verb=GetRecord&metadataPrefix=oai_dc&identifier=" + kPrefix +
                   "aral-sea-basin-water-politics"));
    auto subjects = aral.all(m + "dc:subject[@xml:lang='en']");
    CHECK(std::count(subjects.begin(), subjects.end(), "Kazakhstan") == 1);
    CHECK(std::count(subjects.begin(), subjects.end(), "Uzbekistan") == 1);

    Xml full(h.get("verb=GetRecord&metadataPrefix=defter&identifier=" + kPrefix + test::kSeed));
    const std::string a = "//oai:metadata/a:article";
    CHECK(full.one(a + "/@id") == article.id);
    CHECK(full.one(a + "/@originalLanguage") == article.original_language);
    for (const auto& [lang, t] : article.translations) {
      INFO(lang);
      const std::string tr = a + "/a:translation[@lang='" + lang + "']";
      CHECK(full.one(tr + "/a:title") == t.title);
      CHECK(full.one(tr + "/a:body") == t.body);  // the text whole, its lines kept
      CHECK(full.all(tr + "/a:footnote").size() == t.footnotes.size());
      for (const auto& note : t.footnotes)
        CHECK(full.one(tr + "/a:footnote[@n='" + std::to_string(note.n) + "']/a:text") ==
              note.text);
    }
    const auto author = snap->author(article.authors.at(0)).value();
    for (const auto& [lang, bio] : author.bio)
      CHECK(full.one(a + "/a:author[@id='" + author.id + "']/a:biography[@lang='" + lang + "']") ==
            bio);

    // The datestamp: the last change of the article or of its authors.
    for (const auto& [id, sets] : now) {
      INFO(id);
      const auto record = snap->article(id, false).value();
      std::string want = snap->last_revision(schema::RecordType::kArticle, id).value()->at;
      for (const auto& au : record.authors)
        if (auto r = snap->last_revision(schema::RecordType::kAuthor, au).value())
          want = std::max(want, r->at);
      Xml one(h.get("verb=GetRecord&metadataPrefix=oai_dc&identifier=" + kPrefix + id));
      CHECK(one.one("//oai:header/oai:datestamp") == want);
    }
    Xml deleted(h.get("verb=GetRecord&metadataPrefix=defter&identifier=" + kPrefix + gone));
    CHECK(deleted.one("//oai:header/@status") == "deleted");
    CHECK(deleted.all("//oai:metadata").empty());
    CHECK(deleted.one("//oai:header/oai:datestamp") ==
          snap->last_revision(schema::RecordType::kArticle, gone).value()->at);
  }

  SECTION("from and until select by datestamp, at either granularity") {
    auto pages = h.pages("ListIdentifiers", "metadataPrefix=oai_dc");
    std::map<std::string, std::string> stamp;  // identifier -> datestamp
    for (const auto& p : pages) {
      Xml x(p);
      auto ids = x.all("//oai:header/oai:identifier"), stamps = x.all("//oai:header/oai:datestamp");
      for (std::size_t i = 0; i < ids.size(); ++i) stamp[ids[i]] = stamps[i];
    }
    REQUIRE(stamp.size() == before.size());
    const std::string latest = stamp.at(kPrefix + gone);  // the deletion came last
    // Identify's earliestDatestamp is a lower bound of every datestamp.
    const std::string earliest = Xml(h.get("verb=Identify")).one("//oai:earliestDatestamp");
    for (const auto& [id, d] : stamp) CHECK(earliest <= d);
    auto listed = [&](const std::string& args) {
      std::set<std::string> out;
      for (const auto& p : h.pages("ListIdentifiers", "metadataPrefix=oai_dc&" + args)) {
        Xml x(p);
        for (auto& id : x.all("//oai:header/oai:identifier")) out.insert(id);
      }
      return out;
    };
    auto expect = [&](const std::string& lo, const std::string& hi) {
      std::set<std::string> out;
      for (const auto& [id, d] : stamp)
        if (d >= lo && d <= hi) out.insert(id);
      return out;
    };
    CHECK(listed("from=" + latest) == expect(latest, "9"));
    CHECK(listed("from=" + latest).count(kPrefix + gone));
    CHECK(listed("until=" + latest) == expect("", latest));
    CHECK(listed("from=" + latest + "&until=" + latest) == expect(latest, latest));
    const std::string day = latest.substr(0, 10);
    CHECK(listed("from=" + day + "&until=" + day) == expect(day, day + "T23:59:59Z"));
    CHECK(listed("from=2000-01-01") == expect("", "9"));
    CHECK(h.error("verb=ListRecords&metadataPrefix=oai_dc&from=2999-01-01") == "noRecordsMatch");
    CHECK(h.error("verb=ListRecords&metadataPrefix=oai_dc&until=2000-01-01T00:00:00Z") ==
          "noRecordsMatch");
  }

  SECTION("each of the protocol's errors, for what causes it") {
    CHECK(h.error("") == "badVerb");
    CHECK(h.error("verb=ListEverything") == "badVerb");
    CHECK(h.error("verb=Identify&verb=ListSets") == "badVerb");
    CHECK(h.error("verb=Identify&metadataPrefix=oai_dc") == "badArgument");
    CHECK(h.error("verb=ListRecords") == "badArgument");
    CHECK(h.error("verb=GetRecord&metadataPrefix=oai_dc") == "badArgument");
    CHECK(h.error("verb=ListRecords&metadataPrefix=oai_dc&metadataPrefix=defter") == "badArgument");
    CHECK(h.error("verb=ListRecords&metadataPrefix=oai_dc&from=2023-02-30") == "badArgument");
    CHECK(h.error("verb=ListRecords&metadataPrefix=oai_dc&from=2023-05-01T10:00:00") ==
          "badArgument");
    CHECK(
        h.error(
            "verb=ListRecords&metadataPrefix=oai_dc&from=2023-05-01&until=2024-01-01T00:00:00Z") ==
        "badArgument");
    CHECK(h.error("verb=ListRecords&metadataPrefix=oai_dc&from=2024-01-01&until=2023-01-01") ==
          "badArgument");
    CHECK(h.error("verb=ListRecords&metadataPrefix=oai_dc&set=country::KZ") == "badArgument");
    Xml first(h.get("verb=ListIdentifiers&metadataPrefix=oai_dc"));
    const std::string token = first.one("//oai:resumptionToken");
    CHECK(h.error("verb=ListIdentifiers&metadataPrefix=oai_dc&resumptionToken=" + token) ==
          "badArgument");
    CHECK(h.error("verb=ListIdentifiers&resumptionToken=" + token + "0") == "badResumptionToken");
    CHECK(h.error("verb=ListIdentifiers&resumptionToken=not-a-token") == "badResumptionToken");
    CHECK(h.error("verb=ListSets&resumptionToken=" + token) == "badResumptionToken");
    CHECK(h.error("verb=ListRecords&metadataPrefix=marc21") == "cannotDisseminateFormat");
    CHECK(h.error("verb=GetRecord&metadataPrefix=mods&identifier=" + kPrefix + test::kSeed) ==
          "cannotDisseminateFormat");
    CHECK(h.error("verb=GetRecord&metadataPrefix=oai_dc&identifier=" + kPrefix +
                  "no-such-article") == "idDoesNotExist");
    CHECK(h.error("verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:elsewhere.example:" +
                  test::kSeed) == "idDoesNotExist");
    CHECK(h.error("verb=ListMetadataFormats&identifier=" + kPrefix + "no-such-article") ==
          "idDoesNotExist");
    // Ids the archive cannot hold: upper case, longer than a key may be, none.
    CHECK(h.error("verb=GetRecord&metadataPrefix=oai_dc&identifier=" + kPrefix + "CHINA") ==
          "idDoesNotExist");
    CHECK(h.error("verb=GetRecord&metadataPrefix=oai_dc&identifier=" + kPrefix +
                  std::string(600, 'a')) == "idDoesNotExist");
    CHECK(h.error("verb=GetRecord&metadataPrefix=oai_dc&identifier=" + kPrefix) == "idDoesNotExist");
    CHECK(h.error("verb=ListRecords&metadataPrefix=oai_dc&set=country:ZZ") == "noRecordsMatch");
    // A hostile argument is escaped, and still answered.
    Xml hostile(h.get("verb=%3Cscript%3E&x=%22%27%3C"));
    CHECK(hostile.one("//oai:error/@code") == "badVerb");
  }
}

TEST_CASE("OAI-PMH: a list exactly one page long has no token, one item more makes two pages",
          "[httpd][e2e][oai]") {
  xmlInitParser();
  const std::size_t articles = articles_of(*Served().archive).size();
  for (std::size_t page : {articles, articles - 1}) {
    INFO("page size " << page);
    Served s(oai_options(page));
    Harvest h{s};
    auto pages = h.pages("ListIdentifiers", "metadataPrefix=oai_dc");
    CHECK(pages.size() == (page == articles ? 1u : 2u));
    CHECK(Xml(pages.front()).all("//oai:header").size() == page);
    if (page == articles) CHECK(Xml(pages.front()).all("//oai:resumptionToken").empty());
  }
}
