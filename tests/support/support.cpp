#include "support.hpp"
#include <algorithm>

#include <cstdlib>
#include <random>

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace defter::test {

std::filesystem::path source_dir() { return DEFTER_SOURCE_DIR; }
std::string defter_binary() { return DEFTER_BINARY; }
std::string generator_binary() { return DEFTER_GENERATOR; }

TempDir::TempDir() {
  std::string templ = (std::filesystem::temp_directory_path() / "defter-test-XXXXXX").string();
  if (!::mkdtemp(templ.data())) throw std::runtime_error("mkdtemp failed");
  path_ = templ;
  // Readable by an unprivileged user too (the read-only tests drop to one).
  std::filesystem::permissions(path_, std::filesystem::perms::all & ~std::filesystem::perms::others_write &
                                          ~std::filesystem::perms::group_write);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

void write_file(const std::filesystem::path& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

namespace {

[[noreturn]] void exec_child(const std::vector<std::string>& argv, const RunOptions& options) {
  for (const auto& [k, v] : options.env) ::setenv(k.c_str(), v.c_str(), 1);
  if (options.file_size_limit) {
    ::signal(SIGXFSZ, SIG_IGN);  // a write past the limit fails with EFBIG, like a full disk
    // Only the soft limit: the test may lift it later from outside (prlimit),
    // as space returns to a full disk.
    rlimit lim{};
    ::getrlimit(RLIMIT_FSIZE, &lim);
    lim.rlim_cur = static_cast<rlim_t>(*options.file_size_limit);
    ::setrlimit(RLIMIT_FSIZE, &lim);
  }
  if (options.as_user && ::getuid() == 0) {
    if (::setgroups(0, nullptr) != 0 || ::setgid(*options.as_user) != 0 || ::setuid(*options.as_user) != 0) _exit(126);
  }
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  ::execv(args[0], args.data());
  _exit(127);
}

}  // namespace

RunResult run(const std::vector<std::string>& argv, const RunOptions& options) {
  int in[2], out[2], err[2];
  if (::pipe2(in, O_CLOEXEC) || ::pipe2(out, O_CLOEXEC) || ::pipe2(err, O_CLOEXEC))
    throw std::runtime_error("pipe failed");
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    ::dup2(in[0], 0);
    ::dup2(out[1], 1);
    ::dup2(err[1], 2);
    exec_child(argv, options);
  }
  ::close(in[0]);
  ::close(out[1]);
  ::close(err[1]);
  // Feed stdin and drain stdout/stderr together, so no pipe fills up.
  RunResult result;
  std::size_t fed = 0;
  int in_fd = in[1];
  if (options.stdin_text.empty()) ::close(in_fd), in_fd = -1;
  else ::fcntl(in_fd, F_SETFL, O_NONBLOCK);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(options.timeout_seconds);
  bool out_open = true, err_open = true;
  char buf[65536];
  while (out_open || err_open) {
    pollfd fds[3] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}, {in_fd, POLLOUT, 0}};
    int n = ::poll(fds, in_fd >= 0 ? 3 : 2, 1000);
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      result.err += "\n[test harness: killed after timeout]";
      break;
    }
    if (n <= 0) continue;
    for (int i = 0; i < 2; ++i) {
      if (!(fds[i].revents & (POLLIN | POLLHUP))) continue;
      ssize_t r = ::read(fds[i].fd, buf, sizeof buf);
      if (r > 0) (i == 0 ? result.out : result.err).append(buf, static_cast<std::size_t>(r));
      else (i == 0 ? out_open : err_open) = false;
    }
    if (in_fd >= 0 && (fds[2].revents & (POLLOUT | POLLERR | POLLHUP))) {
      ssize_t w = ::write(in_fd, options.stdin_text.data() + fed, options.stdin_text.size() - fed);
      if (w > 0) fed += static_cast<std::size_t>(w);
      if (w < 0 || fed == options.stdin_text.size()) ::close(in_fd), in_fd = -1;
    }
  }
  if (in_fd >= 0) ::close(in_fd);
  ::close(out[0]);
  ::close(err[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  else if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
  return result;
}

RunResult defter(const std::string& data, const std::vector<std::string>& args, const RunOptions& options) {
  std::vector<std::string> argv{defter_binary(), "--data", data};
  argv.insert(argv.end(), args.begin(), args.end());
  return run(argv, options);
}

Child::Child(const std::vector<std::string>& argv, const std::filesystem::path& err_file,
             const std::filesystem::path& out_file, const RunOptions& options) {
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    int fd = ::open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int null = ::open("/dev/null", O_RDWR);
    int out = out_file.empty() ? null : ::open(out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(null, 0);
    ::dup2(out, 1);
    ::dup2(fd, 2);
    exec_child(argv, options);
  }
}

Child::~Child() {
  if (!reaped_) kill_now();
}

void Child::kill_now() {
  if (reaped_) return;
  ::kill(pid_, SIGKILL);
  wait();
}

void Child::signal(int sig) {
  if (!reaped_) ::kill(pid_, sig);
}

int Child::wait() {
  if (!reaped_) {
    ::waitpid(pid_, &status_, 0);
    reaped_ = true;
  }
  return WIFEXITED(status_) ? WEXITSTATUS(status_) : -1;
}

bool Child::poll() {
  if (!reaped_ && ::waitpid(pid_, &status_, WNOHANG) == pid_) reaped_ = true;
  return reaped_;
}

void generate_corpus(const std::filesystem::path& path, int records, int words, int seed, const std::string& prefix) {
  std::vector<std::string> argv{generator_binary(), "--records", std::to_string(records), "--words",
                                std::to_string(words), "--seed", std::to_string(seed), "--out", path.string()};
  if (!prefix.empty()) argv.insert(argv.end(), {"--prefix", prefix});
  auto r = run(argv);
  if (r.exit_code != 0) throw std::runtime_error("corpus generator failed: " + r.err);
}

ServeProcess::ServeProcess(const std::filesystem::path& data, const std::string& tag,
                           const std::vector<std::string>& extra, const RunOptions& options) {
  auto out = data / ("serve-" + tag + ".out");
  std::vector<std::string> argv{defter_binary(), "--data", data.string(), "serve", "--port", "0"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  child = std::make_unique<Child>(argv, data / ("serve-" + tag + ".err"), out, options);
  for (int i = 0; i < 400 && port == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
    std::string text = std::filesystem::exists(out) ? read_file(out) : "";
    auto at = text.find("serving http://127.0.0.1:");
    if (at != std::string::npos && text.find('\n', at) != std::string::npos)
      port = static_cast<std::uint16_t>(std::stoi(text.substr(at + 25)));
  }
}

unsigned random_seed() {
  if (const char* given = std::getenv("DEFTER_TEST_SEED"); given && *given) return static_cast<unsigned>(std::stoul(given));
  return std::random_device{}();
}

std::size_t scaled(std::size_t n, std::size_t floor) {
  const char* light = std::getenv("DEFTER_TEST_LIGHT");
  if (!light || std::string(light) != "1") return n;
  return std::max(floor, n / 4);
}

std::string replay_hint(unsigned seed) {
  return "random seed " + std::to_string(seed) + " (to replay: DEFTER_TEST_SEED=" + std::to_string(seed) + ")";
}

}  // namespace defter::test
