// defter-bench-ref-fts5: SQLite FTS5, what an institute might install
// instead, side by side with defter in tools/bench/fts5.
//
//   defter-bench-ref-fts5 build FILE DB
//   defter-bench-ref-fts5 search DB QUERIES
//
// build reads a JSON Lines corpus and writes one FTS5 row per translation
// and per biography (title and body, the text stored, the unicode61
// tokenizer with remove_diacritics 2), with the facets' values in plain
// tables beside it (type, language, year, month, publication date, and the
// article's authors and countries, one row each), committing every 1,000
// records. The clock runs from opening the file to the last commit, JSON
// parsing included, as defter's import plus index does. Prints "documents
// seconds".
//
// search answers each query of defter-bench-search's file as a search
// page would with FTS5: the words all required ("phrases" and prefixes*
// as written), the query's filters, the first 10 rows by bm25 with a
// snippet() of the body, and six facets (type, language, year, month,
// author, country), each counted as distinct articles by GROUP BY over the
// matches with every filter but its own (as defter's are). Once to warm
// up, then timed passes (latency.hpp: each query's median). Prints
// "median p99 max mean" in milliseconds. One thread, as defter is measured.
//
// The only program that includes sqlite3.h: SQLite is a benchmark-only
// dependency (libsqlite3-dev).
#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "latency.hpp"

namespace {

using json = nlohmann::json;

struct Db {
  sqlite3* db = nullptr;
  explicit Db(const std::string& path) {
    if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) throw std::runtime_error("cannot open " + path);
  }
  ~Db() { sqlite3_close(db); }
  void exec(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : "?";
      sqlite3_free(err);
      throw std::runtime_error(msg + " in: " + sql);
    }
  }
};

struct Stmt {
  sqlite3_stmt* s = nullptr;
  Stmt(Db& db, const std::string& sql) {
    if (sqlite3_prepare_v2(db.db, sql.c_str(), -1, &s, nullptr) != SQLITE_OK)
      throw std::runtime_error(std::string(sqlite3_errmsg(db.db)) + " in: " + sql);
  }
  ~Stmt() { sqlite3_finalize(s); }
  Stmt& bind(int i, const std::string& v) {
    sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& bind(int i, long long v) {
    sqlite3_bind_int64(s, i, v);
    return *this;
  }
  void run() {
    if (sqlite3_step(s) != SQLITE_DONE) throw std::runtime_error(sqlite3_errmsg(sqlite3_db_handle(s)));
    sqlite3_reset(s);
  }
};

int build(const std::string& file, const std::string& path) {
  std::filesystem::remove(path);
  auto start = std::chrono::steady_clock::now();
  Db db(path);
  db.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
  db.exec(
      "CREATE TABLE doc(id INTEGER PRIMARY KEY, article TEXT, type TEXT, lang TEXT, year TEXT, month TEXT, published TEXT);"
      "CREATE TABLE doc_author(doc INTEGER, author TEXT);"
      "CREATE TABLE doc_country(doc INTEGER, code TEXT);"
      "CREATE VIRTUAL TABLE fts USING fts5(title, body, tokenize = 'unicode61 remove_diacritics 2');");
  Stmt put_doc(db, "INSERT INTO doc VALUES(?, ?, ?, ?, ?, ?, ?)");
  Stmt put_author(db, "INSERT INTO doc_author VALUES(?, ?)");
  Stmt put_country(db, "INSERT INTO doc_country VALUES(?, ?)");
  Stmt put_text(db, "INSERT INTO fts(rowid, title, body) VALUES(?, ?, ?)");
  long long rowid = 0;
  std::map<std::string, json> articles;  // id -> the article's metadata, for separate translations
  auto add = [&](const std::string& article, const std::string& type, const std::string& lang, const json& meta,
                 const std::string& title, const std::string& body) {
    ++rowid;
    std::string published = meta.value("published", "");
    put_doc.bind(1, rowid).bind(2, article).bind(3, type).bind(4, lang).bind(5, published.substr(0, 4))
        .bind(6, published.size() >= 7 ? published.substr(0, 7) : "").bind(7, published).run();
    if (meta.contains("authors"))
      for (const auto& a : meta["authors"]) put_author.bind(1, rowid).bind(2, a.get<std::string>()).run();
    if (meta.contains("countries"))
      for (const auto& c : meta["countries"]) put_country.bind(1, rowid).bind(2, c.get<std::string>()).run();
    put_text.bind(1, rowid).bind(2, title).bind(3, body).run();
  };
  auto text_of = [](const json& t) {
    std::string body = t.at("body");
    if (t.contains("footnotes"))
      for (const auto& f : t["footnotes"]) body += "\n" + f.at("text").get<std::string>();
    return body;
  };
  std::ifstream in(file);
  std::size_t records = 0;
  db.exec("BEGIN");
  for (std::string line; std::getline(in, line);) {
    auto j = json::parse(line);
    if (j["type"] == "article") {
      json meta = json::object();
      meta["published"] = j.value("published", "");
      if (j.contains("authors")) meta["authors"] = j["authors"];
      if (j.contains("countries")) meta["countries"] = j["countries"];
      for (auto& [lang, t] : j["translations"].items()) add(j["id"], "article", lang, meta, t.at("title"), text_of(t));
      articles[j["id"]] = meta;
    } else if (j["type"] == "translation") {
      add(j["article"], "article", j["lang"], articles[j["article"].get<std::string>()], j.at("title"), text_of(j));
    } else if (j["type"] == "author") {
      if (j.contains("bio"))
        for (auto& [lang, bio] : j["bio"].items())
          add("u:" + j["id"].get<std::string>(), "author", lang, json::object(), j.at("name"), bio.get<std::string>());
    }
    if (++records % 1000 == 0) db.exec("COMMIT; BEGIN");
  }
  db.exec("COMMIT");
  db.exec("CREATE INDEX doc_author_doc ON doc_author(doc); CREATE INDEX doc_country_doc ON doc_country(doc);");
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  std::printf("%lld %.6f\n", rowid, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  return 0;
}

// An FTS5 query of defter-bench-search's words: each word quoted (so that
// nothing in it is read as syntax), phrases kept, a trailing * a prefix.
std::string fts_query(const std::string& words, const std::string& q) {
  bool prefix = !q.empty() && q.back() == '*';
  std::string out;
  if (!words.empty() && words.front() == '"') return words;  // one phrase
  std::size_t start = 0;
  while (start < words.size()) {
    std::size_t end = words.find(' ', start);
    if (end == std::string::npos) end = words.size();
    if (end > start) {
      std::string w = words.substr(start, end - start);
      std::string quoted = "\"";
      for (char c : w) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
      out += (out.empty() ? "" : " ") + quoted + "\"";
    }
    start = end + 1;
  }
  if (prefix) out += " *";
  return out;
}

int search(const std::string& path, const std::string& queries_path) {
  struct Query {
    std::string match;
    std::map<std::string, std::string> filters;  // facet -> value (one each in the benchmark's queries)
    std::string from;
  };
  std::vector<Query> queries;
  std::ifstream in(queries_path);
  for (std::string line; std::getline(in, line);) {
    auto j = json::parse(line);
    Query q{fts_query(j.at("words"), j.at("q")), {}, j.value("from", "")};
    if (j.contains("filters"))
      for (auto& [k, v] : j["filters"].items())
        if (!v.empty()) q.filters[k] = v[0];
    queries.push_back(std::move(q));
  }
  Db db(path);
  // The conditions of the filters, less the facet `except` (disjunctive facets).
  auto where = [](const Query& q, const std::string& except) {
    std::string w = "fts MATCH ?1";
    for (const auto& [k, v] : q.filters) {
      if (k == except) continue;
      if (k == "country") w += " AND d.id IN (SELECT doc FROM doc_country WHERE code = '" + v + "')";
      else if (k == "year") w += " AND d.year = '" + v + "'";
      else if (k == "lang") w += " AND d.lang = '" + v + "'";
    }
    if (!q.from.empty()) w += " AND d.published >= '" + q.from + "'";
    return w;
  };
  const std::string from = " FROM fts JOIN doc d ON d.id = fts.rowid ";
  auto time_one = [&](const Query& q) {
    auto start = std::chrono::steady_clock::now();
    std::size_t seen = 0;
    auto each_row = [&](const std::string& sql) {
      Stmt s(db, sql);
      s.bind(1, q.match);
      while (sqlite3_step(s.s) == SQLITE_ROW)
        for (int c = 0; c < sqlite3_column_count(s.s); ++c) seen += static_cast<std::size_t>(sqlite3_column_bytes(s.s, c));
    };
    each_row("SELECT fts.rowid, d.article, fts.title, snippet(fts, 1, '<b>', '</b>', '…', 24)" + from + "WHERE " +
             where(q, "") + " ORDER BY bm25(fts) LIMIT 10");
    for (const char* facet : {"type", "lang", "year", "month"})
      each_row(std::string("SELECT d.") + facet + ", count(DISTINCT d.article)" + from + "WHERE " + where(q, facet) +
               " GROUP BY d." + facet);
    each_row("SELECT a.author, count(DISTINCT d.article)" + from + "JOIN doc_author a ON a.doc = d.id WHERE " +
             where(q, "author") + " GROUP BY a.author");
    each_row("SELECT c.code, count(DISTINCT d.article)" + from + "JOIN doc_country c ON c.doc = d.id WHERE " +
             where(q, "country") + " GROUP BY c.code");
    (void)seen;
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  };
  auto per_query = defter::bench::time_queries(queries, time_one);
  double mean = std::accumulate(per_query.begin(), per_query.end(), 0.0) / static_cast<double>(per_query.size());
  auto l = defter::bench::summarize(per_query);
  std::printf("%.3f %.3f %.3f %.3f\n", l.median, l.p99, l.max, mean);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    if (argc == 4 && std::string(argv[1]) == "build") return build(argv[2], argv[3]);
    if (argc == 4 && std::string(argv[1]) == "search") return search(argv[2], argv[3]);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "defter-bench-ref-fts5: %s\n", e.what());
    return 1;
  }
  std::fprintf(stderr, "usage: defter-bench-ref-fts5 build FILE DB | search DB QUERIES\n");
  return 2;
}
