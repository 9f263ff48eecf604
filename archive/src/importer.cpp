#include "defter/archive/importer.hpp"
#include "defter/archive/documents.hpp"
#include "defter/schema/text.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <algorithm>
#include <cstring>
#include <functional>
#include <memory>
#include <thread>
#include <optional>
#include <set>
#include <unordered_map>

#include "defter/schema/validate.hpp"
#include "import_checks.hpp"
#include "import_stream.hpp"
#include "json_document.hpp"
#include "line_reader.hpp"
#include "parse_pool.hpp"

namespace defter::archive {

using schema::RecordType;

std::string ImportProblem::to_string() const {
  // One line whatever the input held: ids, fields and reasons may quote it.
  std::string out = schema::printable(file);
  if (line) out += ":" + std::to_string(line);
  out += ": ";
  if (warning) out += "warning: ";
  if (!record.empty()) out += schema::printable(record) + ": ";
  if (!field.empty()) out += schema::printable(field) + ": ";
  return out + schema::printable(reason);
}

namespace {

using import_parts::LineReader;
using import_parts::ParsePool;
using import_parts::kChunk;
using import_parts::missing_reference;
using import_parts::over_limits;

struct Input {
  std::string name;
  int fd = -1;
  std::optional<std::string_view> text;  // an input in memory (no fd), or a document's lines
  bool is_stdin = false;
  std::uint64_t lines = 0;
  // A JSON document read as its lines (json_document.hpp): the lines, and
  // for each the document's line where its record starts.
  std::string document;
  std::vector<std::uint64_t> line_of;
  std::string problem;  // the document is not one: why, and where
  std::uint64_t problem_line = 0;
  ~Input() {
    if (fd > 0) ::close(fd);
  }
};

// A non-blank line as read, before parsing.
struct RawLine {
  std::size_t input = 0;
  std::uint64_t line = 0, offset = 0, too_long = 0;
  std::string text;
  std::string error;  // not a record at all (a document that is not JSON): why
};

// What a parse thread made of a line.
struct Parsed {
  schema::LineResult result;  // errors and warnings (the record itself is dropped once encoded)
  std::optional<EncodedRecord> encoded;
};

// A valid record waiting for its batch, or held back for a reference.
struct Pending {
  EncodedRecord record;
  std::size_t input = 0;
  std::uint64_t line = 0;
  std::string label;  // "article ID"
  // Where to read the line again when held back (files), or its text (stdin).
  std::uint64_t offset = 0, length = 0;
  std::string text;
};

std::string dedup_key_of(const EncodedRecord& r) {
  std::string key = schema::type_name(r.type);
  key += ':';
  key += r.id;
  if (r.type == RecordType::kTranslation) key += "/" + r.lang;
  return key;
}

class Importer {
 public:
  Importer(Archive& archive, const ImportOptions& options, ImportListener& listener)
      : archive_(archive), options_(options), listener_(listener) {
    unsigned threads = options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
    for (unsigned i = 0; i < std::min(threads, 16u); ++i)
      validators_.push_back(std::make_unique<schema::RecordValidator>());
  }

  Result<ImportSummary> run(const std::vector<std::string>& names) {
    if (auto s = open_all(names); !s.ok()) return s;
    return run_opened();
  }

  // One input in memory.
  Result<ImportSummary> run_text(const std::string& name, std::string_view text) {
    auto input = std::make_unique<Input>();
    input->name = name;
    input->text = text;
    if (auto doc = import_parts::document_of_text(text)) take_document(*input, std::move(*doc));
    inputs_.push_back(std::move(input));
    return run_opened();
  }

  // A file of JSON Lines converted from `name` (a WordPress export):
  // read from `fd`, its lines located in the source by `line_of`.
  Result<ImportSummary> run_stream(const std::string& name, int fd, std::vector<std::uint64_t> line_of) {
    auto input = std::make_unique<Input>();
    input->name = name;
    input->fd = fd;
    input->line_of = std::move(line_of);
    inputs_.push_back(std::move(input));
    return run_opened();
  }

  // Inputs converted from other formats (documents.hpp): each file's
  // records, its problems naming the file alone; its warnings first.
  Result<ImportSummary> run_converted(const std::vector<ConvertedInput>& converted) {
    for (const auto& c : converted) {
      auto input = std::make_unique<Input>();
      input->name = c.name;
      input->document = c.lines;
      input->line_of = c.line_of;
      input->line_of.resize(static_cast<std::size_t>(std::count(c.lines.begin(), c.lines.end(), '\n')) + 1, 0);
      input->text = std::string_view(input->document);
      inputs_.push_back(std::move(input));
    }
    for (std::size_t i = 0; i < converted.size(); ++i)
      for (const auto& w : converted[i].warnings) problem(i, 0, w.record, w.field, w.reason, true);
    return run_opened();
  }

 private:
  Result<ImportSummary> run_opened() {
    if (auto s = begin_run(); !s.ok()) return s;
    // A pipeline of two stages: while the writer (this thread) commits batch
    // k, the parse threads validate and encode batch k+1.
    std::vector<RawLine> raw, next_raw;
    std::vector<Parsed> parsed, next_parsed;
    ParsePool pool(validators_.size(), [&](std::size_t slice, std::size_t begin, std::size_t end) {
      parse(slice, next_raw, next_parsed, begin, end);
    });
    auto start_parsing = [&]() -> Status {
      next_raw.clear();
      if (auto s = read_chunk(next_raw); !s.ok()) return s;
      next_parsed.assign(next_raw.size(), {});
      pool.start(next_raw.size());
      return {};
    };
    Status status = start_parsing();
    while (status.ok()) {
      pool.wait();
      std::swap(raw, next_raw);
      std::swap(parsed, next_parsed);
      if (raw.empty()) break;
      status = start_parsing();
      if (!status.ok()) break;
      accept(raw, parsed);
      if (summary_.stopped) break;
      status = flush();
      listener_.on_progress(summary_.bytes, summary_.lines);
    }
    pool.wait();  // never leave a parse thread on lines about to be freed
    if (!status.ok()) return status;
    if (!summary_.stopped)
      if (auto s = resolve_held_back(); !s.ok()) return s;
    if (auto s = end_run(); !s.ok()) return s;
    return summary_;
  }

  // The import as a run (provenance.hpp): begun before its first batch,
  // its counts written with each batch, ended last.
  Status begin_run() {
    if (options_.dry_run || !options_.record_run) return {};
    run_.how = options_.origin.how;
    run_.who = options_.origin.who;
    run_.started = now_utc();
    for (const auto& in : inputs_) run_.files.push_back(in->name);
    Status s = start_run(archive_, run_);
    summary_.run = run_.id;
    return s;
  }

  RunCounts run_counts(const ImportCounts& c) const {
    RunCounts r;
    r.added = c.added;
    r.replaced = c.replaced;
    r.unchanged = c.unchanged;
    r.rejected = c.rejected;
    return r;
  }

  Status end_run() {
    if (!run_.id) return {};
    run_.counts = run_counts(summary_.counts);
    run_.ended = now_utc();
    run_.complete = !summary_.stopped;
    return archive_.write([&](WriteBatch& batch) { return batch.put_run(run_); });
  }

 private:
  Status open_all(const std::vector<std::string>& names) {
    if (names.empty()) return Status(Code::kInvalidArgument, "no input files");
    for (const auto& name : names) {
      auto input = std::make_unique<Input>();
      input->name = name;
      if (name == "-") {
        input->fd = 0;
        input->is_stdin = true;
      } else {
        input->fd = ::open(name.c_str(), O_RDONLY | O_CLOEXEC);
        if (input->fd < 0)
          return Status(errno == ENOENT ? Code::kNotFound : Code::kIOError,
                        name + ": cannot open: " + std::strerror(errno));
        struct stat st;
        if (::fstat(input->fd, &st) != 0) return Status(Code::kIOError, name + ": " + std::strerror(errno));
        if (S_ISDIR(st.st_mode))
          return Status(Code::kInvalidArgument, name + ": is a directory; give the JSON Lines files in it");
        if (S_ISREG(st.st_mode) && st.st_size == 0)
          return Status(Code::kInvalidArgument, name + ": empty file, no records to import");
        if (S_ISREG(st.st_mode))
          if (auto s = detect_document(*input, static_cast<std::uint64_t>(st.st_size)); !s.ok()) return s;
      }
      inputs_.push_back(std::move(input));
    }
    return {};
  }

  // A file that is one JSON document (a record or an array of records) is
  // read whole and imported as its lines; anything else is streamed as
  // JSON Lines (json_document.hpp decides).
  Status detect_document(Input& input, std::uint64_t size) {
    auto doc = import_parts::document_of_file(input.fd, size);
    if (!doc) return Status(Code::kIOError, input.name + ": read failed: " + std::strerror(errno));
    if (*doc) take_document(input, std::move(**doc));
    return {};
  }

  static void take_document(Input& input, import_parts::DocumentLines doc) {
    input.problem = std::move(doc.problem);
    input.problem_line = doc.problem_line;
    input.document = std::move(doc.text);
    input.line_of = std::move(doc.lines);
    input.text = std::string_view(input.document);
  }

  // Reads the next batch worth of non-blank lines, across inputs.
  Status read_chunk(std::vector<RawLine>& out) {
    std::size_t bytes = 0;
    while (current_ < inputs_.size() && out.size() < options_.batch_records && bytes < options_.batch_bytes) {
      Input& input = *inputs_[current_];
      if (!reader_ && !input.problem.empty() && lineno_ == 0) {
        ++input.lines;
        lineno_ = 1;  // reported once
        RawLine bad{current_, input.problem_line, 0, 0, {}, input.problem};
        out.push_back(std::move(bad));
      }
      if (!reader_)
        reader_ = input.text ? std::make_unique<LineReader>(*input.text, options_.max_line_bytes)
                             : std::make_unique<LineReader>(input.fd, options_.max_line_bytes);
      LineReader::Line line;
      if (!reader_->next(line)) {
        if (reader_->error())
          return Status(Code::kIOError, input.name + ":" + std::to_string(lineno_ + 1) +
                                            ": read failed: " + std::strerror(reader_->error()));
        if (input.lines == 0 && input.is_stdin)
          problem(current_, 0, "", "", "no records in standard input", true);
        bytes_before_ += reader_->bytes();
        reader_.reset();
        lineno_ = 0;
        ++current_;
        continue;
      }
      ++lineno_;
      summary_.bytes = bytes_before_ + reader_->bytes();
      if (!line.too_long && line.text.find_first_not_of(" \t\r") == std::string_view::npos) continue;  // blank
      ++input.lines;
      std::uint64_t at = lineno_ <= input.line_of.size() ? input.line_of[lineno_ - 1] : lineno_;
      out.push_back({current_, at, line.offset, line.too_long, std::string(line.text), {}});
      bytes += line.text.size();
    }
    return {};
  }

  // Validates and encodes lines [begin, end) on parse thread `slice`.
  void parse(std::size_t slice, const std::vector<RawLine>& raw, std::vector<Parsed>& out, std::size_t begin,
             std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) {
      if (raw[i].too_long || !raw[i].error.empty()) continue;
      out[i].result = validators_[slice]->parse_line(raw[i].text);
      if (out[i].result.record) {
        out[i].encoded = encode(*out[i].result.record);
        out[i].result.record.reset();
      }
    }
  }

  void problem(std::size_t input, std::uint64_t line, const std::string& record, std::string field,
               std::string reason, bool warning) {
    ImportProblem p{inputs_[input]->name, line, record, std::move(field), std::move(reason), warning};
    if (warning) ++summary_.counts.warnings;
    listener_.on_problem(p);
  }

  // Counts a rejection; under --strict, stops the import and drops the batch.
  void reject(std::size_t input, std::uint64_t line, const std::string& record,
              const std::vector<schema::FieldError>& errors) {
    for (const auto& e : errors) problem(input, line, record, e.field, e.reason, false);
    ++summary_.counts.rejected;
    if (options_.strict) {
      summary_.stopped = true;
      pending_.clear();
    }
  }

  static std::string label_of(const schema::LineResult& r) {
    if (r.type.empty()) return "";
    return r.id.empty() ? r.type : r.type + " " + r.id;
  }

  // Reports, in line order, what the parse threads found, and queues the
  // valid records for the writer.
  void accept(std::vector<RawLine>& raw, std::vector<Parsed>& parsed) {
    for (std::size_t i = 0; i < raw.size() && !summary_.stopped; ++i) {
      RawLine& line = raw[i];
      ++summary_.lines;
      if (line.too_long) {
        reject(line.input, line.line, "",
               {{"", "line of " + std::to_string(line.too_long) + " bytes is over the " +
                         std::to_string(options_.max_line_bytes) + "-byte limit for one record; skipped"}});
        continue;
      }
      if (!line.error.empty()) {
        reject(line.input, line.line, "", {{"", line.error}});
        continue;
      }
      auto& result = parsed[i].result;
      std::string label = label_of(result);
      hint_json_lines(line.input, result.errors);
      for (const auto& w : result.warnings) problem(line.input, line.line, label, w.field, w.reason, true);
      if (!parsed[i].encoded) {
        reject(line.input, line.line, label, result.errors);
        continue;
      }
      Pending p{std::move(*parsed[i].encoded), line.input, line.line, label, line.offset, line.text.size(), {}};
      if (inputs_[line.input]->is_stdin) p.text = std::move(line.text);
      note_duplicate(p);
      pending_.push_back(std::move(p));
    }
  }

  // The first line of an input that is not JSON says what JSON Lines are:
  // a record pretty-printed over several lines is the usual cause.
  void hint_json_lines(std::size_t input, std::vector<schema::FieldError>& errors) {
    if (errors.size() != 1 || errors[0].reason.rfind("invalid JSON", 0) != 0 || hinted_.count(input)) return;
    hinted_.insert(input);
    errors[0].reason += " (JSON Lines hold one whole record per line; a file may also be one JSON document: "
                        "a record, or an array of records)";
  }

  void note_duplicate(const Pending& p) {
    auto [it, inserted] = seen_.try_emplace(std::hash<std::string>{}(dedup_key_of(p.record)), p.input, p.line);
    if (!inserted) {
      problem(p.input, p.line, p.label, "",
              "same record as " + inputs_[it->second.first]->name + ":" + std::to_string(it->second.second) +
                  "; the last one wins",
              true);
      it->second = {p.input, p.line};
    }
  }

  // Writes the pending records in one transaction. Records whose references
  // are missing are held back (final_pass: left in pending_ for rejection).
  Status flush(bool final_pass = false) {
    if (pending_.empty()) return {};
    struct Outcome {
      std::optional<PutOutcome> put;
      bool missing = false;
      std::optional<schema::FieldError> refused;  // over a limit
    };
    std::vector<Outcome> outcomes;
    Status s = archive_.write(
        [&](WriteBatch& batch) -> Status {
          outcomes.assign(pending_.size(), {});
          Origin origin = options_.origin;
          origin.run = run_.id;
          batch.set_origin(std::move(origin));
          ImportCounts counts = summary_.counts;
          for (std::size_t i = 0; i < pending_.size(); ++i) {
            if (missing_reference(batch, pending_[i].record, dry_ids_)) {
              outcomes[i].missing = true;
              continue;
            }
            if ((outcomes[i].refused = over_limits(batch, pending_[i].record))) continue;
            if (options_.origin.source.empty())
              batch.set_source(inputs_[pending_[i].input]->name +
                               (pending_[i].line ? ":" + std::to_string(pending_[i].line) : std::string()));
            auto put = batch.put(pending_[i].record);
            if (!put) return put.status();
            outcomes[i].put = *put;
            (*put == PutOutcome::kAdded ? counts.added : *put == PutOutcome::kReplaced ? counts.replaced : counts.unchanged)++;
          }
          if (!run_.id) return {};
          Run run = run_;
          run.counts = run_counts(counts);
          return batch.put_run(run);
        },
        !options_.dry_run);
    if (!s.ok()) return s;

    BatchReport report;
    report.number = summary_.batches + 1;
    std::vector<Pending> still_missing, refused;
    std::vector<schema::FieldError> refusals;
    for (std::size_t i = 0; i < pending_.size(); ++i) {
      Pending& p = pending_[i];
      if (outcomes[i].refused) {
        refusals.push_back(*outcomes[i].refused);
        refused.push_back(std::move(p));
        continue;
      }
      if (outcomes[i].missing) {
        if (final_pass) {
          still_missing.push_back(std::move(p));
        } else {
          // Keep only where to find the line again, not the encoded record.
          held_.push_back({EncodedRecord{}, p.input, p.line, p.label, p.offset, p.length, std::move(p.text)});
        }
        continue;
      }
      PutOutcome outcome = *outcomes[i].put;
      if (options_.dry_run) {
        auto [it, inserted] = dry_ids_.try_emplace(dedup_key_of(p.record), 1);
        if (!inserted && outcome == PutOutcome::kAdded) outcome = PutOutcome::kReplaced;
      }
      auto& c = report.counts;
      (outcome == PutOutcome::kAdded ? c.added : outcome == PutOutcome::kReplaced ? c.replaced : c.unchanged)++;
      const std::string& file = inputs_[p.input]->name;
      if (report.ranges.empty() || report.ranges.back().file != file)
        report.ranges.push_back({file, p.line, p.line, 0});
      report.ranges.back().last_line = p.line;
      report.ranges.back().records++;
    }
    pending_ = std::move(still_missing);
    for (std::size_t i = 0; i < refused.size(); ++i) reject(refused[i].input, refused[i].line, refused[i].label, {refusals[i]});
    if (report.counts.records() > 0) {
      summary_.counts.added += report.counts.added;
      summary_.counts.replaced += report.counts.replaced;
      summary_.counts.unchanged += report.counts.unchanged;
      ++summary_.batches;
      listener_.on_commit(report);
    }
    return {};
  }

  Result<EncodedRecord> reread(const Pending& p) {
    std::string text = p.text;
    const Input& in = *inputs_[p.input];
    if (in.text) {
      // In memory: read again from there (what a file is re-read from).
      if (p.offset + p.length <= in.text->size()) text = std::string(in.text->substr(p.offset, p.length));
    } else if (!in.is_stdin) {
      text.resize(p.length);
      ssize_t n = ::pread(in.fd, text.data(), p.length, static_cast<off_t>(p.offset));
      if (n != static_cast<ssize_t>(p.length)) text.clear();
    }
    auto result = validators_[0]->parse_line(text);
    if (!result.record)
      return Status(Code::kIOError, inputs_[p.input]->name + ":" + std::to_string(p.line) +
                                        ": the file changed while it was being imported");
    return encode(*result.record);
  }

  // Reads held-back lines again and queues them, except those a later line
  // of the import replaced: the last one wins, even when it went in first.
  Status requeue(std::vector<Pending>& from) {
    for (auto& p : from) {
      auto record = reread(p);
      if (!record) return record.status();
      p.record = std::move(*record);
      auto last = seen_.find(std::hash<std::string>{}(dedup_key_of(p.record)));
      if (last != seen_.end() && last->second != std::make_pair(p.input, p.line)) continue;
      pending_.push_back(std::move(p));
    }
    from.clear();
    return {};
  }

  // Writes the held-back records once what they name is there, in rounds,
  // until a round makes no progress; what is left is rejected.
  Status resolve_held_back() {
    while (!held_.empty()) {
      std::vector<Pending> round = std::move(held_);
      held_.clear();
      std::size_t before = round.size();
      for (std::size_t start = 0; start < round.size(); start += options_.batch_records) {
        std::vector<Pending> slice(std::make_move_iterator(round.begin() + static_cast<long>(start)),
                                   std::make_move_iterator(round.begin() + static_cast<long>(std::min(round.size(), start + options_.batch_records))));
        if (auto s = requeue(slice); !s.ok()) return s;
        if (auto s = flush(); !s.ok()) return s;
      }
      if (held_.size() == before) break;  // no progress: the references are really missing
    }
    if (held_.empty()) return {};
    if (auto s = requeue(held_); !s.ok()) return s;
    if (options_.strict) {
      // The first unresolved record stops the import; nothing of this batch commits.
      for (auto& p : pending_)
        if (auto missing = check_missing(p)) {
          reject(p.input, p.line, p.label, {*missing});
          return {};
        }
    }
    if (auto s = flush(true); !s.ok()) return s;
    std::vector<Pending> rejected = std::move(pending_);
    pending_.clear();
    for (auto& p : rejected)
      reject(p.input, p.line, p.label, {check_missing(p).value_or(schema::FieldError{"", "a reference is missing"})});
    return {};
  }

  std::optional<schema::FieldError> check_missing(const Pending& p) {
    auto snap = archive_.snapshot();
    if (!snap) return schema::FieldError{"", snap.status().message()};
    return missing_reference(*snap, p.record, dry_ids_, &known_authors_);
  }

  std::optional<std::vector<std::string>> known_authors_;  // for suggestions, read once

  Archive& archive_;
  const ImportOptions& options_;
  ImportListener& listener_;
  std::vector<std::unique_ptr<schema::RecordValidator>> validators_;  // one per parse thread
  std::vector<std::unique_ptr<Input>> inputs_;
  std::size_t current_ = 0;  // the input being read
  std::unique_ptr<LineReader> reader_;
  std::uint64_t lineno_ = 0, bytes_before_ = 0;
  std::set<std::size_t> hinted_;  // inputs told what JSON Lines are
  std::vector<Pending> pending_, held_;
  // Hash of each record key seen in this import -> (input, line), for the
  // duplicate warning: a few bytes a record.
  std::unordered_map<std::size_t, std::pair<std::size_t, std::uint64_t>> seen_;
  // Dry runs write nothing, so the records they would have written are
  // remembered here, for references and for added vs replaced.
  std::unordered_map<std::string, int> dry_ids_;
  ImportSummary summary_;
  Run run_;  // run_.id 0: no run recorded
};

}  // namespace

Result<ImportSummary> import_jsonl(Archive& archive, const std::vector<std::string>& inputs,
                                   const ImportOptions& options, ImportListener& listener) {
  Importer importer(archive, options, listener);
  return importer.run(inputs);
}

Result<ImportSummary> import_jsonl_text(Archive& archive, const std::string& name, std::string_view text,
                                        const ImportOptions& options, ImportListener& listener) {
  Importer importer(archive, options, listener);
  return importer.run_text(name, text);
}

Result<ImportSummary> import_converted(Archive& archive, const std::vector<ConvertedInput>& inputs,
                                       const ImportOptions& options, ImportListener& listener) {
  Importer importer(archive, options, listener);
  return importer.run_converted(inputs);
}

namespace import_parts {

Result<ImportSummary> import_stream(Archive& archive, const std::string& name, int fd,
                                    std::vector<std::uint64_t> line_of, const ImportOptions& options,
                                    ImportListener& listener) {
  Importer importer(archive, options, listener);
  return importer.run_stream(name, fd, std::move(line_of));
}

}  // namespace import_parts

}  // namespace defter::archive
