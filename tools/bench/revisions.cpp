// defter-bench-revisions: what keeping revisions costs an import that
// replaces every record, and the archive's size with and without them.
//
//   defter-bench-revisions CORPUS CHANGED WORKDIR [ROUNDS]
//
// Each round, for revisions off and on (in turn, so that a slow moment of
// the machine falls on both): a new archive, CORPUS imported (not timed),
// then CHANGED (the same ids, other text) imported and timed. Prints one
// line per mode: "off|on MEDIAN_SECONDS RECORDS FILE_BYTES REVISION_BYTES".
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "defter/archive/archive.hpp"
#include "defter/archive/importer.hpp"

namespace {

struct Quiet : defter::archive::ImportListener {};

struct Outcome {
  double seconds = 0;
  std::uint64_t records = 0, file_bytes = 0, revision_bytes = 0;
};

Outcome one(const std::string& corpus, const std::string& changed, const std::filesystem::path& dir, bool revisions) {
  std::filesystem::remove_all(dir);
  defter::archive::Options o;
  o.dir = dir;
  o.keep_revisions = revisions;
  auto archive = defter::archive::Archive::open(o);
  if (!archive.ok()) {
    std::fprintf(stderr, "open: %s\n", archive.status().message().c_str());
    std::exit(1);
  }
  Quiet quiet;
  defter::archive::ImportOptions io;
  if (!defter::archive::import_jsonl(**archive, {corpus}, io, quiet).ok()) std::exit(1);
  auto start = std::chrono::steady_clock::now();
  auto r = defter::archive::import_jsonl(**archive, {changed}, io, quiet);
  Outcome out;
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!r.ok() || r->counts.rejected) {
    std::fprintf(stderr, "the second import failed or rejected records\n");
    std::exit(1);
  }
  out.records = r->counts.replaced;
  auto snap = (*archive)->snapshot();
  auto stats = snap->stats();
  out.file_bytes = stats.file_bytes;
  for (const auto& db : stats.databases)
    if (db.name == "revisions" || db.name == "runs" || db.name == "run_records") out.revision_bytes += db.bytes;
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: defter-bench-revisions CORPUS CHANGED WORKDIR [ROUNDS]\n");
    return 2;
  }
  int rounds = argc > 4 ? std::atoi(argv[4]) : 3;
  std::filesystem::path work = argv[3];
  std::vector<Outcome> off, on;
  for (int i = 0; i < rounds; ++i) {
    off.push_back(one(argv[1], argv[2], work / "off", false));
    on.push_back(one(argv[1], argv[2], work / "on", true));
  }
  std::filesystem::remove_all(work / "off");
  std::filesystem::remove_all(work / "on");
  for (auto* set : {&off, &on}) {
    std::sort(set->begin(), set->end(), [](const Outcome& a, const Outcome& b) { return a.seconds < b.seconds; });
    const Outcome& m = (*set)[set->size() / 2];
    std::printf("%s %.3f %llu %llu %llu\n", set == &off ? "off" : "on", m.seconds, static_cast<unsigned long long>(m.records),
                static_cast<unsigned long long>(m.file_bytes), static_cast<unsigned long long>(m.revision_bytes));
  }
  return 0;
}
