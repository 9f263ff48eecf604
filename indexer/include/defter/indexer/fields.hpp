// The search fields, one row each: the one place that says how a field a
// user names (in a query as `name:value`, as a filter, as a facet) maps to
// the index. The query compiler, the filters, the facets, the CLI's search
// flags, the HTTP API's parameters and the staff page (through
// GET /api/v1/fields) all read this table; none spells the list again.
// Adding a field is adding a row here, its prefix in index_schema.hpp, and
// its cases in filter_terms() and the query compiler's resolve().
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "defter/indexer/index_schema.hpp"
#include "defter/schema/status.hpp"

namespace defter::indexer {

enum class FieldId { kCountry, kYear, kMonth, kAuthor, kLang, kType, kTitle, kCites, kDate };

enum class FieldKind {
  kBoolean,  // exact terms: a value selects documents, it does not rank them
  kText,     // words, analysed in each language, ranked
  kDate,     // a date or a range of dates, over the date value slots
};

struct Field {
  FieldId id;
  std::string_view name;         // as written: country:KZ, ?country=KZ, --country KZ, facets.country
  std::string_view prefix;       // its terms (index_schema.hpp)
  std::string_view text_prefix;  // words of it, when a query may also give words ("" none)
  FieldKind kind;
  bool in_query;  // name:value in the query language
  bool filter;    // a filter: repeatable, values OR within it, filters AND
  bool facet;     // counted (SearchResponse::facets)
  std::optional<unsigned> slot;  // the value slot the facet counts or the range reads
  std::string_view help;         // what a value is, one line (CLI help, /api/v1/fields)
};

// In the order the page and the CLI show facets and filters.
inline constexpr std::array<Field, 9> kFields = {{
    {FieldId::kCountry, "country", prefix::kCountry, "", FieldKind::kBoolean, true, true, true, slot::kCountries,
     "a country: ISO 3166-1 code, or its name in any language"},
    {FieldId::kYear, "year", prefix::kYear, "", FieldKind::kDate, true, true, true, slot::kDateStart,
     "the year published, YYYY (in a query also a range: 2020..2023)"},
    {FieldId::kMonth, "month", prefix::kMonth, "", FieldKind::kDate, false, true, true, slot::kDateStart,
     "the month published, YYYY-MM"},
    {FieldId::kAuthor, "author", prefix::kAuthor, prefix::kAuthorName, FieldKind::kBoolean, true, true, true, slot::kAuthors,
     "an author's id (in a query also words of the name)"},
    {FieldId::kLang, "lang", prefix::kLang, "", FieldKind::kBoolean, true, true, true, slot::kLang,
     "a translation's language, a BCP 47 tag (tr, ru, zh-Hans)"},
    {FieldId::kType, "type", prefix::kType, "", FieldKind::kBoolean, true, true, true, std::nullopt, "article or author"},
    {FieldId::kTitle, "title", "", prefix::kTitle, FieldKind::kText, true, false, false, std::nullopt, "words of the title"},
    {FieldId::kCites, "cites", prefix::kSource, "", FieldKind::kBoolean, true, false, false, std::nullopt,
     "a cited source, as a footnote names its publisher (a prefix of it matches)"},
    {FieldId::kDate, "date", "", "", FieldKind::kDate, true, false, false, slot::kDateStart,
     "the date published, or a range: 2023-01..2023-06, open ends allowed"},
}};

// The row of a name, or nullptr.
const Field* find_field(std::string_view name);
const Field& field(FieldId id);

// The names of the rows with `filter` (or `facet`, or `in_query`), in
// table order.
const std::vector<std::string>& filter_names();
const std::vector<std::string>& facet_names();
const std::vector<std::string>& query_field_names();
// "country, year, month" for a message.
std::string name_list(const std::vector<std::string>& names);

// A filter's value as the terms that select it, and the values it
// selects as the facet shows them (a country given by name selects its
// code). kInvalidArgument naming the filter and the value when the value
// is not one the field takes.
struct FilterTerms {
  std::vector<std::string> terms;
  std::vector<std::string> selected;
};
Result<FilterTerms> filter_terms(const Field& f, const std::string& value);

// The table as JSON for GET /api/v1/fields: [{name, kind, query, filter,
// facet, help}], in table order.
nlohmann::json fields_json();

}  // namespace defter::indexer
