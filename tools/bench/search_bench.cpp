// defter-bench-search: the defter side of tools/bench/search.
//
//   defter-bench-search queries CORPUS COUNT SEED OUT
//       Writes COUNT mixed queries drawn from the corpus's own texts (JSON
//       Lines: "q" for defter, "words" and "lang" for the reference, and the
//       filters): one to three words, phrases, prefixes, fields, filters.
//   defter-bench-search run DATA QUERIES
//       Runs every query in-process through defter's search API (all facets,
//       snippets, collapsing), once to warm up, then timed passes
//       (latency.hpp: each query's median), then a list of hostile queries. Prints "median p99 max" in milliseconds, a line
//       "stages" with each stage's median/p99, then "hostile NAME ms" lines.
#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "defter/archive/archive.hpp"
#include "defter/indexer/search.hpp"
#include "latency.hpp"
#include "rng.hpp"

using nlohmann::json;
using namespace defter;

namespace {

struct Text {
  std::string lang;
  std::vector<std::string> words;
  std::vector<std::string> countries;
  std::string year;
};

// Words of generated text: spaces separate them; CJK text has none, so
// two or three characters make a word.
std::vector<std::string> words_of(const std::string& text, bool cjk) {
  std::vector<std::string> out;
  if (cjk) {
    std::vector<std::string> chars;
    for (std::size_t i = 0; i < text.size();) {
      unsigned char c = static_cast<unsigned char>(text[i]);
      std::size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
      if (n == 3) chars.push_back(text.substr(i, n));
      i += n;
    }
    for (std::size_t i = 0; i + 2 < chars.size(); i += 3) out.push_back(chars[i] + chars[i + 1]);
    return out;
  }
  std::string cur;
  auto flush = [&] {
    if (cur.size() >= 3) out.push_back(cur);
    cur.clear();
  };
  for (char c : text) {
    if (c == ' ' || c == '\n' || c == '.' || c == '#' || c == '>' || c == '[' || c == ']' || (c >= '0' && c <= '9')) flush();
    else cur += c;
  }
  flush();
  return out;
}

int make_queries(const std::string& corpus, int count, std::uint64_t seed, const std::string& out_path) {
  bench::Rng rng(seed);
  std::vector<Text> texts;
  std::ifstream in(corpus);
  for (std::string line; std::getline(in, line);) {
    if (rng.below(8) != 0) continue;  // a sample of the corpus is enough
    auto j = json::parse(line);
    if (j["type"] != "article") continue;
    for (auto& [lang, t] : j["translations"].items()) {
      Text x;
      x.lang = lang;
      x.words = words_of(t.at("body").get<std::string>(), lang == "zh");
      x.countries = j.value("countries", std::vector<std::string>{});
      x.year = j.at("published").get<std::string>().substr(0, 4);
      if (x.words.size() > 10) texts.push_back(std::move(x));
    }
  }
  if (texts.empty()) {
    std::fprintf(stderr, "defter-bench-search: no texts in %s\n", corpus.c_str());
    return 1;
  }
  std::ofstream out(out_path);
  for (int i = 0; i < count; ++i) {
    const Text& t = texts[rng.below(texts.size())];
    auto word = [&] { return t.words[rng.below(t.words.size())]; };
    json q = {{"lang", t.lang}, {"filters", json::object()}};
    std::string words;
    switch (rng.below(10)) {
      case 0: case 1: case 2: words = word(); break;
      case 3: case 4: words = word() + " " + word(); break;
      case 5: words = word() + " " + word() + " " + word(); break;
      case 6: {
        std::size_t at = rng.below(t.words.size() - 1);
        words = "\"" + t.words[at] + " " + t.words[at + 1] + "\"";
        break;
      }
      case 7: {  // a word and a filter on a facet
        words = word();
        if (!t.countries.empty()) q["filters"]["country"] = {t.countries[0]};
        else q["filters"]["year"] = {t.year};
        break;
      }
      case 8: {  // two words, a language and a year range
        words = word() + " " + word();
        q["filters"]["lang"] = {t.lang};
        q["from"] = t.year;
        break;
      }
      default: {  // a prefix of a word
        std::string w = word();
        // All but the last two characters, at least three (never inside a UTF-8 sequence).
        std::vector<std::size_t> starts;
        for (std::size_t k = 0; k < w.size(); ++k)
          if ((static_cast<unsigned char>(w[k]) & 0xC0) != 0x80) starts.push_back(k);
        std::size_t keep = starts.size() > 5 ? starts.size() - 2 : std::min<std::size_t>(3, starts.size());
        words = t.lang == "zh" || keep >= starts.size() ? w : w.substr(0, starts[keep]);
        q["q"] = words + (t.lang == "zh" ? "" : "*");
        break;
      }
    }
    if (!q.contains("q")) q["q"] = words;
    q["words"] = words;
    out << q.dump() << "\n";
  }
  return out ? 0 : 1;
}

// The queries file as search requests.
std::vector<indexer::SearchRequest> read_requests(const std::string& queries_path) {
  std::vector<indexer::SearchRequest> requests;
  std::ifstream in(queries_path);
  for (std::string line; std::getline(in, line);) {
    auto j = json::parse(line);
    indexer::SearchRequest r;
    r.query = j.at("q");
    for (auto& [facet, values] : j["filters"].items()) r.filters[facet] = values.get<std::vector<std::string>>();
    r.from = j.value("from", "");
    requests.push_back(std::move(r));
  }
  return requests;
}

std::string percent_encoded(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 0xF];
    }
  }
  return out;
}

// The same searches as HTTP request targets, one a line.
int urls(const std::string& queries_path, const std::string& out_path) {
  std::ofstream out(out_path);
  for (const auto& r : read_requests(queries_path)) {
    std::string t = "/api/v1/search?q=" + percent_encoded(r.query);
    for (const auto& [facet, values] : r.filters)
      for (const auto& v : values) t += "&" + facet + "=" + percent_encoded(v);
    if (!r.from.empty()) t += "&from=" + percent_encoded(r.from);
    out << t << "\n";
  }
  return out ? 0 : 1;
}

// The data directory's archive, read-only; says why on stderr when it cannot.
std::unique_ptr<archive::Archive> open_archive(const std::string& data) {
  archive::Options ao;
  ao.dir = std::filesystem::path(data) / "archive";
  ao.read_only = true;
  auto archive = archive::Archive::open(ao);
  if (!archive) {
    std::fprintf(stderr, "%s\n", archive.status().message().c_str());
    return nullptr;
  }
  return std::move(*archive);
}

// Searches a second in-process: `threads` threads, each with its own
// searcher, taking the queries in turn for `seconds`. Prints the rate.
int throughput(const std::string& data, const std::string& queries_path, unsigned threads, double seconds) {
  auto archive = open_archive(data);
  if (!archive) return 1;
  indexer::IndexOptions io;
  io.dir = std::filesystem::path(data) / "index";
  auto requests = read_requests(queries_path);
  std::atomic<std::size_t> next{0}, done{0};
  std::atomic<bool> failed{false};
  auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t)
    pool.emplace_back([&] {
      auto searcher = indexer::Searcher::open(io, *archive);
      if (!searcher) {
        failed = true;
        return;
      }
      while (std::chrono::steady_clock::now() < until) {
        if (!(*searcher)->search(requests[next++ % requests.size()])) failed = true;
        ++done;
      }
    });
  auto start = std::chrono::steady_clock::now();
  for (auto& t : pool) t.join();
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (failed) return 1;
  std::printf("%.1f\n", static_cast<double>(done) / elapsed);
  return 0;
}

int run(const std::string& data, const std::string& queries_path) {
  auto archive = open_archive(data);
  if (!archive) return 1;
  indexer::IndexOptions io;
  io.dir = std::filesystem::path(data) / "index";
  auto searcher = indexer::Searcher::open(io, *archive);
  if (!searcher) {
    std::fprintf(stderr, "%s\n", searcher.status().message().c_str());
    return 1;
  }
  std::vector<indexer::SearchRequest> requests = read_requests(queries_path);
  std::vector<double> parse, match, facets, snippets;
  auto time_one = [&](const indexer::SearchRequest& r) {
    auto start = std::chrono::steady_clock::now();
    auto resp = (*searcher)->search(r);
    if (resp) {
      parse.push_back(resp->timings.parse_ms);
      match.push_back(resp->timings.match_ms);
      facets.push_back(resp->timings.facets_ms);
      snippets.push_back(resp->timings.snippets_ms);
    }
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (!resp) {
      std::fprintf(stderr, "defter-bench-search: %s: %s\n", r.query.c_str(), resp.status().message().c_str());
      std::exit(1);
    }
    return ms;
  };
  for (const auto& r : requests) time_one(r);  // warm up: page cache, gazetteer tables
  for (auto* v : {&parse, &match, &facets, &snippets}) v->clear();
  std::vector<std::vector<double>> passes(bench::kTimedPasses);
  for (auto& pass : passes)
    for (const auto& r : requests) pass.push_back(time_one(r));
  // The stage summaries are over every timed pass.
  std::vector<double> ms = bench::median_per_query(passes);
  std::vector<std::size_t> last(ms.size());  // the stages of a query's last pass, for the slow lines
  for (std::size_t i = 0; i < ms.size(); ++i) last[i] = (passes.size() - 1) * ms.size() + i;
  auto s = bench::summarize(ms);
  double mean = 0;
  for (double m : ms) mean += m / static_cast<double>(ms.size());
  std::printf("%.3f %.3f %.3f %.3f\n", s.median, s.p99, s.max, mean);
  // The slowest queries, to stderr: what the p99 is made of.
  std::vector<std::size_t> order(ms.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return ms[a] > ms[b]; });
  for (std::size_t i = 0; i < std::min<std::size_t>(8, order.size()); ++i)
    std::fprintf(stderr, "slow %.2f ms (last pass: match %.2f, facets %.2f, snippets %.2f): %s%s\n", ms[order[i]],
                 match[last[order[i]]], facets[last[order[i]]], snippets[last[order[i]]], requests[order[i]].query.c_str(),
                 requests[order[i]].filters.empty() ? "" : " (with filters)");
  // Where the time goes: each stage's median and p99.
  std::printf("stages");
  for (auto [name, v] : {std::pair{"parse", &parse}, {"match", &match}, {"facets", &facets}, {"snippets", &snippets}}) {
    auto l = bench::summarize(*v);
    std::printf(" %s %.2f/%.2f;", name, l.median, l.p99);
  }
  std::printf("\n");

  std::string huge;
  while (huge.size() < 10000) huge += "word another third ";
  const std::vector<std::pair<std::string, std::string>> hostile = {
      {"10000-characters", huge},
      {"punctuation", "!!! ??? ... --- ((( )))"},
      {"stop-words", "the of and to in"},
      {"invalid-utf8", "\xff\xfe\xc0\xaf word \xed\xa0\x80"},
      {"wildcard-a*", "a*"},
      {"wildcard-every-term", "*"},
      {"deep-parentheses", std::string(3000, '(') + "x" + std::string(3000, ')')},
  };
  for (const auto& [name, q] : hostile) {
    indexer::SearchRequest r;
    r.query = q;
    std::printf("hostile %s %.3f\n", name.c_str(), time_one(r));
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> a(argv + 1, argv + argc);
  if (a.size() == 5 && a[0] == "queries") return make_queries(a[1], std::atoi(a[2].c_str()), std::strtoull(a[3].c_str(), nullptr, 10), a[4]);
  if (a.size() == 3 && a[0] == "run") return run(a[1], a[2]);
  if (a.size() == 3 && a[0] == "urls") return urls(a[1], a[2]);
  if (a.size() == 5 && a[0] == "throughput")
    return throughput(a[1], a[2], static_cast<unsigned>(std::atoi(a[3].c_str())), std::atof(a[4].c_str()));
  std::fprintf(stderr, "usage: defter-bench-search queries CORPUS COUNT SEED OUT | run DATA QUERIES | urls QUERIES OUT | "
                       "throughput DATA QUERIES THREADS SECONDS\n");
  return 2;
}
