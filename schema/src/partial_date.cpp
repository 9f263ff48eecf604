#include "defter/schema/partial_date.hpp"

#include <cstdio>

namespace defter::schema {

namespace {

// The number written by text[at, at + n), all ASCII digits; -1 otherwise.
int digits(std::string_view text, std::size_t at, std::size_t n) {
  if (at + n > text.size()) return -1;
  int v = 0;
  for (std::size_t i = at; i < at + n; ++i) {
    if (text[i] < '0' || text[i] > '9') return -1;
    v = v * 10 + (text[i] - '0');
  }
  return v;
}

std::string yyyymmdd(int y, int m, int d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d%02d%02d", y, m, d);
  return buf;
}

}  // namespace

bool is_leap_year(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int days_in_month(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return kDays[month - 1] + (month == 2 && is_leap_year(year) ? 1 : 0);
}

std::optional<PartialDate> PartialDate::parse(std::string_view text) {
  PartialDate d;
  d.year = digits(text, 0, 4);
  if (d.year < 0) return std::nullopt;
  if (text.size() == 4) return d;
  if (text.size() < 7 || text[4] != '-') return std::nullopt;
  d.month = digits(text, 5, 2);
  if (d.month < 1 || d.month > 12) return std::nullopt;
  if (text.size() == 7) return d;
  if (text.size() != 10 || text[7] != '-') return std::nullopt;
  d.day = digits(text, 8, 2);
  if (d.day < 1 || d.day > days_in_month(d.year, d.month)) return std::nullopt;
  return d;
}

std::string PartialDate::first_day() const { return yyyymmdd(year, month ? month : 1, day ? day : 1); }

std::string PartialDate::last_day() const {
  int m = month ? month : 12;
  return yyyymmdd(year, m, day ? day : days_in_month(year, m));
}

}  // namespace defter::schema
