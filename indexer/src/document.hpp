// Turning archive records into Xapian documents (see index_schema.hpp).
#pragma once

#include <xapian.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "defter/indexer/analysis.hpp"
#include "defter/schema/records.hpp"

namespace defter::indexer {

inline constexpr unsigned kSlotFingerprint = 6;  // hash of what a document was built from (verify)

struct BuiltDocument {
  std::string unique;  // "a:ARTICLE/LANG" or "u:AUTHOR/LANG"
  Xapian::Document doc;
  std::vector<std::string> spelling;  // words to add to the spelling dictionary
};

// The term all documents of one record share, for deleting them together.
std::string unit_term(schema::RecordType type, const std::string& id);

// The cited-source term of a footnote's publisher: folded, spaces as '_'.
std::string source_term(const std::string& publisher);

// CommonMark to plain text: paragraphs separated by blank lines, footnote
// markers [n] removed.
std::string plain_text(const std::string& commonmark);

// Builds documents. Keeps one Analyzer per language. Not thread-safe.
class DocumentBuilder {
 public:
  // One document per translation. `authors` are the article's authors as
  // stored (missing ones left out).
  std::vector<BuiltDocument> article(const schema::Article& article, const std::vector<schema::Author>& authors);
  // One document per biography language (one without a language when there is none).
  std::vector<BuiltDocument> author(const schema::Author& author);

  // What verify compares: the fingerprint each document of the record would carry.
  std::map<std::string, std::string> fingerprints(const schema::Article& article,
                                                  const std::vector<schema::Author>& authors);
  std::map<std::string, std::string> fingerprints(const schema::Author& author);

  Analyzer& analyzer(const std::string& lang);

 private:
  std::map<std::string, std::unique_ptr<Analyzer>> analyzers_;
};

}  // namespace defter::indexer
