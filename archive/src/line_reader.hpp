// Reading an import file's lines with bounded memory (internal to archive/).
#pragma once

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace defter::archive::import_parts {

inline constexpr std::size_t kChunk = std::size_t{1} << 20;

// Reads lines from a file descriptor, or from text in memory, without ever
// holding more than max_line bytes of one line: a longer line is skipped
// and reported.
class LineReader {
 public:
  LineReader(int fd, std::size_t max_line) : fd_(fd), max_line_(max_line) {}
  // From `text`, which must outlive the reader.
  LineReader(std::string_view text, std::size_t max_line) : max_line_(max_line), text_(text), in_memory_(true) {}

  struct Line {
    std::string_view text;      // valid until the next call
    std::uint64_t offset = 0;   // of the line's first byte in the input
    std::uint64_t too_long = 0;  // when skipped: its length, and text is empty
  };

  // Returns false at the end of input; a read error is kept in error().
  bool next(Line& line) {
    for (;;) {
      auto nl = buf_.find('\n', scan_);
      if (nl != std::string::npos) {
        line.offset = base_ + pos_;
        if (skipping_) {
          line.too_long = skipped_ + (nl - pos_);
          line.text = {};
          skipping_ = false;
        } else {
          line.too_long = 0;
          line.text = std::string_view(buf_).substr(pos_, nl - pos_);
        }
        pos_ = scan_ = nl + 1;
        return true;
      }
      if (buf_.size() - pos_ > max_line_ || skipping_) {  // drop what we have of an over-long line
        if (!skipping_) {
          skipping_ = true;
          skip_offset_ = base_ + pos_;
          skipped_ = 0;
        }
        skipped_ += buf_.size() - pos_;
        pos_ = scan_ = buf_.size();
      }
      if (eof_) {
        if (skipping_) {
          line.offset = skip_offset_;
          line.too_long = skipped_;
          line.text = {};
          skipping_ = false;
          return true;
        }
        if (pos_ == buf_.size()) return false;
        line.offset = base_ + pos_;
        line.too_long = 0;
        line.text = std::string_view(buf_).substr(pos_);
        pos_ = scan_ = buf_.size();
        return true;
      }
      // Compact, then read more.
      base_ += pos_;
      buf_.erase(0, pos_);
      scan_ -= pos_;
      pos_ = 0;
      scan_ = buf_.size();
      std::size_t old = buf_.size();
      buf_.resize(old + kChunk);
      ssize_t n;
      if (in_memory_) {
        n = static_cast<ssize_t>(std::min(kChunk, text_.size() - text_at_));
        std::memcpy(buf_.data() + old, text_.data() + text_at_, static_cast<std::size_t>(n));
        text_at_ += static_cast<std::size_t>(n);
      } else {
        do n = ::read(fd_, buf_.data() + old, kChunk);
        while (n < 0 && errno == EINTR);
      }
      if (n < 0) {
        error_ = errno;
        n = 0;
      }
      buf_.resize(old + static_cast<std::size_t>(n));
      bytes_ += static_cast<std::uint64_t>(n);
      if (n == 0) eof_ = true;
    }
  }

  int error() const { return error_; }
  std::uint64_t bytes() const { return bytes_; }

 private:
  int fd_ = -1;
  std::size_t max_line_;
  std::string_view text_;  // in_memory_: the input, read from text_at_
  std::size_t text_at_ = 0;
  bool in_memory_ = false;
  std::string buf_;
  std::size_t pos_ = 0, scan_ = 0;
  std::uint64_t base_ = 0, bytes_ = 0;
  bool eof_ = false, skipping_ = false;
  std::uint64_t skipped_ = 0, skip_offset_ = 0;
  int error_ = 0;
};

}  // namespace defter::archive::import_parts
