// The API's answers on the sample archive, handler by handler and without a
// socket, against reviewed JSON files in tests/httpd/golden/: a change to
// what a handler answers shows as a diff of those files. To accept a change,
// run with DEFTER_UPDATE_GOLDEN=1 (the files are rewritten) and review the
// diff before committing it. Timings are left out and scores rounded: they
// are not what the handler decides.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <fstream>

#include <nlohmann/json.hpp>

#include "defter/httpd/api.hpp"
#include "sample.hpp"

using namespace defter;
using nlohmann::json;
namespace http = boost::beast::http;

namespace {

struct Case {
  const char* name;
  const char* target;
};

const Case kCases[] = {
    {"search-kazakhstan", "/api/v1/search?q=Kazakhstan&size=3&snippet_chars=120"},
    {"search-filters", "/api/v1/search?country=KZ&lang=tr&year=2023&size=2&snippet_chars=80&facet_size=3"},
    {"search-fields-in-query", "/api/v1/search?q=country:Uzbekistan%20year:2020..2024%20-water&size=2&facets=lang,type"},
    {"search-bad-filter", "/api/v1/search?type=bio"},
    {"search-bad-facet", "/api/v1/search?facets=colour"},
    {"search-unknown-parameter", "/api/v1/search?qq=x"},
    {"suggest-kaz", "/api/v1/suggest?q=Kaz&ui_lang=tr"},
    {"article-seed-tr", "/api/v1/articles/china-central-asia-c5-summit-2023?lang=tr"},
    {"article-view-seed-ru", "/api/v1/articles/china-central-asia-c5-summit-2023/view?lang=ru&ui_lang=en"},
    {"author", "/api/v1/authors/dogacan-basaran"},
    {"facets", "/api/v1/facets?facet_size=5&ui_lang=ru"},
    {"fields", "/api/v1/fields"},
    {"no-such-article", "/api/v1/articles/no-such-article"},
    {"no-such-route", "/api/v1/nothing"},
    {"history-seed", "/api/v1/articles/china-central-asia-c5-summit-2023/history?lang=tr"},
    {"runs", "/api/v1/runs"},
};

// What the golden file holds of an answer.
json recorded(const httpd::Response& res) {
  json out = {{"status", static_cast<int>(res.result_int())}, {"content_type", std::string(res[http::field::content_type])}};
  json body = json::parse(res.body());
  if (!body.is_object()) {
    out["body"] = body;
    return out;
  }
  body.erase("timings_ms");
  // Times are the moment the test imported the sample.
  for (const char* list : {"revisions", "runs"})
    if (body.contains(list))
      for (auto& item : body[list])
        for (const char* field : {"at", "started", "ended"})
          if (item.contains(field) && item[field].is_string()) item[field] = "(the import's time)";
  // When the record last changed is the moment the test imported it.
  if (body.contains("last_change") && body["last_change"].is_object()) body["last_change"]["at"] = "(the import's time)";
  if (body.contains("hits"))
    for (auto& h : body["hits"])
      if (h.contains("score")) h["score"] = std::round(h["score"].get<double>() * 1000) / 1000;
  // Files are named from wherever the repository is.
  std::string text = body.dump();
  const std::string root = test::source_dir().string();
  for (std::size_t at = text.find(root); at != std::string::npos; at = text.find(root, at)) text.replace(at, root.size(), "SOURCE");
  out["body"] = json::parse(text);
  return out;
}

}  // namespace

TEST_CASE("each handler's answer on the sample archive is its reviewed golden file", "[httpd][golden]") {
  test::Sample sample;
  httpd::ApiOptions options;
  options.data = sample.dir.path();
  httpd::ApiWorker worker(options, *sample.archive);
  const bool update = std::getenv("DEFTER_UPDATE_GOLDEN") != nullptr;
  const auto dir = test::source_dir() / "tests" / "httpd" / "golden";
  for (const Case& c : kCases) {
    INFO(c.name << ": " << c.target);
    httpd::Request req{http::verb::get, c.target, 11};
    req.set(http::field::host, "localhost");
    httpd::ApiWorker::Outcome outcome;
    json got = recorded(worker.handle(req, outcome));
    CHECK(outcome.error.empty());
    auto path = dir / (std::string(c.name) + ".json");
    if (update) {
      std::ofstream(path) << got.dump(2) << "\n";
      continue;
    }
    std::ifstream in(path);
    REQUIRE(in);
    json want = json::parse(in);
    if (got != want) {
      // The changed parts, as a JSON Patch from the golden file to the answer.
      INFO("differs from " << path.string() << " by " << json::diff(want, got).dump(2));
      CHECK(got == want);
    }
  }
}
