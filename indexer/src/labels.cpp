#include "defter/indexer/labels.hpp"

#include <unicode/dtfmtsym.h>
#include <unicode/locid.h>
#include <unicode/unistr.h>

#include <cstdlib>

namespace defter::indexer {

std::string language_label(const std::string& lang, const std::string& ui) {
  icu::UnicodeString name;
  icu::Locale(lang.c_str()).getDisplayName(icu::Locale(ui.c_str()), name);
  std::string out;
  name.toUTF8String(out);
  return out.empty() ? lang : out;
}

std::string month_label(const std::string& yyyy_mm, const std::string& ui) {
  UErrorCode err = U_ZERO_ERROR;
  icu::DateFormatSymbols symbols(icu::Locale(ui.c_str()), err);
  int32_t count = 0;
  const icu::UnicodeString* months =
      symbols.getMonths(count, icu::DateFormatSymbols::STANDALONE, icu::DateFormatSymbols::WIDE);
  int m = std::atoi(yyyy_mm.substr(5, 2).c_str());
  if (U_FAILURE(err) || m < 1 || m > count) return yyyy_mm;
  std::string name;
  months[m - 1].toUTF8String(name);
  return name + " " + yyyy_mm.substr(0, 4);
}

std::string undated_label(const std::string& ui) {
  if (ui == "tr") return "tarihsiz";
  if (ui == "ru") return "без даты";
  return "undated";
}

}  // namespace defter::indexer
