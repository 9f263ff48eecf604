// What every subcommand shares: the data directory's parts, output to a terminal or a pipe, errors and exit codes.
#include "commands.hpp"
#include "cli_util.hpp"

#include <cstdlib>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "defter/archive/archive.hpp"
#include "defter/indexer/data_dir.hpp"
#include "defter/indexer/index.hpp"
#include "defter/indexer/search.hpp"
#include "defter/schema/text.hpp"

namespace defter::cli {

std::string shown(std::string_view text) { return schema::printable(text); }

std::filesystem::path archive_dir(const std::string& data_dir) { return indexer::DataDir(data_dir).archive_dir(); }

namespace {
std::size_t index_jobs = 0;  // --jobs; 0: one a core
}  // namespace

void set_index_jobs(std::size_t jobs) { index_jobs = jobs; }

indexer::IndexOptions index_options(const std::string& data_dir) {
  auto o = indexer::DataDir(data_dir).index_options();
  o.jobs = index_jobs;
  return o;
}

// Progress of indexing on a terminal.
indexer::Progress index_progress() {
  if (!::isatty(2)) return {};
  auto last = std::make_shared<Clock::time_point>();
  return [last](std::uint64_t done, std::uint64_t total) {
    auto now = Clock::now();
    if (now - *last < std::chrono::milliseconds(200) && done < total) return;
    *last = now;
    std::cerr << fmt::format("\rindexing: {} of {} records   ", done, total) << std::flush;
  };
}

int index_after_write(const std::string& data_dir, archive::Archive& archive) {
  if (indexer::served(index_options(data_dir))) {
    std::cerr << "defter: a server (defter serve) indexes these changes\n";
    return kExitOk;
  }
  auto done = indexer::catch_up(archive, index_options(data_dir), index_progress());
  if (::isatty(2)) std::cerr << "\r\033[K";
  if (!done) {
    std::cerr << "defter: the archive is written, but indexing stopped: " << done.status().message()
              << "\ndefter: run defter index to complete it\n";
    return kExitStorage;
  }
  if (done->handed_over) std::cerr << "defter: another process is indexing; it indexes these changes too\n";
  return kExitOk;
}

Result<std::unique_ptr<archive::Archive>> open_archive(const std::string& data_dir, bool read_only) {
  return indexer::DataDir(data_dir).open_archive(read_only);
}

int fail(const Status& status) {
  std::cerr << "defter: " << schema::printable(status.message()) << "\n";
  return exit_code_for(status);
}

std::string human_bytes(double bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (bytes >= 1024 && u < 4) bytes /= 1024, ++u;
  return u == 0 ? fmt::format("{:.0f} {}", bytes, units[u]) : fmt::format("{:.1f} {}", bytes, units[u]);
}

// JSON on standard output: control characters escaped (nlohmann escapes
// C0 ones; C1 ones, which some terminals obey, are escaped here: in JSON
// they can only stand inside strings, where \u0080 means the same).
void print_json(const nlohmann::json& j, bool compact) {
  // A record reads from what it is: type and id (article, lang) first, the
  // rest in name order.
  std::string text;
  if (j.is_object() && j.contains("type")) {
    nlohmann::ordered_json ordered;
    for (const char* key : {"type", "id", "article", "lang"})
      if (j.contains(key)) ordered[key] = nlohmann::ordered_json::parse(j.at(key).dump());
    for (const auto& [key, value] : j.items())
      if (!ordered.contains(key)) ordered[key] = nlohmann::ordered_json::parse(value.dump());
    text = ordered.dump(compact ? -1 : 2, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  } else {
    text = j.dump(compact ? -1 : 2, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    auto next = i + 1 < text.size() ? static_cast<unsigned char>(text[i + 1]) : 0;
    if (c == 0xC2 && next >= 0x80 && next <= 0x9F) {
      out += fmt::format("\\u{:04x}", next);
      ++i;
    } else {
      out += text[i];
    }
  }
  std::cout << out << "\n";
}

Result<std::unique_ptr<indexer::Searcher>> open_searcher(const std::string& data_dir,
                                                         std::unique_ptr<archive::Archive>& archive) {
  auto opened = open_archive(data_dir, true);
  if (!opened) return opened.status();
  archive = std::move(*opened);
  return indexer::Searcher::open(index_options(data_dir), *archive);
}

int exit_code_for(const Status& status) {
  switch (status.code()) {
    case Code::kOk: return kExitOk;
    case Code::kNotFound: case Code::kConflict: return kExitRejected;
    case Code::kInvalidArgument: return kExitUsage;
    default: return kExitStorage;
  }
}

std::string terminal_language() {
  for (const char* name : {"LC_ALL", "LC_MESSAGES", "LANG"}) {
    const char* v = std::getenv(name);
    if (!v || !*v) continue;
    std::string locale(v);
    std::string lang = locale.substr(0, locale.find_first_of("_.@"));
    if (lang == "C" || lang == "POSIX" || lang.size() < 2 || lang.size() > 3) return "";
    for (char c : lang)
      if (c < 'a' || c > 'z') return "";
    return lang;
  }
  return "";
}

std::string counted(std::uint64_t n, std::string_view one, std::string_view many) {
  std::string out = std::to_string(n) + " ";
  if (n == 1) return out.append(one);
  if (!many.empty()) return out.append(many);
  return out.append(one).append("s");
}

}  // namespace defter::cli
