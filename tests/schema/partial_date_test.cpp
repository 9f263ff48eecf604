// PartialDate: the one reader of dates as precise as they are known, and the
// first and last day each stands for.
#include <catch2/catch.hpp>

#include "defter/schema/partial_date.hpp"
#include "defter/schema/validate.hpp"

using defter::schema::PartialDate;

TEST_CASE("a partial date reads the three shapes and stands for the days it covers", "[schema][date]") {
  struct Case {
    const char* text;
    const char* first;
    const char* last;
  };
  for (const Case& c : {Case{"2023", "20230101", "20231231"}, Case{"2023-05", "20230501", "20230531"},
                        Case{"2023-02", "20230201", "20230228"}, Case{"2024-02", "20240201", "20240229"},
                        Case{"1900-02", "19000201", "19000228"}, Case{"2000-02", "20000201", "20000229"},
                        Case{"2023-04", "20230401", "20230430"}, Case{"2023-05-20", "20230520", "20230520"},
                        Case{"2024-02-29", "20240229", "20240229"}, Case{"0999", "09990101", "09991231"}}) {
    INFO(c.text);
    auto d = PartialDate::parse(c.text);
    REQUIRE(d);
    CHECK(d->first_day() == c.first);
    CHECK(d->last_day() == c.last);
    CHECK(defter::schema::is_real_date(c.text));
  }
}

TEST_CASE("what is not a partial date is refused, the calendar checked", "[schema][date]") {
  for (const char* text : {"", "202", "20234", "2023-", "2023-5", "2023-00", "2023-13", "2023-05-", "2023-05-1", "2023-05-00",
                           "2023-05-32", "2023-02-29", "1900-02-29", "2023-04-31", "-023", "+2023", "2023/05", "2023-05-20T",
                           "２０２３", "2023-05-20 "}) {
    INFO("'" << text << "'");
    CHECK_FALSE(PartialDate::parse(text));
    CHECK_FALSE(defter::schema::is_real_date(text));
  }
}
