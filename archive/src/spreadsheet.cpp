// Spreadsheets (CSV) of authors or of articles' metadata, as records.
#include <algorithm>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <set>

#include "defter/archive/documents.hpp"
#include "defter/schema/records.hpp"
#include "defter/schema/text.hpp"

namespace defter::archive {

using nlohmann::json;

namespace {

struct Row {
  std::uint64_t line = 0;  // where the row starts
  std::vector<std::string> cells;
};

// RFC 4180: quoted cells may hold the separator, "" and line breaks; a
// UTF-8 byte order mark and CRLF line ends are taken as spreadsheets write them.
Status parse_csv(const std::string& file, std::string_view text, char sep, std::vector<Row>& rows) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  std::uint64_t line = 1;
  std::size_t i = 0;
  while (i < text.size()) {
    Row row;
    row.line = line;
    std::string cell;
    bool row_done = false;
    while (!row_done) {
      cell.clear();
      if (i < text.size() && text[i] == '"') {
        std::uint64_t opened = line;
        ++i;
        for (;;) {
          if (i >= text.size())
            return Status(Code::kInvalidArgument,
                          file + ":" + std::to_string(opened) + ": a quoted cell is never closed");
          if (text[i] == '"') {
            if (i + 1 < text.size() && text[i + 1] == '"') {
              cell += '"';
              i += 2;
              continue;
            }
            ++i;
            break;
          }
          if (text[i] == '\n') ++line;
          cell += text[i++];
        }
        if (i < text.size() && text[i] != sep && text[i] != '\n' && text[i] != '\r')
          return Status(Code::kInvalidArgument, file + ":" + std::to_string(line) +
                                                    ": text after a quoted cell's closing quote");
      } else {
        while (i < text.size() && text[i] != sep && text[i] != '\n' && text[i] != '\r')
          cell += text[i++];
      }
      row.cells.push_back(cell);
      if (i < text.size() && text[i] == sep) {
        ++i;
        continue;
      }
      if (i < text.size() && text[i] == '\r') ++i;
      if (i < text.size() && text[i] == '\n') ++i, ++line;
      row_done = true;
    }
    bool empty = std::all_of(row.cells.begin(), row.cells.end(),
                             [](const std::string& c) { return c.empty(); });
    if (!empty) rows.push_back(std::move(row));
  }
  return {};
}

std::string trimmed(const std::string& s) {
  std::size_t b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

std::vector<std::string> list_of(const std::string& cell, char sep) {
  std::vector<std::string> out;
  std::size_t at = 0;
  while (at <= cell.size()) {
    std::size_t end = cell.find(sep, at);
    if (end == std::string::npos) end = cell.size();
    if (auto v = trimmed(cell.substr(at, end - at)); !v.empty()) out.push_back(v);
    at = end + 1;
  }
  return out;
}

const std::vector<std::string> kAuthorColumns = {"id", "name", "honorific", "affiliation",
                                                 "topics"};
const std::vector<std::string> kArticleColumns = {
    "id",        "published",     "authors", "original_language",
    "countries", "not_countries", "tags",    "source_url"};
const std::set<std::string> kListColumns = {"topics", "authors", "countries", "not_countries",
                                            "tags"};

// A column of the kind: one of `fixed`, or PREFIX_LANG for each prefix.
bool known_column(const std::string& name, const std::vector<std::string>& fixed,
                  const std::vector<std::string>& per_lang) {
  if (std::find(fixed.begin(), fixed.end(), name) != fixed.end()) return true;
  for (const auto& p : per_lang)
    if (name.size() > p.size() + 1 && name.compare(0, p.size() + 1, p + "_") == 0) return true;
  return false;
}

Result<ConvertedInput> convert_sheet(const Snapshot& snap, const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return Status(Code::kIOError, file + ": cannot be read");
  // The separator: ',' unless the header holds ';' and no ',' (as
  // spreadsheets in Turkish or Russian settings save); lists are then
  // separated by ','.
  std::string header_line = text.substr(0, text.find('\n'));
  char sep =
      header_line.find(';') != std::string::npos && header_line.find(',') == std::string::npos
          ? ';'
          : ',';
  char list_sep = sep == ';' ? ',' : ';';
  std::vector<Row> rows;
  if (auto s = parse_csv(file, text, sep, rows); !s.ok()) return s;
  if (rows.empty())
    return Status(Code::kInvalidArgument, file + ": empty (a header row, then a row a record)");
  std::vector<std::string> header;
  for (const auto& c : rows[0].cells) header.push_back(trimmed(c));
  bool authors = std::find(header.begin(), header.end(), "name") != header.end();
  const auto& fixed = authors ? kAuthorColumns : kArticleColumns;
  std::vector<std::string> per_lang =
      authors ? std::vector<std::string>{"bio"} : std::vector<std::string>{"title", "subtitle"};
  std::set<std::string> seen;
  for (std::size_t c = 0; c < header.size(); ++c) {
    std::string where =
        file + ":" + std::to_string(rows[0].line) + ": column " + std::to_string(c + 1);
    if (!known_column(header[c], fixed, per_lang)) {
      // Suggested from both kinds: a misspelt 'name' is why a sheet of
      // authors was taken for one of articles.
      std::vector<std::string> names = kAuthorColumns;
      names.insert(names.end(), kArticleColumns.begin() + 1, kArticleColumns.end());
      for (const char* p : {"bio_LANG", "title_LANG", "subtitle_LANG"}) names.push_back(p);
      auto near = schema::nearest(header[c], names);
      return Status(Code::kInvalidArgument,
                    where + ": '" + header[c] + "' is not a column of " +
                        (authors ? "authors" : "articles") + " (" +
                        (near.empty() ? "columns: " + schema::one_of(names)
                                      : "did you mean " + schema::one_of(near) + "?") +
                        ")");
    }
    if (!seen.insert(header[c]).second)
      return Status(Code::kInvalidArgument, where + ": '" + header[c] + "' a second time");
  }
  if (!seen.count("id"))
    return Status(Code::kInvalidArgument,
                  file + ":" + std::to_string(rows[0].line) + ": no 'id' column");

  ConvertedInput out;
  out.name = file;
  for (std::size_t r = 1; r < rows.size(); ++r) {
    const Row& row = rows[r];
    if (row.cells.size() > header.size())
      return Status(Code::kInvalidArgument, file + ":" + std::to_string(row.line) + ": " +
                                                std::to_string(row.cells.size()) +
                                                " cells, and the header names " +
                                                std::to_string(header.size()));
    std::string id;
    json changes = json::object();
    for (std::size_t c = 0; c < row.cells.size(); ++c) {
      std::string value = trimmed(row.cells[c]);
      if (value.empty()) continue;  // an empty cell leaves the field as it is
      const std::string& col = header[c];
      if (col == "id")
        id = value;
      else if (kListColumns.count(col))
        changes[col] = list_of(value, list_sep);
      else
        changes[col] = value;
    }
    if (id.empty())
      return Status(Code::kInvalidArgument, file + ":" + std::to_string(row.line) + ": no id");
    json record;
    if (authors) {
      auto stored = snap.author(id);
      record = stored ? json::parse(schema::to_json_line(*stored))
                      : json{{"type", "author"}, {"id", id}};
      for (auto& [col, value] : changes.items()) {
        if (col.rfind("bio_", 0) == 0)
          record["bio"][col.substr(4)] = value;
        else
          record[col] = value;
      }
    } else {
      auto stored = snap.article(id, true);
      if (!stored)
        return Status(Code::kInvalidArgument,
                      file + ":" + std::to_string(row.line) + ": article '" + id +
                          "' is not in the archive (a spreadsheet gives the metadata of articles "
                          "the archive has; their text comes as documents or JSON)");
      record = json::parse(schema::to_json_line(*stored));
      for (auto& [col, value] : changes.items()) {
        std::size_t us = col.find('_');
        bool per_translation = (col.rfind("title_", 0) == 0 || col.rfind("subtitle_", 0) == 0);
        if (!per_translation) {
          record[col] = value;
          continue;
        }
        std::string lang = col.substr(us + 1);
        if (!record["translations"].contains(lang))
          return Status(Code::kInvalidArgument, file + ":" + std::to_string(row.line) + ": " + col +
                                                    ": article '" + id + "' has no " + lang +
                                                    " translation");
        record["translations"][lang][col.substr(0, us)] = value;
      }
    }
    out.lines += record.dump() + "\n";
    out.line_of.push_back(row.line);
  }
  return out;
}

}  // namespace

Result<std::vector<ConvertedInput>> convert_spreadsheets(Archive& archive,
                                                         const std::vector<std::string>& files) {
  auto snap = archive.snapshot();
  if (!snap) return snap.status();
  std::vector<ConvertedInput> out;
  for (const auto& f : files) {
    auto sheet = convert_sheet(*snap, f);
    if (!sheet) return sheet.status();
    out.push_back(std::move(*sheet));
  }
  return out;
}

}  // namespace defter::archive
