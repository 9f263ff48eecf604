// What the index's writer, reader, tools and search share about its files
// and errors (index_files.cpp).
#pragma once

#include <xapian.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <utility>
#include <string>
#include <vector>

#include "defter/schema/records.hpp"
#include "defter/schema/status.hpp"

namespace defter::indexer {

// The stub file in DATA/index naming the live generation; Xapian opens it.
inline constexpr const char* kStub = "current";
// Held by a running server (ServingMark) and by a reindex.
inline constexpr const char* kServingLock = "serving.lock";
inline constexpr const char* kReindexLock = "reindex.lock";

// The live generation's directory name, or "" when there is no index.
std::string current_generation(const std::filesystem::path& dir);

// The live generation, opened through the stub. A reindex removes the
// generation it replaces, which may happen between reading the stub and
// opening what it names: opened again then, from the new stub.
Xapian::Database open_live(const std::filesystem::path& dir);

// Xapian's exceptions never cross the module's API: they become a Status.
// `what` says what was being done ("search the index").
// Called only inside a catch of e (it rethrows it to find its type).
Status from_xapian(const Xapian::Error& e, const std::string& what);

// A large backlog (a new index, a reindex) is built in parallel: the
// records are split by id (shard_of) into shards DIR/index/build/shard-K,
// each written by its own thread, which are then merged into one new
// generation with full blocks (merge_shards). Searches always read one
// database: Xapian hands its match deciders and spies the docids of a
// sub-database, which the facet table cannot map back.
inline constexpr const char* kBuildDir = "build";
// The shard of n that holds a record's documents: FNV-1a of its type and
// id, the same in every process and version.
std::size_t shard_of(schema::RecordType type, const std::string& id, std::size_t n);
// Merges the databases `from` into a new one at `to` (Xapian's compactor,
// full blocks); of their last changes (defter:last_seq) it keeps the least.
// Throws Xapian::Error.
void merge_shards(const std::vector<std::filesystem::path>& from, const std::filesystem::path& to);

// Runs task(k) for k in [0, n) on up to `jobs` threads, the caller's among
// them (the shards of a generation: task(k) alone touches shard k's Xapian
// objects). Returns the first failure, or throws the first exception in
// the caller's thread; the other tasks finish either way.
Status for_each_shard(std::size_t n, std::size_t jobs, const std::function<Status(std::size_t)>& task);
// The threads IndexOptions::jobs asks for (0: one a core).
std::size_t jobs_of(std::size_t jobs);

// Held while a new generation is built and switched to (reindex, compact):
// one at a time (DIR/reindex.lock).
class GenerationLock {
 public:
  static Result<GenerationLock> take(const std::filesystem::path& dir);
  GenerationLock(GenerationLock&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  GenerationLock& operator=(GenerationLock&&) = delete;
  ~GenerationLock();

 private:
  explicit GenerationLock(int fd) : fd_(fd) {}
  int fd_;
};

// Makes `generation` the live one (the stub, atomically) and removes every
// other. A reader that has the previous one open keeps reading it (its
// files stay while they are open); on its next refresh it finds the stub
// changed and opens the new one. A writer that had it open follows the
// stub on its next drain.
Status switch_to(const std::filesystem::path& dir, const std::string& generation);

// "gen-000042": the directory of generation n.
std::string generation_name(int n);
// Points the stub at `generation`, atomically (a reader sees the old stub
// or the new). With only_if_absent, only when no generation is live yet
// (two processes creating the index at once: one wins); kConflict when one is.
Status write_current(const std::filesystem::path& dir, const std::string& generation, bool only_if_absent = false);
// The highest generation number in `dir` (0 when none).
int highest_generation(const std::filesystem::path& dir);
// The last change of the archive the index holds ("defter:last_seq").
std::uint64_t read_seq(const Xapian::Database& db);
// kUnsupported when the index's format is newer than this defter's.
Status check_format(const Xapian::Database& db, const std::filesystem::path& path);

}  // namespace defter::indexer
