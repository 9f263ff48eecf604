// The defter subcommands: each parses nothing (main() did) and calls the
// libraries. Exit codes are shared by all of them. One file a group:
// records.cpp (import, export, get, delete, list), history_cmds.cpp
// (history, runs, revert, get --revision), index_cmds.cpp (index,
// reindex, verify, stats), backup.cpp (backup, restore), search_cmds.cpp
// (search, suggest), serve.cpp (serve, tokens); cli_util.hpp what they
// share.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "defter/archive/documents.hpp"
#include "defter/archive/importer.hpp"
#include "defter/httpd/server.hpp"

namespace defter::cli {

enum Exit : int {
  kExitOk = 0,
  kExitRejected = 1,  // some records rejected, or a record not found
  kExitUsage = 2,     // bad arguments or unreadable input
  kExitStorage = 3,   // the archive could not be read or written
};

int exit_code_for(const Status& status);

struct ImportArgs {
  std::vector<std::string> files;
  archive::ImportOptions options;
  archive::DocumentOptions documents;  // documents.from set: the files are documents to convert
  bool verbose = false;
  bool index = true;  // index what was imported (unless another process holds the index)
};
int run_import(const std::string& data_dir, const ImportArgs& args);

struct ExportArgs {
  std::string type;    // "", "author" or "article"
  std::string output;  // "" or "-" for standard output; with format md, the directory to make
  std::string format = "jsonl";  // or "md"
  bool skip_damaged = false;  // leave out damaged records (listed on stderr; exit 1) rather than stop (exit 3)
};
int run_export(const std::string& data_dir, const ExportArgs& args);

struct GetArgs {
  std::string id, type, lang;
  bool compact = false;
};
int run_get(const std::string& data_dir, const GetArgs& args);
// `who`: who deletes (provenance).
int run_delete(const std::string& data_dir, const GetArgs& args, const std::string& who);

// Who the command line writes as: --as, else the operating system's user.
std::string who_am_i(const std::string& as);
// A record's revisions, newest first, with the fields each changed.
int run_history(const std::string& data_dir, const GetArgs& args, bool json);
// The record as it was at a revision.
int run_get_revision(const std::string& data_dir, const GetArgs& args, std::uint64_t revision);
// The import and revert runs, newest first.
int run_runs(const std::string& data_dir, bool json);
struct RevertArgs {
  std::string target;  // a run number, or a record's id (with `to`)
  std::string type;    // the record's: "", "author" or "article"
  std::string who;
  std::optional<std::uint64_t> to;  // a record's revision to go back to
  bool force = false, dry_run = false, verbose = false;
  std::size_t batch = 500;  // records per transaction
};
int run_revert(const std::string& data_dir, const RevertArgs& args);
// Keeps each record's newest `keep` revisions (archive::prune_revisions).
int run_prune(const std::string& data_dir, std::uint64_t keep);
// `countries`: per country, the articles that name it, as subject or in
// their text, and in which languages (a wrong tag stands out).
int run_stats(const std::string& data_dir, bool json, bool countries = false);
// One line a record: authors (id, name, biography languages), then articles
// (id, date, languages with the original first, title in the original).
int run_list(const std::string& data_dir, const std::string& type);
// Applies the change log to the index; with stats, shows the index's counts.
int run_index(const std::string& data_dir, bool stats_only, std::size_t batch);
int run_reindex(const std::string& data_dir);
// defter compact: the live index rewritten smaller, while a server runs.
int run_compact(const std::string& data_dir);
// Copies the archive and the index, consistently, into a new directory
// (a data directory of its own), while a server serves and writes go on.
int run_backup(const std::string& data_dir, const std::string& dest);
// Makes a new data directory from a backup.
int run_restore(const std::string& data_dir, const std::string& backup);
// Lists every missing, stale or orphan document; exit status 1 when any.
int run_verify(const std::string& data_dir);

struct SearchArgs {
  std::string query;  // empty: list what the filters select
  std::map<std::string, std::vector<std::string>> filters;  // by field name (indexer/fields.hpp)
  std::string from, to, sort = "relevance", ui_lang = "en";
  std::vector<std::string> prefer;  // preferred translation languages
  std::size_t page = 1, size = 10;
  bool json = false;
  std::string format;  // csv, ris, bibtex, csl: every article found, as that file (indexer/exports.hpp)
  std::uint64_t limit = 10000;  // with format: at most this many
  std::string base_url = "http://127.0.0.1:8080";  // with format: where the articles' URLs point
};
// Results in a terminal (colours only on a terminal), facet counts under
// them; with json, exactly the HTTP API's JSON.
int run_search(const std::string& data_dir, const SearchArgs& args);
// Completions of titles, author names and country names.
int run_suggest(const std::string& data_dir, const std::string& prefix, const std::string& ui_lang, bool json);

// Serves the JSON API until SIGTERM or SIGINT; prints the address it
// listens on ("serving http://HOST:PORT") once it does.
int run_serve(const std::string& data_dir, httpd::ServerOptions options);

// Access tokens: create prints the secret on standard output (once).
int run_token_create(const std::string& data_dir, const std::string& name, const std::string& scope);
int run_token_list(const std::string& data_dir);
int run_token_revoke(const std::string& data_dir, const std::string& name);

}  // namespace defter::cli
