// Writing the index: building documents on a second thread while the first writes (BuildPipeline), IndexWriter, catch_up and reindex.
#include "defter/indexer/index.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>
#include <xapian.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <set>

#include "defter/indexer/analysis.hpp"
#include "defter/indexer/index_schema.hpp"
#include "document.hpp"
#include "index_files.hpp"

namespace defter::indexer {
namespace fs = std::filesystem;

namespace {

// An index without documents takes its pair words from the archive as it is
// (committed with the first documents); one with documents keeps its own.
void choose_pair_words(Xapian::WritableDatabase& db, const archive::Snapshot& reader) {
  if (db.get_doccount() != 0) return;
  DocumentBuilder builder;
  db.set_metadata(std::string(meta::kPairWords), sample_pair_words(reader, builder).to_metadata());
}

struct Unit {
  schema::RecordType type;
  std::string id;
  bool operator<(const Unit& o) const { return std::tie(type, id) < std::tie(o.type, o.id); }
};

// The documents of one record, built from the archive (none when the
// record is gone: its old documents are deleted all the same).
struct BuiltUnit {
  Unit unit;
  Status status;
  std::vector<BuiltDocument> docs;
};

std::vector<BuiltUnit> build_units(const std::vector<Unit>& units, const archive::Reader& reader,
                                   DocumentBuilder& builder) {
  std::vector<BuiltUnit> out;
  out.reserve(units.size());
  for (const auto& u : units) {
    BuiltUnit b{u, {}, {}};
    if (u.type == schema::RecordType::kAuthor) {
      auto a = reader.author(u.id);
      if (a.ok()) b.docs = builder.author(*a);
      else if (a.status().code() != Code::kNotFound) b.status = a.status();
    } else {
      auto a = reader.article(u.id);
      if (a.ok()) {
        std::vector<schema::Author> authors;
        for (const auto& id : a->authors)
          if (auto au = reader.author(id); au.ok()) authors.push_back(std::move(*au));
        b.docs = builder.article(*a, authors);
      } else if (a.status().code() != Code::kNotFound) {
        b.status = a.status();
      }
    }
    out.push_back(std::move(b));
  }
  return out;
}

Status write_units(Xapian::WritableDatabase& db, std::vector<BuiltUnit>& built, DrainStats& stats) {
  for (auto& b : built) {
    if (!b.status.ok()) return b.status;
    db.delete_document(unit_term(b.unit.type, b.unit.id));
    ++stats.units;
    for (auto& d : b.docs) {
      db.replace_document(std::string(prefix::kUnique) + d.unique, d.doc);
      for (const auto& w : d.spelling) db.add_spelling(w);
      ++stats.documents_written;
    }
  }
  return {};
}

// Builds documents on a thread of its own while the caller writes the
// previous ones into Xapian (which only one thread may do): the two halves
// of indexing run on two cores. The builder reads from snapshots of its own
// (an LMDB transaction belongs to one thread); a snapshot newer than the
// caller's is harmless, since documents are always rebuilt from the latest
// state and a later change rebuilds them again.
class BuildPipeline {
 public:
  BuildPipeline(archive::Archive& archive, std::shared_ptr<const PairWords> pair_words)
      : archive_(archive), pair_words_(std::move(pair_words)), thread_([this] { loop(); }) {}
  ~BuildPipeline() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

  void start(std::vector<Unit> units) {
    std::lock_guard lock(mutex_);
    input_ = std::move(units);
    has_input_ = true;
    cv_.notify_all();
  }

  std::vector<BuiltUnit> wait() {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [this] { return has_output_; });
    has_output_ = false;
    return std::move(output_);
  }

 private:
  void loop() {
    DocumentBuilder builder;
    builder.set_pair_words(pair_words_);
    for (;;) {
      std::vector<Unit> units;
      {
        std::unique_lock lock(mutex_);
        cv_.wait(lock, [this] { return stop_ || has_input_; });
        if (stop_) return;
        units = std::move(input_);
        has_input_ = false;
      }
      std::vector<BuiltUnit> built;
      auto snap = archive_.snapshot();
      if (!snap.ok()) {
        for (const auto& u : units) built.push_back({u, snap.status(), {}});
      } else {
        built = build_units(units, *snap, builder);
      }
      {
        std::lock_guard lock(mutex_);
        output_ = std::move(built);
        has_output_ = true;
      }
      cv_.notify_all();
    }
  }

  archive::Archive& archive_;
  std::shared_ptr<const PairWords> pair_words_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<Unit> input_;
  std::vector<BuiltUnit> output_;
  bool has_input_ = false, has_output_ = false, stop_ = false;
  std::thread thread_;
};

constexpr std::size_t kPipelineChunk = 64;  // records built while the previous ones are written

// Writes the documents of `units`, in order, building them on the pipeline;
// after_chunk(done) is called once every chunk is written.
Status index_units(Xapian::WritableDatabase& db, archive::Archive& archive, const std::vector<Unit>& units,
                   DrainStats& stats, const std::function<void(std::size_t done)>& after_chunk) {
  // The pair words the index was created with, for every document it gets.
  auto info = PairWordsInfo::from_metadata(db.get_metadata(std::string(meta::kPairWords)));
  BuildPipeline pipeline(archive, info.words.empty() ? nullptr : std::make_shared<const PairWords>(std::move(info.words)));
  auto slice = [&](std::size_t from) {
    return std::vector<Unit>(units.begin() + static_cast<long>(from),
                             units.begin() + static_cast<long>(std::min(units.size(), from + kPipelineChunk)));
  };
  if (units.empty()) return {};
  pipeline.start(slice(0));
  for (std::size_t done = 0; done < units.size();) {
    std::vector<BuiltUnit> built = pipeline.wait();
    std::size_t next = done + built.size();
    if (next < units.size()) pipeline.start(slice(next));
    if (auto s = write_units(db, built, stats); !s.ok()) {
      if (next < units.size()) pipeline.wait();
      return s;
    }
    done = next;
    after_chunk(done);
  }
  return {};
}

// Applies the change log after db's last sequence number.
//
// The records the changes touch are gathered first, each with the number of
// its latest change (an author's change also touches the articles that show
// the author's name), then rebuilt in the order of those numbers, `batch`
// records a commit. After a commit every record whose latest change is at or
// below the stored number is rebuilt, and every record not yet rebuilt has a
// change above it: resuming from the stored number after a crash finds them
// all again. Each record is rebuilt once, however many changes it had.
// With max_units, only the first max_units records in that order are
// rebuilt (the stored number then covers just them): a caller that must do
// other writes in between drains a long log in pieces.
Result<DrainStats> drain_into(Xapian::WritableDatabase& db, archive::Archive& archive, std::size_t batch,
                              const Progress& progress, std::size_t max_units = 0) {
  DrainStats stats;
  auto snap = archive.snapshot();
  if (!snap) return snap.status();
  std::uint64_t from = read_seq(db), to = snap->last_seq();
  stats.last_seq = from;
  if (from >= to) return stats;
  choose_pair_words(db, *snap);
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
  std::sort(order.begin(), order.end(), [](const auto& a, const auto& b) { return a.first < b.first; });

  bool partial = max_units > 0 && order.size() > max_units;
  if (partial) order.resize(max_units);
  std::vector<Unit> units;
  units.reserve(order.size());
  for (auto& [seq, unit] : order) units.push_back(unit);
  std::size_t committed = 0;
  Status written = index_units(db, archive, units, stats, [&](std::size_t done) {
    if (done - committed < batch && done < units.size()) return;
    // The last commit covers the whole log, including changes that touched
    // nothing (unless only a piece of it was drained).
    std::uint64_t covered = done == units.size() && !partial ? to : order[done - 1].first;
    db.set_metadata(std::string(meta::kLastSeq), std::to_string(covered));
    db.commit();
    committed = done;
    stats.last_seq = covered;
    if (progress) progress(done, units.size());
  });
  if (!written.ok()) return written;
  if (order.empty()) {
    db.set_metadata(std::string(meta::kLastSeq), std::to_string(to));
    db.commit();
    stats.last_seq = to;
  }
  return stats;
}

}  // namespace

// ---- IndexWriter ----------------------------------------------------------

struct IndexWriter::Impl {
  IndexOptions options;
  std::string generation;
  Xapian::WritableDatabase db;

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
    Status named = write_stub(options.dir, impl->generation, true);
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
    return drain_into(impl_->db, archive, std::max<std::size_t>(1, impl_->options.batch), progress, max_units);
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
  // One reindex at a time.
  int lock = ::open((options.dir / kReindexLock).c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock < 0) return Status(Code::kIOError, "cannot open " + (options.dir / kReindexLock).string() + ": " + std::strerror(errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{lock};
  if (::flock(lock, LOCK_EX | LOCK_NB) != 0) return Status(Code::kLocked, "another defter reindex is running");

  std::string generation = generation_name(highest_generation(options.dir) + 1);
  fs::path path = options.dir / generation;
  DrainStats stats;
  try {
    Xapian::WritableDatabase db(path.string(), Xapian::DB_CREATE_OR_OVERWRITE);
    db.set_metadata(std::string(meta::kFormat), std::to_string(kIndexFormat));
    {
      auto snap = archive.snapshot();
      if (!snap) return snap.status();
      choose_pair_words(db, *snap);
      auto st = snap->stats();
      std::uint64_t total = st.authors + st.articles, done = 0;
      std::vector<Unit> units;
      units.reserve(total);
      Status s = snap->for_each_author([&](const schema::Author& a) {
        units.push_back({schema::RecordType::kAuthor, a.id});
        return true;
      });
      if (s.ok())
        s = snap->for_each_article([&](const schema::Article& a) {
          units.push_back({schema::RecordType::kArticle, a.id});
          return true;
        }, false);
      if (!s.ok()) return s;
      std::size_t committed = 0;
      Status written = index_units(db, archive, units, stats, [&](std::size_t d) {
        done = d;
        if (d - committed >= std::max<std::size_t>(1, options.batch)) {
          db.commit();  // without a sequence number: an interrupted reindex is never switched to
          committed = d;
        }
        if (progress) progress(done, total);
      });
      if (!written.ok()) return written;
      stats.last_seq = snap->last_seq();
      db.set_metadata(std::string(meta::kLastSeq), std::to_string(stats.last_seq));
      db.commit();
    }
    // Catch up with what was written meanwhile, then switch.
    auto caught_up = drain_into(db, archive, std::max<std::size_t>(1, options.batch), {});
    if (!caught_up) return caught_up.status();
    stats.changes += caught_up->changes;
    stats.documents_written += caught_up->documents_written;
    stats.last_seq = caught_up->last_seq;
    db.close();
  } catch (const Xapian::Error& e) {
    fs::remove_all(path, ec);
    return from_xapian(e, "build a new index in " + path.string());
  }
  if (auto s = write_stub(options.dir, generation); !s.ok()) return s;
  // Every other generation goes. A reader that has the previous one open
  // keeps reading it (its files stay while they are open); on its next
  // refresh it finds the stub changed and opens the new one. A writer that
  // had it open follows the stub on its next drain.
  for (const auto& e : fs::directory_iterator(options.dir, ec)) {
    std::string name = e.path().filename().string();
    if (name.rfind("gen-", 0) == 0 && name != generation) fs::remove_all(e.path(), ec);
  }
  return stats;
}

}  // namespace defter::indexer
