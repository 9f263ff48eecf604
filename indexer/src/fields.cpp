#include "defter/indexer/fields.hpp"

#include "defter/indexer/gazetteer.hpp"
#include "defter/indexer/index_schema.hpp"
#include "defter/schema/codes.hpp"
#include "defter/schema/partial_date.hpp"
#include "defter/schema/validate.hpp"

namespace defter::indexer {

namespace {

std::vector<std::string> names_where(bool Field::*flag) {
  std::vector<std::string> out;
  for (const Field& f : kFields)
    if (f.*flag) out.emplace_back(f.name);
  return out;
}

Status bad_value(const Field& f, const std::string& value, std::string_view what) {
  return Status(Code::kInvalidArgument, "filter " + std::string(f.name) + ": '" + value + "' " + std::string(what));
}

std::string term(const Field& f, const std::string& value) { return std::string(f.prefix) + value; }

}  // namespace

const Field* find_field(std::string_view name) {
  for (const Field& f : kFields)
    if (f.name == name) return &f;
  return nullptr;
}

const Field& field(FieldId id) {
  for (const Field& f : kFields)
    if (f.id == id) return f;
  throw std::logic_error("a field id without a row");
}

const std::vector<std::string>& filter_names() {
  static const std::vector<std::string> kNames = names_where(&Field::filter);
  return kNames;
}

const std::vector<std::string>& facet_names() {
  static const std::vector<std::string> kNames = names_where(&Field::facet);
  return kNames;
}

const std::vector<std::string>& query_field_names() {
  static const std::vector<std::string> kNames = names_where(&Field::in_query);
  return kNames;
}

std::string name_list(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

Result<FilterTerms> filter_terms(const Field& f, const std::string& value) {
  FilterTerms out;
  switch (f.id) {
    case FieldId::kCountry:
      for (const auto& code : Gazetteer::instance().lookup(value)) {
        out.terms.push_back(term(f, code));
        out.selected.push_back(code);
      }
      if (out.terms.empty()) {
        std::string meant = schema::suggest_country_code(value);
        return bad_value(f, value, "is not a country name or code" +
                                       (meant.empty() ? std::string() : "; did you mean '" + meant + "'?"));
      }
      return out;
    case FieldId::kYear: {
      if (value == kUndated) {
        out.terms.push_back(term(f, value));
        break;
      }
      auto d = schema::PartialDate::parse(value);
      if (!d || d->month != 0) return bad_value(f, value, "is not a year (YYYY, or undated)");
      out.terms.push_back(term(f, value));
      break;
    }
    case FieldId::kMonth: {
      auto d = schema::PartialDate::parse(value);
      if (!d || d->month == 0 || d->day != 0) return bad_value(f, value, "is not a month (YYYY-MM)");
      out.terms.push_back(term(f, value.substr(0, 4) + value.substr(5, 2)));
      break;
    }
    case FieldId::kType:
      if (value != "article" && value != "author") return bad_value(f, value, "is neither article nor author");
      out.terms.push_back(term(f, value));
      break;
    case FieldId::kAuthor:
      out.terms.push_back(term(f, value));
      break;
    case FieldId::kLang:
      if (!schema::is_known_language_tag(value)) {
        std::string meant = schema::suggest_language_tag(value);
        return bad_value(f, value, "is not a language tag (such as en, tr, ru, zh-Hans)" +
                                       (meant.empty() ? std::string() : "; did you mean '" + meant + "'?"));
      }
      out.terms.push_back(term(f, value));
      break;
    case FieldId::kTitle:
    case FieldId::kCites:
    case FieldId::kDate:
      return Status(Code::kInvalidArgument, "unknown filter '" + std::string(f.name) + "' (" + name_list(filter_names()) + ")");
  }
  out.selected.push_back(value);
  return out;
}

nlohmann::json fields_json() {
  static const char* const kKinds[] = {"boolean", "text", "date"};
  nlohmann::json out = nlohmann::json::array();
  for (const Field& f : kFields)
    out.push_back({{"name", f.name},
                   {"kind", kKinds[static_cast<int>(f.kind)]},
                   {"query", f.in_query},
                   {"filter", f.filter},
                   {"facet", f.facet},
                   {"help", f.help}});
  return out;
}

}  // namespace defter::indexer
