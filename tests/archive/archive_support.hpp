// What the archive's tests share: an archive in a test directory, a put.
#pragma once

#include <catch2/catch.hpp>

#include "defter/archive/archive.hpp"
#include "support.hpp"

namespace defter::archive_test {

inline std::unique_ptr<archive::Archive> open(const test::TempDir& dir, archive::Options options = {}) {
  options.dir = dir.path() / "archive";
  auto a = archive::Archive::open(options);
  INFO((a.ok() ? std::string() : a.status().to_string()));
  REQUIRE(a.ok());
  return std::move(a.value());
}

inline archive::PutOutcome put(archive::Archive& a, const schema::Record& r) {
  archive::PutOutcome out{};
  Status s = a.write([&](archive::WriteBatch& b) -> Status {
    auto o = b.put(r);
    if (!o) return o.status();
    out = *o;
    return {};
  });
  REQUIRE(s.ok());
  return out;
}


}  // namespace defter::archive_test
