// The live indexer a server runs: what this process wrote is searchable
// soon, what another writer wrote is picked up by its polling, it lets go
// of the index for another writer, a failure is told once, and stop() ends
// it. Waits are bounded polls (never fixed sleeps that must be long enough).
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <thread>

#include "defter/indexer/index_schema.hpp"
#include "defter/indexer/live_index.hpp"
#include "sample.hpp"

using namespace defter;
using Clock = std::chrono::steady_clock;

namespace {

// Polls `done` every 10 ms for up to `limit`; whether it became true.
template <typename F>
bool within(std::chrono::milliseconds limit, F done) {
  for (auto until = Clock::now() + limit; Clock::now() < until;) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return done();
}

schema::Author author(const std::string& id) {
  schema::Author a;
  a.id = id;
  a.name = "Live Author " + id;
  a.bio["en"] = "A biography written while the indexer runs: " + id;
  return a;
}

Status put(archive::Archive& archive, const schema::Author& a) {
  return archive.write([&](archive::WriteBatch& b) -> Status {
    auto r = b.put(a);
    return r ? Status() : r.status();
  });
}

// The index agrees with the archive, and holds (at its latest commit) the
// author's biography document.
bool indexed(test::Sample& s, const std::string& id) {
  auto report = indexer::verify(*s.archive, s.options);
  if (!report.ok() || !report->clean()) return false;
  auto reader = indexer::IndexReader::open(s.options);
  if (!reader.ok()) return false;
  const std::string unique = "u:" + id + "/en";
  auto found = (*reader)->ids("", "en", std::string(indexer::prefix::kUnique) + unique);
  return found.ok() && found->size() == 1 && found->front() == unique;
}

}  // namespace

TEST_CASE("the live indexer makes this process's writes and another writer's searchable", "[indexer][live][threads]") {
  test::Sample s;
  std::mutex m;
  std::vector<std::string> errors;
  indexer::LiveIndexer live(*s.archive, s.options, [&](const std::string& e) {
    std::lock_guard lock(m);
    errors.push_back(e);
  });
  // Written here and told: indexed first.
  REQUIRE(put(*s.archive, author("told")).ok());
  live.index_first({{schema::RecordType::kAuthor, "told"}});
  CHECK(within(std::chrono::seconds(10), [&] { return indexed(s, "told"); }));
  // Written without a word (as another process writes): found by its polling.
  REQUIRE(put(*s.archive, author("untold")).ok());
  CHECK(within(std::chrono::seconds(10), [&] { return indexed(s, "untold"); }));
  // Idle, it does not hold the index: another writer gets it.
  CHECK(within(std::chrono::seconds(5), [&] { return indexer::IndexWriter::open(s.options).ok(); }));
  live.stop();
  live.stop();  // twice is harmless
  std::lock_guard lock(m);
  CHECK(errors.empty());
}

TEST_CASE("the live indexer tells a failure once, and indexes again once its cause is gone", "[indexer][live][threads]") {
  test::Sample s;
  std::mutex m;
  std::vector<std::string> errors;
  auto error_count = [&] {
    std::lock_guard lock(m);
    return errors.size();
  };
  // The index is a file where its directory should be: it cannot be opened.
  indexer::IndexOptions broken = s.options;
  broken.dir = s.dir.path() / "not-a-directory";
  test::write_file(broken.dir, "x");
  {
    indexer::LiveIndexer live(*s.archive, broken, [&](const std::string& e) {
      std::lock_guard lock(m);
      errors.push_back(e);
    });
    REQUIRE(put(*s.archive, author("a1")).ok());
    live.index_first({{schema::RecordType::kAuthor, "a1"}});
    CHECK(within(std::chrono::seconds(5), [&] { return error_count() >= 1; }));
    // The same failure, again and again: still told once.
    REQUIRE(put(*s.archive, author("a2")).ok());
    live.index_first({{schema::RecordType::kAuthor, "a2"}});
    std::this_thread::sleep_for(std::chrono::milliseconds(600));  // two more polls at least
    CHECK(error_count() == 1);
    std::lock_guard lock(m);
    CHECK(errors[0].find("cannot open the index for writing") != std::string::npos);
  }  // the destructor stops it
  // The cause gone (a real index directory), a new indexer catches up.
  std::filesystem::remove(broken.dir);
  indexer::LiveIndexer live(*s.archive, s.options, {});
  CHECK(within(std::chrono::seconds(10), [&] { return indexed(s, "a1") && indexed(s, "a2"); }));
}
