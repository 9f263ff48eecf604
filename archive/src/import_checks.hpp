// What a record's write needs (internal to archive/): the records it
// refers to there, and its article within the archive's limits. Checked by
// the importer inside each batch's transaction.
#pragma once

#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "defter/archive/archive.hpp"
#include "defter/schema/validate.hpp"

namespace defter::archive::import_parts {

// A write that would give an article more than kMaxTranslations translations.
std::optional<schema::FieldError> over_limits(const Reader& reader, const EncodedRecord& record);

// The first reference of a record that is not there (in the archive, nor
// among `dry_ids`, the records of a dry run so far), as a field error.
// With `known_authors` (filled once, when an author is missing: the ids
// the nearest are suggested from), the error suggests the nearest.
std::optional<schema::FieldError> missing_reference(
    const Reader& reader, const EncodedRecord& record,
    const std::unordered_map<std::string, int>& dry_ids,
    std::optional<std::vector<std::string>>* known_authors = nullptr);

}  // namespace defter::archive::import_parts
