// Writing the index: the change log drained (into one database, or into
// the shards of a parallel build on as many threads), IndexWriter, catch_up
// and reindex.
#include "defter/indexer/index.hpp"

#include <xapian.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <mutex>
#include <set>

#include "build_pipeline.hpp"
#include "defter/indexer/analysis.hpp"
#include "defter/indexer/index_schema.hpp"
#include "document.hpp"
#include "index_files.hpp"

namespace defter::indexer {
namespace fs = std::filesystem;

namespace {

using Shards = std::vector<Xapian::WritableDatabase>;

// An index without documents takes its pair words from the archive as it is
// (committed with the first documents), the same in every shard; one with
// documents keeps its own.
void choose_pair_words(Shards& shards, const archive::Snapshot& reader) {
  for (auto& db : shards)
    if (db.get_doccount() != 0) return;
  DocumentBuilder builder;
  std::string words = sample_pair_words(reader, builder).to_metadata();
  for (auto& db : shards) db.set_metadata(std::string(meta::kPairWords), words);
}

// Progress summed over the shards' threads.
class SharedProgress {
 public:
  SharedProgress(const Progress& progress, std::uint64_t total) : progress_(progress), total_(total) {}
  void add(std::uint64_t n) {
    if (!progress_) return;
    std::lock_guard lock(mutex_);
    done_ += n;
    progress_(done_, total_);
  }

 private:
  const Progress& progress_;
  std::uint64_t total_, done_ = 0;
  std::mutex mutex_;
};

void add_stats(DrainStats& to, const DrainStats& from) {
  to.changes += from.changes;
  to.documents_written += from.documents_written;
  to.units += from.units;
}

// Applies the change log after the shards' last sequence numbers.
//
// The records the changes touch are gathered first, each with the number of
// its latest change (an author's change also touches the articles that show
// the author's name), then rebuilt in the order of those numbers, each in
// its shard, the shards on parallel threads, `batch` records a commit. A
// shard's commit stores the number below its next record's latest change:
// every record of that shard whose latest change is at or below it is
// rebuilt, and every record not yet rebuilt has a change above it, so
// resuming from the least stored number after a crash finds them all again
// (a shard that got further skips what it holds). Each record is rebuilt
// once, however many changes it had.
// With max_units, only the first max_units records in that order are
// rebuilt: a caller that must do other writes in between drains a long log
// in pieces.
Result<DrainStats> drain_into(Shards& shards, archive::Archive& archive, std::size_t batch, std::size_t jobs,
                              const Progress& progress, std::size_t max_units = 0) {
  DrainStats stats;
  auto snap = archive.snapshot();
  if (!snap) return snap.status();
  const std::size_t n = shards.size();
  std::vector<std::uint64_t> held(n);
  for (std::size_t k = 0; k < n; ++k) held[k] = read_seq(shards[k]);
  std::uint64_t from = *std::min_element(held.begin(), held.end()), to = snap->last_seq();
  stats.last_seq = from;
  if (from >= to) return stats;
  choose_pair_words(shards, *snap);
  std::map<Unit, std::uint64_t> latest;
  auto touch = [&](schema::RecordType type, const std::string& id, std::uint64_t seq) {
    auto& s = latest[{type, id}];
    s = std::max(s, seq);
  };
  Status s = snap->for_each_change(from, [&](const archive::Change& c) {
    ++stats.changes;
    if (c.type == schema::RecordType::kAuthor) {
      touch(schema::RecordType::kAuthor, c.id, c.seq);
      for (auto& article : snap->articles_by_author(c.id)) touch(schema::RecordType::kArticle, article, c.seq);
    } else {
      touch(schema::RecordType::kArticle, c.id, c.seq);
    }
    return true;
  });
  if (!s.ok()) return s;
  std::vector<std::pair<std::uint64_t, Unit>> order;
  order.reserve(latest.size());
  for (auto& [unit, seq] : latest) order.emplace_back(seq, unit);
  std::stable_sort(order.begin(), order.end(), [](const auto& a, const auto& b) { return a.first < b.first; });

  // Where this drain ends: the whole log, or the piece's last change (less
  // one when the next record left out shares it).
  std::uint64_t end = to;
  if (max_units > 0 && order.size() > max_units) {
    end = order[max_units - 1].first - (order[max_units].first == order[max_units - 1].first ? 1 : 0);
    order.resize(max_units);
  }
  stats.units = order.size();
  std::vector<std::vector<Unit>> units(n);
  std::vector<std::vector<std::uint64_t>> seqs(n);
  for (auto& [seq, unit] : order) {
    std::size_t k = shard_of(unit.type, unit.id, n);
    if (seq <= held[k]) continue;  // that shard holds it already
    units[k].push_back(unit);
    seqs[k].push_back(seq);
  }
  SharedProgress shared(progress, order.size());
  std::vector<DrainStats> per(n);
  std::vector<bool> fresh(n);
  for (std::size_t k = 0; k < n; ++k) fresh[k] = shards[k].get_doccount() == 0;
  Status written = for_each_shard(n, jobs, [&](std::size_t k) -> Status {
    std::size_t committed = 0;
    auto commit = [&](std::size_t done) {
      std::uint64_t covered = std::max(held[k], done == units[k].size() ? end : seqs[k][done] - 1);
      shards[k].set_metadata(std::string(meta::kLastSeq), std::to_string(covered));
      shards[k].commit();
      shared.add(done - committed);
      committed = done;
    };
    Status st = index_units(shards[k], archive, units[k], per[k], [&](std::size_t done) {
      if (done - committed >= batch || done == units[k].size()) commit(done);
    }, fresh[k]);
    if (!st.ok()) return st;
    if (units[k].empty() && end > held[k]) commit(0);
    return {};
  });
  if (!written.ok()) return written;
  for (const auto& p : per) stats.documents_written += p.documents_written;
  stats.last_seq = end;
  return stats;
}

// ---- building a generation in parallel --------------------------------------

fs::path shard_path(const fs::path& build, std::size_t k) { return build / ("shard-" + std::to_string(k)); }

// Opens a format-current build in DIR/index/build, or starts one of n
// shards; a build of another format, or one whose creation a kill cut
// short (no "shards" file yet), is started afresh. Throws Xapian::Error.
Result<Shards> open_build(const fs::path& build, std::size_t n) {
  std::error_code ec;
  std::ifstream marker(build / "shards");
  std::size_t existing = 0;
  if (marker >> existing && existing > 0) {
    try {
      Shards shards;
      for (std::size_t k = 0; k < existing; ++k) shards.emplace_back(shard_path(build, k).string(), Xapian::DB_OPEN);
      bool current = true;
      for (auto& db : shards) current = current && db.get_metadata(std::string(meta::kFormat)) == std::to_string(kIndexFormat);
      if (current) return shards;
    } catch (const Xapian::DatabaseError&) {
      // Damaged or half made: started afresh below.
    }
  }
  fs::remove_all(build, ec);
  fs::create_directories(build, ec);
  if (ec) return Status(Code::kIOError, "cannot create " + build.string() + ": " + ec.message());
  Shards shards;
  for (std::size_t k = 0; k < n; ++k) {
    shards.emplace_back(shard_path(build, k).string(), Xapian::DB_CREATE_OR_OVERWRITE);
    shards.back().set_metadata(std::string(meta::kFormat), std::to_string(kIndexFormat));
    shards.back().commit();
  }
  std::ofstream out(build / "shards", std::ios::trunc);
  out << n << "\n";
  out.close();
  if (!out) return Status(Code::kIOError, "cannot write " + (build / "shards").string());
  return shards;
}

// Indexes the whole change log into the shards of a build, one thread a
// shard, resuming the build a killed process left (each shard commits its
// place in the log as a drain does), then merges the shards into a new
// generation, which is returned (not yet live). The caller holds the
// GenerationLock. Throws Xapian::Error.
Result<std::string> build_generation(archive::Archive& archive, const IndexOptions& options, const Progress& progress,
                                     DrainStats& stats) {
  fs::path build = options.dir / kBuildDir;
  std::vector<fs::path> paths;
  {
    auto shards = open_build(build, jobs_of(options.jobs));
    if (!shards) return shards.status();
    auto drained = drain_into(*shards, archive, std::max<std::size_t>(1, options.batch), jobs_of(options.jobs), progress);
    if (!drained) return drained.status();
    add_stats(stats, *drained);
    stats.last_seq = drained->last_seq;
    for (std::size_t k = 0; k < shards->size(); ++k) paths.push_back(shard_path(build, k));
  }
  std::string generation = generation_name(highest_generation(options.dir) + 1);
  merge_shards(paths, options.dir / generation);
  std::error_code ec;
  fs::remove_all(build, ec);
  return generation;
}

// Whether a drain of `changes` changes into `db` had better build a new
// generation in parallel: an empty index, or changes to about as many
// records as it holds documents (translations and biographies count
// apart), of which there are enough to be worth the threads and the merge.
bool worth_a_build(const Xapian::Database& db, std::uint64_t changes, const IndexOptions& options) {
  return jobs_of(options.jobs) > 1 && changes >= options.parallel_from && changes >= db.get_doccount();
}

}  // namespace

// ---- IndexWriter ----------------------------------------------------------

struct IndexWriter::Impl {
  IndexOptions options;
  std::string generation;
  Xapian::WritableDatabase db;  // the live generation

  // A reindex may have switched generations (and removed this one) since
  // the writer opened: follow it.
  Status follow_live() {
    std::string live = current_generation(options.dir);
    if (live.empty() || live == generation) return {};
    db.close();
    generation = live;
    return open_generation();
  }

  Status open_generation() {
    try {
      db = Xapian::WritableDatabase((options.dir / generation).string(),
                                    Xapian::DB_CREATE_OR_OPEN | (options.wait_for_lock ? Xapian::DB_RETRY_LOCK : 0));
      if (auto s = check_format(db, options.dir); !s.ok()) return s;
      if (db.get_metadata(std::string(meta::kFormat)).empty()) {
        db.set_metadata(std::string(meta::kFormat), std::to_string(kIndexFormat));
        db.commit();
      }
    } catch (const Xapian::Error& e) {
      return from_xapian(e, "open the index in " + options.dir.string());
    }
    return {};
  }

  // A large backlog is built into a new generation in parallel while this
  // writer holds the live one (so no other process indexes meanwhile),
  // caught up, and switched to; false when a reindex or compact holds the
  // generations (the backlog is then drained here as usual).
  Result<bool> build_instead(archive::Archive& archive, const Progress& progress, DrainStats& stats) {
    auto lock = GenerationLock::take(options.dir);
    if (!lock) return false;
    auto built = build_generation(archive, options, progress, stats);
    if (!built) return built.status();
    if (auto s = switch_to(options.dir, *built); !s.ok()) return s;
    if (auto s = follow_live(); !s.ok()) return s;
    return true;
  }
};

IndexWriter::IndexWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
IndexWriter::~IndexWriter() = default;

Result<std::unique_ptr<IndexWriter>> IndexWriter::open(const IndexOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  std::error_code ec;
  fs::create_directories(options.dir, ec);
  if (ec) return Status(ec == std::errc::permission_denied || ec == std::errc::read_only_file_system ? Code::kReadOnly : Code::kIOError,
                        "cannot create " + options.dir.string() + ": " + ec.message());
  impl->generation = current_generation(options.dir);
  bool fresh = impl->generation.empty();
  if (fresh) impl->generation = generation_name(highest_generation(options.dir) + 1);
  if (auto s = impl->open_generation(); !s.ok()) return s;
  if (fresh) {
    Status named = write_current(options.dir, impl->generation, true);
    if (named.code() == Code::kConflict) {
      // Another process created the index meanwhile (with a generation of
      // its own): this one's, still empty, goes, and the live one is used.
      impl->db.close();
      fs::remove_all(options.dir / impl->generation, ec);
      impl->generation = current_generation(options.dir);
      if (auto s = impl->open_generation(); !s.ok()) return s;
    } else if (!named.ok()) {
      return named;
    }
  }
  return std::unique_ptr<IndexWriter>(new IndexWriter(std::move(impl)));
}

Result<DrainStats> IndexWriter::drain(archive::Archive& archive, const Progress& progress, std::size_t max_units) {
  if (auto s = impl_->follow_live(); !s.ok()) return s;
  try {
    DrainStats built;
    if (max_units == 0) {
      auto snap = archive.snapshot();
      if (!snap) return snap.status();
      std::uint64_t held = read_seq(impl_->db), to = snap->last_seq();
      if (to > held && worth_a_build(impl_->db, to - held, impl_->options)) {
        auto done = impl_->build_instead(archive, progress, built);
        if (!done) return done.status();
      }
    }
    Shards live{impl_->db};
    auto drained = drain_into(live, archive, std::max<std::size_t>(1, impl_->options.batch),
                              jobs_of(impl_->options.jobs), progress, max_units);
    if (!drained) return drained;
    add_stats(*drained, built);
    return drained;
  } catch (const Xapian::Error& e) {
    return from_xapian(e, "index the archive's changes");
  }
}

Result<DrainStats> IndexWriter::index_records(archive::Archive& archive,
                                              const std::vector<std::pair<schema::RecordType, std::string>>& records) {
  DrainStats stats;
  if (auto s = impl_->follow_live(); !s.ok()) return s;
  try {
    auto snap = archive.snapshot();
    if (!snap) return snap.status();
    std::set<Unit> units;
    for (const auto& [type, id] : records) {
      if (type == schema::RecordType::kAuthor) {
        units.insert({schema::RecordType::kAuthor, id});
        for (auto& article : snap->articles_by_author(id)) units.insert({schema::RecordType::kArticle, article});
      } else {
        units.insert({schema::RecordType::kArticle, id});
      }
    }
    std::vector<Unit> list(units.begin(), units.end());
    if (auto s = index_units(impl_->db, archive, list, stats, [](std::size_t) {}); !s.ok()) return s;
    impl_->db.commit();
    stats.last_seq = read_seq(impl_->db);
    return stats;
  } catch (const Xapian::Error& e) {
    return from_xapian(e, "index records");
  }
}

std::uint64_t IndexWriter::last_seq() const { return read_seq(impl_->db); }

// ---- catch_up ---------------------------------------------------------------

Result<CatchUp> catch_up(archive::Archive& archive, const IndexOptions& options, const Progress& progress) {
  CatchUp out;
  for (;;) {
    std::uint64_t indexed = 0;
    {
      auto writer = IndexWriter::open(options);
      if (!writer) {
        if (writer.status().code() != Code::kLocked) return writer.status();
        // Its holder looks again after letting go of it (below), and so
        // sees what was written before this attempt.
        out.handed_over = true;
        return out;
      }
      // Until the log is empty: other processes append while this one indexes.
      for (;;) {
        auto drained = (*writer)->drain(archive, progress);
        if (!drained && drained.status().code() == Code::kLocked) {
          // The live generation changed under it (a reindex switched, or
          // another process created the index first) and another process
          // holds it: that process indexes what is left, as above.
          out.handed_over = true;
          return out;
        }
        if (!drained) return drained.status();
        out.stats.changes += drained->changes;
        out.stats.documents_written += drained->documents_written;
        out.stats.units += drained->units;
        out.stats.last_seq = indexed = drained->last_seq;
        auto snap = archive.snapshot();
        if (!snap) return snap.status();
        if (snap->last_seq() <= indexed) break;
      }
    }
    // Changes appended between the last look and letting go found the lock
    // held and were left to this process: take it again for them.
    auto snap = archive.snapshot();
    if (!snap) return snap.status();
    if (snap->last_seq() <= indexed) return out;
  }
}

// ---- reindex ----------------------------------------------------------------

Result<DrainStats> reindex(archive::Archive& archive, const IndexOptions& options, const Progress& progress) {
  std::error_code ec;
  fs::create_directories(options.dir, ec);
  if (ec) return Status(Code::kIOError, "cannot create " + options.dir.string() + ": " + ec.message());
  // One new generation at a time.
  auto lock = GenerationLock::take(options.dir);
  if (!lock) return lock.status();
  // From scratch: a build a killed process left is not trusted here.
  fs::remove_all(options.dir / kBuildDir, ec);
  DrainStats stats;
  std::string generation;
  try {
    auto built = build_generation(archive, options, progress, stats);
    if (!built) return built.status();
    generation = *built;
    // Catch up with what was written meanwhile, then switch.
    Shards live;
    live.emplace_back((options.dir / generation).string(), Xapian::DB_OPEN);
    auto caught_up = drain_into(live, archive, std::max<std::size_t>(1, options.batch), 1, {});
    if (!caught_up) return caught_up.status();
    add_stats(stats, *caught_up);
    stats.last_seq = caught_up->last_seq;
  } catch (const Xapian::Error& e) {
    Status failed = from_xapian(e, "build a new index in " + options.dir.string());
    if (!generation.empty()) fs::remove_all(options.dir / generation, ec);
    return failed;
  }
  if (auto s = switch_to(options.dir, generation); !s.ok()) return s;
  return stats;
}

}  // namespace defter::indexer
