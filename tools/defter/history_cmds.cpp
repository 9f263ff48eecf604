// defter history, runs and revert: who changed what, and undoing it.
#include "commands.hpp"
#include "cli_util.hpp"

#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <iostream>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "defter/archive/archive.hpp"

namespace defter::cli {

using nlohmann::json;

std::string who_am_i(const std::string& as) {
  if (!as.empty()) return as;
  if (const passwd* pw = ::getpwuid(::geteuid()); pw && pw->pw_name && *pw->pw_name) return pw->pw_name;
  if (const char* user = std::getenv("USER"); user && *user) return user;
  return "uid " + std::to_string(::geteuid());
}

namespace {

std::string run_state(const archive::Run& r) {
  if (r.complete) return "complete";
  return r.ended.empty() ? "did not complete (cut short, or still running)" : "stopped";
}

std::string counts_line(const archive::RunCounts& c, bool revert) {
  if (revert)
    return fmt::format("{} restored, {} removed, {} re-added, {} unchanged, {}", c.replaced, c.deleted, c.added,
                       c.unchanged, counted(c.conflicts, "conflict"));
  return fmt::format("{} added, {} replaced, {} unchanged, {} rejected", c.added, c.replaced, c.unchanged, c.rejected);
}

}  // namespace

int run_history(const std::string& data_dir, const GetArgs& args, bool as_json) {
  auto archive = open_archive(data_dir, true);
  if (!archive) return fail(archive.status());
  auto snap = (*archive)->snapshot();
  if (!snap) return fail(snap.status());
  // A deleted record has revisions but is no longer there: --type, or
  // whichever of the two has revisions.
  schema::RecordType type = schema::RecordType::kArticle;
  if (args.type == "author") {
    type = schema::RecordType::kAuthor;
  } else if (args.type.empty() && args.lang.empty()) {
    auto as_author = snap->history(schema::RecordType::kAuthor, args.id);
    auto as_article = snap->history(schema::RecordType::kArticle, args.id);
    bool author = snap->has_author(args.id) || (as_author && !as_author->empty());
    bool article = snap->has_article(args.id) || (as_article && !as_article->empty());
    if (author && article) return fail(Status(Code::kInvalidArgument, "'" + args.id + "' is both an author and an article; pass --type"));
    if (!author && !article) return fail(Status(Code::kNotFound, "no author or article '" + args.id + "', and none was ever recorded"));
    if (author) type = schema::RecordType::kAuthor;
  }
  auto history = snap->history(type, args.id, true);
  if (!history) return fail(history.status());
  std::vector<archive::Revision> shown_revisions;
  for (auto& r : *history) {
    if (!args.lang.empty()) {
      bool touches = std::any_of(r.parts.begin(), r.parts.end(), [&](const archive::RevisionPart& p) { return p.lang == args.lang; });
      if (!touches) continue;
      std::erase_if(r.fields, [&](const archive::FieldChange& f) { return f.lang != args.lang; });
    }
    shown_revisions.push_back(std::move(r));
  }
  if (as_json) {
    json out = {{"type", schema::type_name(type)}, {"id", args.id}, {"revisions", json::array()}};
    if (!args.lang.empty()) out["lang"] = args.lang;
    for (const auto& r : shown_revisions) out["revisions"].push_back(r);
    print_json(out, false);
    return kExitOk;
  }
  if (shown_revisions.empty()) {
    std::cout << fmt::format("{} {}{}: no revisions recorded (it has not changed since revisions were kept)\n",
                             schema::type_name(type), args.id, args.lang.empty() ? "" : "/" + args.lang);
    return kExitOk;
  }
  for (const auto& r : shown_revisions) {
    std::cout << fmt::format("revision {}  {}  {}  {}  {}{}\n", r.number, r.at, shown(r.who.empty() ? "(unknown)" : r.who), r.how,
                             r.change, r.run ? fmt::format("  run {}", r.run) : "");
    if (!r.source.empty()) std::cout << "  source: " << shown(r.source) << "\n";
    for (const auto& f : r.fields) {
      std::string where = f.lang.empty() ? f.field : f.lang + ": " + f.field;
      if (f.change == "added") std::cout << "  + " << shown(where) << ": " << shown(f.after) << "\n";
      else if (f.change == "removed") std::cout << "  - " << shown(where) << ": " << shown(f.before) << "\n";
      else std::cout << "  ~ " << shown(where) << ": " << shown(f.before) << "  ->  " << shown(f.after) << "\n";
    }
  }
  return kExitOk;
}

int run_runs(const std::string& data_dir, bool as_json) {
  auto archive = open_archive(data_dir, true);
  if (!archive) return fail(archive.status());
  auto snap = (*archive)->snapshot();
  if (!snap) return fail(snap.status());
  auto runs = snap->runs();
  if (!runs) return fail(runs.status());
  if (as_json) {
    print_json(json(*runs), false);
    return kExitOk;
  }
  if (runs->empty()) {
    std::cout << "no runs yet (each import and each revert is one)\n";
    return kExitOk;
  }
  for (auto it = runs->rbegin(); it != runs->rend(); ++it) {
    const auto& r = *it;
    std::string what = r.how == "revert" ? (r.reverts ? fmt::format("revert of run {}", r.reverts) : "revert of " + r.record) : r.how;
    std::cout << fmt::format("run {}  {}  {}  {}  {}\n", r.id, what, shown(r.who.empty() ? "(unknown)" : r.who), r.started,
                             run_state(r));
    if (!r.files.empty()) {
      std::string files;
      for (const auto& f : r.files) files += (files.empty() ? "" : ", ") + shown(f);
      std::cout << "  files: " << files << "\n";
    }
    std::cout << "  " << counts_line(r.counts, r.how == "revert") << "\n";
  }
  return kExitOk;
}

int run_revert(const std::string& data_dir, const RevertArgs& args) {
  auto archive = open_archive(data_dir, args.dry_run);
  if (!archive) return fail(archive.status());
  archive::RevertOptions options;
  options.who = args.who;
  options.force = args.force;
  options.dry_run = args.dry_run;
  options.batch_records = args.batch;
  auto print_item = [&args](const archive::RevertItem& item) {
    if (item.action == "conflict")
      std::cerr << fmt::format("conflict: {} {}: {}\n", schema::type_name(item.type), item.id, shown(item.reason));
    else if (args.verbose || args.dry_run)
      std::cout << fmt::format("{}: {} {}\n", item.action, schema::type_name(item.type), item.id);
  };
  Result<archive::RevertReport> report = Status(Code::kInvalidArgument, "no revert ran");
  bool record = args.to.has_value();
  if (record) {
    schema::RecordType type = schema::RecordType::kArticle;
    if (args.type == "author") {
      type = schema::RecordType::kAuthor;
    } else if (args.type.empty()) {
      auto snap = (*archive)->snapshot();
      if (!snap) return fail(snap.status());
      auto a = snap->history(schema::RecordType::kAuthor, args.target);
      auto b = snap->history(schema::RecordType::kArticle, args.target);
      bool author = a && !a->empty(), article = b && !b->empty();
      if (author && article) return fail(Status(Code::kInvalidArgument, "'" + args.target + "' is both an author and an article; pass --type"));
      if (!author && !article) return fail(Status(Code::kNotFound, "no revisions of '" + args.target + "'"));
      if (author) type = schema::RecordType::kAuthor;
    }
    report = archive::revert_record(**archive, type, args.target, *args.to, options);
    if (report) for (const auto& item : report->items) print_item(item);
  } else {
    std::uint64_t run = 0;
    auto [end, ec] = std::from_chars(args.target.data(), args.target.data() + args.target.size(), run);
    if (ec != std::errc() || end != args.target.data() + args.target.size() || run == 0)
      return fail(Status(Code::kInvalidArgument, "'" + args.target + "' is not a run number (defter runs lists them); "
                                                 "to put one record back, give its id with --to REVISION"));
    report = archive::revert_run(**archive, run, options, print_item);
  }
  if (!report) return fail(report.status());
  const auto& c = report->counts;
  std::string what = record ? args.target : "run " + args.target;
  if (args.dry_run)
    std::cout << fmt::format("dry run, reverting {} would be: {}\n", what, counts_line(c, true));
  else
    std::cout << fmt::format("reverted {} as run {}{}: {}\n", what, report->run, report->resumed ? " (completed)" : "",
                             counts_line(c, true));
  if (!args.dry_run)
    if (int rc = index_after_write(data_dir, **archive); rc != kExitOk) return rc;
  return c.conflicts ? kExitRejected : kExitOk;
}

int run_prune(const std::string& data_dir, std::uint64_t keep) {
  auto archive = open_archive(data_dir, false);
  if (!archive) return fail(archive.status());
  auto report = archive::prune_revisions(**archive, keep);
  if (!report) return fail(report.status());
  std::cout << fmt::format("{} removed, {} kept, of {}\n", counted(report->removed, "revision"), report->kept,
                           counted(report->records, "record"));
  return kExitOk;
}

int run_get_revision(const std::string& data_dir, const GetArgs& args, std::uint64_t revision) {
  auto archive = open_archive(data_dir, true);
  if (!archive) return fail(archive.status());
  auto snap = (*archive)->snapshot();
  if (!snap) return fail(snap.status());
  schema::RecordType type = args.type == "author" ? schema::RecordType::kAuthor : schema::RecordType::kArticle;
  if (args.type.empty() && args.lang.empty()) {
    auto a = snap->history(schema::RecordType::kAuthor, args.id);
    if (a && !a->empty()) type = schema::RecordType::kAuthor;
  }
  auto v = snap->version(type, args.id, revision);
  if (!v) return fail(v.status());
  if (!*v)
    return fail(Status(Code::kNotFound, fmt::format("{} {} did not exist at revision {}", schema::type_name(type), args.id, revision)));
  if (!args.lang.empty()) {
    const auto& article = std::get<schema::Article>(**v);
    auto t = article.translations.find(args.lang);
    if (t == article.translations.end())
      return fail(Status(Code::kNotFound, fmt::format("article {} had no translation {} at revision {}", args.id, args.lang, revision)));
    print_json(schema::TranslationRecord{args.id, args.lang, t->second}, args.compact);
    return kExitOk;
  }
  std::visit([&](const auto& record) { print_json(record, args.compact); }, **v);
  return kExitOk;
}

}  // namespace defter::cli
