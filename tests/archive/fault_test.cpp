// Fault injection on the archive: a map far too small, a newer format on
// disk, a disk that fills up, a missing archive opened for reading.
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "defter/archive/archive.hpp"
#include "support.hpp"

using namespace defter;

namespace {
schema::Author big_author(int i) {
  schema::Author a;
  a.id = "au" + std::to_string(i);
  a.name = "Name";
  std::string bio;
  for (int w = 0; w < 3000; ++w) bio += "word" + std::to_string((w * 7919 + i) % 10007) + " ";
  a.bio["en"] = bio;
  return a;
}
}  // namespace

TEST_CASE("the map grows by itself from a tiny size", "[archive][fault]") {
  test::TempDir dir;
  archive::Options options;
  options.dir = dir.path() / "archive";
  options.initial_map_size = 64 * 1024;
  auto a = archive::Archive::open(options);
  REQUIRE(a.ok());
  for (int batch = 0; batch < 10; ++batch) {
    Status s = (*a)->write([&](archive::WriteBatch& b) -> Status {
      for (int i = 0; i < 50; ++i)
        if (auto r = b.put(big_author(batch * 50 + i)); !r.ok()) return r.status();
      return {};
    });
    INFO(s.to_string());
    REQUIRE(s.ok());
  }
  auto st = (*a)->snapshot()->stats();
  CHECK(st.authors == 500);
  CHECK(st.map_bytes > 64 * 1024);
  // A second handle on the same files adopts the grown map.
  auto again = archive::Archive::open(options);
  REQUIRE(again.ok());
  CHECK((*again)->snapshot()->author("au499").ok());
}

TEST_CASE("a reader opening a missing archive gets NotFound", "[archive][fault]") {
  test::TempDir dir;
  archive::Options options;
  options.dir = dir.path() / "nothing";
  options.read_only = true;
  auto a = archive::Archive::open(options);
  REQUIRE_FALSE(a.ok());
  CHECK(a.status().code() == Code::kNotFound);
  CHECK_THAT(a.status().message(), Catch::Contains("no archive in"));
}

TEST_CASE("an archive of a newer format is refused", "[archive][fault]") {
  test::TempDir dir;
  archive::Options options;
  options.dir = dir.path() / "archive";
  {
    auto a = archive::Archive::open(options);
    REQUIRE(a.ok());
  }
  // Write a newer format version with LMDB's own loader, as a newer defter
  // would have left it.
  test::RunOptions in;
  in.stdin_text = "format_version\n9\n";
  auto load = test::run({"/usr/bin/mdb_load", "-s", "meta", "-T", options.dir.string()}, in);
  INFO(load.err);
  REQUIRE(load.exit_code == 0);
  auto a = archive::Archive::open(options);
  REQUIRE_FALSE(a.ok());
  CHECK(a.status().code() == Code::kUnsupported);
  CHECK_THAT(a.status().message(), Catch::Contains("newer"));
}

TEST_CASE("a full disk is StorageFull, loses no committed batch, and the archive works again", "[archive][fault]") {
  test::TempDir dir;
  archive::Options options;
  options.dir = dir.path() / "archive";
  int committed_batches = 0;
  // In a child with a file-size limit: write batches until the disk "fills".
  int pipefd[2];
  REQUIRE(::pipe(pipefd) == 0);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::signal(SIGXFSZ, SIG_IGN);
    rlimit lim{2 << 20, 2 << 20};
    ::setrlimit(RLIMIT_FSIZE, &lim);
    auto a = archive::Archive::open(options);
    char code = 'E';
    int batches = 0;
    if (a.ok()) {
      for (int batch = 0; batch < 100; ++batch) {
        Status s = (*a)->write([&](archive::WriteBatch& b) -> Status {
          for (int i = 0; i < 10; ++i)
            if (auto r = b.put(big_author(batch * 10 + i)); !r.ok()) return r.status();
          return {};
        });
        if (!s.ok()) {
          code = s.code() == Code::kStorageFull ? 'F' : 'O';
          break;
        }
        ++batches;
      }
    }
    char msg[2] = {code, static_cast<char>(batches)};
    (void)!::write(pipefd[1], msg, 2);
    _exit(0);
  }
  ::close(pipefd[1]);
  char msg[2] = {0, 0};
  REQUIRE(::read(pipefd[0], msg, 2) == 2);
  ::close(pipefd[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  CHECK(msg[0] == 'F');
  committed_batches = msg[1];
  REQUIRE(committed_batches > 0);

  // Space is back: everything committed is there, nothing more, and writes work.
  auto a = archive::Archive::open(options);
  REQUIRE(a.ok());
  auto st = (*a)->snapshot()->stats();
  CHECK(st.authors == static_cast<std::uint64_t>(committed_batches) * 10);
  Status s = (*a)->write([&](archive::WriteBatch& b) -> Status {
    auto r = b.put(big_author(9999));
    return r.ok() ? Status() : r.status();
  });
  CHECK(s.ok());
  CHECK((*a)->snapshot()->author("au9999").ok());
}
