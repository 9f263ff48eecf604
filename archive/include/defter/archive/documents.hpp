// Documents as the institute writes them (Word, OpenDocument, web pages,
// Markdown), converted by pandoc into the archive's records and imported
// with every guarantee of a JSON Lines import (validation, dry run, batches,
// a run that can be reverted).
//
// One article is made of one or more files, one per language: the first is
// the article (its original language), the others its translations. Each
// file's headings, paragraphs, block quotes and lists become its CommonMark
// body; its footnotes become the record's footnotes (number and text, read
// into their parts at import) with a marker [n] where each stood; images
// and tables are left out, each named in a warning. Title, authors and date
// come from the document's metadata when it has them, else from the
// options; a title may also be the document's first heading.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "defter/archive/archive.hpp"
#include "defter/archive/importer.hpp"

namespace defter::archive {

// The formats read, as `defter import --from` names them (pandoc's readers:
// docx, odt, html, commonmark_x with front matter and footnotes; csv,
// read here: spreadsheets of authors or of articles' metadata; and wxr, a
// WordPress export, read by import_wxr).
const std::vector<std::string>& document_formats();

struct DocumentOptions {
  std::string from;     // one of document_formats()
  std::string article;  // the article's id; "": the metadata's id, else made from the title
  std::vector<std::string> langs;    // each file's language, in order; else the metadata's lang
  std::string title;                 // the first file's title when its metadata has none
  std::vector<std::string> authors;  // names or ids, when the metadata names none
  std::string published;             // YYYY, YYYY-MM or YYYY-MM-DD, when the metadata has no date
  std::string profile;               // --from html: a site profile (JSON of XPath expressions, web_page.hpp)
};

// One file converted: its records as JSON Lines, imported under its name.
struct ConvertedInput {
  std::string name;
  std::string lines;
  std::vector<std::uint64_t>
      line_of;  // for each of `lines`, the file's line it came from (none: the whole file)
  std::vector<ImportProblem> warnings;  // what was left out of it
  std::vector<std::string>
      notes;  // what was decided for it ("author 'X' is Y, already in the archive")
};

// Converts `files` into one article (with translations) and the authors it
// names that the archive does not have. An error names the file and what is
// wrong or missing; nothing is written either way.
Result<std::vector<ConvertedInput>> convert_documents(Archive& archive,
                                                      const std::vector<std::string>& files,
                                                      const DocumentOptions& options);

// Imports converted inputs as one run: their warnings are reported first,
// problems name each input (the file; no line).
Result<ImportSummary> import_converted(Archive& archive, const std::vector<ConvertedInput>& inputs,
                                       const ImportOptions& options, ImportListener& listener);

// Spreadsheets (CSV, UTF-8, a header row): authors (id, name, honorific,
// affiliation, topics, bio_LANG...) or the metadata of articles the archive
// has (id, published, authors, original_language, countries,
// not_countries, tags, source_url, title_LANG...), each file by its header.
// Lists are separated by ';'; an empty cell leaves the field as it is.
// An error names the file, line and column.
Result<std::vector<ConvertedInput>> convert_spreadsheets(Archive& archive,
                                                         const std::vector<std::string>& files);

// A WordPress export (WXR 1.1 or 1.2, Tools > Export), read streaming in
// bounded memory: each published post an article's version, the posts of
// one Polylang translation group one article (the one published first its
// original), their authors matched by name or created (the biography from
// <wp:author_description> when the export has it), categories and tags as
// tags and, where one names a country (`country_of`), its country. A post
// that cannot be a record (no date, no language, no text) is rejected with
// the export's line; the rest is imported as one run.
struct WxrOptions {
  std::string lang;  // the site's language (posts naming none, biographies); default: the export's <language>
  std::function<std::string(const std::string&)> country_of;  // a tag's country code, or ""
};
Result<ImportSummary> import_wxr(Archive& archive, const std::string& file, const WxrOptions& options,
                                 const ImportOptions& import_options, ImportListener& listener,
                                 std::vector<std::string>& notes);

// Every article as a folder of Markdown files, the form `--from md DIR`
// reads back unchanged: ID.md in the article's original language (its
// fields in the front matter), ID.LANG.md for each other translation
// (translation_of: ID). Written into a new directory beside `dir`, renamed
// to `dir` when whole: `dir` must not exist. Returns the files written.
Result<std::uint64_t> export_markdown(Archive& archive, const std::string& dir);

}  // namespace defter::archive
