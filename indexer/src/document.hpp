// Turning archive records into Xapian documents (see index_schema.hpp).
#pragma once

#include <xapian.h>

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "defter/archive/archive.hpp"
#include "defter/indexer/analysis.hpp"
#include "defter/schema/records.hpp"

namespace defter::indexer {

struct BuiltDocument {
  std::string unique;  // "a:ARTICLE/LANG" or "u:AUTHOR/LANG"
  Xapian::Document doc;
  std::vector<std::string> spelling;  // words to add to the spelling dictionary
};

// The term all documents of one record share, for deleting them together.
std::string unit_term(schema::RecordType type, const std::string& id);

// The term of two adjacent words (folded): what a two-word phrase is
// searched by, and what narrows a longer phrase before positions are read.
std::string pair_term(std::string_view first, std::string_view second);

// The words whose adjacent pairs are indexed as pair terms: those in at
// least kPairWordPercent% of a sample of the archive's texts, chosen when an
// index is created and kept with it (metadata "defter:pair_words"), so that
// every document of an index has the pairs its searcher looks for. A phrase
// of two such words is then one posting list; a phrase with a rarer word is
// checked by positions in the few documents that hold that word.
// Lucene's CommonGrams, with the common words taken from the texts.
using PairWords = std::unordered_set<std::string>;
inline constexpr unsigned kPairWordPercent = 5;
inline constexpr std::uint64_t kPairWordSample = 1000;  // articles read
inline constexpr std::uint64_t kPairWordMinDocuments = 200;  // fewer texts: no pair words (too few to tell)

struct PairWordsInfo {
  bool present = false;  // false: an index from before pair words, or not yet chosen
  std::uint64_t sampled_documents = 0;
  unsigned percent = 0;
  PairWords words;
  std::string to_metadata() const;
  static PairWordsInfo from_metadata(const std::string& value);
};

class DocumentBuilder;
// Chooses the pair words from a sample of the archive.
PairWordsInfo sample_pair_words(const archive::Snapshot& reader, DocumentBuilder& builder);

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
  // The words whose adjacent pairs documents get as pair terms; none: no pairs.
  void set_pair_words(std::shared_ptr<const PairWords> words);

 private:
  std::map<std::string, std::unique_ptr<Analyzer>> analyzers_;
  std::shared_ptr<const PairWords> pair_words_;
};

}  // namespace defter::indexer
