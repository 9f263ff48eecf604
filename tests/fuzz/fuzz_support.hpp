// What the fuzz targets share: the sample archive imported and indexed once
// per process, and a way to fail an invariant loudly (libFuzzer keeps the
// input that made it as a crash).
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "defter/archive/archive.hpp"
#include "defter/indexer/index.hpp"

namespace defter::fuzz {

// Fails the run: prints what broke and aborts, so that libFuzzer saves the input.
[[noreturn]] inline void broken(const std::string& what) {
  std::fprintf(stderr, "invariant broken: %s\n", what.c_str());
  std::abort();
}

// The sample archive (tools/sample) imported and indexed in a directory
// of its own, under /dev/shm when there is one (an API write's fsync is
// then cheap), removed at exit.
struct Sample {
  std::filesystem::path dir;
  std::unique_ptr<archive::Archive> archive;
  indexer::IndexOptions index;

  // The process's one sample (LMDB allows one environment per process).
  static Sample& get();

 private:
  Sample();
};

// `data` as a string.
inline std::string text_of(const std::uint8_t* data, std::size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}

}  // namespace defter::fuzz
