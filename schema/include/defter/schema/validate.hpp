// Validation of incoming records against the JSON Schemas in schema/json/,
// which are compiled into the library and are the single source of truth for
// the wire format; plus the checks a schema cannot express (real calendar
// dates, language, script, region and country codes from iso-codes).
// References between records (an article's authors, a translation's article)
// need the archive and are checked by the importer.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "defter/schema/records.hpp"

namespace defter::schema {

// One problem with a record: the field (a path such as
// "translations.en.footnotes[2].accessed", or "" for the whole line) and why.
struct FieldError {
  std::string field;
  std::string reason;
  bool operator==(const FieldError&) const = default;
};

struct LineResult {
  std::optional<Record> record;      // set exactly when errors is empty
  std::vector<FieldError> errors;    // why the line is rejected
  std::vector<FieldError> warnings;  // accepted anyway (unknown fields are dropped)
  std::string type;                  // the line's "type", when it could be read
  std::string id;                    // the record's id ("article/lang" for a translation), when readable
};

// The schema documents, by file name ("common.json", "author.json", ...).
// The returned views live as long as the program.
std::vector<std::string_view> schema_names();
std::string_view schema_text(std::string_view name);

// Validates records. Construction parses the embedded schemas once.
// Thread safety: not thread-safe (the schema validator caches compiled
// regular expressions); use one instance per thread.
class RecordValidator {
 public:
  RecordValidator();
  ~RecordValidator();
  RecordValidator(const RecordValidator&) = delete;
  RecordValidator& operator=(const RecordValidator&) = delete;

  // Parses one JSON Lines line (UTF-8) and checks it fully.
  LineResult parse_line(std::string_view line);
  // Checks an already parsed value fully.
  LineResult check(const nlohmann::json& value);
  // Only the JSON Schema verdict for an import line, without the semantic
  // checks: what a second, independent JSON Schema validator must agree with.
  std::vector<FieldError> check_schema(const nlohmann::json& value);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A calendar check of a date the schema's pattern admitted: "2023-02-29" is not
// a date, "2024-02-29" is. Partial dates ("2023", "2023-05") are real dates.
bool is_real_date(std::string_view date);
// A BCP 47 tag (already in the schema's shape) whose language, script and
// region subtags all exist in ISO 639, ISO 15924 and ISO 3166-1.
bool is_known_language_tag(std::string_view tag);

}  // namespace defter::schema
