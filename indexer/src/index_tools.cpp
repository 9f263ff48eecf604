// Copying, verifying and describing the index; the serving mark.
#include "defter/indexer/index.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>
#include <xapian.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <set>

#include "defter/indexer/analysis.hpp"
#include "defter/indexer/index_schema.hpp"
#include "document.hpp"
#include "index_files.hpp"

namespace defter::indexer {
namespace fs = std::filesystem;

// ---- copy ---------------------------------------------------------------------

Result<std::uint64_t> copy_index(const IndexOptions& options, const fs::path& dir) {
  if (current_generation(options.dir).empty())
    return Status(Code::kNotFound, "no index in " + options.dir.string() + " (run defter index)");
  // The index's write lock, held while the files are copied: no commit
  // can come between them. A server lets go of it at least once a second.
  IndexOptions waiting = options;
  waiting.wait_for_lock = true;
  auto opened = IndexWriter::open(waiting);
  if (!opened) return opened.status();
  std::unique_ptr<IndexWriter> writer = std::move(*opened);
  std::string live = current_generation(options.dir), generation = generation_name(1);
  fs::path from = options.dir / live, to = dir / generation;
  std::error_code ec;
  fs::create_directories(to, ec);
  if (ec) return Status(Code::kIOError, "cannot create " + to.string() + ": " + ec.message());
  for (const auto& e : fs::directory_iterator(from, ec)) {
    if (e.path().filename() == "flintlock") continue;  // the lock, not the data
    fs::copy_file(e.path(), to / e.path().filename(), ec);
    if (ec) return Status(Code::kIOError, "cannot copy " + e.path().string() + ": " + ec.message());
  }
  if (ec) return Status(Code::kIOError, "cannot read " + from.string() + ": " + ec.message());
  writer.reset();
  if (auto s = write_current(dir, generation); !s.ok()) return s;
  try {
    return read_seq(Xapian::Database(to.string()));
  } catch (const Xapian::Error& e) {
    return from_xapian(e, "read the copy of the index in " + to.string());
  }
}

// ---- verify -------------------------------------------------------------------

Result<VerifyReport> verify(archive::Archive& archive, const IndexOptions& options) {
  VerifyReport report;
  if (current_generation(options.dir).empty())
    return Status(Code::kNotFound, "no index in " + options.dir.string() + " (run defter index)");
  auto snap = archive.snapshot();
  if (!snap) return snap.status();
  report.archive_seq = snap->last_seq();
  std::map<std::string, std::string> expected;
  DocumentBuilder builder;
  Status s = snap->for_each_author([&](const schema::Author& a) {
    expected.merge(builder.fingerprints(a));
    return true;
  });
  if (!s.ok()) return s;
  s = snap->for_each_article([&](const schema::Article& a) {
    std::vector<schema::Author> authors;
    for (const auto& id : a.authors)
      if (auto au = snap->author(id); au.ok()) authors.push_back(std::move(*au));
    expected.merge(builder.fingerprints(a, authors));
    return true;
  });
  if (!s.ok()) return s;
  try {
    Xapian::Database db = open_live(options.dir);
    report.index_seq = read_seq(db);
    report.format = std::atoi(db.get_metadata(std::string(meta::kFormat)).c_str());
    std::string q(prefix::kUnique);
    std::set<std::string> seen;
    for (auto t = db.allterms_begin(q); t != db.allterms_end(q); ++t) {
      std::string unique = (*t).substr(q.size());
      seen.insert(unique);
      if (t.get_termfreq() > 1) report.duplicate.push_back(unique);
      auto it = expected.find(unique);
      if (it == expected.end()) {
        report.orphan.push_back(unique);
        continue;
      }
      Xapian::docid id = *db.postlist_begin(*t);
      if (db.get_document(id).get_value(slot::kFingerprint) != it->second) report.stale.push_back(unique);
    }
    for (const auto& [unique, fp] : expected)
      if (!seen.count(unique)) report.missing.push_back(unique);
  } catch (const Xapian::Error& e) {
    return from_xapian(e, "read the index in " + options.dir.string());
  }
  return report;
}

// ---- stats ----------------------------------------------------------------------

bool VerifyReport::outdated() const { return format != 0 && format < kIndexFormat; }

Result<IndexStats> index_stats(const IndexOptions& options) {
  IndexStats st;
  st.generation = current_generation(options.dir);
  if (st.generation.empty()) return Status(Code::kNotFound, "no index in " + options.dir.string() + " (run defter index)");
  try {
    Xapian::Database db = open_live(options.dir);
    st.documents = db.get_doccount();
    st.last_seq = read_seq(db);
    st.format = std::atoi(db.get_metadata(std::string(meta::kFormat)).c_str());
    auto pairs = PairWordsInfo::from_metadata(db.get_metadata(std::string(meta::kPairWords)));
    st.pair_words = pairs.words.size();
    st.pair_words_sampled = pairs.sampled_documents;
    std::string l(prefix::kLang);
    for (auto t = db.allterms_begin(l); t != db.allterms_end(l); ++t) {
      LanguageStats ls;
      ls.lang = (*t).substr(l.size());
      ls.documents = t.get_termfreq();
      for (auto p = db.postlist_begin(*t); p != db.postlist_end(*t); ++p) ls.terms += p.get_doclength();
      st.languages.push_back(ls);
    }
    for (auto t = db.allterms_begin(); t != db.allterms_end(); ++t) {
      const std::string& term = *t;
      if (!term.empty() && !std::isupper(static_cast<unsigned char>(term[0]))) ++st.unique_terms;
    }
  } catch (const Xapian::Error& e) {
    return from_xapian(e, "read the index in " + options.dir.string());
  }
  std::error_code ec;
  for (const auto& e : fs::recursive_directory_iterator(options.dir / st.generation, ec))
    if (e.is_regular_file(ec)) st.bytes += e.file_size(ec);
  return st;
}

nlohmann::json stats_json(const archive::Stats& st, const IndexStats* index) {
  nlohmann::json j = {{"authors", st.authors},           {"articles", st.articles},
                      {"translations", st.translations}, {"changes", st.changes},
                      {"last_change", st.last_seq},      {"file_bytes", st.file_bytes},
                      {"map_bytes", st.map_bytes}};
  j["translations_per_language"] = nlohmann::json::object();
  for (const auto& [lang, n] : st.translations_per_lang) j["translations_per_language"][lang] = n;
  j["biographies_per_language"] = nlohmann::json::object();
  for (const auto& [lang, n] : st.bios_per_lang) j["biographies_per_language"][lang] = n;
  j["databases"] = nlohmann::json::object();
  for (const auto& db : st.databases) j["databases"][db.name] = {{"entries", db.entries}, {"bytes", db.bytes}};
  if (index) {
    const IndexStats& ix = *index;
    nlohmann::json i = {{"generation", ix.generation}, {"documents", ix.documents}, {"unique_terms", ix.unique_terms},
                        {"last_change", ix.last_seq},    {"bytes", ix.bytes},         {"format", ix.format},
                        {"pair_words", ix.pair_words},   {"pair_words_sampled", ix.pair_words_sampled},
                        {"languages", nlohmann::json::object()}};
    for (const auto& l : ix.languages) i["languages"][l.lang] = {{"documents", l.documents}, {"terms", l.terms}};
    j["index"] = i;
  }
  return j;
}

Result<std::unique_ptr<ServingMark>> ServingMark::take(const IndexOptions& options) {
  std::error_code ec;
  fs::create_directories(options.dir, ec);
  if (ec) return Status(Code::kIOError, "cannot create " + options.dir.string() + ": " + ec.message());
  int fd = ::open((options.dir / kServingLock).c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0 && (errno == EACCES || errno == EROFS || errno == EPERM))
    return Status(Code::kReadOnly, "cannot open " + (options.dir / kServingLock).string() + ": " + std::strerror(errno) +
                                       " (the index is not writable: defter serve indexes what is written; check its "
                                       "permissions or pass another --data)");
  if (fd < 0) return Status(Code::kIOError, "cannot open " + (options.dir / kServingLock).string() + ": " + std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return Status(Code::kLocked, "another defter serve indexes " + options.dir.string());
  }
  return std::unique_ptr<ServingMark>(new ServingMark(fd));
}

ServingMark::~ServingMark() { ::close(fd_); }

bool served(const IndexOptions& options) {
  int fd = ::open((options.dir / kServingLock).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool held = ::flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  ::close(fd);
  return held;
}

}  // namespace defter::indexer
