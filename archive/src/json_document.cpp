#include "json_document.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include <nlohmann/json.hpp>

#include "defter/schema/json_text.hpp"

namespace defter::archive::import_parts {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::size_t skip_space(std::string_view s, std::size_t i) {
  while (i < s.size() && is_space(s[i])) ++i;
  return i;
}

// After a UTF-8 byte order mark, which editors on some systems write.
std::size_t content_start(std::string_view s) {
  std::size_t i = s.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;
  return skip_space(s, i);
}

// Checks the syntax without building the value (nlohmann's SAX parser keeps
// its own stack, so depth costs no recursion), and remembers where it failed.
class SyntaxCheck : public nlohmann::json_sax<nlohmann::json> {
 public:
  std::size_t error_at = 0;
  std::string error;

  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return deeper(); }
  bool key(string_t&) override { return true; }
  bool end_object() override { return shallower(); }
  bool start_array(std::size_t) override { return deeper(); }
  bool end_array() override { return shallower(); }
  bool parse_error(std::size_t position, const std::string& last_token, const nlohmann::detail::exception& e) override {
    // nlohmann counts the bytes read, to the end of the token it stopped
    // at: where that token starts is where a person looks.
    error_at = position >= last_token.size() ? position - last_token.size() + 1 : position;
    std::string what = e.what();
    auto dash = what.find(" - ");
    error = dash == std::string::npos ? what : what.substr(dash + 3);
    return false;
  }

 private:
  bool deeper() {
    // The array holding the records is one level more than a record may use.
    if (++depth_ <= schema::kMaxJsonDepth + 1) return true;
    error = "nested deeper than " + std::to_string(schema::kMaxJsonDepth) + " levels";
    return false;
  }
  bool shallower() {
    --depth_;
    return true;
  }
  std::size_t depth_ = 0;
};

}  // namespace

Shape shape_of(std::string_view head, bool whole) {
  std::size_t i = content_start(head);
  if (i >= head.size()) return Shape::kLines;
  if (head[i] == '[') return Shape::kArray;
  if (head[i] != '{') return Shape::kLines;
  // A first line that is a whole value: JSON Lines. One that is not, in a
  // head that may not hold the whole first line: undecided, read as JSON Lines.
  std::size_t nl = head.find('\n', i);
  if (nl == std::string_view::npos && !whole) return Shape::kLines;
  std::string_view first = head.substr(i, nl == std::string_view::npos ? std::string_view::npos : nl - i);
  return nlohmann::json::accept(first) ? Shape::kLines : Shape::kMaybeRecord;
}

DocumentLines document_lines(std::string_view doc) {
  DocumentLines out;
  auto line_at = [&](std::size_t pos) {
    return static_cast<std::uint64_t>(std::count(doc.begin(), doc.begin() + static_cast<std::ptrdiff_t>(std::min(pos, doc.size())), '\n')) + 1;
  };
  std::size_t start = content_start(doc);
  SyntaxCheck check;
  nlohmann::json::sax_parse(doc.substr(start), &check, nlohmann::json::input_format_t::json, true);
  if (!check.error.empty()) {
    // nlohmann counts the byte it failed on from 1, from `start`.
    auto at = schema::position_of(doc, start + std::max<std::size_t>(check.error_at, 1));
    out.problem_line = at.line;
    out.problem = "not a JSON document (invalid JSON at line " + std::to_string(at.line) + ", column " +
                  std::to_string(at.column) + ": " + check.error +
                  "); a file of records is JSON Lines (one record per line) or one JSON document "
                  "(a record, or an array of records)";
    return out;
  }
  // Each record's text on one line: a line break between a value's tokens
  // is whitespace, and JSON strings cannot hold one raw.
  auto add = [&](std::size_t from, std::size_t to) {
    while (to > from && is_space(doc[to - 1])) --to;
    std::string record(doc.substr(from, to - from));
    std::replace_if(record.begin(), record.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
    out.text += record;
    out.text += '\n';
    out.lines.push_back(line_at(from));
  };
  if (doc[start] != '[') {
    add(start, doc.size());
    return out;
  }
  // The elements of a well-formed array: split at its top-level commas.
  std::size_t i = skip_space(doc, start + 1), element = i;
  int depth = 0;
  bool in_string = false;
  for (; i < doc.size(); ++i) {
    char c = doc[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if ((c == '}' || c == ']') && depth > 0) {
      --depth;
    } else if (depth == 0 && (c == ',' || c == ']')) {
      if (i > element) add(element, i);
      if (c == ']') break;
      element = skip_space(doc, i + 1);
    }
  }
  return out;
}

namespace {

bool read_at(int fd, std::string& buf) {
  std::size_t got = 0;
  while (got < buf.size()) {
    ssize_t n = ::pread(fd, buf.data() + got, buf.size() - got, static_cast<off_t>(got));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n == 0) errno = EIO;  // shorter than it said: changed while read
      return false;
    }
    got += static_cast<std::size_t>(n);
  }
  return true;
}

// `text` as a document; `must`: it cannot be anything else (an array), so a
// broken one is reported rather than read as JSON Lines.
std::optional<DocumentLines> as_document(std::string_view text, bool must) {
  auto doc = document_lines(text);
  if (!doc.problem.empty() && !must) return std::nullopt;
  return doc;
}

}  // namespace

std::optional<DocumentLines> document_of_text(std::string_view text) {
  auto shape = shape_of(text, true);
  if (shape == Shape::kLines) return std::nullopt;
  return as_document(text, shape == Shape::kArray);
}

std::optional<std::optional<DocumentLines>> document_of_file(int fd, std::uint64_t size) {
  constexpr std::uint64_t kHead = std::uint64_t{1} << 20;
  std::string head(static_cast<std::size_t>(std::min(size, kHead)), '\0');
  if (!read_at(fd, head)) return std::nullopt;
  auto shape = shape_of(head, head.size() == size);
  if (shape == Shape::kLines) return std::optional<DocumentLines>();
  if (size > kMaxDocumentBytes) {
    if (shape == Shape::kMaybeRecord) return std::optional<DocumentLines>();
    DocumentLines big;
    big.problem = "a JSON document of " + std::to_string(size >> 20) + " MiB is over the " +
                  std::to_string(kMaxDocumentBytes >> 20) +
                  " MiB one may hold: write it as JSON Lines (one record per line), which have no limit";
    big.problem_line = 1;
    return std::optional<DocumentLines>(std::move(big));
  }
  std::string whole;
  if (head.size() == size) {
    whole = std::move(head);  // read already
  } else {
    whole.assign(static_cast<std::size_t>(size), '\0');
    if (!read_at(fd, whole)) return std::nullopt;
  }
  return std::optional<DocumentLines>(as_document(whole, shape == Shape::kArray));
}

}  // namespace defter::archive::import_parts
