// Provenance: who changed which record, when, how and from where, and the
// runs (imports, reverts) that group those changes so that one can be undone.
//
// A revision is one change to one record: an author, or an article with its
// translations. Its number counts the record's changes (1, 2, ...); it holds
// when, who, how, the source, the run, which parts it changed (the author,
// the article's metadata, a translation) and each part's previous stored
// value, written in the same LMDB transaction as the change. The record as
// it was at revision N is the current record with the previous values of
// revisions N+1 ... undone; revision 0 is the record as it was before its
// first recorded change (written by a defter that kept no revisions), or
// nothing. A record whose write changes nothing makes no revision.
//
// A run is one `defter import`, `POST /api/v1/import` or revert: its id,
// when it started and ended, who, the files, its counts, whether it
// completed. Its counts are written with each batch it commits, so a run cut
// short shows what it committed.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "defter/schema/records.hpp"
#include "defter/schema/status.hpp"

namespace defter::archive {

// Who writes, how, from where, in which run (0: none). Set on a WriteBatch
// before its writes; the importer sets `source` for each record.
struct Origin {
  std::string who;             // an API token's name; the command line's user, or --as
  std::string how = "api";     // "import", "api", "delete", "revert"
  std::string source;          // "FILE:LINE", "PUT /api/v1/articles/ID", "defter delete"
  std::uint64_t run = 0;
};

// One part of a record a revision changed.
struct RevisionPart {
  std::string lang;    // a translation's language; "" for the author or the article's metadata
  std::string change;  // "added", "replaced", "deleted"
  bool operator==(const RevisionPart&) const = default;
};

// One field a revision changed (Reader::history with fields).
struct FieldChange {
  std::string lang;    // a translation's; "" for the author or the article's metadata
  std::string field;   // the record's top-level field
  std::string change;  // "added", "removed", "changed"
  std::string before, after;  // short forms (about 80 characters at most); "" when absent
};

struct Revision {
  std::uint64_t number = 0;
  std::string at;  // ISO 8601 UTC, seconds
  std::string who, how, source;
  std::uint64_t run = 0;
  std::string change;  // the record's: "added", "replaced" or "deleted"
  std::vector<RevisionPart> parts;
  std::vector<FieldChange> fields;  // filled when asked for
};

struct RunCounts {
  std::uint64_t added = 0, replaced = 0, unchanged = 0, rejected = 0;
  std::uint64_t deleted = 0;    // records a revert removed
  std::uint64_t conflicts = 0;  // records a revert left alone
  bool operator==(const RunCounts&) const = default;
};

struct Run {
  std::uint64_t id = 0;
  std::string how;      // "import" or "revert"
  std::string who;
  std::string started, ended;       // ISO 8601 UTC; ended is "" until it completes
  std::vector<std::string> files;   // an import's inputs
  RunCounts counts;
  bool complete = false;            // false: still running, or cut short (its counts say what it committed)
  std::uint64_t reverts = 0;        // a revert of a run: that run
  std::string record;               // a revert of one record: "article ID" or "author ID"
};

// A revision as the API and `defter history --json` show it: revision, at,
// who, how, source, run (null: none), change, parts [{lang, change}],
// fields [{lang, field, change, before, after}].
void to_json(nlohmann::json& j, const Revision& r);
void to_json(nlohmann::json& j, const Run& r);
// ISO 8601 UTC of the moment, to the second.
std::string now_utc();

// One part of a record as stored: its value's inner form (a tag byte, then
// CBOR or compressed CBOR), or none when the part does not exist.
struct StoredPart {
  std::string lang;  // "" for the author or the article's metadata
  std::optional<std::string> stored;
};

// What the record with `type` (author or article) and `id` was at a
// revision: its parts' previous values undone down to it. std::nullopt when
// it did not exist then (not yet added, or deleted).
using Version = std::optional<schema::Record>;

// ---- Reverts ----------------------------------------------------------------

struct RevertOptions {
  std::string who;
  bool force = false;    // also records a later change touched (their later changes are undone too)
  bool dry_run = false;  // decide and report; write nothing
  std::size_t batch_records = 500;  // records per transaction
};

// What a revert did (or would do) to one record.
struct RevertItem {
  schema::RecordType type = schema::RecordType::kArticle;
  std::string id;
  std::string action;  // "restored", "removed", "re-added", "already reverted", "conflict"
  std::string reason;  // a conflict's
};

struct RevertReport {
  std::uint64_t run = 0;  // the revert's own run (0 in a dry run)
  bool resumed = false;   // it completed a revert that had been cut short
  std::vector<RevertItem> items;
  RunCounts counts;  // replaced (restored), added (re-added), deleted (removed), conflicts
};

class Archive;

// Writes a new run (how, who, started... as given) in a transaction of its
// own and sets its id: an import's or a revert's, before its first batch.
Status start_run(Archive& archive, Run& run);

// ---- Retention ----------------------------------------------------------------

struct PruneReport {
  std::uint64_t records = 0;   // records with revisions
  std::uint64_t removed = 0;   // revisions removed
  std::uint64_t kept = 0;      // revisions kept
};

// Keeps each record's newest `keep` (>= 1) revisions and removes the older
// ones, except the revisions of the run that last changed the record (the
// newest revision's run, as far back as its revisions go without another
// write between them): a revert that is possible without --force (the
// record changed by that run alone since) stays possible. A revert of an
// older run finds that record's revisions pruned and reports it as a
// conflict. Versions older than the oldest kept revision can no longer be
// read. In transactions of a few thousand revisions each.
Result<PruneReport> prune_revisions(Archive& archive, std::uint64_t keep);

// Puts back every record run `run` changed as it was before the run, and
// removes what it added: in batches, each one transaction that also writes
// the revert's run; a revert cut short is completed by running it again
// (the same run goes on). A record a later run (or any later write)
// changed is a conflict, reported and left alone unless options.force; an
// author still named by an article is left alone even then.
Result<RevertReport> revert_run(Archive& archive, std::uint64_t run, const RevertOptions& options,
                                const std::function<void(const RevertItem&)>& on_item = {});
// Puts one record back as it was at revision `to` (0: before its first
// recorded change), as a run of its own.
Result<RevertReport> revert_record(Archive& archive, schema::RecordType type, std::string_view id, std::uint64_t to,
                                   const RevertOptions& options);

}  // namespace defter::archive
