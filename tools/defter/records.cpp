// defter import, export, get, delete and list.
#include "commands.hpp"
#include "cli_util.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <algorithm>
#include <chrono>
#include <cstring>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "defter/archive/archive.hpp"
#include "defter/archive/documents.hpp"
#include "defter/indexer/gazetteer.hpp"

namespace defter::cli {

namespace {

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
    for (const auto& r : b.ranges)  // a converted document has no lines: its name alone
      ranges += r.first_line ? fmt::format("{}{}:{}-{}", ranges.empty() ? "" : ", ", r.file, r.first_line, r.last_line)
                             : fmt::format("{}{}", ranges.empty() ? "" : ", ", r.file);
    std::cerr << fmt::format("committed batch {}: {} ({})\n", b.number, counted(b.counts.records(), "record"), ranges);
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

}  // namespace

int run_import(const std::string& data_dir, const ImportArgs& args) {
  // Every input is there and readable before anything is opened or written.
  std::uint64_t total = 0;
  for (const auto& f : args.files) {
    if (f == "-") continue;
    struct stat st;
    if (::stat(f.c_str(), &st) != 0) {
      std::cerr << "defter: " << shown(f) << ": " << (errno == ENOENT ? "no such file" : std::strerror(errno))
                << "; nothing was imported\n";
      return kExitUsage;
    }
    if (S_ISDIR(st.st_mode) && args.documents.from == "md") continue;  // a folder of Markdown files
    if (S_ISDIR(st.st_mode)) {
      std::cerr << "defter: " << shown(f) << ": is a directory (give the files in it); nothing was imported\n";
      return kExitUsage;
    }
    if (::access(f.c_str(), R_OK) != 0) {
      std::cerr << "defter: " << shown(f) << ": cannot be read (" << std::strerror(errno) << "); nothing was imported\n";
      return kExitUsage;
    }
    if (S_ISREG(st.st_mode)) total += static_cast<std::uint64_t>(st.st_size);
  }
  const auto& d = args.documents;
  if (d.from.empty() && (!d.article.empty() || !d.langs.empty() || !d.title.empty() || !d.authors.empty() ||
                         !d.published.empty() || !d.profile.empty())) {
    std::cerr << "defter: --article, --lang, --title, --author and --published are for documents (--from FORMAT); "
                 "nothing was imported\n";
    return kExitUsage;
  }
  if (!d.from.empty() && std::find(args.files.begin(), args.files.end(), "-") != args.files.end()) {
    std::cerr << "defter: documents (--from) are read from files, not standard input; nothing was imported\n";
    return kExitUsage;
  }
  if (d.from == "wxr" && (args.files.size() != 1 || d.langs.size() > 1 || !d.article.empty() ||
                          !d.title.empty() || !d.authors.empty() || !d.published.empty() ||
                          !d.profile.empty())) {
    std::cerr << "defter: --from wxr reads one WordPress export, which says everything itself "
                 "(--lang: the site's language, when the export names none); nothing was imported\n";
    return kExitUsage;
  }
  auto archive = open_archive(data_dir, false);
  if (!archive) return fail(archive.status());
  CliListener listener(args.verbose, total);
  auto start = Clock::now();
  std::vector<archive::ConvertedInput> converted;
  std::optional<Result<archive::ImportSummary>> wxr;
  if (d.from == "wxr") {
    // A tag that names a country (in any language the gazetteer knows)
    // gives the article that country.
    archive::WxrOptions wo;
    if (!d.langs.empty()) wo.lang = d.langs.front();
    wo.country_of = [](const std::string& tag) {
      auto codes = indexer::Gazetteer::instance().lookup(tag);
      return codes.size() == 1 ? codes.front() : std::string();
    };
    std::vector<std::string> notes;
    wxr = archive::import_wxr(**archive, args.files.front(), wo, args.options, listener, notes);
    listener.clear_progress();
    for (const auto& note : notes) std::cerr << shown(args.files.front()) << ": " << note << "\n";
    if (!*wxr && wxr->status().code() == Code::kInvalidArgument) {
      std::cerr << "defter: " << shown(wxr->status().message()) << "\n";
      return kExitRejected;
    }
  } else if (!d.from.empty()) {
    auto got = archive::convert_documents(**archive, args.files, d);
    if (!got) {
      std::cerr << "defter: " << got.status().message() << "; nothing was imported\n";
      return got.status().code() == Code::kInvalidArgument ? kExitRejected : exit_code_for(got.status());
    }
    converted = std::move(*got);
    for (const auto& c : converted)
      for (const auto& note : c.notes) std::cerr << shown(c.name) << ": " << note << "\n";
  }
  auto summary = wxr ? std::move(*wxr)
                : d.from.empty() ? archive::import_jsonl(**archive, args.files, args.options, listener)
                                 : archive::import_converted(**archive, converted, args.options, listener);
  listener.clear_progress();
  if (!summary) {
    std::cerr << "defter: import stopped: " << summary.status().message() << "\n";
    std::cerr << fmt::format("defter: {} committed before it stopped; run the same import again "
                             "to complete it\n",
                             counted(listener.committed(), "record was", "records were"));
    return exit_code_for(summary.status());
  }
  const auto& c = summary->counts;
  double secs = std::chrono::duration<double>(Clock::now() - start).count();
  std::cout << fmt::format("{}{} added, {} replaced, {} unchanged, {} rejected", args.options.dry_run ? "dry run, would be: " : "",
                           c.added, c.replaced, c.unchanged, c.rejected);
  if (c.warnings) std::cout << ", " << counted(c.warnings, "warning");
  std::cout << fmt::format(" ({}, {}, {:.2f} s)\n", counted(summary->lines, "line"), counted(summary->batches, "batch", "batches"), secs);
  if (summary->stopped)
    std::cerr << "defter: --strict: stopped at the first rejected record; its batch was not committed\n";
  if (args.index && !args.options.dry_run)
    if (int rc = index_after_write(data_dir, **archive); rc != kExitOk) return rc;
  return (c.rejected || summary->stopped) ? kExitRejected : kExitOk;
}

int run_export(const std::string& data_dir, const ExportArgs& args) {
  if (args.format == "md" && (args.output.empty() || args.output == "-" || args.type == "author" || args.skip_damaged)) {
    std::cerr << "defter: export --format md writes the articles into a new directory: give it (defter export --format md DIR); "
                 "authors are exported as JSON Lines (--type author)\n";
    return kExitUsage;
  }
  auto archive = open_archive(data_dir, true);
  if (!archive) return fail(archive.status());
  if (args.format == "md") {
    auto files = archive::export_markdown(**archive, args.output);
    if (!files) return fail(files.status());
    std::cout << counted(*files, "file") << " written to " << shown(args.output) << "\n";
    return kExitOk;
  }
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
    std::cerr << fmt::format("defter: {} skipped; everything else was exported\n", counted(skipped, "damaged record"));
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

int run_delete(const std::string& data_dir, const GetArgs& args, const std::string& who) {
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
    batch.set_origin({who, "delete", "defter delete", 0});
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
      std::cout << fmt::format("article  {:<44} {:<10} {:<11} {}\n", shown(a.id), a.published.empty() ? "undated" : a.published,
                               languages(a.translations, a.original_language), shown(title));
      return bool(std::cout);
    });
  return s.ok() ? kExitOk : fail(s);
}

}  // namespace defter::cli
