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

std::string folded(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// The code of the row whose English name is `text` (case ignored), or whose
// name is `text` followed by a qualifier ("Korea, Republic of").
std::string by_name(const detail::CodeTable& table, std::string_view text) {
  std::string want = folded(text);
  if (want.size() < 3) return "";
  std::string begins;  // the one name that begins with it ("Russia": "Russian Federation")
  int beginning = 0;
  for (std::size_t i = 0; i < table.size; ++i) {
    std::string name = folded(table.rows[i].name);
    if (name == want || (name.size() > want.size() && name.compare(0, want.size(), want) == 0 &&
                         (name[want.size()] == ',' || name[want.size()] == ' ' || name[want.size()] == '(')))
      return table.rows[i].code;
    if (want.size() >= 4 && name.compare(0, want.size(), want) == 0 && beginning++ == 0) begins = table.rows[i].code;
  }
  return beginning == 1 ? begins : "";
}

std::string cased(std::string_view part, bool upper_first, bool upper_rest) {
  std::string out = folded(part);
  for (std::size_t i = 0; i < out.size(); ++i)
    if ((i == 0 ? upper_first : upper_rest) && out[i] >= 'a' && out[i] <= 'z') out[i] = static_cast<char>(out[i] - 'a' + 'A');
  return out;
}

}  // namespace

std::string suggest_country_code(std::string_view text) {
  std::string upper = cased(text, true, true);
  if (upper != text && is_country_code(upper)) return upper;
  return by_name(detail::kCountryTable, text);
}

std::string suggest_language_tag(std::string_view text) {
  // Each part in its standard case: language lower, script title, region upper.
  std::string tag;
  std::size_t start = 0;
  for (int index = 0; start <= text.size(); ++index) {
    std::size_t end = std::min(text.find_first_of("-_", start), text.size());
    std::string_view part = text.substr(start, end - start);
    if (index) tag += '-';
    tag += index == 0 ? folded(part) : part.size() == 4 ? cased(part, true, false) : part.size() == 2 ? cased(part, true, true) : std::string(part);
    start = end + 1;
  }
  bool known = true;
  start = 0;
  for (int index = 0; start <= tag.size() && known; ++index) {
    std::size_t end = std::min(tag.find('-', start), tag.size());
    std::string_view part = std::string_view(tag).substr(start, end - start);
    known = index == 0 ? is_language_code(part) : part.size() == 4 ? is_script_code(part) : part.size() == 2 ? is_country_code(part) : false;
    start = end + 1;
  }
  if (known && tag != text) return tag;
  return by_name(detail::kLanguageTable, text);
}

bool is_country_code(std::string_view code) { return find(detail::kCountryTable, code) != nullptr; }
bool is_language_code(std::string_view code) { return find(detail::kLanguageTable, code) != nullptr; }
bool is_script_code(std::string_view code) { return find(detail::kScriptTable, code) != nullptr; }

std::string_view country_name(std::string_view code) {
  const auto* row = find(detail::kCountryTable, code);
  return row ? row->name : "";
}

}  // namespace defter::schema
