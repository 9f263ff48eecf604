// Status and Result<T>: how every defter library reports a failure that is the
// environment's or the input's fault. Programmer errors are assertions instead.
//
// A Status is cheap to copy when ok. Its message says what went wrong, where
// (file:line, field, parameter) and, when it helps, what to do about it.
#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace defter {

enum class Code {
  kOk = 0,
  kNotFound,         // a record, file or key that does not exist
  kInvalidArgument,  // the caller's input is wrong (bad record, bad option)
  kConflict,         // the input contradicts what is stored (unknown reference)
  kCorruption,       // stored data cannot be decoded
  kIOError,          // the operating system refused a read or write
  kLocked,           // another process holds a lock we need
  kStorageFull,      // the disk (or a size limit) is full
  kReadOnly,         // the data directory cannot be written
  kUnsupported,      // data of a newer format, a feature not built in
  kTimeout,          // the work took longer than its time budget (nothing was changed)
};

std::string_view code_name(Code code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status ok_status() { return {}; }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  // "Code: message", for logs and command-line output.
  std::string to_string() const;

  // Returns a copy whose message is prefixed with `context: `.
  Status with_context(std::string_view context) const;

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

// A value or the Status that explains why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) { assert(!std::get<Status>(v_).ok()); }  // NOLINT

  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }

  // REQUIRES: ok()
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }

  // REQUIRES: !ok()
  const Status& status() const { return std::get<Status>(v_); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace defter
