// The data directory (`--data DIR`): the one place that spells its layout,
// names its lock files, and makes a backup or a restore of it.
//
//   DIR/archive/   the LMDB environment (data.mdb; lock.mdb, LMDB's lock file)
//   DIR/index/     the Xapian generations, the stub naming the live one,
//                  serving.lock (held by defter serve), reindex.lock
//
// The CLI and the server open the archive and the index through it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "defter/archive/archive.hpp"
#include "defter/indexer/index.hpp"
#include "defter/schema/status.hpp"

namespace defter::indexer {

class DataDir {
 public:
  explicit DataDir(std::filesystem::path root) : root_(std::move(root)) {}

  const std::filesystem::path& root() const { return root_; }
  std::filesystem::path archive_dir() const { return root_ / "archive"; }
  std::filesystem::path index_dir() const { return root_ / "index"; }
  archive::Options archive_options(bool read_only = false) const;
  IndexOptions index_options() const;
  Result<std::unique_ptr<archive::Archive>> open_archive(bool read_only = false) const;
  // The files of a data directory that belong to the processes using it
  // (relative to the root): a copy must not carry them.
  static std::vector<std::filesystem::path> lock_files();

  struct Copy {
    VerifyReport report;             // of the copy, once made
    std::uint64_t index_copied_at = 0;  // the index copy's change before it caught up (0: there was none)
  };
  // Copies the archive and the index into `dest` (new or empty) while
  // others may write and serve: the index first (under its write lock),
  // then a snapshot of the archive, so the archive copy is at least as new;
  // the index copy then catches up from the archive's log, and the copy is
  // verified. Made in DEST.partial-PID and renamed: a failure or a kill at
  // any moment leaves no half-made `dest`.
  Result<Copy> backup_to(const std::filesystem::path& dest, const archive::Archive& archive) const;
  // Makes this data directory (new or empty) from a backup, without the
  // backup's lock files, caught up and verified; as atomic as backup_to.
  Result<VerifyReport> restore_from(const std::filesystem::path& backup) const;

 private:
  std::filesystem::path root_;
};

}  // namespace defter::indexer
