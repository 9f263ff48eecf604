// defter backup and restore.
#include "commands.hpp"
#include "cli_util.hpp"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include <fmt/core.h>

#include "defter/archive/archive.hpp"
#include "defter/indexer/data_dir.hpp"

namespace defter::cli {

int run_backup(const std::string& data_dir, const std::string& dest) {
  auto archive = open_archive(data_dir, true);
  if (!archive) return fail(archive.status());
  auto start = Clock::now();
  auto copy = indexer::DataDir(data_dir).backup_to(dest, **archive);
  if (!copy) return fail(copy.status());
  std::cout << fmt::format("backed up to {}: archive at change #{}, index copied at #{} and brought to #{}; verify clean "
                           "({:.2f} s)\n",
                           dest, copy->report.archive_seq, copy->index_copied_at, copy->report.index_seq,
                           std::chrono::duration<double>(Clock::now() - start).count());
  return kExitOk;
}

int run_restore(const std::string& data_dir, const std::string& backup) {
  auto start = Clock::now();
  auto report = indexer::DataDir(data_dir).restore_from(backup);
  if (!report) return fail(report.status());
  std::cout << fmt::format("restored {} into {}: archive at change #{}, index at #{}; verify clean ({:.2f} s)\n", backup,
                           data_dir, report->archive_seq, report->index_seq,
                           std::chrono::duration<double>(Clock::now() - start).count());
  return kExitOk;
}

}  // namespace defter::cli
