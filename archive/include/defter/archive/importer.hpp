// Bulk import of JSON Lines files into the archive.
//
// Every line is validated (schema::RecordValidator); valid records are
// written in batches, each batch one transaction, so a crash or a kill loses
// at most the batch in flight and never leaves a record half-written.
// References (an article's authors, a translation's article) must exist in
// the archive or come in the same import, earlier or later: a record whose
// reference comes later is held back and written once it is there.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "defter/archive/archive.hpp"

namespace defter::archive {

struct ImportOptions {
  std::size_t batch_records = 1000;              // records per transaction
  std::size_t batch_bytes = std::size_t{16} << 20;  // or input bytes per transaction
  std::size_t max_line_bytes = std::size_t{64} << 20;  // longer lines are skipped unread
  bool strict = false;   // stop at the first rejected record; its batch commits nothing
  bool dry_run = false;  // validate and count; write nothing
  unsigned threads = 0;  // parse threads; 0: one per core
  // Who imports, and how (provenance.hpp); each record's source is its
  // input's name and line, unless the origin names one (an API PUT's).
  Origin origin{"", "import", "", 0};
  bool record_run = true;  // the import is a run (an API PUT is not: its revisions name no run)
};

// A rejected record or a warning, located in its input.
struct ImportProblem {
  std::string file;       // the input's name ("-" for standard input)
  std::uint64_t line = 0;  // 1-based; 0 for the whole file
  std::string record;     // "article ID", "author ID", "translation ID/LANG", or ""
  std::string field;      // "" for the whole line
  std::string reason;
  bool warning = false;
  std::string to_string() const;  // "file:line: record: field: reason"
};

struct ImportCounts {
  std::uint64_t added = 0, replaced = 0, unchanged = 0, rejected = 0, warnings = 0;
  std::uint64_t records() const { return added + replaced + unchanged; }
};

// What one committed transaction held: inputs and line ranges, in order.
struct BatchReport {
  std::uint64_t number = 0;
  struct Range {
    std::string file;
    std::uint64_t first_line = 0, last_line = 0;
    std::uint64_t records = 0;
  };
  std::vector<Range> ranges;
  ImportCounts counts;  // of this batch
};

struct ImportSummary {
  ImportCounts counts;
  std::uint64_t batches = 0;     // committed transactions
  std::uint64_t lines = 0;       // non-blank lines read
  std::uint64_t bytes = 0;       // input bytes read
  bool stopped = false;          // --strict stopped at a rejected record
  std::uint64_t run = 0;         // the import's run (0: a dry run, or none recorded)
};

// Told about the import as it goes; called on the importing thread.
class ImportListener {
 public:
  virtual ~ImportListener() = default;
  virtual void on_problem(const ImportProblem& /*problem*/) {}
  virtual void on_commit(const BatchReport& /*batch*/) {}
  virtual void on_progress(std::uint64_t /*bytes_read*/, std::uint64_t /*lines*/) {}
};

// Imports the files (a path, or "-" for standard input) in order.
// Returns the summary, or a Status when the import could not go on:
// kNotFound / kInvalidArgument for an input that cannot be read (checked for
// all inputs before anything is written), kStorageFull, kReadOnly, kIOError
// from the archive. Batches reported through on_commit stay committed.
Result<ImportSummary> import_jsonl(Archive& archive, const std::vector<std::string>& inputs,
                                   const ImportOptions& options, ImportListener& listener);
// The same from JSON Lines in memory (an HTTP request's body); `name`
// stands for it in problems.
Result<ImportSummary> import_jsonl_text(Archive& archive, const std::string& name, std::string_view text,
                                        const ImportOptions& options, ImportListener& listener);

}  // namespace defter::archive
