// The field table: every row consistent with the index schema, each
// filter's values read into the terms the index holds, and what a filter
// does not take refused with the filter and the value named.
#include <catch2/catch.hpp>

#include <set>

#include "defter/indexer/fields.hpp"
#include "query.hpp"

using namespace defter;
using namespace defter::indexer;

TEST_CASE("the field table: names unique, rows consistent, lists in table order", "[indexer][fields]") {
  std::set<std::string_view> names;
  for (const Field& f : kFields) {
    INFO(f.name);
    CHECK(names.insert(f.name).second);
    CHECK(find_field(f.name) == &f);
    CHECK(&field(f.id) == &f);
    CHECK_FALSE(f.help.empty());
    // A filter selects by terms; text is only searched, never a filter.
    if (f.filter) CHECK_FALSE(f.prefix.empty());
    if (f.kind == FieldKind::kText) CHECK_FALSE(f.filter);
    // A facet is counted from a value slot, or (type) from the collapse key.
    if (f.facet && f.id != FieldId::kType) CHECK(f.slot.has_value());
    CHECK(query::is_field(std::string(f.name)) == f.in_query);
  }
  CHECK(find_field("nope") == nullptr);
  CHECK_FALSE(query::is_field("month"));  // a filter and a facet, not a query field
  CHECK(filter_names() == std::vector<std::string>{"country", "year", "month", "author", "lang", "type"});
  CHECK(facet_names() == filter_names());
  CHECK(query_field_names() == std::vector<std::string>{"country", "year", "author", "lang", "type", "title", "cites", "date"});
  CHECK(name_list({"a", "b"}) == "a, b");
  auto json = fields_json();
  REQUIRE(json.size() == kFields.size());
  CHECK(json[0] == nlohmann::json{{"name", "country"}, {"kind", "boolean"}, {"query", true}, {"filter", true},
                                  {"facet", true}, {"help", kFields[0].help}});
}

TEST_CASE("each filter's values become the index's terms", "[indexer][fields]") {
  auto terms = [](std::string_view name, const std::string& v) {
    auto got = filter_terms(*find_field(name), v);
    REQUIRE(got);
    return *got;
  };
  auto kz = terms("country", "Kazakhstan");
  CHECK(kz.terms == std::vector<std::string>{"XKKZ"});
  CHECK(kz.selected == std::vector<std::string>{"KZ"});  // by name or in any language, the facet shows the code
  CHECK(terms("country", "Казахстан").selected == std::vector<std::string>{"KZ"});
  CHECK(terms("country", "kz").terms == std::vector<std::string>{"XKKZ"});
  CHECK(terms("year", "2023").terms == std::vector<std::string>{"Y2023"});
  auto may = terms("month", "2023-05");
  CHECK(may.terms == std::vector<std::string>{"M202305"});
  CHECK(may.selected == std::vector<std::string>{"2023-05"});
  CHECK(terms("author", "seed-author").terms == std::vector<std::string>{"Aseed-author"});
  CHECK(terms("lang", "tr").terms == std::vector<std::string>{"Ltr"});
  CHECK(terms("type", "author").terms == std::vector<std::string>{"XTauthor"});
}

TEST_CASE("a value a filter does not take is refused, naming the filter and the value", "[indexer][fields]") {
  struct Bad {
    const char* field;
    const char* value;
    const char* says;
  };
  for (const Bad& b : {Bad{"country", "Atlantis", "filter country: 'Atlantis' is not a country name or code"},
                       Bad{"year", "23", "filter year: '23' is not a year (YYYY, or undated)"},
                       Bad{"year", "2023-05", "is not a year"}, Bad{"month", "2023", "is not a month (YYYY-MM)"},
                       Bad{"month", "2023-13", "is not a month"}, Bad{"month", "2023-05-01", "is not a month"},
                       Bad{"type", "bio", "filter type: 'bio' is neither article nor author"},
                       Bad{"title", "x", "unknown filter 'title' (country, year, month, author, lang, type)"}}) {
    INFO(b.field << " " << b.value);
    auto got = filter_terms(*find_field(b.field), b.value);
    REQUIRE_FALSE(got);
    CHECK(got.status().code() == Code::kInvalidArgument);
    CHECK(got.status().message().find(b.says) != std::string::npos);
  }
}
