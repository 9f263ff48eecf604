// Shared by the command-line tests.
#pragma once

#include <string>

#include <catch2/catch.hpp>

#include "support.hpp"

namespace defter::test {

inline std::string export_all(const std::string& data) {
  auto r = defter(data, {"export"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return r.out;
}

// The seed article and its author, plus its Turkish and Russian translations,
// as JSON Lines (from schema/examples).
std::string seed_jsonl();

}  // namespace defter::test
