#include "fuzz_support.hpp"

#include <unistd.h>

#include "defter/archive/importer.hpp"

#ifndef DEFTER_SOURCE_DIR
#error "DEFTER_SOURCE_DIR must name the source tree (for tools/sample)"
#endif

namespace defter::fuzz {
namespace {

struct Quiet : archive::ImportListener {};

std::filesystem::path make_dir() {
  std::filesystem::path base = std::filesystem::exists("/dev/shm") ? "/dev/shm" : std::filesystem::temp_directory_path();
  std::string pattern = (base / "defter-fuzz-XXXXXX").string();
  if (!mkdtemp(pattern.data())) broken("cannot make a directory under " + base.string());
  return pattern;
}

}  // namespace

Sample::Sample() : dir(make_dir()) {
  archive::Options o;
  o.dir = dir / "archive";
  auto opened = archive::Archive::open(o);
  if (!opened) broken("open the archive: " + opened.status().to_string());
  archive = std::move(*opened);
  std::vector<std::string> files;
  for (const char* f : {"10-authors.jsonl", "20-articles.jsonl", "30-translations.jsonl", "40-manual-page.jsonl"})
    files.push_back((std::filesystem::path(DEFTER_SOURCE_DIR) / "tools" / "sample" / f).string());
  Quiet quiet;
  auto imported = archive::import_jsonl(*archive, files, {}, quiet);
  if (!imported) broken("import the sample: " + imported.status().to_string());
  index.dir = dir / "index";
  auto writer = indexer::IndexWriter::open(index);
  if (!writer) broken("open the index: " + writer.status().to_string());
  auto drained = (*writer)->drain(*archive);
  if (!drained) broken("index the sample: " + drained.status().to_string());
}

Sample& Sample::get() {
  static Sample* sample = [] {
    auto* s = new Sample();
    static std::filesystem::path remove = s->dir;
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(remove, ec);
    });
    return s;
  }();
  return *sample;
}

}  // namespace defter::fuzz
