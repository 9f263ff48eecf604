#include "defter/schema/codes.hpp"

#include <algorithm>

#include "codes_data.hpp"

namespace defter::schema {
namespace {

const detail::CodeRow* find(const detail::CodeTable& table, std::string_view code) {
  const auto* end = table.rows + table.size;
  const auto* it = std::lower_bound(table.rows, end, code, [](const detail::CodeRow& row, std::string_view c) {
    return std::string_view(row.code) < c;
  });
  return (it != end && std::string_view(it->code) == code) ? it : nullptr;
}

}  // namespace

bool is_country_code(std::string_view code) { return find(detail::kCountryTable, code) != nullptr; }
bool is_language_code(std::string_view code) { return find(detail::kLanguageTable, code) != nullptr; }
bool is_script_code(std::string_view code) { return find(detail::kScriptTable, code) != nullptr; }

std::string_view country_name(std::string_view code) {
  const auto* row = find(detail::kCountryTable, code);
  return row ? row->name : "";
}

}  // namespace defter::schema
