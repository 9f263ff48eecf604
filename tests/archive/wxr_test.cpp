// A WordPress export imported through the library, into an archive whose
// map starts small: the import grows it many times (the command-line
// tests, tests/cli/wxr_test.cpp, check what the records hold).
#include <catch2/catch.hpp>

#include "archive_support.hpp"
#include "defter/archive/documents.hpp"

using namespace defter;

TEST_CASE(
    "a WordPress export imports while the archive's map grows: nothing read is held across it",
    "[archive][wxr]") {
  test::TempDir dir;
  archive::Options options;
  options.initial_map_size = 64 << 10;  // smaller than the export's records: the writes grow it
  auto a = archive_test::open(dir, options);
  archive::WxrOptions wo;
  archive::ImportOptions io;
  io.batch_records = 2;  // a write per two records
  archive::ImportListener listener;
  std::vector<std::string> notes;
  const std::string file =
      (test::source_dir() / "tests" / "data" / "documents" / "wordpress.xml").string();
  auto summary = archive::import_wxr(*a, file, wo, io, listener, notes);
  REQUIRE(summary.ok());
  CHECK(summary->counts.added == 5);
  CHECK(summary->counts.rejected == 0);
  CHECK(summary->counts.warnings == 2);
  auto snap = a->snapshot();
  REQUIRE(snap.ok());
  auto article =
      snap->article("steps-to-consolidate-strong-cooperation-in-china-central-asian-relations");
  REQUIRE(article.ok());
  CHECK(article->translations.size() == 3);
  // No gazetteer here (archive/ does not call indexer/): no countries from tags.
  CHECK(article->countries.empty());
  CHECK(notes.back() ==
        "left out (only published posts become articles): 1 attachment, 1 draft post, 1 page");
}
