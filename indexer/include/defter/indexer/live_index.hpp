// Keeping the index up to date while a process runs (defter serve): the
// server's indexing policy, in the indexer rather than in the HTTP layer.
//
// Who indexes: whoever holds the index's write lock (IndexWriter). A
// process that wrote to the archive and finds the lock held leaves its
// changes to the holder, which drains until the log is empty and looks once
// more after letting go (catch_up in index.hpp, used by the CLI after an
// import; this class for a running server). So every change is indexed by
// someone, and there is one writer at a time.
//
// How a LiveIndexer indexes, on a thread of its own:
//   - records this process wrote (index_first) are made searchable before
//     the rest of the change log, so an API write never waits behind a
//     long import;
//   - the change log is drained in pieces sized as it goes, so that a
//     piece takes about a tenth of a second (16 to 1,024 records);
//   - it lets go of the index at least once a second while draining, and
//     whenever it is idle, so that defter backup and reindex get their turn;
//   - it looks at the archive after each wake() and every quarter second,
//     for changes other processes wrote.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "defter/archive/archive.hpp"
#include "defter/indexer/index.hpp"

namespace defter::indexer {

class LiveIndexer {
 public:
  // Starts indexing `archive` into options.dir at once. `on_error` hears
  // each new failure once (a failure that repeats is not told again until
  // another, or success, came in between); the archive keeps every write
  // either way, and indexing resumes when the cause is gone.
  LiveIndexer(archive::Archive& archive, IndexOptions options, std::function<void(const std::string&)> on_error);
  // Stops (stop()).
  ~LiveIndexer();
  LiveIndexer(const LiveIndexer&) = delete;
  LiveIndexer& operator=(const LiveIndexer&) = delete;

  // Records this process just wrote (an article for a translation too):
  // indexed before the rest of the log.
  void index_first(const std::vector<std::pair<schema::RecordType, std::string>>& records);
  // Finishes the piece under way and returns once the thread ended.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace defter::indexer
