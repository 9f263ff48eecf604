// The index's directory: generations, the stub naming the live one, its format and last change; Xapian's errors as a Status.
#include "defter/indexer/index.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>
#include <xapian.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <set>

#include "defter/indexer/analysis.hpp"
#include "defter/indexer/index_schema.hpp"
#include "document.hpp"
#include "index_files.hpp"

namespace defter::indexer {
namespace fs = std::filesystem;

namespace {

// Whether the system error behind a Xapian error is one of `codes`: Xapian
// 1.4 keeps only its text (get_error_string(), strerror of the errno).
bool system_error_is(const Xapian::Error& e, std::initializer_list<int> codes) {
  const char* text = e.get_error_string();
  if (!text) return false;
  for (int code : codes)
    if (std::strcmp(text, std::strerror(code)) == 0) return true;
  return false;
}

}  // namespace

// Xapian's exceptions never cross the module's API: they become a Status,
// by the exception's type and the system error behind it. Xapian 1.4's
// errors have no virtual functions, so the type is found by rethrowing the
// exception being handled: called only inside a catch of `e`.
Status from_xapian(const Xapian::Error& e, const std::string& what) {
  std::string msg = what + ": " + e.get_description();
  const Status read_only{Code::kReadOnly, msg + " (the index is not writable by this user; check the permissions of its directory)"};
  const Status damaged{Code::kCorruption, msg + " (the index is damaged: run defter reindex to rebuild it from the archive)"};
  try {
    throw;
  } catch (const Xapian::DatabaseLockError&) {
    // A lock error says why only in its text. "already locked" is another
    // writer; a lock that cannot be taken at all is this process's
    // problem, and nobody else will index.
    if (e.get_msg().find("already locked") != std::string::npos)
      return {Code::kLocked, what + ": another process is writing the index; it will index the archive's changes"};
    if (e.get_msg().find(std::strerror(EACCES)) != std::string::npos) return read_only;
    return {Code::kIOError, msg};
  } catch (const Xapian::Error&) {
    // Below: the other types.
  }
  if (system_error_is(e, {EACCES, EPERM, EROFS})) return read_only;
  if (system_error_is(e, {ENOSPC, EFBIG, EDQUOT})) return {Code::kStorageFull, msg + " (free some disk space, then run defter index)"};
  try {
    throw;
  } catch (const Xapian::DatabaseVersionError&) {
    return {Code::kUnsupported, msg};
  } catch (const Xapian::DatabaseCorruptError&) {
    return damaged;  // the archive holds everything the index is made of
  } catch (const Xapian::DatabaseOpeningError&) {
    return damaged;
  } catch (const Xapian::DatabaseModifiedError&) {
    return {Code::kIOError, msg};
  } catch (const Xapian::DatabaseCreateError&) {
    return {Code::kIOError, msg};
  } catch (const Xapian::DatabaseError&) {
    return damaged;
  } catch (const Xapian::Error&) {
    return {Code::kIOError, msg};
  }
}

Xapian::Database open_live(const fs::path& dir) {
  for (int attempt = 0;; ++attempt) {
    std::string before = current_generation(dir);
    try {
      return Xapian::Database((dir / kStub).string());
    } catch (const Xapian::DatabaseOpeningError&) {
      if (attempt >= 5 || current_generation(dir) == before) throw;  // not a switch: a real failure
    }
  }
}

std::string current_generation(const fs::path& dir) {
  // Read with open and read: a server asks before every search, and an
  // ifstream (its locale, its buffer) cost more than the two reopens that
  // follow. The file holds the backend's name, a space, the generation's
  // name and a newline, as write_current writes it.
  int fd = ::open((dir / kStub).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "";
  std::string text;
  char buf[256];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  // The second of its whitespace-separated words.
  const char* space = " \t\r\n";
  std::size_t backend = text.find_first_not_of(space);
  std::size_t gap = backend == std::string::npos ? backend : text.find_first_of(space, backend);
  std::size_t from = gap == std::string::npos ? gap : text.find_first_not_of(space, gap);
  if (from == std::string::npos) return "";
  return text.substr(from, text.find_first_of(space, from) - from);
}

std::string generation_name(int n) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "gen-%06d", n);
  return buf;
}

Status write_current(const fs::path& dir, const std::string& generation, bool only_if_absent) {
  // A name of this process's own: two processes may write a stub at once,
  // and neither may rename the other's.
  fs::path tmp = dir / (std::string(kStub) + ".tmp." + std::to_string(::getpid()));
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << "auto " << generation << "\n";
    out.flush();
    if (!out) return {Code::kIOError, "cannot write " + tmp.string()};
  }
  int fd = ::open(tmp.c_str(), O_RDONLY);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
  std::error_code ec;
  if (only_if_absent) {
    // link() does not replace: of two processes creating the index at
    // once, exactly one names the live generation.
    int rc = ::link(tmp.c_str(), (dir / kStub).c_str());
    int err = errno;
    fs::remove(tmp, ec);
    if (rc != 0 && err == EEXIST) return {Code::kConflict, "the index in " + dir.string() + " was created meanwhile"};
    if (rc != 0) return {Code::kIOError, "cannot create the index's stub in " + dir.string() + ": " + std::strerror(err)};
  } else {
    fs::rename(tmp, dir / kStub, ec);  // atomic: a reader sees the old stub or the new one
    if (ec) return {Code::kIOError, "cannot switch the index to " + generation + ": " + ec.message()};
  }
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return {};
}

int highest_generation(const fs::path& dir) {
  int n = 0;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    std::string name = e.path().filename().string();
    if (name.rfind("gen-", 0) == 0) n = std::max(n, std::atoi(name.c_str() + 4));
  }
  return n;
}

std::size_t shard_of(schema::RecordType type, const std::string& id, std::size_t n) {
  if (n <= 1) return 0;
  std::uint64_t h = 1469598103934665603ULL;
  auto mix = [&h](unsigned char c) {
    h ^= c;
    h *= 1099511628211ULL;
  };
  mix(type == schema::RecordType::kAuthor ? 'u' : 'a');
  for (unsigned char c : id) mix(c);
  return static_cast<std::size_t>(h % n);
}

Status for_each_shard(std::size_t n, std::size_t jobs, const std::function<Status(std::size_t)>& task) {
  std::vector<Status> failed(n);
  std::vector<std::exception_ptr> thrown(n);
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    for (std::size_t k; (k = next.fetch_add(1)) < n;) {
      try {
        failed[k] = task(k);
      } catch (...) {
        thrown[k] = std::current_exception();
      }
    }
  };
  std::vector<std::thread> threads;
  for (std::size_t t = 1; t < std::min(n, std::max<std::size_t>(1, jobs)); ++t) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();
  for (std::size_t k = 0; k < n; ++k) {
    if (thrown[k]) std::rethrow_exception(thrown[k]);
    if (!failed[k].ok()) return failed[k];
  }
  return {};
}

std::size_t jobs_of(std::size_t jobs) { return jobs ? jobs : std::max(1u, std::thread::hardware_concurrency()); }

Result<GenerationLock> GenerationLock::take(const fs::path& dir) {
  int fd = ::open((dir / kReindexLock).c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Status(Code::kIOError, "cannot open " + (dir / kReindexLock).string() + ": " + std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return Status(Code::kLocked, "another defter reindex or compact is running");
  }
  return GenerationLock(fd);
}

GenerationLock::~GenerationLock() {
  if (fd_ >= 0) ::close(fd_);
}

Status switch_to(const fs::path& dir, const std::string& generation) {
  if (auto s = write_current(dir, generation); !s.ok()) return s;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    std::string name = e.path().filename().string();
    if (name.rfind("gen-", 0) == 0 && name != generation) fs::remove_all(e.path(), ec);
  }
  return {};
}

std::uint64_t read_seq(const Xapian::Database& db) {
  std::string v = db.get_metadata(std::string(meta::kLastSeq));
  return v.empty() ? 0 : std::stoull(v);
}

Status check_format(const Xapian::Database& db, const fs::path& path) {
  std::string v = db.get_metadata(std::string(meta::kFormat));
  if (!v.empty() && std::atoi(v.c_str()) > kIndexFormat)
    return {Code::kUnsupported, "the index in " + path.string() + " has format " + v + ", newer than this defter's " +
                                    std::to_string(kIndexFormat) + "; use a newer defter or run defter reindex"};
  return {};
}

}  // namespace defter::indexer
