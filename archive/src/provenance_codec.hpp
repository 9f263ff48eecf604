// How revisions and runs are stored (internal to archive/): each a sealed
// CBOR value of the JSON these make; the writers, retention and readers in
// revisions.cpp and revert.cpp go through them.
#pragma once

#include <string>
#include <string_view>

#include "store.hpp"

namespace defter::archive {

// A run as stored (and as the API and --json show it), and back.
json run_json(const Run& r);
Run run_of(const json& j);

// A stored value's CBOR as JSON, its seal checked; kCorruption naming `what`.
Result<json> stored_json(const TxnHandle& txn, int db, std::string_view key, std::string_view value, const std::string& what);
// A stored revision (key: record key, NUL, big-endian number) as JSON, and
// the Revision it holds.
Result<json> revision_json(const TxnHandle& txn, std::string_view key, std::string_view value);
Revision revision_of(const json& j);

}  // namespace defter::archive
