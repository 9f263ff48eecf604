// defter backup and restore.
#include "commands.hpp"
#include "cli_util.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include <fmt/core.h>

#include "defter/archive/archive.hpp"
#include "defter/indexer/index.hpp"

namespace defter::cli {

namespace {

// A directory that does not exist yet, or is empty.
Status check_fresh(const std::filesystem::path& dir, const std::string& what) {
  std::error_code ec;
  if (std::filesystem::exists(dir, ec) && !std::filesystem::is_empty(dir, ec))
    return Status(Code::kInvalidArgument, what + " " + dir.string() + " is not empty");
  return {};
}

// Builds a data directory in DIR.partial-PID with `fill`, checks it with
// verify, then renames it to DIR: a failure or a kill at any moment leaves
// no half-made DIR (only the .partial directory, removed on failure).
Result<indexer::VerifyReport> make_data_dir(const std::filesystem::path& dir,
                                            const std::function<Status(const std::filesystem::path&)>& fill) {
  std::filesystem::path partial = dir;
  partial += ".partial-" + std::to_string(::getpid());
  std::error_code ec;
  std::filesystem::remove_all(partial, ec);
  struct Cleanup {
    std::filesystem::path path;
    bool keep = false;
    ~Cleanup() {
      std::error_code e;
      if (!keep) std::filesystem::remove_all(path, e);
    }
  } cleanup{partial};
  if (auto s = fill(partial); !s.ok()) return s;
  indexer::VerifyReport report;
  {
    archive::Options ao;
    ao.dir = partial / "archive";
    auto copy = archive::Archive::open(ao);
    if (!copy) return copy.status();
    // The index copy may be behind the archive copy: catch up, then check.
    indexer::IndexOptions io;
    io.dir = partial / "index";
    {
      auto writer = indexer::IndexWriter::open(io);
      if (!writer) return writer.status();
      auto drained = (*writer)->drain(**copy);
      if (!drained) return drained.status();
    }
    auto verified = indexer::verify(**copy, io);
    if (!verified) return verified.status();
    report = *verified;
  }
  if (!report.consistent())
    return Status(Code::kCorruption, "the copy does not verify: " + std::to_string(report.missing.size()) + " missing, " +
                                         std::to_string(report.stale.size()) + " stale, " +
                                         std::to_string(report.orphan.size()) + " orphan documents");
  std::filesystem::remove(dir, ec);  // empty, if it exists (check_fresh)
  std::filesystem::rename(partial, dir, ec);
  if (ec) return Status(Code::kIOError, "cannot rename " + partial.string() + " to " + dir.string() + ": " + ec.message());
  cleanup.keep = true;
  return report;
}

}  // namespace

int run_backup(const std::string& data_dir, const std::string& dest) {
  std::filesystem::path out(dest);
  if (auto s = check_fresh(out, "the backup directory"); !s.ok()) return fail(s);
  auto archive = open_archive(data_dir, true);
  if (!archive) return fail(archive.status());
  auto start = Clock::now();
  // The index first, then the archive: the archive copy is then at least as
  // new as the index copy, and the index catches up from the archive's log.
  std::uint64_t index_seq = 0;
  auto report = make_data_dir(out, [&](const std::filesystem::path& dir) -> Status {
    auto copied = indexer::copy_index(index_options(data_dir), dir / "index");
    if (copied) index_seq = *copied;
    else if (copied.status().code() != Code::kNotFound) return copied.status();  // no index: the copy builds one
    return (*archive)->copy_to(dir / "archive");
  });
  if (!report) return fail(report.status());
  std::cout << fmt::format("backed up to {}: archive at change #{}, index copied at #{} and brought to #{}; verify clean "
                           "({:.2f} s)\n",
                           out.string(), report->archive_seq, index_seq, report->index_seq,
                           std::chrono::duration<double>(Clock::now() - start).count());
  return kExitOk;
}

int run_restore(const std::string& data_dir, const std::string& backup) {
  std::filesystem::path from(backup), to(data_dir);
  std::error_code ec;
  if (!std::filesystem::exists(from / "archive" / "data.mdb", ec))
    return fail(Status(Code::kNotFound, from.string() + " holds no backup (no archive/data.mdb)"));
  if (auto s = check_fresh(to, "the data directory"); !s.ok()) return fail(s);
  auto start = Clock::now();
  auto report = make_data_dir(to, [&](const std::filesystem::path& dir) -> Status {
    std::error_code e;
    std::filesystem::create_directories(dir, e);
    for (const char* part : {"archive", "index"}) {
      if (!std::filesystem::exists(from / part, e)) continue;
      std::filesystem::copy(from / part, dir / part, std::filesystem::copy_options::recursive, e);
      if (e) return Status(Code::kIOError, "cannot copy " + (from / part).string() + ": " + e.message());
    }
    // Lock files are the old processes', not the copy's.
    for (const char* lock : {"index/serving.lock", "index/reindex.lock", "archive/lock.mdb"})
      std::filesystem::remove(dir / lock, e);
    return {};
  });
  if (!report) return fail(report.status());
  std::cout << fmt::format("restored {} into {}: archive at change #{}, index at #{}; verify clean ({:.2f} s)\n", from.string(),
                           to.string(), report->archive_seq, report->index_seq,
                           std::chrono::duration<double>(Clock::now() - start).count());
  return kExitOk;
}

}  // namespace defter::cli
