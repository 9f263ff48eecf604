// country_counts: per country, the articles that name it (defter stats --countries).
#include <xapian.h>

#include <algorithm>
#include <set>

#include "defter/indexer/index.hpp"
#include "defter/indexer/index_schema.hpp"
#include "index_files.hpp"

namespace defter::indexer {

Result<std::vector<CountryCount>> country_counts(const IndexOptions& options) {
  if (current_generation(options.dir).empty())
    return Status(Code::kNotFound, "no index in " + options.dir.string() + " (run defter index)");
  try {
    Xapian::Database db = open_live(options.dir);
    std::vector<CountryCount> out;
    const std::string any(prefix::kCountry), subject(prefix::kSubjectCountry), mentioned(prefix::kMentionedCountry);
    for (auto t = db.allterms_begin(any); t != db.allterms_end(any); ++t) {
      CountryCount c;
      c.code = (*t).substr(any.size());
      std::set<std::string> all, as_subject, in_text;
      for (auto p = db.postlist_begin(*t); p != db.postlist_end(*t); ++p) all.insert(db.get_document(*p).get_value(slot::kCollapse));
      for (auto p = db.postlist_begin(subject + c.code); p != db.postlist_end(subject + c.code); ++p)
        as_subject.insert(db.get_document(*p).get_value(slot::kCollapse));
      for (auto p = db.postlist_begin(mentioned + c.code); p != db.postlist_end(mentioned + c.code); ++p) {
        Xapian::Document d = db.get_document(*p);
        in_text.insert(d.get_value(slot::kCollapse));
        ++c.mentioned_in[d.get_value(slot::kLang)];
      }
      c.articles = all.size();
      c.subject = as_subject.size();
      c.mentioned = in_text.size();
      out.push_back(std::move(c));
    }
    std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.articles > b.articles; });
    return out;
  } catch (const Xapian::Error& e) {
    return from_xapian(e, "read the index in " + options.dir.string());
  }
}

}  // namespace defter::indexer
