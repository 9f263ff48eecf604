// An import input that is one JSON document (internal to archive/): a
// record, or an array of records, as an editor or a tool pretty-prints them.
// The importer reads JSON Lines; a document is turned into its lines here,
// each record on one line, remembering the line of the document where each
// record starts so that problems name it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace defter::archive::import_parts {

// The most a JSON document input may hold: it is read whole (JSON Lines
// are streamed, whatever their size).
inline constexpr std::uint64_t kMaxDocumentBytes = std::uint64_t{256} << 20;

struct DocumentLines {
  std::string text;                  // one record a line
  std::vector<std::uint64_t> lines;  // for each line of text: the document's line where its record starts
  std::string problem;               // the document is not JSON (then text is empty): why
  std::uint64_t problem_line = 0;    // and where
};

// How an input's content reads, from its beginning `head` (`whole`: all of
// it). An array is a document; an object whose first line is not a whole
// value may be one (it is when the whole input is one JSON value, else it
// is JSON Lines with a broken line).
enum class Shape { kLines, kArray, kMaybeRecord };
Shape shape_of(std::string_view head, bool whole);

// Splits a document (a record or an array of records) into lines; when it
// is not one JSON value, says why and where in `problem`.
DocumentLines document_lines(std::string_view document);

// An input's lines when it is a document (a broken array included, as its
// problem), nothing when it is JSON Lines (a broken line among them
// included: each line then says what it is).
std::optional<DocumentLines> document_of_text(std::string_view text);
// The same for the file open at `fd`, of `size` bytes: its beginning read
// to decide, all of it only when it is a document (up to
// kMaxDocumentBytes; a larger array is a problem, a larger object JSON
// Lines). Outer nullopt: a read failed (errno says why).
std::optional<std::optional<DocumentLines>> document_of_file(int fd, std::uint64_t size);

}  // namespace defter::archive::import_parts
