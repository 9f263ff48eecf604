// An input another format was converted into (internal to archive/): JSON
// Lines in an open file, imported as any file is, its problems named by
// the source and the source's line each record came from.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "defter/archive/importer.hpp"

namespace defter::archive::import_parts {

// Takes `fd` (closed when done); `line_of[i]` is the source line of the
// file's line i+1.
Result<ImportSummary> import_stream(Archive& archive, const std::string& name, int fd,
                                    std::vector<std::uint64_t> line_of,
                                    const ImportOptions& options, ImportListener& listener);

}  // namespace defter::archive::import_parts
