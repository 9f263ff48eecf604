// The record types of the archive and their JSON form (the wire format that
// schema/json/*.json describes; see schema/README.md for every field).
//
// to_json() is canonical: object keys sorted, optional fields omitted when
// absent, empty optional arrays omitted. Two equal records therefore have
// byte-identical JSON and CBOR, which is what import uses to detect
// "unchanged" and what makes export → import → export an identity.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace defter::schema {

// The wire format's version; stored in the archive's metadata. Bump it (and
// say so in schema/README.md) whenever a stored or exported shape changes.
inline constexpr int kFormatVersion = 1;

// The most translations one article may have (article.json says so too):
// each is a document of the index, and a language list travels with each.
inline constexpr std::size_t kMaxTranslations = 100;

struct Footnote {
  int n = 0;
  std::string text;
  std::optional<std::string> title;
  std::optional<std::string> publisher;
  std::optional<std::string> url;
  std::optional<std::string> accessed;  // a (possibly partial) date
  bool operator==(const Footnote&) const = default;
};

// One language version of an article.
struct Translation {
  std::string title;
  std::optional<std::string> subtitle;
  std::string body;  // CommonMark, with footnote markers [n]
  std::vector<Footnote> footnotes;
  std::optional<std::string> translator;
  std::optional<std::string> modified;  // last changed at its source: YYYY, YYYY-MM or YYYY-MM-DD
  bool operator==(const Translation&) const = default;
};

struct Author {
  std::string id;
  std::string name;
  std::optional<std::string> honorific;
  std::optional<std::string> affiliation;
  std::vector<std::string> topics;
  std::map<std::string, std::string> bio;  // language tag -> biography
  bool operator==(const Author&) const = default;
};

struct Article {
  std::string id;
  std::string published;  // YYYY, YYYY-MM or YYYY-MM-DD; empty: undated
  std::vector<std::string> authors;  // empty: unsigned
  std::string original_language;
  std::vector<std::string> countries;  // ISO 3166-1 alpha-2: the article's subjects
  std::vector<std::string> not_countries;  // found in the text, but must not count (a correction)
  std::vector<std::string> tags;
  std::optional<std::string> source_url;
  std::map<std::string, Translation> translations;  // language tag -> translation
  bool operator==(const Article&) const = default;
};

// A translation that arrives on its own, after (or apart from) its article.
struct TranslationRecord {
  std::string article;
  std::string lang;
  Translation translation;
  bool operator==(const TranslationRecord&) const = default;
};

using Record = std::variant<Author, Article, TranslationRecord>;

enum class RecordType { kAuthor, kArticle, kTranslation };
const char* type_name(RecordType type);
RecordType type_of(const Record& record);

// JSON conversion. from_json assumes the value already passed validation
// (RecordValidator); it throws nlohmann::json::exception on a wrong shape.
void to_json(nlohmann::json& j, const Footnote& v);
void from_json(const nlohmann::json& j, Footnote& v);
void to_json(nlohmann::json& j, const Translation& v);
void from_json(const nlohmann::json& j, Translation& v);
void to_json(nlohmann::json& j, const Author& v);  // includes "type": "author"
void from_json(const nlohmann::json& j, Author& v);
void to_json(nlohmann::json& j, const Article& v);  // includes "type": "article"
void from_json(const nlohmann::json& j, Article& v);
void to_json(nlohmann::json& j, const TranslationRecord& v);
void from_json(const nlohmann::json& j, TranslationRecord& v);
void to_json(nlohmann::json& j, const Record& v);

// The record's JSON on one line, keys sorted: the export format.
std::string to_json_line(const Record& record);

}  // namespace defter::schema
