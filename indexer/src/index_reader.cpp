// IndexReader: the index read by plain term queries, for tests and tools.
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

// ---- IndexReader ----------------------------------------------------------------

struct IndexReader::Impl {
  IndexOptions options;
  Xapian::Database db;
  std::map<std::string, std::unique_ptr<Analyzer>> analyzers;

  Xapian::Query query(const std::string& text, const std::string& lang) {
    auto& an = analyzers[lang];
    if (!an) an = std::make_unique<Analyzer>(lang);
    std::vector<Xapian::Query> parts;
    an->words(text, [&](const Word& w) {
      if (w.cjk) {
        Xapian::QueryParser qp;
        parts.push_back(qp.parse_query(w.term, Xapian::QueryParser::FLAG_CJK_NGRAM | Xapian::QueryParser::FLAG_DEFAULT));
        return;
      }
      Xapian::Query word(w.term);
      for (const std::string* stem : {&w.stem, &w.stem_alt})
        if (!stem->empty()) word = Xapian::Query(Xapian::Query::OP_OR, word, Xapian::Query(std::string(prefix::kStem) + *stem));
      parts.push_back(word);
    });
    return Xapian::Query(Xapian::Query::OP_AND, parts.begin(), parts.end());
  }

  Xapian::MSet run(const std::string& text, const std::string& lang, const std::string& filter) {
    Xapian::Query q = text.empty() ? Xapian::Query::MatchAll : query(text, lang);
    if (!filter.empty()) q = Xapian::Query(Xapian::Query::OP_FILTER, q, Xapian::Query(filter));
    Xapian::Enquire enquire(db);
    enquire.set_query(q);
    Xapian::doccount all = std::max<Xapian::doccount>(1, db.get_doccount());
    return enquire.get_mset(0, all, all);
  }
};

IndexReader::IndexReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
IndexReader::~IndexReader() = default;

Result<std::unique_ptr<IndexReader>> IndexReader::open(const IndexOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  if (current_generation(options.dir).empty())
    return Status(Code::kNotFound, "no index in " + options.dir.string() + " (run defter index)");
  try {
    impl->db = open_live(options.dir);
  } catch (const Xapian::Error& e) {
    return from_xapian(e, "open the index in " + options.dir.string());
  }
  return std::unique_ptr<IndexReader>(new IndexReader(std::move(impl)));
}

Status IndexReader::refresh() {
  try {
    impl_->db = open_live(impl_->options.dir);
  } catch (const Xapian::Error& e) {
    return from_xapian(e, "reopen the index");
  }
  return {};
}

std::uint64_t IndexReader::documents() const { return impl_->db.get_doccount(); }

Result<std::uint64_t> IndexReader::count(const std::string& text, const std::string& lang, const std::string& filter) {
  for (int attempt = 0;; ++attempt) {
    try {
      return std::uint64_t{impl_->run(text, lang, filter).size()};
    } catch (const Xapian::DatabaseModifiedError&) {
      if (attempt > 3) return Status(Code::kIOError, "the index keeps changing under the reader");
      if (auto s = refresh(); !s.ok()) return s;
    } catch (const Xapian::Error& e) {
      return from_xapian(e, "search the index");
    }
  }
}

Result<std::vector<std::string>> IndexReader::ids(const std::string& text, const std::string& lang, const std::string& filter) {
  for (int attempt = 0;; ++attempt) {
    try {
      std::vector<std::string> out;
      Xapian::MSet mset = impl_->run(text, lang, filter);
      std::string q(prefix::kUnique);
      for (auto it = mset.begin(); it != mset.end(); ++it) {
        Xapian::Document doc = it.get_document();
        auto t = doc.termlist_begin();
        t.skip_to(q);
        if (t != doc.termlist_end() && (*t).rfind(q, 0) == 0) out.push_back((*t).substr(q.size()));
      }
      std::sort(out.begin(), out.end());
      return out;
    } catch (const Xapian::DatabaseModifiedError&) {
      if (attempt > 3) return Status(Code::kIOError, "the index keeps changing under the reader");
      if (auto s = refresh(); !s.ok()) return s;
    } catch (const Xapian::Error& e) {
      return from_xapian(e, "search the index");
    }
  }
}

}  // namespace defter::indexer
