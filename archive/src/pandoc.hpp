// Running pandoc (internal to archive/): a document in, its pandoc JSON
// abstract syntax tree out, and a tree back to CommonMark.
#pragma once

#include <string>

#include "defter/archive/archive.hpp"

namespace defter::archive::pandoc {

// The most a conversion may print (a tree is several times its document's
// text; a larger one is refused rather than read into memory).
inline constexpr std::size_t kMaxOutputBytes = std::size_t{512} << 20;
// How long one conversion may take before it is stopped.
inline constexpr int kTimeoutSeconds = 120;

// `pandoc --from READER --to json FILE`: the tree as JSON text. kNotFound
// when pandoc is not installed; kInvalidArgument, with pandoc's own reason,
// when the file is not a document of that format (named `format`).
Result<std::string> read_tree(const std::string& file, const std::string& reader,
                              const std::string& format);

// The same for text in memory (read from pandoc's standard input).
Result<std::string> read_tree_of_text(const std::string& text, const std::string& reader);

// A tree (JSON text) written as CommonMark without raw HTML, unwrapped.
Result<std::string> commonmark_of(const std::string& tree);

}  // namespace defter::archive::pandoc
