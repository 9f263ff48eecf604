// Helpers shared by the tests: temporary directories, files, and running the
// real `defter` binary as a child process (with limits, or killed on purpose).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace defter::test {

// The source tree, the defter binary and the corpus generator of this build.
std::filesystem::path source_dir();
std::string defter_binary();
std::string generator_binary();

// A directory that is removed with everything in it when the object dies.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string str(const std::string& child = "") const { return (child.empty() ? path_ : path_ / child).string(); }

 private:
  std::filesystem::path path_;
};

void write_file(const std::filesystem::path& path, const std::string& content);
std::string read_file(const std::filesystem::path& path);

// The seed of a test that does things at random moments: $DEFTER_TEST_SEED
// when set (to replay a failure), else a new one. A test says it with
// INFO(replay_hint(seed)), so that a failure prints how to run it again.
unsigned random_seed();

// A size or a count of rounds for the tests that generate much or kill
// often: the full `n`, or a quarter of it (at least `floor`) when
// DEFTER_TEST_LIGHT=1, as the sanitizer runs of tools/dev test set it:
// there each case still runs its code paths, memory errors being what
// they look for, in a fraction of the time.
std::size_t scaled(std::size_t n, std::size_t floor = 1);
std::string replay_hint(unsigned seed);

struct RunOptions {
  std::string stdin_text;
  std::map<std::string, std::string> env;  // added to the environment
  std::optional<long> file_size_limit;      // RLIMIT_FSIZE in bytes: a disk that fills up
  std::optional<uid_t> as_user;             // drop to this uid/gid first (when root)
  int timeout_seconds = 300;
};

struct RunResult {
  int exit_code = -1;  // -1 when killed by a signal
  int signal = 0;
  std::string out, err;
};

// Runs argv to completion and captures its output.
RunResult run(const std::vector<std::string>& argv, const RunOptions& options = {});

// Runs `defter --data DATA args...`.
RunResult defter(const std::string& data, const std::vector<std::string>& args, const RunOptions& options = {});

// A child process whose stderr goes to a file, to be killed on purpose.
class Child {
 public:
  // stdout goes to out_file when given, else to /dev/null. Of the options,
  // env, file_size_limit and as_user apply.
  explicit Child(const std::vector<std::string>& argv, const std::filesystem::path& err_file,
                 const std::filesystem::path& out_file = {}, const RunOptions& options = {});
  ~Child();
  void kill_now();        // SIGKILL, then reap
  void signal(int sig);   // sends sig (SIGTERM, ...) and returns
  int wait();             // exit code, or -1 when killed
  bool poll();            // whether it has exited (reaped if so), without waiting
  bool exited() const { return reaped_; }
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
  int status_ = 0;
};

// `defter --data DATA serve --port 0` as a child process, and the port it
// printed (0 when it printed none within ten seconds). Its stderr and stdout
// go to DATA/serve-TAG.err and .out.
struct ServeProcess {
  std::unique_ptr<Child> child;
  std::uint16_t port = 0;
  ServeProcess(const std::filesystem::path& data, const std::string& tag, const std::vector<std::string>& extra = {},
               const RunOptions& options = {});
};

// Generates a corpus with tools/bench's generator into path.
void generate_corpus(const std::filesystem::path& path, int records, int words, int seed,
                     const std::string& prefix = "");

}  // namespace defter::test
