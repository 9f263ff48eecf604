// OAI-PMH 2.0 at /oai (internal to httpd/): how library catalogues and
// aggregators harvest the archive. oai.cpp answers the six verbs (the
// arguments, the errors, resumption tokens); oai_items.cpp makes an
// article an item: its datestamp, its sets and its metadata as oai_dc or
// as the archive's own format (schema/oai/article.xsd).
//
// The model (docs/api.md, "Harvesting"): one item per article, deleted
// ones included; identifiers oai:REPOSITORY:ARTICLE-ID; the datestamp is
// the last change, to the second, of the article, its translations or its
// authors (the archive's revisions); sets country:CC (the article's
// subject countries), author:ID and language:LANG, under country, author
// and language; lists in article id order, so that a resumption token is
// where the last page ended and a harvest sees every article that existed
// throughout it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "defter/archive/archive.hpp"

namespace defter::httpd::oai {

struct Options {
  std::string repository_name = "defter";
  std::string admin_email = "archivist@defter.invalid";
  std::string repository_id = "defter";  // identifiers are oai:ID:ARTICLE
  std::size_t page_size = 100;           // items in one list response
};

inline constexpr const char* kArticleNamespace = "https://schema.defter.invalid/oai/article/1";
inline constexpr const char* kArticleSchemaPath = "/oai/article.xsd";

// An article as an item: what its header says. A list decides on many
// items and shows few, so an item holds no text: a record's metadata is
// read when the record is written.
struct Item {
  std::string id;  // the article's
  bool deleted = false;
  std::string datestamp;          // YYYY-MM-DDThh:mm:ssZ
  std::vector<std::string> sets;  // setSpecs, sorted
};

// What an item needs of the archive beyond its article, read once per
// response: the authors' records and their last changes.
class ItemReader {
 public:
  explicit ItemReader(const archive::Reader& archive) : archive_(archive) {}
  // The item of a record stamp (Reader::for_each_record_stamp). A deleted
  // article's sets are its last version's, when its revisions still hold
  // it (none when they were pruned).
  Result<Item> item(const archive::Reader::RecordStamp& stamp);
  // The author, when the archive has them.
  const schema::Author* author(const std::string& id);

 private:
  struct Known {
    std::optional<schema::Author> author;
    std::string changed;  // the author's last revision's time, "" when none
  };
  const Known& known(const std::string& id);
  const archive::Reader& archive_;
  std::map<std::string, Known> authors_;
};

// An article's metadata, its translations read: <oai_dc:dc> or <article>
// (the archive's format). `base` is the server's origin, for the URLs.
std::string oai_dc(const schema::Article& article, ItemReader& reader, const std::string& base);
std::string article_xml(const schema::Article& article, ItemReader& reader,
                        const std::string& base);

// Whether an item is in set `spec` (or in a set below it).
bool in_set(const Item& item, const std::string& spec);

// Every set the archive has: (spec, name), sorted by spec.
Result<std::vector<std::pair<std::string, std::string>>> all_sets(const archive::Reader& archive);

// A lower bound of every item's datestamp, as Identify's
// earliestDatestamp is ("" when the archive has no item): the earliest of
// the articles' own last changes (an author's change only makes an item's
// later), read from the revisions alone.
Result<std::string> earliest_datestamp(const archive::Reader& archive);

// Answers one OAI-PMH request, its arguments decoded (from the query or a
// form body), as the response document; `origin` is the server's
// ("http://host:port"). The protocol's errors are answers too; what
// throws is the archive failing (a Status).
std::string respond(const archive::Reader& archive, const Options& options,
                    const std::string& origin, const std::multimap<std::string, std::string>& args);

}  // namespace defter::httpd::oai
