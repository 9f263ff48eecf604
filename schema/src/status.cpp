#include "defter/schema/status.hpp"

namespace defter {

std::string_view code_name(Code code) {
  switch (code) {
    case Code::kOk: return "OK";
    case Code::kNotFound: return "NotFound";
    case Code::kInvalidArgument: return "InvalidArgument";
    case Code::kConflict: return "Conflict";
    case Code::kCorruption: return "Corruption";
    case Code::kIOError: return "IOError";
    case Code::kLocked: return "Locked";
    case Code::kStorageFull: return "StorageFull";
    case Code::kReadOnly: return "ReadOnly";
    case Code::kUnsupported: return "Unsupported";
    case Code::kTimeout: return "Timeout";
  }
  return "Unknown";
}

std::string Status::to_string() const {
  if (ok()) return "OK";
  return std::string(code_name(code_)) + ": " + message_;
}

Status Status::with_context(std::string_view context) const {
  if (ok()) return *this;
  return Status(code_, std::string(context) + ": " + message_);
}

}  // namespace defter
