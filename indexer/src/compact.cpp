// Compacting the index: the live generation, or a build's shards, rewritten
// with full blocks (Xapian's compactor) into a new generation.
#include "defter/indexer/index.hpp"

#include <xapian.h>

#include <algorithm>
#include <chrono>

#include "defter/indexer/index_schema.hpp"
#include "index_files.hpp"

namespace defter::indexer {
namespace fs = std::filesystem;

namespace {

// Shards merged into one keep the least of their sequence numbers: every
// change up to it is in every shard (they are equal after a full drain).
class MergeCompactor : public Xapian::Compactor {
 public:
  std::string resolve_duplicate_metadata(const std::string& key, size_t num_tags, const std::string tags[]) override {
    if (key != meta::kLastSeq) return tags[0];
    std::uint64_t least = UINT64_MAX;
    for (size_t i = 0; i < num_tags; ++i) least = std::min<std::uint64_t>(least, std::stoull(tags[i]));
    return std::to_string(least);
  }
};

std::uint64_t bytes_of(const fs::path& dir) {
  std::uint64_t n = 0;
  std::error_code ec;
  for (const auto& e : fs::recursive_directory_iterator(dir, ec))
    if (e.is_regular_file(ec)) n += e.file_size(ec);
  return n;
}

}  // namespace

void merge_shards(const std::vector<fs::path>& from, const fs::path& to) {
  Xapian::Database all;
  for (const auto& p : from) all.add_database(Xapian::Database(p.string()));
  MergeCompactor compactor;
  // Full, not fuller: the merged index is updated afterwards.
  all.compact(to.string(), Xapian::Compactor::FULL | Xapian::DBCOMPACT_MULTIPASS, 0, compactor);
}

Result<CompactStats> compact(const IndexOptions& options) {
  auto started = std::chrono::steady_clock::now();
  if (current_generation(options.dir).empty())
    return Status(Code::kNotFound, "no index in " + options.dir.string() + " (run defter index)");
  auto lock = GenerationLock::take(options.dir);
  if (!lock) return lock.status();
  // The index's write lock, held until the compacted generation is live: no
  // commit may come between the copy and the switch.
  IndexOptions waiting = options;
  waiting.wait_for_lock = true;
  auto opened = IndexWriter::open(waiting);
  if (!opened) return opened.status();
  std::unique_ptr<IndexWriter> writer = std::move(*opened);

  CompactStats st;
  fs::path from = options.dir / current_generation(options.dir);
  st.bytes_before = bytes_of(from);
  st.generation = generation_name(highest_generation(options.dir) + 1);
  fs::path to = options.dir / st.generation;
  try {
    merge_shards({from}, to);
    st.last_seq = read_seq(Xapian::Database(to.string()));
  } catch (const Xapian::Error& e) {
    Status failed = from_xapian(e, "compact the index into " + to.string());
    std::error_code ec;
    fs::remove_all(to, ec);
    return failed;
  }
  if (auto s = switch_to(options.dir, st.generation); !s.ok()) return s;
  writer.reset();
  st.bytes_after = bytes_of(to);
  st.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return st;
}

}  // namespace defter::indexer
