// The whole system under SIGKILL: a large `defter import` and API writes run
// while the server answers searches, and the server and the importer are
// killed at random moments, again and again. Afterwards every acknowledged
// write (a 2xx, an import batch reported committed) is in the archive and
// in the index, nothing unacknowledged is there in part, and `defter verify`
// finds archive and index in agreement.
#include <signal.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <mutex>
#include <random>
#include <regex>
#include <set>
#include <thread>

#include "client.hpp"
#include "content.hpp"
#include "support.hpp"

using namespace defter;
using nlohmann::json;
using test::Client;
using test::Reply;
namespace http = boost::beast::http;

namespace {

// An author written through the API: the body sent and whether a 2xx came back.
struct ApiWrite {
  std::string id;
  json body;
  bool acknowledged = false;
};

std::string api_author_id(int round, int i) { return "kill-author-" + std::to_string(round) + "-" + std::to_string(i); }
// A word only this author's name holds, to find it in the index.
std::string api_author_word(int round, int i) { return "Qkw" + std::to_string(round) + "x" + std::to_string(i); }

}  // namespace

TEST_CASE("SIGKILL of the server and the importer at random moments loses no acknowledged write",
          "[httpd][e2e][fault][kill]") {
  test::TempDir dir;
  const auto data = dir.path() / "data";
  const std::string token = test::write_token(data, "kill-test");
  // One large corpus, imported again in each round: a run resumes where the
  // last one was killed (the records already committed are unchanged).
  const int kRounds = static_cast<int>(test::scaled(16, 5));
  const auto corpus = dir.path() / "corpus.jsonl";
  test::generate_corpus(corpus, 4000, 120, 21, "kill-");
  std::vector<json> lines;
  {
    std::ifstream in(corpus);
    for (std::string line; std::getline(in, line);) lines.push_back(json::parse(line));
  }
  const unsigned seed = test::random_seed();
  INFO(test::replay_hint(seed));
  std::mt19937 rng(seed);
  const std::regex batch_line(R"(committed batch [0-9]+: [0-9]+ records \((.*):([0-9]+)-([0-9]+)\))");

  std::vector<ApiWrite> writes;
  std::set<std::size_t> committed_lines;  // 1-based lines of the corpus in batches reported committed
  int server_kills = 0, importer_kills = 0, searches_answered = 0, server_errors = 0;
  std::string first_error;  // the first search answered with an error
  for (int round = 0; round < kRounds; ++round) {
    auto serve = std::make_unique<test::ServeProcess>(data, "round" + std::to_string(round));
    REQUIRE(serve->port != 0);
    const std::uint16_t port = serve->port;
    const auto import_err = dir.path() / ("import" + std::to_string(round) + ".err");
    test::Child importer({test::defter_binary(), "--data", data.string(), "import", "-v", "--batch", "25", corpus.string()},
                         import_err);

    std::atomic<bool> stop{false};
    std::mutex mu;
    std::vector<ApiWrite> round_writes;
    // A writer: one author after another, each remembered with its answer.
    std::thread writer([&] {
      for (int i = 0; !stop; ++i) {
        ApiWrite w{api_author_id(round, i),
                   {{"name", "Probe " + api_author_word(round, i)}, {"bio", {{"en", "Written in round " + std::to_string(round) + "."}}}}};
        bool ok = false;
        try {
          Client c(port);
          http::request<http::string_body> req{http::verb::put, "/api/v1/authors/" + w.id, 11};
          req.set(http::field::authorization, "Bearer " + token);
          req.body() = w.body.dump();
          Reply r = c.send(std::move(req));
          ok = r.result() == http::status::created || r.result() == http::status::ok;
        } catch (const std::exception&) {
          // The server died under the request: not acknowledged.
        }
        w.acknowledged = ok;
        std::lock_guard lock(mu);
        round_writes.push_back(std::move(w));
        if (!ok) break;  // the server is gone; the next round starts another
      }
    });
    // A searcher: any answer but a 2xx or a 503 (busy) is an error.
    std::thread searcher([&] {
      static const char* kQueries[] = {"kill", "Central+Asia", "Probe", "energy+OR+water", "k*"};
      for (int i = 0; !stop; ++i) {
        try {
          Client c(port);
          Reply r = c.get(std::string("/api/v1/search?size=5&q=") + kQueries[i % 5]);
          std::lock_guard lock(mu);
          if (r.result_int() / 100 == 2) ++searches_answered;
          else if (r.result() != http::status::service_unavailable && server_errors++ == 0)
            first_error = std::string(kQueries[i % 5]) + ": " + std::to_string(r.result_int()) + " " + r.body();
        } catch (const std::exception&) {
          std::this_thread::sleep_for(std::chrono::milliseconds(20));  // killed; the round ends soon
        }
      }
    });

    // Kill both at random moments, in random order.
    std::this_thread::sleep_for(std::chrono::milliseconds(300 + rng() % 1500));
    bool server_first = rng() % 2;
    auto kill_importer = [&] {
      if (!importer.exited()) {
        importer.kill_now();
        ++importer_kills;
      }
    };
    if (!server_first) kill_importer();
    std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 300));
    serve->child->kill_now();
    ++server_kills;
    if (server_first) {
      std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 300));
      kill_importer();
    }
    stop = true;
    writer.join();
    searcher.join();
    serve.reset();

    std::string log = test::read_file(import_err);
    for (std::sregex_iterator it(log.begin(), log.end(), batch_line), end; it != end; ++it)
      for (std::size_t n = std::stoul((*it)[2]); n <= std::stoul((*it)[3]); ++n) committed_lines.insert(n);
    for (auto& w : round_writes) writes.push_back(std::move(w));
  }
  std::size_t acknowledged = 0;
  for (const auto& w : writes) acknowledged += w.acknowledged;
  INFO(server_kills << " server kills, " << importer_kills << " importer kills, " << acknowledged << " of "
                    << writes.size() << " API writes acknowledged, " << committed_lines.size()
                    << " corpus lines in committed batches, " << searches_answered << " searches answered");
  CHECK(server_kills == kRounds);
  CHECK(importer_kills >= kRounds / 2);
  CHECK(acknowledged >= 10);
  CHECK(!committed_lines.empty());
  CHECK(searches_answered > 0);
  INFO("the first search answered with an error: " << first_error);
  CHECK(server_errors == 0);

  // The archive: every acknowledged write as sent; nothing else but whole
  // records that were sent.
  auto stored = test::content(test::defter(data.string(), {"export"}).out);
  for (std::size_t n : committed_lines)
    for (auto& [key, value] : test::content_of_line(lines[n - 1])) {
      INFO("corpus line " << n << ": " << key);
      REQUIRE(stored.count(key));
      CHECK(stored[key] == value);
    }
  std::map<std::string, json> sent;
  for (const auto& l : lines)
    for (auto& [key, value] : test::content_of_line(l)) sent[key] = value;
  for (const auto& w : writes) {
    json record = w.body;
    record["type"] = "author";
    record["id"] = w.id;
    std::string key = "author:" + w.id;
    sent[key] = test::content_of_line(record)[key];
    if (w.acknowledged) {
      INFO("API write " << w.id);
      CHECK(stored.count(key));
    }
  }
  for (const auto& [key, value] : stored) {
    INFO(key);
    REQUIRE(sent.count(key));
    CHECK(sent[key] == value);
  }

  // The index: a last server catches up; every acknowledged write is found.
  {
    test::ServeProcess last(data, "last");
    REQUIRE(last.port != 0);
    bool caught_up = false;
    for (auto until = std::chrono::steady_clock::now() + std::chrono::minutes(5);
         !caught_up && std::chrono::steady_clock::now() < until;) {
      json stats = json::parse(Client(last.port).get("/api/v1/stats").body());
      caught_up = stats["index"]["last_change"] == stats["last_change"];
      if (!caught_up) std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    CHECK(caught_up);
    for (const auto& w : writes) {
      if (!w.acknowledged) continue;
      INFO("searching for " << w.id);
      std::string word = w.body["name"].get<std::string>().substr(6);  // after "Probe "
      json found = json::parse(Client(last.port).get("/api/v1/search?type=author&q=" + word).body());
      bool hit = false;
      for (const auto& h : found["hits"]) hit = hit || h["id"] == w.id;
      CHECK(hit);
    }
    last.child->signal(SIGTERM);
    CHECK(last.child->wait() == 0);
  }
  // Whatever the last server left unindexed, `defter index` applies; then
  // archive and index agree.
  auto indexed = test::defter(data.string(), {"index"});
  INFO(indexed.err);
  CHECK(indexed.exit_code == 0);
  auto verify = test::defter(data.string(), {"verify"});
  INFO(verify.out << verify.err);
  CHECK(verify.exit_code == 0);
}
