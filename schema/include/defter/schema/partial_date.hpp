// A date as precisely as it is known: "2023", "2023-05" or "2023-05-20", the
// shape of every date in a record (published, a footnote's accessed) and of
// the dates a search is filtered by. The one place that knows the calendar.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace defter::schema {

struct PartialDate {
  int year = 0;
  int month = 0;  // 0: only the year is known
  int day = 0;    // 0: only the year, or the year and month, are known

  // Reads YYYY, YYYY-MM or YYYY-MM-DD (ASCII digits), a day the calendar
  // has ("2023-02-29" is none, "2024-02-29" is one); nullopt otherwise.
  static std::optional<PartialDate> parse(std::string_view text);

  // The first and the last day it may stand for, as YYYYMMDD: "2023-05"
  // is 20230501 to 20230531, "2024" 20240101 to 20241231.
  std::string first_day() const;
  std::string last_day() const;
};

bool is_leap_year(int year);
// Days in a month (1..12) of a year.
int days_in_month(int year, int month);

}  // namespace defter::schema
