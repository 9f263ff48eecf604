// defter index, reindex, verify and stats.
#include "commands.hpp"
#include "cli_util.hpp"

#include <unistd.h>

#include <chrono>
#include <iostream>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "defter/indexer/gazetteer.hpp"
#include "defter/indexer/index.hpp"
#include "defter/indexer/index_schema.hpp"

namespace defter::cli {

namespace {

void print_index_stats(const indexer::IndexStats& st) {
  std::cout << fmt::format("index ({}): {} documents, {} distinct words, last change #{}, {}\n", st.generation,
                           st.documents, st.unique_terms, st.last_seq, human_bytes(static_cast<double>(st.bytes)));
  std::uint64_t listed = 0;
  for (const auto& l : st.languages) {
    std::cout << fmt::format("  {:<8} {:>8} documents {:>12} terms\n", l.lang, l.documents, l.terms);
    listed += l.documents;
  }
  // So that the rows add up: an author without a biography is a document
  // in no language (found by name only).
  if (st.documents > listed)
    std::cout << fmt::format("  {:<8} {:>8} documents (authors without a biography)\n", "none", st.documents - listed);
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
    std::cout << fmt::format("indexed {}: {} written, up to change #{} ({:.2f} s)\n",
                             counted(drained->changes, "change"), counted(drained->documents_written, "document"), drained->last_seq,
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
  std::cout << fmt::format("reindexed: {}, up to change #{} ({:.2f} s)\n", counted(done->documents_written, "document"),
                           done->last_seq, std::chrono::duration<double>(Clock::now() - start).count());
  return kExitOk;
}

int run_compact(const std::string& data_dir) {
  auto done = indexer::compact(index_options(data_dir));
  if (!done) return fail(done.status());
  std::cout << fmt::format("compacted the index: {} -> {} ({:.0f}%), now {}, up to change #{} ({:.2f} s)\n",
                           human_bytes(static_cast<double>(done->bytes_before)),
                           human_bytes(static_cast<double>(done->bytes_after)),
                           done->bytes_before ? 100.0 * static_cast<double>(done->bytes_after) / static_cast<double>(done->bytes_before) : 100.0,
                           done->generation, done->last_seq, done->seconds);
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
      std::cout << fmt::format("damaged: {} cannot be read; the index was not compared (restore them from "
                               "a backup, or import them again)\n", counted(damaged.size(), "record"));
      return kExitStorage;
    }
    // The history: every revision readable, under a record's key, naming a
    // run the archive has, and agreeing with whether the record is there.
    auto provenance = snap->check_provenance();
    for (const auto& p : provenance) std::cout << "history " << shown(p.message()) << "\n";
    if (!provenance.empty()) {
      std::cout << fmt::format("history: {} in the revisions; the records themselves are sound\n", counted(provenance.size(), "problem"));
      return kExitRejected;
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
    std::cout << fmt::format("  {:<13} {:>8} {:<7}  {:>10}\n", db.name, db.entries, db.entries == 1 ? "entry" : "entries",
                             human_bytes(static_cast<double>(db.bytes)));
  auto ix = indexer::index_stats(index_options(data_dir));
  if (ix.ok()) print_index_stats(*ix);
  else if (ix.status().code() == Code::kNotFound) std::cout << "no index yet (defter index builds it)\n";
  else return fail(ix.status());
  return kExitOk;
}

}  // namespace defter::cli
