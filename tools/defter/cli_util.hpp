// What the subcommands share (internal to tools/defter): the data
// directory's parts, output to a terminal or a pipe, errors.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "defter/archive/archive.hpp"
#include "defter/indexer/index.hpp"
#include "defter/indexer/search.hpp"

namespace defter::cli {

using Clock = std::chrono::steady_clock;

// Record text on a terminal: its control characters escaped.
std::string shown(std::string_view text);

// The data directory's parts (indexer/data_dir.hpp has its layout).
std::filesystem::path archive_dir(const std::string& data_dir);
indexer::IndexOptions index_options(const std::string& data_dir);
// The threads that write the index (--jobs of import, index, reindex; 0: one a core).
void set_index_jobs(std::size_t jobs);
Result<std::unique_ptr<archive::Archive>> open_archive(const std::string& data_dir, bool read_only);
// A searcher over the data directory; `archive` keeps the archive it reads.
Result<std::unique_ptr<indexer::Searcher>> open_searcher(const std::string& data_dir, std::unique_ptr<archive::Archive>& archive);

// Progress of indexing on a terminal (nothing in a pipe).
indexer::Progress index_progress();
// Brings the index up to date after a write. Another process holding the
// index (a server, another import) is not an error: it will index the
// changes (indexer::catch_up). Returns the exit code to add (0 or kExitStorage).
int index_after_write(const std::string& data_dir, archive::Archive& archive);

// The language of the terminal's locale (LC_ALL, LC_MESSAGES, then LANG:
// "tr_TR.UTF-8" -> "tr"); "" for C, POSIX or none.
std::string terminal_language();

// The status on stderr; its exit code.
int fail(const Status& status);
std::string human_bytes(double bytes);
// "1 record", "2 records": a count and its noun (the plural adds "s" unless given).
std::string counted(std::uint64_t n, std::string_view one, std::string_view many = {});
// JSON on standard output, C1 control characters escaped too.
void print_json(const nlohmann::json& j, bool compact);

}  // namespace defter::cli
