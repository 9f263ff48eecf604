// A search's articles in the formats spreadsheets and reference managers
// read: CSV (one row an article), RIS, BibTeX and CSL-JSON (one entry an
// article, with its translations' titles where the format has room).
// Used by the HTTP API (/api/v1/search.csv, .ris, .bib, .csl.json) and by
// `defter search --format`.
#pragma once

#include <cstdint>
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

struct ExportResult {
  std::string body;
  std::uint64_t total = 0;    // the articles the search finds
  std::uint64_t written = 0;  // those written: at most the limit
};

// Every article `request` finds (all its pages; its page and size are
// ignored), at most `limit`, in `format`. Each article's URL is
// `base_url` + /articles/ID. Authors' names and the translations' titles
// are read from `archive`. CSV starts with a byte order mark, so a
// spreadsheet reads it as UTF-8.
Result<ExportResult> export_search(Searcher& searcher, const archive::Reader& archive, SearchRequest request,
                                   ExportFormat format, std::uint64_t limit, const std::string& base_url);

}  // namespace defter::indexer
