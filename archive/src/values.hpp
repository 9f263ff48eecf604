// The forms of a record's value in the archive (archive.hpp's layout): its
// canonical CBOR, compressed or not, and sealed with a checksum over the
// database, the key and the value. Internal to archive/.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "defter/schema/status.hpp"

namespace defter::archive::detail {

using json = nlohmann::json;

constexpr std::size_t kCompressAbove = 256;  // bytes of CBOR; below this compression rarely pays
// Larger values are not worth compressing (a record is at most a few MiB).
constexpr std::size_t kMaxCompressed = std::size_t{1} << 30;

// The canonical CBOR of a record, and its stored form.
std::string to_cbor(const json& j);

// LZ4 (tag 'l', then the CBOR's size as 4 bytes little-endian, then the LZ4
// block): it decompresses about four times as fast as zstd at level 1 on
// the archive's text, which is what serving an article costs most, for
// somewhat larger values. Values written with zstd (tag 'z') still read.
// The block is made by LZ4's high-compression coder at kLz4Level: 13%
// smaller than its fast coder's on the archive's text and as fast to
// decompress, for about a fifth of its speed (110 MB/s a thread), which an
// import's parse threads absorb. Blocks of either coder read alike.
constexpr int kLz4Level = 3;
std::string stored_form(const std::string& cbor);

// A record's value as stored: kSealTag, 8 bytes (little-endian) of XXH3
// over the database, the key and the rest, then the value's form above.
// Bits flipped anywhere in it, or a value under a key not its own, fail the
// check on read: the record is reported damaged, never decoded.
constexpr char kSealTag = 'k';
constexpr std::size_t kSealBytes = 9;

// The seal's checksum of `inner` stored under `key` in database `db`.
std::uint64_t seal_hash(int db, std::string_view key, std::string_view inner);
// `inner` sealed.
std::string seal(int db, std::string_view key, std::string_view inner);

// The frame of a stored value's CBOR: `size` bytes once decompressed, or
// the CBOR itself when stored uncompressed.
struct StoredFrame {
  char tag;  // 'c', 'l' or 'z'
  std::string_view body;
  std::size_t size;
};

// The frame of a stored (unsealed) value; kCorruption when it is not one.
Result<StoredFrame> frame_of(std::string_view stored);
// Decompresses a compressed frame into `out` (f.size bytes).
Status decompress(const StoredFrame& f, char* out);
// The CBOR inside a stored value.
Result<std::string> cbor_of(std::string_view stored);

// The CBOR inside stored values, each valid until the next call: the stored
// bytes themselves when not compressed (no copy), else decompressed into a
// buffer that keeps its memory from call to call.
class CborScratch {
 public:
  Result<std::string_view> view(std::string_view stored) {
    auto f = frame_of(stored);
    if (!f) return f.status();
    if (f->tag == 'c') return f->body;
    if (f->size > capacity_) {
      capacity_ = std::max(f->size, 2 * capacity_);
      buffer_ = std::make_unique_for_overwrite<char[]>(capacity_);
    }
    if (auto s = decompress(*f, buffer_.get()); !s.ok()) return s;
    return std::string_view(buffer_.get(), f->size);
  }

 private:
  std::unique_ptr<char[]> buffer_;
  std::size_t capacity_ = 0;
};

// A record decoded from its stored (unsealed) value; kCorruption naming `what`.
template <typename T>
Result<T> decode(std::string_view stored, std::string_view what) {
  auto cbor = cbor_of(stored);
  if (!cbor) return cbor.status().with_context(what);
  try {
    return json::from_cbor(*cbor).get<T>();
  } catch (const json::exception& e) {
    return Status(Code::kCorruption, std::string(what) + ": " + e.what());
  }
}

}  // namespace defter::archive::detail
