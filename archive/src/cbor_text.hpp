// Reading the archive's CBOR in place: a translation's body without
// decoding the rest, and a record written straight out as the JSON text
// nlohmann::json::dump() would give (serving an article decodes nothing).
// Internal to archive/.
#pragma once

#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "defter/schema/json_text.hpp"

namespace defter::archive::detail {

// The top-level "body" text of a CBOR record (a map), read in place: the
// record's other fields are skipped by their lengths, never decoded.
// nullopt when the record is not as nlohmann::json writes it (definite
// lengths only) or has no such text: the caller then decodes it whole.
class CborBody {
 public:
  explicit CborBody(std::string_view cbor)
      : p_(reinterpret_cast<const std::uint8_t*>(cbor.data())), end_(p_ + cbor.size()) {}

  std::optional<std::string> find() {
    int major;
    std::uint64_t n;
    if (!head(major, n) || major != 5) return std::nullopt;
    for (std::uint64_t i = 0; i < n; ++i) {
      int key_major;
      std::uint64_t key_size;
      if (!head(key_major, key_size) || key_major != 3 || key_size > left()) return std::nullopt;
      bool body = std::string_view(reinterpret_cast<const char*>(p_), key_size) == "body";
      p_ += key_size;
      if (!body) {
        if (!skip(0)) return std::nullopt;
        continue;
      }
      int value_major;
      std::uint64_t size;
      if (!head(value_major, size) || value_major != 3 || size > left()) return std::nullopt;
      return std::string(reinterpret_cast<const char*>(p_), size);
    }
    return std::nullopt;
  }

 private:
  std::uint64_t left() const { return static_cast<std::uint64_t>(end_ - p_); }

  // An item's major type and argument (a length, a count or a value).
  bool head(int& major, std::uint64_t& arg) {
    if (p_ >= end_) return false;
    major = *p_ >> 5;
    int info = *p_++ & 0x1f;
    if (info < 24) {
      arg = static_cast<std::uint64_t>(info);
      return true;
    }
    if (info > 27) return false;  // indefinite lengths, reserved
    std::size_t bytes = std::size_t{1} << (info - 24);
    if (bytes > left()) return false;
    arg = 0;
    for (std::size_t i = 0; i < bytes; ++i) arg = arg << 8 | *p_++;
    return true;
  }

  bool skip(int depth) {
    int major;
    std::uint64_t arg;
    if (depth > 64 || !head(major, arg)) return false;
    switch (major) {
      case 2:
      case 3:
        if (arg > left()) return false;
        p_ += arg;
        return true;
      case 4:
        for (std::uint64_t i = 0; i < arg; ++i)
          if (!skip(depth + 1)) return false;
        return true;
      case 5:
        for (std::uint64_t i = 0; i < arg; ++i)
          if (!skip(depth + 1) || !skip(depth + 1)) return false;
        return true;
      case 6: return skip(depth + 1);
      default: return true;  // integers, simple values, floats: the head was all
    }
  }

  const std::uint8_t* p_;
  const std::uint8_t* end_;
};


// CBOR as nlohmann::json writes it (definite lengths, no floats or byte
// strings in records) to JSON text as nlohmann::json::dump() writes it.
// False on anything else: the caller decodes the record instead.
class CborToJson {
 public:
  CborToJson(std::string_view cbor, std::string& out)
      : p_(reinterpret_cast<const std::uint8_t*>(cbor.data())), end_(p_ + cbor.size()), out_(out) {}

  bool value(int depth = 0) {
    int major;
    std::uint64_t arg;
    if (depth > 64 || !head(major, arg)) return false;
    switch (major) {
      case 0: out_ += std::to_string(arg); return true;
      case 1:
        if (arg > static_cast<std::uint64_t>(INT64_MAX)) return false;
        out_ += std::to_string(-1 - static_cast<std::int64_t>(arg));
        return true;
      case 3: return text(arg);
      case 4:
        out_ += '[';
        for (std::uint64_t i = 0; i < arg; ++i) {
          if (i) out_ += ',';
          if (!value(depth + 1)) return false;
        }
        out_ += ']';
        return true;
      case 5: return map(arg, depth, {}, nullptr);
      case 7:
        if (info_ == 20) return out_ += "false", true;
        if (info_ == 21) return out_ += "true", true;
        if (info_ == 22) return out_ += "null", true;
        return false;
      default: return false;
    }
  }

  // A map whose keys are text; `extra` writes the JSON of the value of one
  // more key, `extra_key`, where that key sorts among them (false: give up).
  bool top_map(std::string_view extra_key, const std::function<bool()>& extra) {
    int major;
    std::uint64_t arg;
    if (!head(major, arg) || major != 5) return false;
    return map(arg, 0, extra_key, &extra);
  }

  bool done() const { return p_ == end_; }

 private:
  bool map(std::uint64_t n, int depth, std::string_view extra_key, const std::function<bool()>* extra) {
    out_ += '{';
    bool first = true, placed = extra == nullptr;
    auto put_extra = [&] {
      if (!first) out_ += ',';
      first = false;
      escaped(extra_key);
      out_ += ':';
      placed = true;
      return (*extra)();
    };
    for (std::uint64_t i = 0; i < n; ++i) {
      int major;
      std::uint64_t size;
      if (!head(major, size) || major != 3 || size > left()) return false;
      std::string_view key(reinterpret_cast<const char*>(p_), size);
      if (!placed && key > extra_key && !put_extra()) return false;
      if (!placed && key == extra_key) return false;
      if (!first) out_ += ',';
      first = false;
      if (!text(size)) return false;
      out_ += ':';
      if (!value(depth + 1)) return false;
    }
    if (!placed && !put_extra()) return false;
    out_ += '}';
    return true;
  }

  std::uint64_t left() const { return static_cast<std::uint64_t>(end_ - p_); }

  bool head(int& major, std::uint64_t& arg) {
    if (p_ >= end_) return false;
    major = *p_ >> 5;
    info_ = *p_++ & 0x1f;
    if (info_ < 24) {
      arg = static_cast<std::uint64_t>(info_);
      return true;
    }
    if (info_ > 27 || major == 7) return false;  // indefinite lengths; floats
    std::size_t bytes = std::size_t{1} << (info_ - 24);
    if (bytes > left()) return false;
    arg = 0;
    for (std::size_t i = 0; i < bytes; ++i) arg = arg << 8 | *p_++;
    return true;
  }

  bool text(std::uint64_t size) {
    if (size > left()) return false;
    escaped(std::string_view(reinterpret_cast<const char*>(p_), size));
    p_ += size;
    return true;
  }

  // The archive's texts are validated UTF-8 when written.
  void escaped(std::string_view s) { schema::append_json_string_utf8(out_, s); }

  const std::uint8_t* p_;
  const std::uint8_t* end_;
  std::string& out_;
  int info_ = 0;
};

}  // namespace defter::archive::detail
