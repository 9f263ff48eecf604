// A search's articles in the formats spreadsheets and reference managers
// read: CSV (one row an article), RIS, BibTeX and CSL-JSON (one entry an
// article, with its translations' titles where the format has room).
// Used by the HTTP API (/api/v1/search.csv, .ris, .bib, .csl.json) and by
// `defter search --format`.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "defter/archive/archive.hpp"
#include "defter/indexer/search.hpp"

namespace defter::indexer {

enum class ExportFormat { kCsv, kRis, kBibtex, kCsl };

// "csv", "ris", "bibtex" (or "bib"), "csl" (or "csl.json").
std::optional<ExportFormat> parse_export_format(std::string_view name);
const char* export_content_type(ExportFormat format);
const char* export_file_name(ExportFormat format);  // "defter-search.csv" ...

// Every article `request` finds (all its pages; its page and size are
// ignored), at most `limit`, in `format`, written piece by piece as the
// server streams it and `defter search --format` prints it. Each
// article's URL is `base_url` + /articles/ID; authors' names and the
// translations' titles are read from `archive`; CSV starts with a byte
// order mark, so a spreadsheet reads it as UTF-8. open() runs the search
// and keeps the ids of the articles the file will hold, those `archive`
// has with a translation; each
// next() writes the next piece: the format's head first (CSV's byte order
// mark and header row, CSL-JSON's "["), then up to `articles` entries a
// piece, read from `archive` (which must outlive the stream and be the
// view the ids were checked in), the format's end with the last; none
// once all is written. Not thread-safe.
class ExportStream {
 public:
  static Result<ExportStream> open(Searcher& searcher, const archive::Reader& archive, SearchRequest request,
                                   ExportFormat format, std::uint64_t limit, const std::string& base_url);
  ExportStream(ExportStream&&) noexcept;
  ~ExportStream();
  std::uint64_t total() const;  // the articles the search finds
  std::uint64_t count() const;  // those the file holds
  Result<std::optional<std::string>> next(std::size_t articles);

 private:
  struct Impl;
  explicit ExportStream(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace defter::indexer
