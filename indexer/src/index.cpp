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

// Xapian's exceptions never cross the module's API: they become a Status.
Status from_xapian(const Xapian::Error& e, const std::string& what) {
  std::string msg = what + ": " + e.get_description();
  const std::string type = e.get_type();
  // Only "already locked" means another writer; a lock that cannot be
  // taken at all is this process's problem, and nobody else will index.
  if (type == "DatabaseLockError" && msg.find("already locked") != std::string::npos)
    return {Code::kLocked, what + ": another process is writing the index; it will index the archive's changes"};
  if (msg.find("ermission denied") != std::string::npos || msg.find("ead-only") != std::string::npos)
    return {Code::kReadOnly, msg + " (the index is not writable by this user; check the permissions of its directory)"};
  if (type == "DatabaseLockError") return {Code::kIOError, msg};
  if (msg.find("No space left") != std::string::npos || msg.find("File too large") != std::string::npos)
    return {Code::kStorageFull, msg + " (free some disk space, then run defter index)"};
  if (type == "DatabaseVersionError") return {Code::kUnsupported, msg};
  // A damaged or unreadable database: the archive holds everything the
  // index is made of.
  if (type == "DatabaseCorruptError" || type == "DatabaseOpeningError" || type == "DatabaseError")
    return {Code::kCorruption, msg + " (the index is damaged: run defter reindex to rebuild it from the archive)"};
  return {Code::kIOError, msg};
}

Xapian::Database open_live(const fs::path& dir) {
  for (int attempt = 0;; ++attempt) {
    std::string before = current_generation(dir);
    try {
      return Xapian::Database((dir / kStub).string());
    } catch (const Xapian::DatabaseOpeningError&) {
      if (attempt >= 5 || current_generation(dir) == before) throw;  // not a switch: a real failure
    }
  }
}

std::string current_generation(const fs::path& dir) {
  std::ifstream in(dir / kStub);
  std::string backend, path;
  if (!(in >> backend >> path)) return "";
  return path;
}

namespace {

std::string generation_name(int n) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "gen-%06d", n);
  return buf;
}

Status write_stub(const fs::path& dir, const std::string& generation) {
  // A name of this process's own: two processes creating the index at once
  // both write a stub (the same one), and neither may rename the other's.
  fs::path tmp = dir / (std::string(kStub) + ".tmp." + std::to_string(::getpid()));
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << "auto " << generation << "\n";
    out.flush();
    if (!out) return {Code::kIOError, "cannot write " + tmp.string()};
  }
  int fd = ::open(tmp.c_str(), O_RDONLY);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
  std::error_code ec;
  fs::rename(tmp, dir / kStub, ec);  // atomic: a reader sees the old stub or the new one
  if (ec) return {Code::kIOError, "cannot switch the index to " + generation + ": " + ec.message()};
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return {};
}

int highest_generation(const fs::path& dir) {
  int n = 0;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    std::string name = e.path().filename().string();
    if (name.rfind("gen-", 0) == 0) n = std::max(n, std::atoi(name.c_str() + 4));
  }
  return n;
}

std::uint64_t read_seq(const Xapian::Database& db) {
  std::string v = db.get_metadata(std::string(meta::kLastSeq));
  return v.empty() ? 0 : std::stoull(v);
}

Status check_format(const Xapian::Database& db, const fs::path& path) {
  std::string v = db.get_metadata(std::string(meta::kFormat));
  if (!v.empty() && std::atoi(v.c_str()) > kIndexFormat)
    return {Code::kUnsupported, "the index in " + path.string() + " has format " + v + ", newer than this defter's " +
                                    std::to_string(kIndexFormat) + "; use a newer defter or run defter reindex"};
  return {};
}

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
  if (fresh)
    if (auto s = write_stub(options.dir, impl->generation); !s.ok()) return s;
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
  int lock = ::open((options.dir / "reindex.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock < 0) return Status(Code::kIOError, "cannot open " + (options.dir / "reindex.lock").string() + ": " + std::strerror(errno));
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

// ---- copy ---------------------------------------------------------------------

Result<std::uint64_t> copy_index(const IndexOptions& options, const fs::path& dir) {
  if (current_generation(options.dir).empty())
    return Status(Code::kNotFound, "no index in " + options.dir.string() + " (run defter index)");
  // The index's write lock, held while the files are copied: no commit
  // can come between them. A server lets go of it at least once a second.
  IndexOptions waiting = options;
  waiting.wait_for_lock = true;
  auto opened = IndexWriter::open(waiting);
  if (!opened) return opened.status();
  std::unique_ptr<IndexWriter> writer = std::move(*opened);
  std::string live = current_generation(options.dir), generation = generation_name(1);
  fs::path from = options.dir / live, to = dir / generation;
  std::error_code ec;
  fs::create_directories(to, ec);
  if (ec) return Status(Code::kIOError, "cannot create " + to.string() + ": " + ec.message());
  for (const auto& e : fs::directory_iterator(from, ec)) {
    if (e.path().filename() == "flintlock") continue;  // the lock, not the data
    fs::copy_file(e.path(), to / e.path().filename(), ec);
    if (ec) return Status(Code::kIOError, "cannot copy " + e.path().string() + ": " + ec.message());
  }
  if (ec) return Status(Code::kIOError, "cannot read " + from.string() + ": " + ec.message());
  writer.reset();
  if (auto s = write_stub(dir, generation); !s.ok()) return s;
  try {
    return read_seq(Xapian::Database(to.string()));
  } catch (const Xapian::Error& e) {
    return from_xapian(e, "read the copy of the index in " + to.string());
  }
}

// ---- verify -------------------------------------------------------------------

Result<VerifyReport> verify(archive::Archive& archive, const IndexOptions& options) {
  VerifyReport report;
  if (current_generation(options.dir).empty())
    return Status(Code::kNotFound, "no index in " + options.dir.string() + " (run defter index)");
  auto snap = archive.snapshot();
  if (!snap) return snap.status();
  report.archive_seq = snap->last_seq();
  std::map<std::string, std::string> expected;
  DocumentBuilder builder;
  Status s = snap->for_each_author([&](const schema::Author& a) {
    expected.merge(builder.fingerprints(a));
    return true;
  });
  if (!s.ok()) return s;
  s = snap->for_each_article([&](const schema::Article& a) {
    std::vector<schema::Author> authors;
    for (const auto& id : a.authors)
      if (auto au = snap->author(id); au.ok()) authors.push_back(std::move(*au));
    expected.merge(builder.fingerprints(a, authors));
    return true;
  });
  if (!s.ok()) return s;
  try {
    Xapian::Database db = open_live(options.dir);
    report.index_seq = read_seq(db);
    report.format = std::atoi(db.get_metadata(std::string(meta::kFormat)).c_str());
    std::string q(prefix::kUnique);
    std::set<std::string> seen;
    for (auto t = db.allterms_begin(q); t != db.allterms_end(q); ++t) {
      std::string unique = (*t).substr(q.size());
      seen.insert(unique);
      if (t.get_termfreq() > 1) report.duplicate.push_back(unique);
      auto it = expected.find(unique);
      if (it == expected.end()) {
        report.orphan.push_back(unique);
        continue;
      }
      Xapian::docid id = *db.postlist_begin(*t);
      if (db.get_document(id).get_value(kSlotFingerprint) != it->second) report.stale.push_back(unique);
    }
    for (const auto& [unique, fp] : expected)
      if (!seen.count(unique)) report.missing.push_back(unique);
  } catch (const Xapian::Error& e) {
    return from_xapian(e, "read the index in " + options.dir.string());
  }
  return report;
}

// ---- stats ----------------------------------------------------------------------

bool VerifyReport::outdated() const { return format != 0 && format < kIndexFormat; }

Result<IndexStats> index_stats(const IndexOptions& options) {
  IndexStats st;
  st.generation = current_generation(options.dir);
  if (st.generation.empty()) return Status(Code::kNotFound, "no index in " + options.dir.string() + " (run defter index)");
  try {
    Xapian::Database db = open_live(options.dir);
    st.documents = db.get_doccount();
    st.last_seq = read_seq(db);
    st.format = std::atoi(db.get_metadata(std::string(meta::kFormat)).c_str());
    auto pairs = PairWordsInfo::from_metadata(db.get_metadata(std::string(meta::kPairWords)));
    st.pair_words = pairs.words.size();
    st.pair_words_sampled = pairs.sampled_documents;
    std::string l(prefix::kLang);
    for (auto t = db.allterms_begin(l); t != db.allterms_end(l); ++t) {
      LanguageStats ls;
      ls.lang = (*t).substr(l.size());
      ls.documents = t.get_termfreq();
      for (auto p = db.postlist_begin(*t); p != db.postlist_end(*t); ++p) ls.terms += p.get_doclength();
      st.languages.push_back(ls);
    }
    for (auto t = db.allterms_begin(); t != db.allterms_end(); ++t) {
      const std::string& term = *t;
      if (!term.empty() && !std::isupper(static_cast<unsigned char>(term[0]))) ++st.unique_terms;
    }
  } catch (const Xapian::Error& e) {
    return from_xapian(e, "read the index in " + options.dir.string());
  }
  std::error_code ec;
  for (const auto& e : fs::recursive_directory_iterator(options.dir / st.generation, ec))
    if (e.is_regular_file(ec)) st.bytes += e.file_size(ec);
  return st;
}

// ---- IndexReader ----------------------------------------------------------------

struct IndexReader::Impl {
  IndexOptions options;
  Xapian::Database db;
  std::map<std::string, std::unique_ptr<Analyzer>> analyzers;

  Xapian::Query query(const std::string& text, const std::string& lang) {
    auto& an = analyzers[lang];
    if (!an) an = std::make_unique<Analyzer>(lang);
    std::vector<Xapian::Query> parts;
    an->words(text, [&](const Word& w) {
      if (w.cjk) {
        Xapian::QueryParser qp;
        parts.push_back(qp.parse_query(w.term, Xapian::QueryParser::FLAG_CJK_NGRAM | Xapian::QueryParser::FLAG_DEFAULT));
        return;
      }
      Xapian::Query word(w.term);
      for (const std::string* stem : {&w.stem, &w.stem_alt})
        if (!stem->empty()) word = Xapian::Query(Xapian::Query::OP_OR, word, Xapian::Query(std::string(prefix::kStem) + *stem));
      parts.push_back(word);
    });
    return Xapian::Query(Xapian::Query::OP_AND, parts.begin(), parts.end());
  }

  Xapian::MSet run(const std::string& text, const std::string& lang, const std::string& filter) {
    Xapian::Query q = text.empty() ? Xapian::Query::MatchAll : query(text, lang);
    if (!filter.empty()) q = Xapian::Query(Xapian::Query::OP_FILTER, q, Xapian::Query(filter));
    Xapian::Enquire enquire(db);
    enquire.set_query(q);
    Xapian::doccount all = std::max<Xapian::doccount>(1, db.get_doccount());
    return enquire.get_mset(0, all, all);
  }
};

IndexReader::IndexReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
IndexReader::~IndexReader() = default;

Result<std::unique_ptr<IndexReader>> IndexReader::open(const IndexOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  if (current_generation(options.dir).empty())
    return Status(Code::kNotFound, "no index in " + options.dir.string() + " (run defter index)");
  try {
    impl->db = open_live(options.dir);
  } catch (const Xapian::Error& e) {
    return from_xapian(e, "open the index in " + options.dir.string());
  }
  return std::unique_ptr<IndexReader>(new IndexReader(std::move(impl)));
}

Status IndexReader::refresh() {
  try {
    impl_->db = open_live(impl_->options.dir);
  } catch (const Xapian::Error& e) {
    return from_xapian(e, "reopen the index");
  }
  return {};
}

std::uint64_t IndexReader::documents() const { return impl_->db.get_doccount(); }

Result<std::uint64_t> IndexReader::count(const std::string& text, const std::string& lang, const std::string& filter) {
  for (int attempt = 0;; ++attempt) {
    try {
      return std::uint64_t{impl_->run(text, lang, filter).size()};
    } catch (const Xapian::DatabaseModifiedError&) {
      if (attempt > 3) return Status(Code::kIOError, "the index keeps changing under the reader");
      if (auto s = refresh(); !s.ok()) return s;
    } catch (const Xapian::Error& e) {
      return from_xapian(e, "search the index");
    }
  }
}

Result<std::vector<std::string>> IndexReader::ids(const std::string& text, const std::string& lang, const std::string& filter) {
  for (int attempt = 0;; ++attempt) {
    try {
      std::vector<std::string> out;
      Xapian::MSet mset = impl_->run(text, lang, filter);
      std::string q(prefix::kUnique);
      for (auto it = mset.begin(); it != mset.end(); ++it) {
        Xapian::Document doc = it.get_document();
        auto t = doc.termlist_begin();
        t.skip_to(q);
        if (t != doc.termlist_end() && (*t).rfind(q, 0) == 0) out.push_back((*t).substr(q.size()));
      }
      std::sort(out.begin(), out.end());
      return out;
    } catch (const Xapian::DatabaseModifiedError&) {
      if (attempt > 3) return Status(Code::kIOError, "the index keeps changing under the reader");
      if (auto s = refresh(); !s.ok()) return s;
    } catch (const Xapian::Error& e) {
      return from_xapian(e, "search the index");
    }
  }
}

nlohmann::json stats_json(const archive::Stats& st, const IndexStats* index) {
  nlohmann::json j = {{"authors", st.authors},           {"articles", st.articles},
                      {"translations", st.translations}, {"changes", st.changes},
                      {"last_change", st.last_seq},      {"file_bytes", st.file_bytes},
                      {"map_bytes", st.map_bytes}};
  j["translations_per_language"] = nlohmann::json::object();
  for (const auto& [lang, n] : st.translations_per_lang) j["translations_per_language"][lang] = n;
  j["biographies_per_language"] = nlohmann::json::object();
  for (const auto& [lang, n] : st.bios_per_lang) j["biographies_per_language"][lang] = n;
  j["databases"] = nlohmann::json::object();
  for (const auto& db : st.databases) j["databases"][db.name] = {{"entries", db.entries}, {"bytes", db.bytes}};
  if (index) {
    const IndexStats& ix = *index;
    nlohmann::json i = {{"generation", ix.generation}, {"documents", ix.documents}, {"unique_terms", ix.unique_terms},
                        {"last_change", ix.last_seq},    {"bytes", ix.bytes},         {"format", ix.format},
                        {"pair_words", ix.pair_words},   {"pair_words_sampled", ix.pair_words_sampled},
                        {"languages", nlohmann::json::object()}};
    for (const auto& l : ix.languages) i["languages"][l.lang] = {{"documents", l.documents}, {"terms", l.terms}};
    j["index"] = i;
  }
  return j;
}

Result<std::unique_ptr<ServingMark>> ServingMark::take(const IndexOptions& options) {
  std::error_code ec;
  fs::create_directories(options.dir, ec);
  if (ec) return Status(Code::kIOError, "cannot create " + options.dir.string() + ": " + ec.message());
  int fd = ::open((options.dir / "serving.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0 && (errno == EACCES || errno == EROFS || errno == EPERM))
    return Status(Code::kReadOnly, "cannot open " + (options.dir / "serving.lock").string() + ": " + std::strerror(errno) +
                                       " (the index is not writable: defter serve indexes what is written; check its "
                                       "permissions or pass another --data)");
  if (fd < 0) return Status(Code::kIOError, "cannot open " + (options.dir / "serving.lock").string() + ": " + std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return Status(Code::kLocked, "another defter serve indexes " + options.dir.string());
  }
  return std::unique_ptr<ServingMark>(new ServingMark(fd));
}

ServingMark::~ServingMark() { ::close(fd_); }

bool served(const IndexOptions& options) {
  int fd = ::open((options.dir / "serving.lock").c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool held = ::flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  ::close(fd);
  return held;
}

}  // namespace defter::indexer
