// A search exported as CSV, RIS, BibTeX and CSL-JSON by the real server,
// read back by parsers that are not defter's (csv-parse, Citation.js:
// tests/node/exports-check.mjs), compared with the search and the archive;
// the operator's limit; and `defter search --format` giving the same bytes.
#include "served.hpp"

using nlohmann::json;

namespace {

std::string joined_titles(const json& item) {
  std::string all;
  for (const char* key : {"title", "original-title"}) {
    if (!item.contains(key)) continue;
    if (item[key].is_array())
      for (const auto& t : item[key]) all += t.get<std::string>() + "\n";
    else
      all += item[key].get<std::string>() + "\n";
  }
  return all;
}

}  // namespace

TEST_CASE("a search's articles as CSV, RIS, BibTeX and CSL-JSON, read back by other parsers",
          "[httpd][e2e][exports]") {
  Served s;
  const std::string query = "q=Kazakhstan";
  auto search = s.get_json("/api/v1/search?" + query + "&type=article&size=100");
  const std::size_t total = search["total"];
  REQUIRE(total >= 3);

  std::map<std::string, std::string> files;
  for (const char* ext : {"csv", "ris", "bib", "csl.json"}) {
    INFO(ext);
    Reply r = s.get(std::string("/api/v1/search.") + ext + "?" + query);  // checked against the API document
    REQUIRE(r.result() == http::status::ok);
    CHECK(std::string(r[http::field::content_disposition]) ==
          std::string("attachment; filename=\"defter-search.") + ext + "\"");
    CHECK(std::string(r["X-Total-Count"]) == std::to_string(total));
    CHECK(std::string(r["X-Exported-Count"]) == std::to_string(total));
    auto path = s.dir.path() / (std::string("search.") + ext);
    test::write_file(path, r.body());
    files[ext] = path.string();
  }
  CHECK(test::read_file(files["csv"]).rfind("\xEF\xBB\xBF", 0) ==
        0);  // a spreadsheet reads it as UTF-8
  auto parsed = test::run({"/usr/bin/env", "node",
                           (test::source_dir() / "tests" / "node" / "exports-check.mjs").string(),
                           files["csv"], files["ris"], files["bib"], files["csl.json"]});
  INFO(parsed.err);
  REQUIRE(parsed.exit_code == 0);  // node, csv-parse and Citation.js are installed by tools/dev
  json got = json::parse(parsed.out);

  auto snap = s.archive->snapshot();
  REQUIRE(snap.ok());
  for (const char* format : {"csv", "ris", "bibtex", "csl"}) {
    INFO(format);
    REQUIRE(got[format].size() == total);
  }
  for (std::size_t i = 0; i < total; ++i) {
    const std::string id = search["hits"][i]["id"];
    INFO(id);
    const auto article = snap->article(id).value();
    const auto& original = article.translations.at(article.original_language);
    // CSV: one row an article, in the search's order, lists as lists.
    const json& row = got["csv"][i];
    CHECK(row["id"] == id);
    CHECK(row["title"] == original.title);
    CHECK(row["original_language"] == article.original_language);
    CHECK(row["published"] == article.published);
    std::string langs;
    for (const auto& [lang, t] : article.translations) langs += (langs.empty() ? "" : "; ") + lang;
    CHECK(row["languages"] == langs);
    CHECK(row["url"] == "http://127.0.0.1/articles/" + id);
    // RIS, BibTeX and CSL-JSON: the same article, every title of it in RIS.
    for (const char* format : {"ris", "bibtex", "csl"}) {
      INFO(format);
      const json& item = got[format][i];
      CHECK(item["id"] == id);
      CHECK(item["URL"] == "http://127.0.0.1/articles/" + id);
      CHECK(item["language"] == article.original_language);
      if (!article.published.empty())
        CHECK(item["issued"]["date-parts"][0][0] == std::stoi(article.published.substr(0, 4)));
      if (std::string(format) != "ris") CHECK(item["title"] == original.title);
    }
    const std::string ris_titles = joined_titles(got["ris"][i]);
    for (const auto& [lang, t] : article.translations)
      CHECK(ris_titles.find(t.title + "\n") != std::string::npos);
    if (article.translations.size() > 1) {
      // BibTeX and CSL-JSON have no field for a translated title: a note names them.
      const auto& other =
          std::find_if(article.translations.begin(), article.translations.end(),
                       [&](const auto& t) { return t.first != article.original_language; });
      const std::string in_note = other->first + ": " + other->second.title;
      CHECK(got["bibtex"][i]["note"].get<std::string>().find(in_note) != std::string::npos);
      CHECK(got["csl"][i]["note"].get<std::string>().find(in_note) != std::string::npos);
    }
  }
  // Authors: a BibTeX reader splits the name as a person's.
  auto seed_bib = std::find_if(got["bibtex"].begin(), got["bibtex"].end(),
                               [](const json& item) { return item["id"] == kSeed; });
  REQUIRE(seed_bib != got["bibtex"].end());
  CHECK((*seed_bib)["author"][0]["family"] == "Başaran");
  CHECK((*seed_bib)["author"][0]["given"] == "Doğacan");

  // Streamed: a chunked body (no Content-Length), its head written before
  // the first article and the articles after it, read here off the socket
  // chunk by chunk; HEAD gets the header alone, and the connection goes on.
  {
    asio::io_context io;
    tcp::socket socket(io);
    socket.connect({asio::ip::make_address("127.0.0.1"), s.server->port()});
    const std::string ask = "GET /api/v1/search.csv?" + query + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    asio::write(socket, asio::buffer(ask));
    std::string raw;
    boost::system::error_code ec;
    char buf[4096];
    for (std::size_t n; (n = socket.read_some(asio::buffer(buf), ec)) > 0 || !ec;) raw.append(buf, n);
    const std::size_t head_end = raw.find("\r\n\r\n");
    REQUIRE(head_end != std::string::npos);
    const std::string head = raw.substr(0, head_end);
    CHECK(head.find("Transfer-Encoding: chunked") != std::string::npos);
    CHECK(head.find("Content-Length") == std::string::npos);
    std::vector<std::string> chunks;
    for (std::size_t at = head_end + 4;;) {
      std::size_t eol = raw.find("\r\n", at);
      REQUIRE(eol != std::string::npos);
      std::size_t size = std::stoul(raw.substr(at, eol - at), nullptr, 16);
      if (size == 0) break;
      chunks.push_back(raw.substr(eol + 2, size));
      at = eol + 2 + size + 2;
    }
    CHECK(chunks.size() >= 2);
    CHECK(chunks.front().rfind("\xEF\xBB\xBFid,title,", 0) == 0);  // the head alone, first
    std::string joined;
    for (const auto& c : chunks) joined += c;
    CHECK(joined == test::read_file(files["csv"]));
    Client c(s.server->port());
    http::request<http::string_body> head_request{http::verb::head, "/api/v1/search.ris?" + query, 11};
    Reply headed = c.send(std::move(head_request), true);
    CHECK(headed.result() == http::status::ok);
    CHECK(headed.body().empty());
    CHECK(std::string(headed["X-Exported-Count"]) == std::to_string(total));
    Reply after = c.get("/api/v1/search.ris?" + query);  // the same connection
    CHECK(after.body() == test::read_file(files["ris"]));
  }

  // What the search refuses, the export refuses.
  CHECK(s.get("/api/v1/search.csv?country=XX", {}, false).result() == http::status::bad_request);
  CHECK(s.get("/api/v1/search.ris?bogus=1", {}, false).result() == http::status::bad_request);

  // The command line writes the same bytes for the same search.
  for (const auto& [format, ext] : std::map<std::string, std::string>{
           {"csv", "csv"}, {"ris", "ris"}, {"bibtex", "bib"}, {"csl", "csl.json"}}) {
    INFO(format);
    auto cli = test::defter(s.dir.path().string(), {"search", "Kazakhstan", "--format", format,
                                                    "--base-url", "http://127.0.0.1"});
    INFO(cli.err);
    REQUIRE(cli.exit_code == 0);
    CHECK(cli.out == test::read_file(files[ext]));
  }
}

TEST_CASE("an export holds at most the operator's limit, and says how many the search found",
          "[httpd][e2e][exports]") {
  httpd::ServerOptions o;
  o.max_export = 2;
  Served s(o);
  Reply r = s.get("/api/v1/search.csv?q=Kazakhstan", {}, false);
  REQUIRE(r.result() == http::status::ok);
  CHECK(std::string(r["X-Exported-Count"]) == "2");
  CHECK(std::stoul(std::string(r["X-Total-Count"])) > 2);
  const std::string& body = r.body();
  CHECK(std::count(body.begin(), body.end(), '\n') == 3);  // the header and two rows
  auto cli = test::defter(s.dir.path().string(),
                          {"search", "Kazakhstan", "--format", "ris", "--limit", "1"});
  CHECK(cli.exit_code == 0);
  CHECK(cli.err.find("1 of ") != std::string::npos);
  CHECK(cli.err.find(" articles exported (--limit 1)") != std::string::npos);
}
