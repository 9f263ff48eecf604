// A randomised test of the archive against a std::map model: random puts,
// re-puts and deletes in random batches, some aborted, then a full compare.
#include <map>
#include <random>

#include <catch2/catch.hpp>

#include "defter/archive/archive.hpp"
#include "support.hpp"

using namespace defter;

TEST_CASE("the archive behaves like a map under random batches", "[archive]") {
  test::TempDir dir;
  archive::Options options;
  options.dir = dir.path() / "archive";
  options.initial_map_size = 64 << 10;  // small, so the map grows during the test
  auto opened = archive::Archive::open(options);
  REQUIRE(opened.ok());
  auto& a = **opened;

  std::mt19937 rng(12345);
  std::map<std::string, schema::Author> model;
  std::uint64_t expected_changes = 0;
  for (int round = 0; round < 300; ++round) {
    auto next = model;
    std::uint64_t round_changes = 0;
    bool abort = rng() % 7 == 0;
    Status s = a.write([&](archive::WriteBatch& b) -> Status {
      next = model;
      round_changes = 0;
      int ops = 1 + static_cast<int>(rng() % 20);
      for (int i = 0; i < ops; ++i) {
        std::string id = "au" + std::to_string(rng() % 60);
        if (rng() % 4 == 0) {
          auto removed = b.remove(schema::RecordType::kAuthor, id);
          if (!removed.ok()) return removed.status();  // a full map: write() grows it and runs us again
          CHECK(*removed == (next.erase(id) == 1));
          round_changes += *removed;
        } else {
          schema::Author au;
          au.id = id;
          au.name = "N" + std::to_string(rng() % 3);
          std::string bio(rng() % 3000, ' ');  // some stored compressed, some not
          for (auto& c : bio) c = static_cast<char>('a' + rng() % 26);
          au.bio["en"] = bio;
          auto outcome = b.put(au);
          if (!outcome.ok()) return outcome.status();
          auto it = next.find(id);
          auto expected = it == next.end() ? archive::PutOutcome::kAdded
                          : it->second == au ? archive::PutOutcome::kUnchanged
                                             : archive::PutOutcome::kReplaced;
          CHECK(*outcome == expected);
          round_changes += expected != archive::PutOutcome::kUnchanged;
          next[id] = au;
        }
      }
      return abort ? Status(Code::kInvalidArgument, "abort this round") : Status();
    });
    if (!abort) {
      INFO(s.to_string());
      REQUIRE(s.ok());
      model = next;
      expected_changes += round_changes;
    }
  }
  std::map<std::string, schema::Author> stored;
  auto snap = a.snapshot();
  REQUIRE(snap->for_each_author([&](const schema::Author& au) {
    stored[au.id] = au;
    return true;
  }).ok());
  CHECK(stored == model);
  CHECK(snap->last_seq() == expected_changes);
  CHECK(snap->stats().map_bytes > (64u << 10));  // it grew
}
