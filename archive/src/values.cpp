#include "values.hpp"

#include <lz4.h>
#include <lz4hc.h>
#include <xxhash.h>
#include <zstd.h>

#include <memory>
#include <new>

namespace defter::archive::detail {

std::string to_cbor(const json& j) {
  std::string out;
  json::to_cbor(j, out);
  return out;
}

namespace {

// A thread's LZ4HC state (256 KiB, too large to make for every record),
// reset for each value: values are compressed independently.
LZ4_streamHC_t* hc_stream() {
  thread_local std::unique_ptr<LZ4_streamHC_t, decltype(&LZ4_freeStreamHC)> stream(LZ4_createStreamHC(), LZ4_freeStreamHC);
  if (!stream) throw std::bad_alloc();
  LZ4_resetStreamHC_fast(stream.get(), kLz4Level);
  return stream.get();
}

}  // namespace

std::string stored_form(const std::string& cbor) {
  if (cbor.size() > kCompressAbove && cbor.size() < kMaxCompressed) {
    int bound = LZ4_compressBound(static_cast<int>(cbor.size()));
    std::string out(5 + static_cast<std::size_t>(bound), '\0');
    out[0] = 'l';
    auto size = static_cast<std::uint32_t>(cbor.size());
    for (int i = 0; i < 4; ++i) out[1 + i] = static_cast<char>(size >> (8 * i) & 0xff);
    int n = LZ4_compress_HC_continue(hc_stream(), cbor.data(), out.data() + 5, static_cast<int>(cbor.size()), bound);
    if (n > 0 && static_cast<std::size_t>(n) + 5 < cbor.size() + 1) {
      out.resize(5 + static_cast<std::size_t>(n));
      return out;
    }
  }
  return 'c' + cbor;
}

std::uint64_t seal_hash(int db, std::string_view key, std::string_view inner) {
  XXH64_hash_t seed = XXH3_64bits_withSeed(key.data(), key.size(), static_cast<XXH64_hash_t>(db));
  return XXH3_64bits_withSeed(inner.data(), inner.size(), seed);
}

std::string seal(int db, std::string_view key, std::string_view inner) {
  std::string out;
  out.reserve(kSealBytes + inner.size());
  out += kSealTag;
  std::uint64_t h = seal_hash(db, key, inner);
  for (int i = 0; i < 8; ++i) out += static_cast<char>(h >> (8 * i) & 0xff);
  out += inner;
  return out;
}

Result<StoredFrame> frame_of(std::string_view stored) {
  if (stored.empty()) return Status(Code::kCorruption, "empty stored value");
  std::string_view body = stored.substr(1);
  switch (stored[0]) {
    case 'c': return StoredFrame{'c', body, body.size()};
    case 'l': {
      if (body.size() < 4) return Status(Code::kCorruption, "bad lz4 block");
      std::uint32_t size = 0;
      for (int i = 3; i >= 0; --i) size = size << 8 | static_cast<unsigned char>(body[static_cast<std::size_t>(i)]);
      if (size >= kMaxCompressed) return Status(Code::kCorruption, "bad lz4 block");
      return StoredFrame{'l', body.substr(4), size};
    }
    case 'z': {
      unsigned long long size = ZSTD_getFrameContentSize(body.data(), body.size());
      if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN || size >= kMaxCompressed)
        return Status(Code::kCorruption, "bad zstd frame");
      return StoredFrame{'z', body, static_cast<std::size_t>(size)};
    }
    default: return Status(Code::kCorruption, "unknown value tag");
  }
}

Status decompress(const StoredFrame& f, char* out) {
  if (f.tag == 'l') {
    int n = LZ4_decompress_safe(f.body.data(), out, static_cast<int>(f.body.size()), static_cast<int>(f.size));
    if (n < 0 || static_cast<std::size_t>(n) != f.size) return Status(Code::kCorruption, "lz4 block does not decompress");
    return {};
  }
  thread_local std::unique_ptr<ZSTD_DCtx, decltype(&ZSTD_freeDCtx)> ctx(ZSTD_createDCtx(), ZSTD_freeDCtx);
  std::size_t n = ZSTD_decompressDCtx(ctx.get(), out, f.size, f.body.data(), f.body.size());
  if (ZSTD_isError(n) || n != f.size) return Status(Code::kCorruption, "zstd frame does not decompress");
  return {};
}

Result<std::string> cbor_of(std::string_view stored) {
  auto f = frame_of(stored);
  if (!f) return f.status();
  if (f->tag == 'c') return std::string(f->body);
  std::string out(f->size, '\0');
  if (auto s = decompress(*f, out.data()); !s.ok()) return s;
  return out;
}

}  // namespace defter::archive::detail
