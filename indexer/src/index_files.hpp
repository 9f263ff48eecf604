// What the index's writer, reader, tools and search share about its files
// and errors (index_files.cpp).
#pragma once

#include <xapian.h>

#include <cstdint>
#include <filesystem>
#include <string>

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

// "gen-000042": the directory of generation n.
std::string generation_name(int n);
// Points the stub at `generation`, atomically (a reader sees the old stub
// or the new). With only_if_absent, only when no generation is live yet
// (two processes creating the index at once: one wins); kConflict when one is.
Status write_stub(const std::filesystem::path& dir, const std::string& generation, bool only_if_absent = false);
// The highest generation number in `dir` (0 when none).
int highest_generation(const std::filesystem::path& dir);
// The last change of the archive the index holds ("defter:last_seq").
std::uint64_t read_seq(const Xapian::Database& db);
// kUnsupported when the index's format is newer than this defter's.
Status check_format(const Xapian::Database& db, const std::filesystem::path& path);

}  // namespace defter::indexer
