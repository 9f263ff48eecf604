// The full-text index: Xapian databases derived from the archive's change
// log. LMDB is the truth; the index follows it.
//
// Layout of DATA/index/: generations gen-000001/, gen-000002/, ... (Xapian
// databases) and a stub file `current` naming the live one; while a large
// backlog is indexed in parallel, build/ holds its shards (index_files.hpp). Readers open the
// stub; `reindex` builds a new generation beside the live one and switches the
// stub atomically (rename), so a reader open at the time keeps working and a
// new reader sees the new index whole. The last applied change-log sequence
// number is stored in the database's metadata in the same commit as the
// documents, so indexing resumes exactly after a crash.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "defter/archive/archive.hpp"
#include "defter/schema/status.hpp"

namespace defter::indexer {

struct IndexOptions {
  std::filesystem::path dir;  // DATA/index
  // Records (articles, authors) rebuilt per commit. 300 against 1,000, on
  // 20,000 records: two jobs 8% faster, one as fast, and 42% less memory,
  // Xapian's buffered postings being smaller (tools/bench/README.md).
  std::size_t batch = 300;
  bool wait_for_lock = false; // IndexWriter::open waits while another writer holds the index (else kLocked)
  // Threads that index a large backlog (a new index, a reindex, changes to
  // most of the archive), each into a shard of its own, merged into one
  // generation at the end (0: one a core). Smaller backlogs are drained by
  // one writer, as a server's live indexing always is.
  std::size_t jobs = 1;
  // The least backlog (changes) built in parallel rather than drained.
  std::uint64_t parallel_from = 1000;
};

struct DrainStats {
  std::uint64_t changes = 0;            // change-log entries applied
  std::uint64_t documents_written = 0;  // documents (re)built
  std::uint64_t units = 0;              // articles and authors rebuilt
  std::uint64_t last_seq = 0;           // the index's sequence number afterwards
};

// Called as indexing goes: records done of records to do.
using Progress = std::function<void(std::uint64_t done, std::uint64_t total)>;

// The one writer of the index. Thread safety: one thread at a time.
class IndexWriter {
 public:
  // Opens the live generation for writing, creating the index when missing.
  // kLocked when another process (or object) writes it; kUnsupported for an
  // index of a newer format.
  static Result<std::unique_ptr<IndexWriter>> open(const IndexOptions& options);
  ~IndexWriter();

  // Applies the archive's change log from the index's last sequence number
  // to its end, rebuilding each touched record once. Commits every
  // options.batch records; a kill loses at most the batch in flight, and
  // running drain again resumes.
  // With max_units, rebuilds only the first max_units records (in the order
  // of their latest changes) and commits: units == max_units says more are
  // left. A writer that must index other things in between drains so.
  // Without it, a large backlog (options.parallel_from changes, and about
  // as many as the index has documents) with options.jobs > 1 is built in
  // parallel into a new generation, merged and switched to (index_files.hpp),
  // unless a reindex or compact holds the generations.
  Result<DrainStats> drain(archive::Archive& archive, const Progress& progress = {}, std::size_t max_units = 0);

  // Rebuilds these records' documents (an author's: with the articles that
  // name the author) from the archive as it is now, and commits, without
  // moving the index's place in the change log: for writes that must be
  // searchable before the changes logged ahead of them are drained. Drain
  // passes over them again later, which changes nothing.
  Result<DrainStats> index_records(archive::Archive& archive,
                                   const std::vector<std::pair<schema::RecordType, std::string>>& records);

  std::uint64_t last_seq() const;

 private:
  struct Impl;
  explicit IndexWriter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

struct CatchUp {
  DrainStats stats;          // what this process indexed
  bool handed_over = false;  // another process held the index: it indexes what is left
};

// Brings the index up to the archive's last change. Drains until the log
// is empty (changes appended meanwhile included), lets go of the index,
// and looks once more: a change appended just before that found the lock
// held, so its writer left it to this process, which takes the lock again.
// When another process holds the index, returns at once with handed_over:
// that process does the same when it lets go, so every change is indexed
// by someone. Errors other than the lock (kReadOnly, kStorageFull, ...)
// are returned; the archive is written either way.
Result<CatchUp> catch_up(archive::Archive& archive, const IndexOptions& options, const Progress& progress = {});

// Builds a fresh generation from the change log on options.jobs threads
// (shards merged into one), catches up with what was written meanwhile, and
// switches to it atomically. kLocked when another reindex or compact runs.
Result<DrainStats> reindex(archive::Archive& archive, const IndexOptions& options, const Progress& progress = {});

struct VerifyReport {
  std::vector<std::string> missing;  // in the archive, not in the index
  std::vector<std::string> stale;    // in both, but the index's copy is out of date
  std::vector<std::string> orphan;   // in the index, not in the archive
  std::vector<std::string> duplicate;  // one record indexed more than once
  std::uint64_t archive_seq = 0, index_seq = 0;
  int format = 0;  // the index's format (index_schema.hpp): older than kIndexFormat wants a reindex
  bool outdated() const;
  // Every record indexed once and up to date.
  bool consistent() const { return missing.empty() && stale.empty() && orphan.empty() && duplicate.empty(); }
  bool clean() const { return consistent() && !outdated(); }
};

// Compares the archive with the index, document by document.
Result<VerifyReport> verify(archive::Archive& archive, const IndexOptions& options);

struct LanguageStats {
  std::string lang;
  std::uint64_t documents = 0;
  std::uint64_t terms = 0;  // term occurrences (the documents' lengths, summed)
};

struct IndexStats {
  std::uint64_t documents = 0, unique_terms = 0, last_seq = 0, bytes = 0;
  int format = 0;
  // The words whose adjacent pairs are indexed as one term (index_schema.hpp),
  // and how many texts they were chosen from.
  std::uint64_t pair_words = 0, pair_words_sampled = 0;
  std::string generation;
  std::vector<LanguageStats> languages;
};

// kNotFound when there is no index yet.
Result<IndexStats> index_stats(const IndexOptions& options);

// How many articles name a country: as a subject (the record's countries)
// and in their text (the recogniser's finds, less the record's
// not_countries), and in which languages' texts. So a wrong tag stands out.
struct CountryCount {
  std::string code;
  std::uint64_t articles = 0;  // either way
  std::uint64_t subject = 0;
  std::uint64_t mentioned = 0;
  std::map<std::string, std::uint64_t> mentioned_in;  // language -> translations whose text names it
};
// Most articles first. kNotFound when there is no index.
Result<std::vector<CountryCount>> country_counts(const IndexOptions& options);

struct CompactStats {
  std::string generation;  // the compacted one, now live
  std::uint64_t bytes_before = 0, bytes_after = 0, last_seq = 0;
  double seconds = 0;
};

// Rewrites the live index with full blocks (Xapian's compactor: an index's
// updates leave its blocks part empty) into a new generation and switches
// to it, as reindex does: searches go on meanwhile, on the old one. Holds
// the index's write lock throughout (waiting for a writer to let go, as
// copy_index does), so a server's indexing of new writes waits until the
// switch. kLocked when a reindex or another compact runs; kNotFound when
// there is no index.
Result<CompactStats> compact(const IndexOptions& options);

// Copies the live index into `dir` (created): an index directory of its own
// (a generation and the stub), which IndexWriter and IndexReader open.
// Holds the index's write lock while it copies the files (waiting up to a
// minute for a writer to let go of it), so a server's indexing pauses for
// that long. Returns the last archive change the copy holds. kNotFound when
// there is no index.
Result<std::uint64_t> copy_index(const IndexOptions& options, const std::filesystem::path& dir);

// The mark of a server that indexes the archive's changes as they come
// (DIR/serving.lock, held while the object lives): other processes that
// write the archive (defter import) then leave the indexing to it.
class ServingMark {
 public:
  static Result<std::unique_ptr<ServingMark>> take(const IndexOptions& options);
  ~ServingMark();
  ServingMark(const ServingMark&) = delete;
  ServingMark& operator=(const ServingMark&) = delete;

 private:
  explicit ServingMark(int fd) : fd_(fd) {}
  int fd_;
};
// Whether a server holds the mark of this index.
bool served(const IndexOptions& options);

// The archive's figures and, when there is an index, the index's, as the
// JSON that `defter stats --json` prints and GET /api/v1/stats returns.
nlohmann::json stats_json(const archive::Stats& archive, const IndexStats* index);

// A read-only view of the live index, enough to count what a few words
// find (the full search API builds on it). Not thread-safe: one per thread.
class IndexReader {
 public:
  static Result<std::unique_ptr<IndexReader>> open(const IndexOptions& options);
  ~IndexReader();
  // Documents matching every word of `text` analysed in `lang` (each word by
  // its folded form or its stem), optionally only documents having a boolean
  // term (e.g. "XMKZ", "XSorient", "Lru"). Counts exactly.
  Result<std::uint64_t> count(const std::string& text, const std::string& lang, const std::string& filter = "");
  // Unique ids ("a:ARTICLE/LANG", "u:AUTHOR/LANG") of those documents.
  Result<std::vector<std::string>> ids(const std::string& text, const std::string& lang, const std::string& filter = "");
  // Re-reads the stub and the database: sees the latest commit or generation.
  Status refresh();
  std::uint64_t documents() const;

 private:
  struct Impl;
  explicit IndexReader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace defter::indexer
