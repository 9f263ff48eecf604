#include "commands.hpp"

#include "defter/httpd/tokens.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "defter/archive/archive.hpp"
#include "defter/indexer/gazetteer.hpp"
#include "defter/indexer/index.hpp"
#include "defter/indexer/index_schema.hpp"
#include "defter/indexer/search.hpp"
#include "defter/schema/text.hpp"

namespace defter::cli {
namespace {

using Clock = std::chrono::steady_clock;

// Record text on a terminal: its control characters escaped.
std::string shown(std::string_view text) { return schema::printable(text); }

std::filesystem::path archive_dir(const std::string& data_dir) {
  return std::filesystem::path(data_dir) / "archive";
}

indexer::IndexOptions index_options(const std::string& data_dir) {
  indexer::IndexOptions options;
  options.dir = std::filesystem::path(data_dir) / "index";
  return options;
}

// Progress of indexing on a terminal.
indexer::Progress index_progress() {
  if (!::isatty(2)) return {};
  auto last = std::make_shared<Clock::time_point>();
  return [last](std::uint64_t done, std::uint64_t total) {
    auto now = Clock::now();
    if (now - *last < std::chrono::milliseconds(200) && done < total) return;
    *last = now;
    std::cerr << fmt::format("\rindexing: {} of {} records   ", done, total) << std::flush;
  };
}

// Brings the index up to date after a write. Another process holding the
// index (a server, another import) is not an error: it will index the
// changes (indexer::catch_up). Returns the exit code to add (0 or kExitStorage).
int index_after_write(const std::string& data_dir, archive::Archive& archive) {
  if (indexer::served(index_options(data_dir))) {
    std::cerr << "defter: a server (defter serve) indexes these changes\n";
    return kExitOk;
  }
  auto done = indexer::catch_up(archive, index_options(data_dir), index_progress());
  if (::isatty(2)) std::cerr << "\r\033[K";
  if (!done) {
    std::cerr << "defter: the archive is written, but indexing stopped: " << done.status().message()
              << "\ndefter: run defter index to complete it\n";
    return kExitStorage;
  }
  if (done->handed_over) std::cerr << "defter: another process is indexing; it indexes these changes too\n";
  return kExitOk;
}

Result<std::unique_ptr<archive::Archive>> open_archive(const std::string& data_dir, bool read_only) {
  archive::Options options;
  options.dir = archive_dir(data_dir);
  options.read_only = read_only;
  return archive::Archive::open(options);
}

int fail(const Status& status) {
  std::cerr << "defter: " << schema::printable(status.message()) << "\n";
  return exit_code_for(status);
}

std::string human_bytes(double bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (bytes >= 1024 && u < 4) bytes /= 1024, ++u;
  return u == 0 ? fmt::format("{:.0f} {}", bytes, units[u]) : fmt::format("{:.1f} {}", bytes, units[u]);
}

// Problems to stderr as they come; a progress line on a terminal; each
// committed batch with --verbose.
class CliListener : public archive::ImportListener {
 public:
  CliListener(bool verbose, std::uint64_t total_bytes)
      : verbose_(verbose), tty_(::isatty(2)), total_(total_bytes), start_(Clock::now()) {}

  void on_problem(const archive::ImportProblem& p) override {
    clear_progress();
    std::cerr << p.to_string() << "\n";
  }

  void on_commit(const archive::BatchReport& b) override {
    committed_ += b.counts.records();
    if (!verbose_) return;
    clear_progress();
    std::string ranges;
    for (const auto& r : b.ranges)
      ranges += fmt::format("{}{}:{}-{}", ranges.empty() ? "" : ", ", r.file, r.first_line, r.last_line);
    std::cerr << fmt::format("committed batch {}: {} records ({})\n", b.number, b.counts.records(), ranges);
  }

  void on_progress(std::uint64_t bytes, std::uint64_t lines) override {
    if (!tty_) return;
    auto now = Clock::now();
    if (now - last_ < std::chrono::milliseconds(200)) return;
    last_ = now;
    double secs = std::chrono::duration<double>(now - start_).count();
    double rate = secs > 0 ? static_cast<double>(lines) / secs : 0;
    std::string eta;
    if (total_ > 0 && bytes > 0 && bytes < total_) {
      double left = secs * static_cast<double>(total_ - bytes) / static_cast<double>(bytes);
      eta = fmt::format(", ETA {}:{:02}", static_cast<int>(left) / 60, static_cast<int>(left) % 60);
    }
    std::cerr << fmt::format("\r{} records, {:.0f} records/s, {}/s{}   ", lines, rate,
                             human_bytes(secs > 0 ? static_cast<double>(bytes) / secs : 0), eta)
              << std::flush;
    shown_ = true;
  }

  void clear_progress() {
    if (shown_) std::cerr << "\r\033[K";
    shown_ = false;
  }
  std::uint64_t committed() const { return committed_; }

 private:
  bool verbose_, tty_;
  std::uint64_t total_;
  Clock::time_point start_, last_{};
  bool shown_ = false;
  std::uint64_t committed_ = 0;
};

// JSON on standard output: control characters escaped (nlohmann escapes
// C0 ones; C1 ones, which some terminals obey, are escaped here: in JSON
// they can only stand inside strings, where \u0080 means the same).
void print_json(const nlohmann::json& j, bool compact) {
  std::string text = j.dump(compact ? -1 : 2, ' ', false, nlohmann::json::error_handler_t::replace);
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    auto next = i + 1 < text.size() ? static_cast<unsigned char>(text[i + 1]) : 0;
    if (c == 0xC2 && next >= 0x80 && next <= 0x9F) {
      out += fmt::format("\\u{:04x}", next);
      ++i;
    } else {
      out += text[i];
    }
  }
  std::cout << out << "\n";
}

}  // namespace

int exit_code_for(const Status& status) {
  switch (status.code()) {
    case Code::kOk: return kExitOk;
    case Code::kNotFound: case Code::kConflict: return kExitRejected;
    case Code::kInvalidArgument: return kExitUsage;
    default: return kExitStorage;
  }
}

int run_import(const std::string& data_dir, const ImportArgs& args) {
  std::uint64_t total = 0;
  for (const auto& f : args.files) {
    struct stat st;
    if (f != "-" && ::stat(f.c_str(), &st) == 0 && S_ISREG(st.st_mode)) total += static_cast<std::uint64_t>(st.st_size);
  }
  auto archive = open_archive(data_dir, false);
  if (!archive) return fail(archive.status());
  CliListener listener(args.verbose, total);
  auto start = Clock::now();
  auto summary = archive::import_jsonl(**archive, args.files, args.options, listener);
  listener.clear_progress();
  if (!summary) {
    std::cerr << "defter: import stopped: " << summary.status().message() << "\n";
    std::cerr << fmt::format("defter: {} records were committed before it stopped; run the same import again "
                             "to complete it\n",
                             listener.committed());
    return exit_code_for(summary.status());
  }
  const auto& c = summary->counts;
  double secs = std::chrono::duration<double>(Clock::now() - start).count();
  std::cout << fmt::format("{}{} added, {} replaced, {} unchanged, {} rejected", args.options.dry_run ? "dry run, would be: " : "",
                           c.added, c.replaced, c.unchanged, c.rejected);
  if (c.warnings) std::cout << fmt::format(", {} warnings", c.warnings);
  std::cout << fmt::format(" ({} lines, {} batches, {:.2f} s)\n", summary->lines, summary->batches, secs);
  if (summary->stopped)
    std::cerr << "defter: --strict: stopped at the first rejected record; its batch was not committed\n";
  if (args.index && !args.options.dry_run)
    if (int rc = index_after_write(data_dir, **archive); rc != kExitOk) return rc;
  return (c.rejected || summary->stopped) ? kExitRejected : kExitOk;
}

int run_export(const std::string& data_dir, const ExportArgs& args) {
  auto archive = open_archive(data_dir, true);
  if (!archive) return fail(archive.status());
  auto snap = (*archive)->snapshot();
  if (!snap) return fail(snap.status());

  // Write to a temporary file and rename it, so an export is never half there.
  std::ofstream file;
  std::string tmp;
  bool to_file = !args.output.empty() && args.output != "-";
  if (to_file) {
    tmp = args.output + ".tmp";
    file.open(tmp, std::ios::binary | std::ios::trunc);
    if (!file) return fail(Status(Code::kIOError, "cannot write " + tmp));
  }
  std::ostream& out = to_file ? file : std::cout;
  Status s;
  std::size_t skipped = 0;
  archive::Reader::DamageFn on_damage;
  if (args.skip_damaged)
    on_damage = [&](const Status& damage) {
      ++skipped;
      std::cerr << "defter: skipped: " << shown(damage.message()) << "\n";
    };
  if (args.type.empty() || args.type == "author")
    s = snap->for_each_author([&](const schema::Author& a) {
      out << schema::to_json_line(a) << '\n';
      return bool(out);
    }, on_damage);
  if (s.ok() && (args.type.empty() || args.type == "article"))
    s = snap->for_each_article([&](const schema::Article& a) {
      out << schema::to_json_line(a) << '\n';
      return bool(out);
    }, true, on_damage);
  if (s.code() == Code::kCorruption)
    s = Status(Code::kCorruption, s.message() + "; nothing was exported (defter export --skip-damaged exports the rest)");
  out.flush();
  if (s.ok() && !out) s = Status(Code::kIOError, "write failed" + (to_file ? " to " + tmp : std::string()));
  if (!s.ok()) {
    if (to_file) std::filesystem::remove(tmp);
    return fail(s);
  }
  if (to_file) {
    file.close();
    std::error_code ec;
    std::filesystem::rename(tmp, args.output, ec);
    if (ec) return fail(Status(Code::kIOError, "cannot rename " + tmp + ": " + ec.message()));
  }
  if (skipped > 0) {
    std::cerr << fmt::format("defter: {} damaged record(s) skipped; everything else was exported\n", skipped);
    return kExitRejected;
  }
  return kExitOk;
}

namespace {

// Which record type an id names, using --type when given.
Result<schema::RecordType> resolve_type(const archive::Reader& reader, const GetArgs& args) {
  if (args.type == "author") return schema::RecordType::kAuthor;
  if (args.type == "article" || !args.lang.empty()) return schema::RecordType::kArticle;
  bool author = reader.has_author(args.id), article = reader.has_article(args.id);
  if (author && article)
    return Status(Code::kInvalidArgument, "'" + args.id + "' is both an author and an article; pass --type");
  if (author) return schema::RecordType::kAuthor;
  if (article) return schema::RecordType::kArticle;
  return Status(Code::kNotFound, "no author or article '" + args.id + "'");
}

}  // namespace

int run_get(const std::string& data_dir, const GetArgs& args) {
  auto archive = open_archive(data_dir, true);
  if (!archive) return fail(archive.status());
  auto snap = (*archive)->snapshot();
  if (!snap) return fail(snap.status());
  auto type = resolve_type(*snap, args);
  if (!type) return fail(type.status());
  if (*type == schema::RecordType::kAuthor) {
    auto a = snap->author(args.id);
    if (!a) return fail(a.status());
    print_json(*a, args.compact);
  } else if (!args.lang.empty()) {
    auto t = snap->translation(args.id, args.lang);
    if (!t) return fail(t.status());
    print_json(schema::TranslationRecord{args.id, args.lang, *t}, args.compact);
  } else {
    auto a = snap->article(args.id);
    if (!a) return fail(a.status());
    print_json(*a, args.compact);
  }
  return kExitOk;
}

int run_delete(const std::string& data_dir, const GetArgs& args) {
  auto archive = open_archive(data_dir, false);
  if (!archive) return fail(archive.status());
  schema::RecordType type;
  {
    auto snap = (*archive)->snapshot();
    if (!snap) return fail(snap.status());
    auto t = resolve_type(*snap, args);
    if (!t) return fail(t.status());
    type = args.lang.empty() ? *t : schema::RecordType::kTranslation;
  }
  bool removed = false;
  Status s = (*archive)->write([&](archive::WriteBatch& batch) -> Status {
    auto r = batch.remove(type, args.id, args.lang);
    if (!r) return r.status();
    removed = *r;
    return {};
  });
  if (!s.ok()) return fail(s);
  if (!removed) return fail(Status(Code::kNotFound, "nothing to delete: '" + args.id + "'" +
                                                        (args.lang.empty() ? "" : " in " + args.lang)));
  std::cout << "deleted " << schema::type_name(type) << " " << args.id
            << (args.lang.empty() ? "" : "/" + args.lang) << "\n";
  return index_after_write(data_dir, **archive);
}

int run_list(const std::string& data_dir, const std::string& type) {
  auto archive = open_archive(data_dir, true);
  if (!archive) return fail(archive.status());
  auto snap = (*archive)->snapshot();
  if (!snap) return fail(snap.status());
  auto languages = [](const auto& by_lang, const std::string& first) {
    std::string out = by_lang.count(first) ? first : "";
    for (const auto& [lang, value] : by_lang)
      if (lang != first) out += (out.empty() ? "" : ",") + lang;
    return out;
  };
  Status s;
  if (type.empty() || type == "author")
    s = snap->for_each_author([&](const schema::Author& a) {
      std::cout << fmt::format("author   {:<44} {:<10} {:<11} {}\n", shown(a.id), "", languages(a.bio, ""), shown(a.name));
      return bool(std::cout);
    });
  if (s.ok() && (type.empty() || type == "article"))
    s = snap->for_each_article([&](const schema::Article& a) {
      auto original = a.translations.find(a.original_language);
      const auto& title = original != a.translations.end() ? original->second.title
                          : a.translations.empty()         ? std::string("(no text yet)")
                                                           : a.translations.begin()->second.title;
      std::cout << fmt::format("article  {:<44} {:<10} {:<11} {}\n", shown(a.id), a.published,
                               languages(a.translations, a.original_language), shown(title));
      return bool(std::cout);
    });
  return s.ok() ? kExitOk : fail(s);
}

namespace {

void print_index_stats(const indexer::IndexStats& st) {
  std::cout << fmt::format("index ({}): {} documents, {} distinct words, last change #{}, {}\n", st.generation,
                           st.documents, st.unique_terms, st.last_seq, human_bytes(static_cast<double>(st.bytes)));
  for (const auto& l : st.languages)
    std::cout << fmt::format("  {:<8} {:>8} documents {:>12} terms\n", l.lang, l.documents, l.terms);
  std::cout << fmt::format("  format {}, {} pair words (chosen from {} texts)\n", st.format, st.pair_words,
                           st.pair_words_sampled);
  if (st.format < indexer::kIndexFormat)
    std::cout << fmt::format("  the index's format {} is older than this defter's {}: run defter reindex\n", st.format,
                             indexer::kIndexFormat);
}


}  // namespace

int run_index(const std::string& data_dir, bool stats_only, std::size_t batch) {
  if (!stats_only) {
    auto archive = open_archive(data_dir, false);
    if (!archive) return fail(archive.status());
    auto options = index_options(data_dir);
    options.batch = batch;
    auto writer = indexer::IndexWriter::open(options);
    if (!writer) return fail(writer.status());
    auto start = Clock::now();
    auto drained = (*writer)->drain(**archive, index_progress());
    if (::isatty(2)) std::cerr << "\r\033[K";
    if (!drained) return fail(drained.status());
    std::cout << fmt::format("indexed {} changes: {} documents written, up to change #{} ({:.2f} s)\n",
                             drained->changes, drained->documents_written, drained->last_seq,
                             std::chrono::duration<double>(Clock::now() - start).count());
  }
  auto st = indexer::index_stats(index_options(data_dir));
  if (!st) return fail(st.status());
  if (stats_only) print_index_stats(*st);
  return kExitOk;
}

int run_reindex(const std::string& data_dir) {
  auto archive = open_archive(data_dir, false);
  if (!archive) return fail(archive.status());
  auto start = Clock::now();
  auto done = indexer::reindex(**archive, index_options(data_dir), index_progress());
  if (::isatty(2)) std::cerr << "\r\033[K";
  if (!done) return fail(done.status());
  std::cout << fmt::format("reindexed: {} documents, up to change #{} ({:.2f} s)\n", done->documents_written,
                           done->last_seq, std::chrono::duration<double>(Clock::now() - start).count());
  return kExitOk;
}

namespace {

// A directory that does not exist yet, or is empty.
Status check_fresh(const std::filesystem::path& dir, const std::string& what) {
  std::error_code ec;
  if (std::filesystem::exists(dir, ec) && !std::filesystem::is_empty(dir, ec))
    return Status(Code::kInvalidArgument, what + " " + dir.string() + " is not empty");
  return {};
}

// Builds a data directory in DIR.partial-PID with `fill`, checks it with
// verify, then renames it to DIR: a failure or a kill at any moment leaves
// no half-made DIR (only the .partial directory, removed on failure).
Result<indexer::VerifyReport> make_data_dir(const std::filesystem::path& dir,
                                            const std::function<Status(const std::filesystem::path&)>& fill) {
  std::filesystem::path partial = dir;
  partial += ".partial-" + std::to_string(::getpid());
  std::error_code ec;
  std::filesystem::remove_all(partial, ec);
  struct Cleanup {
    std::filesystem::path path;
    bool keep = false;
    ~Cleanup() {
      std::error_code e;
      if (!keep) std::filesystem::remove_all(path, e);
    }
  } cleanup{partial};
  if (auto s = fill(partial); !s.ok()) return s;
  indexer::VerifyReport report;
  {
    archive::Options ao;
    ao.dir = partial / "archive";
    auto copy = archive::Archive::open(ao);
    if (!copy) return copy.status();
    // The index copy may be behind the archive copy: catch up, then check.
    indexer::IndexOptions io;
    io.dir = partial / "index";
    {
      auto writer = indexer::IndexWriter::open(io);
      if (!writer) return writer.status();
      auto drained = (*writer)->drain(**copy);
      if (!drained) return drained.status();
    }
    auto verified = indexer::verify(**copy, io);
    if (!verified) return verified.status();
    report = *verified;
  }
  if (!report.consistent())
    return Status(Code::kCorruption, "the copy does not verify: " + std::to_string(report.missing.size()) + " missing, " +
                                         std::to_string(report.stale.size()) + " stale, " +
                                         std::to_string(report.orphan.size()) + " orphan documents");
  std::filesystem::remove(dir, ec);  // empty, if it exists (check_fresh)
  std::filesystem::rename(partial, dir, ec);
  if (ec) return Status(Code::kIOError, "cannot rename " + partial.string() + " to " + dir.string() + ": " + ec.message());
  cleanup.keep = true;
  return report;
}

}  // namespace

int run_backup(const std::string& data_dir, const std::string& dest) {
  std::filesystem::path out(dest);
  if (auto s = check_fresh(out, "the backup directory"); !s.ok()) return fail(s);
  auto archive = open_archive(data_dir, true);
  if (!archive) return fail(archive.status());
  auto start = Clock::now();
  // The index first, then the archive: the archive copy is then at least as
  // new as the index copy, and the index catches up from the archive's log.
  std::uint64_t index_seq = 0;
  auto report = make_data_dir(out, [&](const std::filesystem::path& dir) -> Status {
    auto copied = indexer::copy_index(index_options(data_dir), dir / "index");
    if (copied) index_seq = *copied;
    else if (copied.status().code() != Code::kNotFound) return copied.status();  // no index: the copy builds one
    return (*archive)->copy_to(dir / "archive");
  });
  if (!report) return fail(report.status());
  std::cout << fmt::format("backed up to {}: archive at change #{}, index copied at #{} and brought to #{}; verify clean "
                           "({:.2f} s)\n",
                           out.string(), report->archive_seq, index_seq, report->index_seq,
                           std::chrono::duration<double>(Clock::now() - start).count());
  return kExitOk;
}

int run_restore(const std::string& data_dir, const std::string& backup) {
  std::filesystem::path from(backup), to(data_dir);
  std::error_code ec;
  if (!std::filesystem::exists(from / "archive" / "data.mdb", ec))
    return fail(Status(Code::kNotFound, from.string() + " holds no backup (no archive/data.mdb)"));
  if (auto s = check_fresh(to, "the data directory"); !s.ok()) return fail(s);
  auto start = Clock::now();
  auto report = make_data_dir(to, [&](const std::filesystem::path& dir) -> Status {
    std::error_code e;
    std::filesystem::create_directories(dir, e);
    for (const char* part : {"archive", "index"}) {
      if (!std::filesystem::exists(from / part, e)) continue;
      std::filesystem::copy(from / part, dir / part, std::filesystem::copy_options::recursive, e);
      if (e) return Status(Code::kIOError, "cannot copy " + (from / part).string() + ": " + e.message());
    }
    // Lock files are the old processes', not the copy's.
    for (const char* lock : {"index/serving.lock", "index/reindex.lock", "archive/lock.mdb"})
      std::filesystem::remove(dir / lock, e);
    return {};
  });
  if (!report) return fail(report.status());
  std::cout << fmt::format("restored {} into {}: archive at change #{}, index at #{}; verify clean ({:.2f} s)\n", from.string(),
                           to.string(), report->archive_seq, report->index_seq,
                           std::chrono::duration<double>(Clock::now() - start).count());
  return kExitOk;
}

int run_verify(const std::string& data_dir) {
  auto archive = open_archive(data_dir, true);
  if (!archive) return fail(archive.status());
  {
    auto snap = (*archive)->snapshot();
    if (!snap) return fail(snap.status());
    auto damaged = snap->damaged();
    for (const auto& d : damaged) std::cout << "damaged " << shown(d.message()) << "\n";
    if (!damaged.empty()) {
      std::cout << fmt::format("damaged: {} record(s) cannot be read; the index was not compared (restore them from "
                               "a backup, or import them again)\n", damaged.size());
      return kExitStorage;
    }
  }
  auto report = indexer::verify(**archive, index_options(data_dir));
  if (!report) return fail(report.status());
  auto list = [](const char* what, const std::vector<std::string>& ids) {
    for (const auto& id : ids) std::cout << what << " " << id << "\n";
  };
  list("missing", report->missing);
  list("stale", report->stale);
  list("orphan", report->orphan);
  list("duplicate", report->duplicate);
  if (report->outdated())
    std::cout << fmt::format("outdated: the index has format {}, this defter writes {} (run defter reindex)\n", report->format,
                             indexer::kIndexFormat);
  std::cout << fmt::format("{}: {} missing, {} stale, {} orphan, {} duplicate; archive at change #{}, index at #{}\n",
                           report->clean() ? "clean" : "differences", report->missing.size(), report->stale.size(),
                           report->orphan.size(), report->duplicate.size(), report->archive_seq, report->index_seq);
  return report->clean() ? kExitOk : kExitRejected;
}

namespace {

int country_stats(const std::string& data_dir, bool as_json) {
  auto counts = indexer::country_counts(index_options(data_dir));
  if (!counts) return fail(counts.status());
  const auto& gazetteer = indexer::Gazetteer::instance();
  if (as_json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& c : *counts)
      out.push_back({{"code", c.code}, {"name", gazetteer.label(c.code, "en")}, {"articles", c.articles}, {"subject", c.subject},
                     {"mentioned", c.mentioned}, {"mentioned_in", c.mentioned_in}});
    print_json(out, false);
    return kExitOk;
  }
  std::cout << fmt::format("{:<4} {:<28} {:>8} {:>8} {:>10}  {}\n", "code", "country", "articles", "subject", "in text",
                           "translations naming it, by language");
  for (const auto& c : *counts) {
    std::string langs;
    for (const auto& [lang, n] : c.mentioned_in) langs += fmt::format("{}{} {}", langs.empty() ? "" : ", ", lang, n);
    std::cout << fmt::format("{:<4} {:<28} {:>8} {:>8} {:>10}  {}\n", c.code, shown(gazetteer.label(c.code, "en")), c.articles,
                             c.subject, c.mentioned, langs);
  }
  return kExitOk;
}

}  // namespace

int run_stats(const std::string& data_dir, bool as_json, bool countries) {
  if (countries) return country_stats(data_dir, as_json);
  auto archive = open_archive(data_dir, true);
  if (!archive) return fail(archive.status());
  auto snap = (*archive)->snapshot();
  if (!snap) return fail(snap.status());
  auto st = snap->stats();
  if (as_json) {
    auto ix = indexer::index_stats(index_options(data_dir));
    if (!ix && ix.status().code() != Code::kNotFound) return fail(ix.status());
    print_json(indexer::stats_json(st, ix.ok() ? &*ix : nullptr), false);
    return kExitOk;
  }
  std::cout << fmt::format("archive {}\n", archive_dir(data_dir).string());
  std::cout << fmt::format("  {:>8} authors\n  {:>8} articles\n  {:>8} translations\n  {:>8} changes logged "
                           "(last #{})\n",
                           st.authors, st.articles, st.translations, st.changes, st.last_seq);
  std::cout << "translations per language:";
  for (auto& [lang, n] : st.translations_per_lang) std::cout << fmt::format(" {} {}", lang, n);
  std::cout << "\nbiographies per language:";
  for (auto& [lang, n] : st.bios_per_lang) std::cout << fmt::format(" {} {}", lang, n);
  std::cout << fmt::format("\non disk: {} (map {})\n", human_bytes(static_cast<double>(st.file_bytes)),
                           human_bytes(static_cast<double>(st.map_bytes)));
  for (auto& db : st.databases)
    std::cout << fmt::format("  {:<13} {:>8} entries  {:>10}\n", db.name, db.entries,
                             human_bytes(static_cast<double>(db.bytes)));
  auto ix = indexer::index_stats(index_options(data_dir));
  if (ix.ok()) print_index_stats(*ix);
  else if (ix.status().code() == Code::kNotFound) std::cout << "no index yet (defter index builds it)\n";
  else return fail(ix.status());
  return kExitOk;
}

namespace {

// Search results are HTML (escaped text, matches in <mark>): on a terminal
// the marks become bold, in a pipe plain text.
std::string terminal_text(const std::string& html, bool tty) {
  std::string out;
  for (std::size_t i = 0; i < html.size();) {
    auto starts = [&](const char* s) { return html.compare(i, std::strlen(s), s) == 0; };
    struct Sub {
      const char *from, *to;
    };
    static const Sub kSubs[] = {{"<mark>", "\033[1;33m"}, {"</mark>", "\033[0m"}, {"&amp;", "&"}, {"&lt;", "<"},
                                {"&gt;", ">"},           {"&quot;", "\""},       {"&#39;", "'"}};
    bool done = false;
    for (const auto& sub : kSubs) {
      if (!starts(sub.from)) continue;
      bool tag = sub.from[1] == 'm' || sub.from[1] == '/';
      if (!tag || tty) out += sub.to;
      i += std::strlen(sub.from);
      done = true;
      break;
    }
    if (done) continue;
    std::size_t next = std::min(html.find('<', i + 1), html.find('&', i + 1));
    out += shown(std::string_view(html).substr(i, next == std::string::npos ? std::string::npos : next - i));
    i = next == std::string::npos ? html.size() : next;
  }
  return out;
}

Result<std::unique_ptr<indexer::Searcher>> open_searcher(const std::string& data_dir,
                                                         std::unique_ptr<archive::Archive>& archive) {
  auto opened = open_archive(data_dir, true);
  if (!opened) return opened.status();
  archive = std::move(*opened);
  return indexer::Searcher::open(index_options(data_dir), *archive);
}

}  // namespace

int run_search(const std::string& data_dir, const SearchArgs& args) {
  std::unique_ptr<archive::Archive> archive;
  auto searcher = open_searcher(data_dir, archive);
  if (!searcher) return fail(searcher.status());
  indexer::SearchRequest req;
  req.query = args.query;
  auto add = [&](const char* facet, const std::vector<std::string>& values) {
    if (!values.empty()) req.filters[facet] = values;
  };
  add("country", args.countries);
  add("author", args.authors);
  add("lang", args.langs);
  add("type", args.types);
  add("year", args.years);
  add("month", args.months);
  req.from = args.from;
  req.to = args.to;
  req.sort = indexer::parse_sort(args.sort).value_or(indexer::SortOrder::kRelevance);
  req.page = args.page;
  req.size = args.size;
  req.languages = args.prefer;
  req.ui_lang = args.ui_lang;
  auto resp = (*searcher)->search(req);
  if (!resp) {
    if (resp.status().code() == Code::kInvalidArgument) {
      std::cerr << "defter: " << resp.status().message() << "\n";
      return kExitUsage;
    }
    return fail(resp.status());
  }
  if (args.json) {
    print_json(indexer::to_json(*resp), false);
    return kExitOk;
  }
  bool tty = ::isatty(1);
  auto bold = [&](const std::string& s) { return tty ? "\033[1m" + s + "\033[0m" : s; };
  auto dim = [&](const std::string& s) { return tty ? "\033[2m" + s + "\033[0m" : s; };
  std::cout << fmt::format("{}{} {} for {}\n", resp->total_exact ? "" : "about ", resp->total,
                           resp->total == 1 ? "result" : "results",
                           resp->query.understood.empty() ? "everything" : resp->query.understood);
  for (const auto& note : resp->query.notes) std::cout << "note: " << note << "\n";
  std::size_t n = (resp->page - 1) * resp->size;
  for (const auto& h : resp->hits) {
    std::cout << "\n" << fmt::format("{:>3}. ", ++n) << bold(terminal_text(h.title, tty)) << "\n";
    std::string meta;
    if (h.type == "author") meta = "author " + shown(h.id);
    else meta = h.published + " · " + shown(h.id);
    std::string names;
    for (const auto& [id, name] : h.authors) names += (names.empty() ? "" : ", ") + shown(name);
    if (!names.empty()) meta += " · " + names;
    if (!h.lang.empty()) {
      meta += " · " + h.lang;
      std::string others;
      for (const auto& l : h.languages)
        if (l != h.lang) others += (others.empty() ? "" : ", ") + l;
      if (!others.empty()) meta += " (also " + others + ")";
    }
    std::cout << "     " << dim(meta) << "\n";
    if (!h.snippet.empty()) std::cout << "     " << terminal_text(h.snippet, tty) << "\n";
  }
  if (!resp->suggestion.empty()) std::cout << "\ndid you mean: " << bold(shown(resp->suggestion)) << "\n";
  bool any = false;
  for (const auto& facet : indexer::facet_names()) {
    auto it = resp->facets.find(facet);
    if (it == resp->facets.end() || it->second.empty()) continue;
    if (!any) std::cout << "\n";
    any = true;
    std::string line = fmt::format("{:<8}", facet);
    for (const auto& v : it->second) {
      std::string label = shown(v.label == v.value || facet == "year" ? v.value : v.label + " (" + v.value + ")");
      std::string entry = fmt::format(" {} {}", label, v.count);
      if (facet == "country" && v.mentioned > 0) entry += fmt::format(" [{} subject]", v.subject);
      line += (v.selected ? bold("*" + entry.substr(1)) : entry) + " ·";
    }
    line.resize(line.size() - std::strlen(" ·"));
    std::cout << line << "\n";
  }
  return kExitOk;
}

int run_suggest(const std::string& data_dir, const std::string& prefix, const std::string& ui_lang, bool json) {
  std::unique_ptr<archive::Archive> archive;
  auto searcher = open_searcher(data_dir, archive);
  if (!searcher) return fail(searcher.status());
  auto got = (*searcher)->suggest(prefix, 10, ui_lang);
  if (!got) return fail(got.status());
  if (json) {
    print_json(indexer::to_json(*got), false);
    return kExitOk;
  }
  for (const auto& s : *got) std::cout << fmt::format("{:<8} {}  ({})\n", s.kind, shown(s.text), shown(s.value));
  return kExitOk;
}

int run_serve(const std::string& data_dir, httpd::ServerOptions options) {
  options.data = data_dir;
  options.handle_signals = true;
  auto server = httpd::Server::open(options);
  if (!server) return fail(server.status());
  std::string host = options.bind.find(':') != std::string::npos ? "[" + options.bind + "]" : options.bind;
  std::cout << fmt::format("serving http://{}:{}", host, (*server)->port()) << std::endl;
  (*server)->run();
  std::cerr << "defter: stopped\n";
  return kExitOk;
}

int run_token_create(const std::string& data_dir, const std::string& name, const std::string& scope) {
  auto archive = open_archive(data_dir, false);
  if (!archive) return fail(archive.status());
  auto secret = httpd::create_token(**archive, name, httpd::parse_scope(scope).value_or(httpd::Scope::kWrite));
  if (!secret) return fail(secret.status());
  std::cout << *secret << std::endl;
  std::cerr << fmt::format("defter: token \"{}\" ({}) created; its secret is shown only this once\n", name, scope);
  return kExitOk;
}

int run_token_list(const std::string& data_dir) {
  auto archive = open_archive(data_dir, true);
  if (!archive) return fail(archive.status());
  auto tokens = httpd::list_tokens(**archive);
  if (!tokens) return fail(tokens.status());
  for (const auto& t : *tokens) std::cout << fmt::format("{}\t{}\t{}\n", shown(t.name), t.scope, t.created);
  return kExitOk;
}

int run_token_revoke(const std::string& data_dir, const std::string& name) {
  auto archive = open_archive(data_dir, false);
  if (!archive) return fail(archive.status());
  if (auto st = httpd::revoke_token(**archive, name); !st.ok()) return fail(st);
  std::cerr << fmt::format("defter: token \"{}\" revoked\n", name);
  return kExitOk;
}

}  // namespace defter::cli
