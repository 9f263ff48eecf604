#include "defter/indexer/data_dir.hpp"

#include <unistd.h>

#include <functional>

#include "index_files.hpp"

namespace defter::indexer {

namespace fs = std::filesystem;

namespace {

// A directory that does not exist yet, or is empty.
Status check_fresh(const fs::path& dir, const std::string& what) {
  std::error_code ec;
  if (fs::exists(dir, ec) && !fs::is_empty(dir, ec)) return Status(Code::kInvalidArgument, what + " " + dir.string() + " is not empty");
  return {};
}

// Builds a data directory in DIR.partial-PID with `fill`, brings its index
// up to its archive, checks it with verify, then renames it to DIR: a
// failure or a kill at any moment leaves no half-made DIR (only the
// .partial directory, removed on failure).
Result<VerifyReport> make_data_dir(const fs::path& dir, const std::function<Status(const DataDir&)>& fill) {
  fs::path partial = dir;
  partial += ".partial-" + std::to_string(::getpid());
  std::error_code ec;
  fs::remove_all(partial, ec);
  struct Cleanup {
    fs::path path;
    bool keep = false;
    ~Cleanup() {
      std::error_code e;
      if (!keep) fs::remove_all(path, e);
    }
  } cleanup{partial};
  DataDir made(partial);
  if (auto s = fill(made); !s.ok()) return s;
  VerifyReport report;
  {
    auto copy = made.open_archive();
    if (!copy) return copy.status();
    // The index copy may be behind the archive copy: catch up, then check.
    {
      auto writer = IndexWriter::open(made.index_options());
      if (!writer) return writer.status();
      auto drained = (*writer)->drain(**copy);
      if (!drained) return drained.status();
    }
    auto verified = verify(**copy, made.index_options());
    if (!verified) return verified.status();
    report = *verified;
  }
  if (!report.consistent())
    return Status(Code::kCorruption, "the copy does not verify: " + std::to_string(report.missing.size()) + " missing, " +
                                         std::to_string(report.stale.size()) + " stale, " +
                                         std::to_string(report.orphan.size()) + " orphan documents");
  fs::remove(dir, ec);  // empty, if it exists (check_fresh)
  fs::rename(partial, dir, ec);
  if (ec) return Status(Code::kIOError, "cannot rename " + partial.string() + " to " + dir.string() + ": " + ec.message());
  cleanup.keep = true;
  return report;
}

}  // namespace

archive::Options DataDir::archive_options(bool read_only) const {
  archive::Options o;
  o.dir = archive_dir();
  o.read_only = read_only;
  return o;
}

IndexOptions DataDir::index_options() const {
  IndexOptions o;
  o.dir = index_dir();
  o.jobs = 0;  // one a core
  return o;
}

Result<std::unique_ptr<archive::Archive>> DataDir::open_archive(bool read_only) const {
  return archive::Archive::open(archive_options(read_only));
}

std::vector<fs::path> DataDir::lock_files() {
  return {fs::path("index") / kServingLock, fs::path("index") / kReindexLock, fs::path("archive") / archive::kLockFile};
}

Result<DataDir::Copy> DataDir::backup_to(const fs::path& dest, const archive::Archive& archive) const {
  if (auto s = check_fresh(dest, "the backup directory"); !s.ok()) return s;
  Copy out;
  auto report = make_data_dir(dest, [&](const DataDir& copy) -> Status {
    // The index first, then the archive: the archive copy is then at least
    // as new as the index copy, and the index catches up from its log.
    auto copied = copy_index(index_options(), copy.index_dir());
    if (copied) out.index_copied_at = *copied;
    else if (copied.status().code() != Code::kNotFound) return copied.status();  // no index: the copy builds one
    return archive.copy_to(copy.archive_dir());
  });
  if (!report) return report.status();
  out.report = *report;
  return out;
}

Result<VerifyReport> DataDir::restore_from(const fs::path& backup) const {
  DataDir from(backup);
  std::error_code ec;
  if (!fs::exists(from.archive_dir() / "data.mdb", ec))
    return Status(Code::kNotFound, backup.string() + " holds no backup (no archive/data.mdb)");
  if (auto s = check_fresh(root_, "the data directory"); !s.ok()) return s;
  return make_data_dir(root_, [&](const DataDir& made) -> Status {
    std::error_code e;
    fs::create_directories(made.root(), e);
    for (const auto& [part, to] : {std::pair{from.archive_dir(), made.archive_dir()}, std::pair{from.index_dir(), made.index_dir()}}) {
      if (!fs::exists(part, e)) continue;
      fs::copy(part, to, fs::copy_options::recursive, e);
      if (e) return Status(Code::kIOError, "cannot copy " + part.string() + ": " + e.message());
    }
    // Lock files are the old processes', not the copy's.
    for (const auto& lock : lock_files()) fs::remove(made.root() / lock, e);
    return {};
  });
}

}  // namespace defter::indexer
