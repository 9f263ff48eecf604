// The archive: the records of defter in an LMDB environment, the source of
// truth from which the full-text index is derived.
//
// Store layout (LMDB named databases, one environment in DATA/archive/):
//   meta          "format_version" -> decimal text; refused when newer than kArchiveFormat
//                 "token/" NAME -> JSON {scope, hash, created}: the HTTP API's access
//                 tokens (hashed; never in the change log, never exported)
//   authors       author id -> value(author)
//   articles      article id -> value(article without its translations)
//   translations  article id "\0" lang -> value(translation)
//   by_author     author id "\0" article id -> "" (which articles name an author)
//   changes       8-byte big-endian sequence number -> CBOR {op, type, id[, lang]}
//   revisions     record key, NUL, 8-byte big-endian revision number -> sealed CBOR
//                 {n, at, who, how, src, run, change, parts: [{lang, change, prev}]}
//                 where a record key is 'a' + author id or 'r' + article id, and
//                 prev is the part's previous stored value (tag byte and CBOR or
//                 LZ4) or null (provenance.hpp has the model)
//   runs          8-byte big-endian run id -> sealed CBOR of a Run (provenance.hpp)
//   run_records   8-byte big-endian run id, record key -> 8-byte big-endian number
//                 of the first revision the run made of the record
// value(x) is sealed: 'k', then 8 bytes (little-endian) of XXH3 over the
// database's number, the key and what follows, then one tag byte and the
// record's canonical CBOR: 'c' plain, 'l' LZ4-compressed (4 bytes of size,
// little-endian, then the block; used when that is smaller), or 'z'
// zstd-compressed (written by earlier versions). A value whose seal does not
// match is reported damaged (kCorruption), never decoded. Every write appends to
// `changes` in the same transaction, so the index can follow the archive.
//
// Formats (the history, with the wire format's, is in schema/README.md):
//   1  values unsealed, zstd-compressed
//   2  values sealed
//   3  values may be LZ4-compressed ('l')
//   4  revisions, runs and run_records
// An archive of an older format reads as it is; opening it for writing
// brings it to kArchiveFormat first (format 1: every value sealed; format
// 2 and 3: the number only, and format 4's databases created). A newer
// format is refused (kUnsupported).
//
// Concurrency: any number of Snapshots, from any threads and processes, and
// one writer at a time across all processes (LMDB's writer lock; a second
// writer waits). The map grows by itself; a full disk is kStorageFull.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "defter/archive/provenance.hpp"
#include "defter/schema/records.hpp"
#include "defter/schema/status.hpp"

namespace defter::archive {

// Version of the store layout above. Bump it with a note in schema/README.md.
inline constexpr int kArchiveFormat = 4;
// LMDB's lock file beside data.mdb: the processes', never part of a copy.
inline constexpr const char* kLockFile = "lock.mdb";

struct Options {
  std::filesystem::path dir;  // created when missing (unless read_only)
  bool read_only = false;     // open for reading only; the archive must exist
  std::size_t initial_map_size = std::size_t{256} << 20;
  std::size_t max_map_size = std::size_t{1} << 42;  // 4 TiB of address space, not disk
  unsigned max_readers = 512;
  // Every change kept as a revision (provenance.hpp). Off only to measure
  // what revisions cost (tools/bench/revisions); nothing else turns it off.
  bool keep_revisions = true;
};

enum class ChangeOp { kPut, kDelete };

// One entry of the change log.
struct Change {
  std::uint64_t seq = 0;
  ChangeOp op = ChangeOp::kPut;
  schema::RecordType type = schema::RecordType::kArticle;
  std::string id;    // author or article id
  std::string lang;  // for translations only
  bool operator==(const Change&) const = default;
};

enum class PutOutcome { kAdded, kReplaced, kUnchanged };

struct DatabaseStats {
  std::string name;
  std::uint64_t entries = 0;
  std::uint64_t bytes = 0;  // pages in use times page size
};

struct Stats {
  std::uint64_t authors = 0, articles = 0, translations = 0, changes = 0;
  std::uint64_t last_seq = 0;
  std::vector<std::pair<std::string, std::uint64_t>> translations_per_lang;  // sorted by lang
  std::vector<std::pair<std::string, std::uint64_t>> bios_per_lang;          // sorted by lang
  std::vector<DatabaseStats> databases;
  std::uint64_t file_bytes = 0;  // size of the data file on disk
  std::uint64_t map_bytes = 0;   // current map size
};

// A record in its stored form. Encoding is CPU work that needs no
// transaction, so importers do it on other threads than the one that writes.
struct EncodedRecord {
  schema::RecordType type = schema::RecordType::kArticle;
  std::string id;                    // author or article id (a translation's article)
  std::string lang;                  // a translation record's language
  std::vector<std::string> authors;  // an article's authors
  std::string cbor;                  // canonical CBOR (an article's without its translations)
  std::string stored;                // what is written: a tag byte, then CBOR, lz4(CBOR) or zstd(CBOR)
  struct Part {
    std::string lang, cbor, stored;
  };
  std::vector<Part> translations;  // an article's translations
};

// Thread-safe; needs no archive.
EncodedRecord encode(const schema::Record& record);

// An access token of the HTTP API as stored: its secret only as a hash.
struct StoredToken {
  std::string name;
  std::string scope;    // "read", "write" or "admin"
  std::string hash;     // hex digest of the secret (httpd/tokens.hpp)
  std::string created;  // ISO 8601 UTC
  bool operator==(const StoredToken&) const = default;
};

class Archive;
struct TxnHandle;
struct RevisionDraft;

// Reads, shared by snapshots and write batches. A Reader sees one consistent
// state of the archive: a snapshot's, or the batch's own writes.
class Reader {
 public:
  virtual ~Reader() = default;
  // kNotFound when absent; kCorruption when stored bytes do not decode.
  Result<schema::Author> author(std::string_view id) const;
  // The article with all its translations (with_translations) or none.
  Result<schema::Article> article(std::string_view id, bool with_translations = true) const;
  Result<schema::Translation> translation(std::string_view article_id, std::string_view lang) const;
  // The article as JSON text, exactly what nlohmann::json(article).dump()
  // gives, written straight from the stored CBOR (no records decoded): with
  // every translation, or only `lang`'s. kNotFound names what is missing.
  Result<std::string> article_json(std::string_view id, std::string_view lang = {}) const;
  // A translation's body alone, read without decoding the rest of the
  // record (a search's snippets need no footnotes).
  Result<std::string> translation_body(std::string_view article_id, std::string_view lang) const;
  bool has_author(std::string_view id) const;
  bool has_article(std::string_view id) const;
  // The languages an article has translations in (none when it does not exist).
  std::vector<std::string> translation_languages(std::string_view article_id) const;
  // Every author's id, in id order (nothing decoded).
  std::vector<std::string> author_ids() const;
  // The ids of the articles that name an author, in id order.
  std::vector<std::string> articles_by_author(std::string_view author_id) const;

  // Told of each damaged record (kCorruption, naming it) an iteration passes over.
  using DamageFn = std::function<void(const Status&)>;

  // Visit in id order; return false from fn to stop early. A damaged record
  // stops the iteration with its kCorruption, unless on_damage is given:
  // then it is told and the iteration goes on (an article with a damaged
  // translation is visited with the translations that can be read).
  Status for_each_author(const std::function<bool(const schema::Author&)>& fn, const DamageFn& on_damage = {}) const;
  Status for_each_article(const std::function<bool(const schema::Article&)>& fn, bool with_translations = true,
                          const DamageFn& on_damage = {}) const;
  // Every record that cannot be read (its checksum fails or it does not
  // decode), one kCorruption each naming it; empty when all are sound.
  std::vector<Status> damaged() const;
  // The access tokens, by name.
  std::vector<StoredToken> tokens() const;

  // The change log from sequence number `after` (exclusive), in order.
  Status for_each_change(std::uint64_t after, const std::function<bool(const Change&)>& fn) const;
  std::uint64_t last_seq() const;

  // Provenance (provenance.hpp). A record's revisions, newest first
  // (`type` author or article); empty when it has none.
  // With `fields`, each revision also lists the fields it changed.
  Result<std::vector<Revision>> history(schema::RecordType type, std::string_view id, bool fields = false) const;
  // Its newest revision alone (when and by whom it last changed), or none.
  Result<std::optional<Revision>> last_revision(schema::RecordType type, std::string_view id) const;
  // The record as it was at revision n (0: before its first recorded
  // change); kNotFound when it has no revision n.
  Result<Version> version(schema::RecordType type, std::string_view id, std::uint64_t n) const;
  // The same as stored: every part the record has now or had at n, each
  // with its value at n (none: absent then). What a revert writes back.
  Result<std::vector<StoredPart>> parts_at(schema::RecordType type, std::string_view id, std::uint64_t n) const;
  // Every author or article (`type`) the archive holds now or has a
  // revision of, deleted ones included (a deletion is a revision pruning
  // keeps: a record's newest), in id order from the first id after `after`
  // (all when empty): its id, whether it exists now, and its newest
  // revision (none for a record last written before revisions were kept).
  // Return false from fn to stop. What a harvest of the archive lists.
  struct RecordStamp {
    std::string id;
    bool exists = false;
    std::optional<Revision> last;
  };
  Status for_each_record_stamp(schema::RecordType type, std::string_view after,
                               const std::function<bool(const RecordStamp&)>& fn) const;
  // The runs, oldest first; one run (kNotFound when there is none).
  Result<std::vector<Run>> runs() const;
  Result<Run> run(std::uint64_t id) const;
  // The records a run changed: their type, id and the number of the first
  // revision it made of each, in key order.
  struct RunRecord {
    schema::RecordType type;
    std::string id;
    std::uint64_t first = 0;
  };
  Result<std::vector<RunRecord>> run_records(std::uint64_t run) const;
  // Revisions that name no run the archive has, or whose record has no
  // key of its own (each a kCorruption naming it); checked by verify.
  std::vector<Status> check_provenance() const;

 protected:
  explicit Reader(TxnHandle* txn) : txn_(txn) {}
  TxnHandle* txn_;
};

// A read-only view of the archive at one moment (an LMDB read transaction).
// Usable from any thread, by one thread at a time. Keep it short-lived: a
// long-lived snapshot keeps old pages from being reused.
class Snapshot : public Reader {
 public:
  Snapshot(Snapshot&&) noexcept;
  Snapshot& operator=(Snapshot&&) = delete;
  ~Snapshot() override;
  Stats stats() const;

 private:
  friend class Archive;
  explicit Snapshot(std::unique_ptr<TxnHandle> txn);
  std::unique_ptr<TxnHandle> owned_;
};

// The writes of one transaction. Obtained only inside Archive::write().
class WriteBatch : public Reader {
 public:
  friend Result<PruneReport> prune_revisions(Archive& archive, std::uint64_t keep);
  // Upserts a record. An article's translations are upserted with it;
  // translations it does not carry are kept. Writes nothing, and logs no
  // change, when the stored record is byte-identical.
  // REQUIRES: the record passed RecordValidator; references are the caller's
  // to check (has_author / has_article).
  Result<PutOutcome> put(const schema::Record& record);
  Result<PutOutcome> put(const EncodedRecord& record);
  // Deletes an author, an article (with its translations) or one translation
  // (type kTranslation, lang set). Returns false when there was nothing.
  // kConflict when deleting an author that articles still name.
  Result<bool> remove(schema::RecordType type, std::string_view id, std::string_view lang = {});
  // Adds or replaces a token (no change is logged). Returns false when
  // `name` was taken, true when added.
  Result<bool> put_token(const StoredToken& token, bool replace = false);
  // Removes a token; false when there was none of that name.
  Result<bool> remove_token(std::string_view name);

  // Who the writes that follow are by, how and from where: each change
  // they make is kept as a revision naming it (provenance.hpp).
  void set_origin(Origin origin);
  void set_source(std::string source);  // the origin's source alone (the importer's, per record)
  // Writes a new run (its id assigned and returned) or an existing one again.
  Result<std::uint64_t> begin_run(Run run);
  Status put_run(const Run& run);
  // Sets a record's parts (a revert's write), keeping the by_author index,
  // the change log and a revision, as put and remove do. The article's
  // metadata goes first when it is put and last when it is removed.
  Status restore(schema::RecordType type, std::string_view id, const std::vector<StoredPart>& parts);

 private:
  friend class Archive;
  explicit WriteBatch(TxnHandle* txn) : Reader(txn) {}
  Status put_value(int dbi_index, std::string_view key, std::string_view value);
  Status del_value(int dbi_index, std::string_view key);
  Status log_change(ChangeOp op, schema::RecordType type, std::string_view id, std::string_view lang);
  Result<PutOutcome> put_part(int dbi_index, std::string_view key, const std::string& cbor,
                              const std::string& stored, bool& existed, RevisionDraft& draft, std::string_view lang);
  Status write_revision(RevisionDraft& draft);
};

class Archive {
 public:
  // Opens (creating when missing and not read_only) the archive in options.dir.
  // kUnsupported for a newer format, kReadOnly when the directory cannot be
  // written, kNotFound when read_only and there is no archive.
  // kCorruption when the data file is shorter than its pages (cut short).
  // An archive of format 1 opened for writing is upgraded (its values
  // sealed) first; opened read-only it is read as it is.
  static Result<std::unique_ptr<Archive>> open(const Options& options);
  ~Archive();
  Archive(const Archive&) = delete;
  Archive& operator=(const Archive&) = delete;

  Result<Snapshot> snapshot() const;

  // Runs fn in one write transaction and commits it when fn returns OK
  // (durably: the data is on disk when write() returns OK). Aborts, writing
  // nothing, when fn fails. Waits while another thread or process writes.
  // When the map fills, the transaction is aborted, the map grown and fn run
  // again: fn must start from scratch on every call. With commit false the
  // transaction is always aborted (a dry run that sees its own writes).
  // REQUIRES: the calling thread holds no Snapshot of this archive.
  Status write(const std::function<Status(WriteBatch&)>& fn, bool commit = true);

  const std::filesystem::path& dir() const;

  // Copies the archive, as one snapshot, into `dir` (created; it must be
  // empty), while other threads and processes go on writing. The copy is an
  // archive Archive::open opens. kInvalidArgument when `dir` is not empty.
  Status copy_to(const std::filesystem::path& dir) const;

 private:
  struct Impl;
  explicit Archive(std::unique_ptr<Impl> impl);
  Status seal_values();
  std::unique_ptr<Impl> impl_;
};

}  // namespace defter::archive
