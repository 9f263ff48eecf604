// What index.cpp and search.cpp share about the index's files and errors.
#pragma once

#include <xapian.h>

#include <filesystem>
#include <string>

#include "defter/schema/status.hpp"

namespace defter::indexer {

// The stub file in DATA/index naming the live generation; Xapian opens it.
inline constexpr const char* kStub = "current";

// The live generation's directory name, or "" when there is no index.
std::string current_generation(const std::filesystem::path& dir);

// The live generation, opened through the stub. A reindex removes the
// generation it replaces, which may happen between reading the stub and
// opening what it names: opened again then, from the new stub.
Xapian::Database open_live(const std::filesystem::path& dir);

// Xapian's exceptions never cross the module's API: they become a Status.
// `what` says what was being done ("search the index").
Status from_xapian(const Xapian::Error& e, const std::string& what);

}  // namespace defter::indexer
