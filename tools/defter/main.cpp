// defter: the command line of the archive. Flags and environment are read
// here and nowhere else; each subcommand is a call into the files commands.hpp lists.
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli_util.hpp"
#include "commands.hpp"
#include "help.hpp"
#include "defter/schema/text.hpp"
#include "defter/indexer/fields.hpp"
#include "defter/indexer/index.hpp"

int main(int argc, char** argv) {
  using namespace defter::cli;
  CLI::App app{"defter: a multilingual archive of articles, their translations and their authors"};
  app.require_subcommand(1);
  // Global options work after the subcommand too (defter import --data DIR
  // FILE): a subcommand hands what it does not know to defter's own options.
  app.fallthrough();
  app.set_version_flag("--version", kVersion);

  std::string data_dir = "./defter-data";
  if (const char* env = std::getenv("DEFTER_DATA"); env && *env) data_dir = env;
  app.add_option("--data", data_dir, "data directory (or $DEFTER_DATA)")
      ->capture_default_str()->type_name("DIR");
  std::string as;
  app.add_option("--as", as, "who the archive records as making the changes (default: the operating system's user)")
      ->type_name("NAME");

  ImportArgs import;
  auto* imp = app.add_subcommand("import", "import records from JSON Lines files or JSON documents (- for standard input)");
  imp->add_option("files", import.files,
                  "JSON Lines files, or JSON documents (a record, or an array of records); - for standard input")
      ->required();
  imp->add_flag("--strict", import.options.strict,
                "stop at the first rejected record; its batch commits nothing");
  imp->add_flag("--dry-run,-n", import.options.dry_run, "validate and count, write nothing");
  imp->add_option("--batch", import.options.batch_records, "records per transaction")
      ->check(CLI::Range(1, 1000000))->capture_default_str();
  imp->add_option("--max-record-size", import.options.max_line_bytes, "longest line accepted, in bytes")
      ->check(CLI::Range(1024, 1 << 30))->capture_default_str();
  imp->add_flag("--verbose,-v", import.verbose, "report each committed batch");
  // Documents (documents.hpp): one article of the files, one file a language.
  imp->add_option("--from", import.documents.from,
                  "the files are documents to convert with pandoc into one article, one file a language: "
                  "docx, odt, html or md (Markdown with front matter; a folder of them); or csv, spreadsheets of "
                  "authors or of articles' metadata; or wxr, a WordPress export (Tools > Export), its published posts "
                  "as articles, Polylang's translations as their translations")
      ->check(CLI::IsMember(defter::archive::document_formats()))->type_name("FORMAT");
  imp->add_option("--article", import.documents.article,
                  "with --from: the article's id (default: the document's id, else made from its title)")->type_name("ID");
  imp->add_option("--lang", import.documents.langs,
                  "with --from: each file's language, in the files' order (default: the document's); "
                  "with --from wxr: the site's language, for posts that name none and for biographies "
                  "(default: the export's)")
      ->allow_extra_args(false)->type_name("TAG");
  imp->add_option("--title", import.documents.title,
                  "with --from: the title, when the first document has none in its metadata")->type_name("TEXT");
  imp->add_option("--author", import.documents.authors,
                  "with --from: an author's name or id, when the document names none (once per author)")
      ->allow_extra_args(false)->type_name("NAME");
  imp->add_option("--profile", import.documents.profile,
                  "with --from html: a site profile, JSON of XPath expressions saying where a page keeps its title, "
                  "date, authors, language, body and footnotes (tools/sample/site-profile.json)")
      ->type_name("FILE");
  imp->add_option("--published", import.documents.published,
                  "with --from: the date (YYYY, YYYY-MM or YYYY-MM-DD), when the document has none")->type_name("DATE");
  bool no_index = false;
  imp->add_flag("--no-index", no_index, "do not index now (defter index does it later)");
  // The threads that write the index: import, index and reindex.
  std::size_t jobs = 0;
  auto add_jobs = [&jobs](CLI::App* sub) {
    sub->add_option("--jobs,-j", jobs,
                    "threads that index a large backlog (a new index, a reindex), one shard each, merged at the end; default: one a core")
        ->check(CLI::Range(std::size_t{1}, std::size_t{256}));
  };
  add_jobs(imp);

  bool index_stats = false;
  auto* idx = app.add_subcommand("index", "apply the archive's changes to the full-text index");
  idx->add_flag("--stats", index_stats, "only show documents and terms per language");
  std::size_t index_batch = defter::indexer::IndexOptions{}.batch;
  idx->add_option("--batch", index_batch, "records rebuilt per commit")->check(CLI::Range(1, 1000000))->capture_default_str();
  add_jobs(idx);
  auto* reidx = app.add_subcommand("reindex", "build a fresh index beside the live one and switch to it");
  add_jobs(reidx);
  auto* cmp = app.add_subcommand("compact", "rewrite the index smaller (full blocks) beside the live one and switch to it, while a server runs");
  auto* ver = app.add_subcommand("verify", "compare the archive with the index; exit 1 on any difference");
  std::string backup_dir;
  auto* bak = app.add_subcommand("backup", "copy the archive and the index into a new directory, while a server runs");
  bak->add_option("dir", backup_dir, "the backup (a new or empty directory; a data directory of its own)")->required();
  auto* res = app.add_subcommand("restore", "make the data directory (new or empty) from a backup");
  res->add_option("backup", backup_dir, "a directory defter backup wrote")->required();

  ExportArgs exp;
  auto* ex = app.add_subcommand("export", "write the archive as JSON Lines that import reads back");
  ex->add_option("--type", exp.type, "only this record type")->check(CLI::IsMember({"author", "article"}));
  ex->add_option("--output,-o", exp.output, "file to write (default: standard output); with --format md, the new directory")
      ->type_name("FILE");
  ex->add_option("--format", exp.format,
                 "jsonl (records, one a line) or md (a folder of Markdown files with front matter, one a translation, "
                 "which import --from md reads back)")
      ->check(CLI::IsMember({"jsonl", "md"}))->capture_default_str();
  ex->add_option("dir", exp.output, "with --format md: the directory to make")->type_name("DIR");
  ex->add_flag("--skip-damaged", exp.skip_damaged,
               "leave out records that are damaged (each named on standard error; exit 1) instead of stopping");

  // get and delete name a record the same way.
  auto record_command = [&app](const char* name, const char* help, const char* lang_help, GetArgs& args) {
    auto* sub = app.add_subcommand(name, help);
    sub->add_option("id", args.id, "author or article id")->required();
    sub->add_option("--type", args.type, "author or article, when both exist")
        ->check(CLI::IsMember({"author", "article"}));
    sub->add_option("--lang", args.lang, lang_help)->type_name("LANG");
    return sub;
  };
  GetArgs get, del;
  auto* g = record_command("get", "print a record as JSON", "only this translation of an article", get);
  g->add_flag("--compact", get.compact, "one line");
  std::uint64_t get_revision = 0;
  g->add_option("--revision", get_revision, "the record as it was at this revision (defter history lists them; 0: before the first)");
  auto* d = record_command("delete", "delete an author, an article, or one translation (--lang)",
                           "delete only this translation of the article", del);
  GetArgs hist;
  bool history_json = false;
  auto* hi = record_command("history", "a record's revisions, newest first: when, who, how, from where, what changed",
                            "only the revisions of this translation", hist);
  hi->add_flag("--json", history_json, "as JSON");
  bool runs_json = false;
  auto* rn = app.add_subcommand("runs", "the imports and reverts, newest first: who, when, files, counts, whether complete");
  rn->add_flag("--json", runs_json, "as JSON");
  RevertArgs revert;
  std::uint64_t revert_to = 0;
  auto* rv = app.add_subcommand("revert", "undo a run (defter revert RUN), or put one record back (defter revert ID --to N)");
  rv->add_option("target", revert.target, "a run number, or a record's id with --to")->required();
  auto* rv_to = rv->add_option("--to", revert_to, "put the record back as it was at this revision");
  rv->add_option("--type", revert.type, "author or article, when both have revisions")->check(CLI::IsMember({"author", "article"}));
  rv->add_flag("--force", revert.force, "also put back records a later change touched (undoing that change too)");
  rv->add_flag("--dry-run,-n", revert.dry_run, "say what the revert would do; write nothing");
  std::uint64_t keep_revisions = 0;
  auto* pr = app.add_subcommand("prune", "remove old revisions: keep each record's newest N (and those a revert still needs)");
  pr->add_option("--keep-revisions", keep_revisions, "revisions to keep of each record")->required()->check(CLI::Range(1, 1000000000));
  rv->add_flag("--verbose,-v", revert.verbose, "name each record the revert puts back or removes (conflicts are always named)");
  rv->add_option("--batch", revert.batch, "records per transaction")->check(CLI::Range(1, 1000000))->capture_default_str();

  std::string list_type;
  auto* ls = app.add_subcommand("list", "one line a record: id, date, languages, title");
  ls->add_option("--type", list_type, "only this record type")->check(CLI::IsMember({"author", "article"}));

  bool stats_json = false;
  auto* st = app.add_subcommand("stats", "records per type and language, sizes on disk");
  st->add_flag("--json", stats_json, "as JSON");
  bool stats_countries = false;
  st->add_flag("--countries", stats_countries, "per country, the articles that name it (as subject, in their text, by language)");

  SearchArgs search;
  auto* se = app.add_subcommand("search", "search the archive; filters repeat (OR within one, AND across)");
  se->add_option("query", search.query, "the query: words, \"phrases\", AND OR NOT + -, kaz*, fields name:value (" +
                                            defter::indexer::name_list(defter::indexer::query_field_names()) +
                                            "; empty: everything)");
  // A flag for each filter of the field table (indexer/fields.hpp), one
  // value a flag, so that "--country KZ QUERY" leaves QUERY the query.
  for (const auto& f : defter::indexer::kFields)
    if (f.filter)
      se->add_option("--" + std::string(f.name), search.filters[std::string(f.name)], std::string(f.help))
          ->allow_extra_args(false)->type_name(f.name == std::string_view("country") ? "CODE|NAME" : "VALUE");
  se->add_option("--from", search.from, "published on or after (YYYY, YYYY-MM or YYYY-MM-DD)")->type_name("DATE");
  se->add_option("--to", search.to, "published on or before")->type_name("DATE");
  se->add_option("--sort", search.sort, "relevance, newest or oldest")
      ->check(CLI::IsMember({"relevance", "newest", "oldest"}))->capture_default_str();
  se->add_option("--page", search.page, "page number")->check(CLI::Range(1, 1000000))->capture_default_str();
  se->add_option("--size", search.size, "results per page")->check(CLI::Range(1, 100))->capture_default_str();
  se->add_option("--prefer", search.prefer, "preferred translation languages, best first (default: the terminal's language)")
      ->type_name("LANG");
  se->add_option("--ui-lang", search.ui_lang, "language of country and language names (default: the terminal's, when en, tr or ru)")
      ->type_name("LANG");
  se->add_flag("--json", search.json, "the HTTP API's JSON");
  se->add_option("--format", search.format,
                 "every article found (not a page) as csv (a spreadsheet's), ris, bibtex or csl (CSL-JSON), "
                 "for reference managers")
      ->check(CLI::IsMember({"csv", "ris", "bibtex", "csl"}))->type_name("FORMAT");
  se->add_option("--limit", search.limit, "with --format: at most this many articles")
      ->check(CLI::Range(1, 10000000))->capture_default_str();
  se->add_option("--base-url", search.base_url, "with --format: the served archive's address, for the articles' URLs")
      ->capture_default_str()->type_name("URL");
  se->get_option("--prefer")->allow_extra_args(false);
  std::string suggest_prefix;
  bool suggest_json = false;
  std::string suggest_ui_lang = "en";
  auto* sg = app.add_subcommand("suggest", "complete titles, author names and country names from a prefix");
  sg->add_option("prefix", suggest_prefix, "the beginning of a title, a name or a country")->required();
  sg->add_flag("--json", suggest_json, "as JSON");
  sg->add_option("--ui-lang", suggest_ui_lang, "the language to name countries in (default: the terminal's, when en, tr or ru)")
      ->type_name("LANG");

  defter::httpd::ServerOptions serve;
  std::string log_format = "text";
  double request_timeout = 30, idle_timeout = 60, search_timeout = 3;
  auto* sv = app.add_subcommand("serve", "serve the JSON API over HTTP until SIGTERM or SIGINT");
  sv->add_option("--bind", serve.bind, "address to listen on")->capture_default_str()->type_name("ADDRESS");
  sv->add_option("--port", serve.port, "port (0: any free one, printed)")->capture_default_str();
  sv->add_option("--threads", serve.threads, "server threads (0: one per core)")->capture_default_str();
  sv->add_option("--max-connections", serve.max_connections, "open connections at most (beyond: 503)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1000000}))->capture_default_str();
  sv->add_option("--max-body", serve.max_body_bytes, "largest request body, in bytes (beyond: 413)")->capture_default_str();
  sv->add_option("--export-limit", serve.max_export,
                 "most articles an export of a search holds (/api/v1/search.csv, .ris, .bib, .csl.json)")
      ->check(CLI::Range(1, 1000000))->capture_default_str();
  sv->add_option("--oai-name", serve.oai_name, "the repository's name, as Identify answers it")
      ->capture_default_str();
  sv->add_option("--oai-admin-email", serve.oai_admin_email, "the repository administrator's address (Identify)")
      ->capture_default_str()->check([](const std::string& v) -> std::string {
        auto at = v.find('@');
        bool ok = at != std::string::npos && at > 0 && v.find('.', at + 2) != std::string::npos && v.back() != '.' &&
                  v.find_first_of(" \t\n<>\"") == std::string::npos;
        return ok ? "" : "an address like archive@institute.example";
      });
  sv->add_option("--oai-repository-id", serve.oai_repository_id,
                 "the namespace of the items' identifiers: oai:ID:ARTICLE-ID (letters, digits, '.', '-')")
      ->capture_default_str()->check([](const std::string& v) -> std::string {
        bool ok = !v.empty() && v.size() <= 64 && std::all_of(v.begin(), v.end(), [](unsigned char c) {
          return std::isalnum(c) || c == '.' || c == '-';
        });
        return ok ? "" : "letters, digits, '.' and '-' (institute.example)";
      });
  sv->add_option("--oai-page-size", serve.oai_page_size, "items in one OAI-PMH list response (then a resumption token)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1000}))->capture_default_str();
  sv->add_option("--max-page-size", serve.max_page_size, "most hits a search page may ask for")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1000}))->capture_default_str();
  sv->add_option("--request-timeout", request_timeout, "seconds a request may take to arrive")
      ->check(CLI::Range(0.1, 3600.0))->capture_default_str();
  sv->add_option("--idle-timeout", idle_timeout, "seconds a kept-alive connection may wait")
      ->check(CLI::Range(0.1, 86400.0))->capture_default_str();
  sv->add_option("--rate-limit", serve.rate_limit, "requests a second per client address (0: no limit; beyond: 429)")
      ->check(CLI::Range(0.0, 1e9))->capture_default_str();
  sv->add_option("--search-timeout", search_timeout,
                 "seconds a search, suggest or facets request may take (0: no limit; beyond: 503 with Retry-After)")
      ->check(CLI::Range(0.0, 3600.0))->capture_default_str();
  sv->add_option("--search-threads", serve.search_threads, "threads that run searches (0: as many as --threads)")
      ->check(CLI::Range(0u, 256u))->capture_default_str();
  std::size_t gzip_cache_mib = serve.gzip_cache_bytes >> 20;
  sv->add_option("--gzip-cache", gzip_cache_mib, "MiB of compressed articles kept, each compressed once per version (0: none)")
      ->check(CLI::Range(std::size_t{0}, std::size_t{1} << 20))->capture_default_str();
  sv->add_option("--log-format", log_format, "access log on standard error: text, json or none")
      ->check(CLI::IsMember({"text", "json", "none"}))->capture_default_str();

  auto* tok = app.add_subcommand("token", "access tokens of the HTTP API (stored hashed in the archive)");
  tok->require_subcommand(1);
  std::string token_name, token_scope = "write";
  auto* tok_create = tok->add_subcommand("create", "create a token and print its secret (shown this once)");
  tok_create->add_option("--name", token_name, "the token's name")->required()->type_name("NAME");
  tok_create->add_option("--scope", token_scope, "read, write or admin")
      ->check(CLI::IsMember({"read", "write", "admin"}))->capture_default_str();
  auto* tok_list = tok->add_subcommand("list", "list tokens: name, scope, created (never secrets)");
  auto* tok_revoke = tok->add_subcommand("revoke", "revoke a token by name");
  tok_revoke->add_option("name", token_name, "the token's name")->required();
  sv->add_flag("--require-read-token", serve.require_read_token, "reads need a token too (any scope)");
  sv->add_option("--cors-origin", serve.cors_origins,
                 "a web origin (https://catalogue.example) whose pages may call the API from a browser; "
                 "once per origin, * for any (default: none)")
      ->allow_extra_args(false)->type_name("ORIGIN");

  // The shell completions and the man page, made by the build from these
  // definitions (hidden: not a command for users).
  std::string generate_what;
  auto* gen = app.add_subcommand("generate", "print the bash or zsh completion script, or the man page");
  gen->group("");
  gen->add_option("what", generate_what, "bash, zsh or man")->required()->check(CLI::IsMember({"bash", "zsh", "man"}));
  describe(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitUsage;
  }
  // With no --prefer, the translation in the terminal's language comes
  // first, as the page prefers its interface language; --ui-lang likewise.
  std::string terminal = terminal_language();
  if (search.prefer.empty() && !terminal.empty()) search.prefer.push_back(terminal);
  if (!se->get_option("--ui-lang")->count() && (terminal == "tr" || terminal == "ru")) search.ui_lang = terminal;
  if (!sg->get_option("--ui-lang")->count() && (terminal == "tr" || terminal == "ru")) suggest_ui_lang = terminal;
  import.index = !no_index;
  import.options.origin.who = who_am_i(as);
  revert.who = who_am_i(as);
  if (rv_to->count()) revert.to = revert_to;
  set_index_jobs(jobs);
  // A failure no command foresaw ends the command with a message and exit
  // 3, never an abort: each command writes through transactions and
  // temporary files, so nothing is left half-written.
  auto dispatch = [&]() -> int {
  if (*gen) {
    std::cout << generated(app, generate_what);
    return kExitOk;
  }
  if (*imp) return run_import(data_dir, import);
  if (*idx) return run_index(data_dir, index_stats, index_batch);
  if (*reidx) return run_reindex(data_dir);
  if (*cmp) return run_compact(data_dir);
  if (*ver) return run_verify(data_dir);
  if (*bak) return run_backup(data_dir, backup_dir);
  if (*res) return run_restore(data_dir, backup_dir);
  if (*ex) return run_export(data_dir, exp);
  if (*g) return g->get_option("--revision")->count() ? run_get_revision(data_dir, get, get_revision) : run_get(data_dir, get);
  if (*d) return run_delete(data_dir, del, who_am_i(as));
  if (*hi) return run_history(data_dir, hist, history_json);
  if (*rn) return run_runs(data_dir, runs_json);
  if (*rv) return run_revert(data_dir, revert);
  if (*pr) return run_prune(data_dir, keep_revisions);
  if (*st) return run_stats(data_dir, stats_json, stats_countries);
  if (*ls) return run_list(data_dir, list_type);
  if (*se) return run_search(data_dir, search);
  if (*sg) return run_suggest(data_dir, suggest_prefix, suggest_ui_lang, suggest_json);
  if (*tok_create) return run_token_create(data_dir, token_name, token_scope);
  if (*tok_list) return run_token_list(data_dir);
  if (*tok_revoke) return run_token_revoke(data_dir, token_name);
  if (*sv) {
    serve.log_format = log_format == "json"   ? defter::httpd::LogFormat::kJson
                       : log_format == "none" ? defter::httpd::LogFormat::kNone
                                              : defter::httpd::LogFormat::kText;
    serve.request_timeout = std::chrono::milliseconds(static_cast<long>(request_timeout * 1000));
    serve.idle_timeout = std::chrono::milliseconds(static_cast<long>(idle_timeout * 1000));
    serve.search_timeout = std::chrono::milliseconds(static_cast<long>(search_timeout * 1000));
    serve.gzip_cache_bytes = gzip_cache_mib << 20;
    return run_serve(data_dir, serve);
  }
  return kExitUsage;
  };
  try {
    return dispatch();
  } catch (const std::exception& e) {
    std::cerr << "defter: stopped by an unexpected error: " << defter::schema::printable(e.what())
              << "\ndefter: nothing was left half-written; if it happens again, run defter verify\n";
    return kExitStorage;
  }
}
