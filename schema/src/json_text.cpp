#include "defter/schema/json_text.hpp"

#include "defter/schema/text.hpp"

#include <algorithm>

#include <cstring>

namespace defter::schema {
namespace {

using json = nlohmann::json;

// Builds the value from nlohmann's SAX events (its parser is iterative), so
// that the depth is checked before anything deeper is made.
class Builder : public nlohmann::json_sax<json> {
 public:
  Builder(json& root, std::size_t max_depth, std::vector<std::string>* duplicates)
      : root_(root), max_depth_(max_depth), duplicates_(duplicates) {}

  bool null() override { return put(json(nullptr)); }
  bool boolean(bool v) override { return put(json(v)); }
  bool number_integer(number_integer_t v) override { return put(json(v)); }
  bool number_unsigned(number_unsigned_t v) override { return put(json(v)); }
  bool number_float(number_float_t v, const string_t&) override { return put(json(v)); }
  bool string(string_t& v) override { return put(json(std::move(v))); }
  bool binary(binary_t& v) override { return put(json::binary(std::move(v))); }

  bool start_object(std::size_t) override { return open(json::object()); }
  bool start_array(std::size_t) override { return open(json::array()); }
  bool end_object() override { return close(); }
  bool end_array() override { return close(); }

  bool key(string_t& k) override {
    Frame& f = stack_.back();
    if (f.value->contains(k) && duplicates_) duplicates_->push_back(path() + (path().empty() ? "" : ".") + k);
    f.key = std::move(k);
    return true;
  }

  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& e) override {
    error_position_ = position;
    error_ = e.what();
    return false;
  }

  bool too_deep() const { return too_deep_; }
  std::size_t error_position() const { return error_position_; }
  const std::string& error() const { return error_; }

 private:
  struct Frame {
    json* value;
    std::string key;  // objects: the key whose value comes next
  };

  // Where the next value goes; nullptr for the root.
  json* slot() {
    if (stack_.empty()) return &root_;
    Frame& f = stack_.back();
    if (f.value->is_array()) {
      f.value->push_back(nullptr);
      return &f.value->back();
    }
    return &(*f.value)[f.key];
  }

  bool put(json&& v) {
    *slot() = std::move(v);
    return true;
  }

  bool open(json&& container) {
    if (stack_.size() >= max_depth_) {
      too_deep_ = true;
      return false;
    }
    json* at = slot();
    *at = std::move(container);
    stack_.push_back({at, {}});
    return true;
  }

  bool close() {
    stack_.pop_back();
    return true;
  }

  // The path of the container being built ("translations.en.footnotes[2]").
  std::string path() const {
    std::string out;
    for (std::size_t i = 0; i + 1 < stack_.size(); ++i) {
      const Frame& f = stack_[i];
      if (f.value->is_array()) out += "[" + std::to_string(f.value->size() - 1) + "]";
      else out += (out.empty() ? "" : ".") + f.key;
    }
    return out;
  }

  json& root_;
  std::size_t max_depth_;
  std::vector<std::string>* duplicates_;
  std::vector<Frame> stack_;
  bool too_deep_ = false;
  std::size_t error_position_ = 0;
  std::string error_;
};

}  // namespace

TextPosition position_of(std::string_view text, std::size_t byte) {
  TextPosition p;
  std::size_t end = std::min(byte == 0 ? 0 : byte - 1, text.size());
  for (std::size_t i = 0; i < end; ++i) {
    if (text[i] == '\n') {
      ++p.line;
      p.column = 1;
    } else {
      ++p.column;
    }
  }
  return p;
}

Result<json> parse_json(std::string_view text, std::vector<std::string>* duplicate_keys, const JsonParseOptions& options) {
  auto where = [&](std::size_t byte) {
    if (options.error_byte) *options.error_byte = byte;
    if (!options.lines) return "byte " + std::to_string(byte);
    TextPosition p = position_of(text, byte);
    return "line " + std::to_string(p.line) + ", column " + std::to_string(p.column) + " (byte " + std::to_string(byte) + ")";
  };
  // nlohmann's lexer takes a NUL byte for the end of the input: what
  // follows one would be ignored.
  if (const void* nul = std::memchr(text.data(), '\0', text.size()))
    return Status(Code::kInvalidArgument,
                  "a NUL byte at " + where(static_cast<std::size_t>(static_cast<const char*>(nul) - text.data() + 1)));
  json root;
  Builder builder(root, options.max_depth, duplicate_keys);
  bool ok = json::sax_parse(text.begin(), text.end(), &builder, json::input_format_t::json, true);
  if (ok) return root;
  if (builder.too_deep())
    return Status(Code::kInvalidArgument, "JSON nested deeper than " + std::to_string(options.max_depth) + " levels");
  const std::string& what = builder.error();
  std::string at = where(builder.error_position());
  if (what.find("UTF-8") != std::string::npos) return Status(Code::kInvalidArgument, "invalid UTF-8 at " + at);
  auto dash = what.find(" - ");
  return Status(Code::kInvalidArgument, "invalid JSON at " + at + ": " + (dash == std::string::npos ? what : what.substr(dash + 3)));
}

namespace {

// Where the first byte at or after `i` that JSON escapes is (below 0x20,
// '"' or '\\'), or s.size() if none.
std::size_t next_special(std::string_view s, std::size_t i) {
  for (; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == '"' || c == '\\') return i;
  }
  return i;
}

}  // namespace

void append_json_string_utf8(std::string& out, std::string_view s) {
  static const char* hex = "0123456789abcdef";
  out += '"';
  std::size_t run = 0;
  for (std::size_t i = next_special(s, 0); i < s.size(); i = next_special(s, run)) {
    auto c = static_cast<unsigned char>(s[i]);
    out.append(s, run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        out += "\\u00";
        out += hex[c >> 4];
        out += hex[c & 0xF];
    }
  }
  out.append(s, run, std::string_view::npos);
  out += '"';
}

void append_json_string(std::string& out, std::string_view text) {
  if (valid_utf8(text)) return append_json_string_utf8(out, text);
  out += json(std::string(text)).dump(-1, ' ', false, json::error_handler_t::replace);
}

void append_json_number(std::string& out, double value) { out += json(value).dump(); }

}  // namespace defter::schema
