#include "pandoc.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <vector>

extern char** environ;

namespace defter::archive::pandoc {

namespace {

struct Output {
  int exit_code = -1;
  std::string out, err;
  bool too_large = false, timed_out = false;
};

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

// Runs pandoc with `args`, writing `input` to its standard input and
// reading what it prints; stopped past kTimeoutSeconds or kMaxOutputBytes.
Result<Output> run(const std::vector<std::string>& args, const std::string& input) {
  int in[2], out[2], err[2];
  if (::pipe2(in, O_CLOEXEC) != 0)
    return Status(Code::kIOError, std::string("pipe: ") + std::strerror(errno));
  if (::pipe2(out, O_CLOEXEC) != 0) {
    ::close(in[0]), ::close(in[1]);
    return Status(Code::kIOError, std::string("pipe: ") + std::strerror(errno));
  }
  if (::pipe2(err, O_CLOEXEC) != 0) {
    ::close(in[0]), ::close(in[1]), ::close(out[0]), ::close(out[1]);
    return Status(Code::kIOError, std::string("pipe: ") + std::strerror(errno));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  std::vector<char*> argv;
  std::string name = "pandoc";
  argv.push_back(name.data());
  std::vector<std::string> owned = args;
  for (auto& a : owned) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  int rc = ::posix_spawnp(&pid, "pandoc", &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(in[0]), ::close(out[1]), ::close(err[1]);
  int fds[3] = {in[1], out[0], err[0]};
  if (rc != 0) {
    for (int& fd : fds) close_fd(fd);
    if (rc == ENOENT)
      return Status(Code::kNotFound,
                    "pandoc is not installed (it converts documents; apt install pandoc)");
    return Status(Code::kIOError, std::string("cannot run pandoc: ") + std::strerror(rc));
  }
  ::fcntl(fds[0], F_SETFL, O_NONBLOCK);
  // A pandoc that stops reading early must not kill this process by
  // SIGPIPE: blocked on this thread while it writes (after the spawn, so
  // pandoc does not inherit the mask), and one left pending taken.
  sigset_t pipe_set, old_set;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  ::pthread_sigmask(SIG_BLOCK, &pipe_set, &old_set);
  Output result;
  std::size_t written = 0;
  if (input.empty()) close_fd(fds[0]);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(kTimeoutSeconds);
  std::array<char, 65536> buf;
  while (fds[1] >= 0 || fds[2] >= 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    if (left <= 0) {
      result.timed_out = true;
      break;
    }
    pollfd p[3];
    int n = 0;
    int which[3];
    if (fds[0] >= 0) p[n] = {fds[0], POLLOUT, 0}, which[n++] = 0;
    if (fds[1] >= 0) p[n] = {fds[1], POLLIN, 0}, which[n++] = 1;
    if (fds[2] >= 0) p[n] = {fds[2], POLLIN, 0}, which[n++] = 2;
    int ready = ::poll(p, static_cast<nfds_t>(n), static_cast<int>(left));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) break;
    for (int i = 0; i < n; ++i) {
      if (!p[i].revents) continue;
      int k = which[i];
      if (k == 0) {
        ssize_t w = ::write(fds[0], input.data() + written, input.size() - written);
        if (w > 0) written += static_cast<std::size_t>(w);
        if ((w < 0 && errno != EAGAIN && errno != EINTR) || written == input.size())
          close_fd(fds[0]);
        continue;
      }
      ssize_t r = ::read(fds[k], buf.data(), buf.size());
      if (r < 0 && (errno == EAGAIN || errno == EINTR)) continue;
      if (r <= 0) {
        close_fd(fds[k]);
        continue;
      }
      std::string& to = k == 1 ? result.out : result.err;
      if (to.size() + static_cast<std::size_t>(r) > kMaxOutputBytes) {
        result.too_large = true;
        break;
      }
      to.append(buf.data(), static_cast<std::size_t>(r));
    }
    if (result.too_large) break;
  }
  if (result.timed_out || result.too_large) ::kill(pid, SIGKILL);
  for (int& fd : fds) close_fd(fd);
  timespec none{0, 0};
  while (::sigtimedwait(&pipe_set, nullptr, &none) == SIGPIPE) {
  }
  ::pthread_sigmask(SIG_SETMASK, &old_set, nullptr);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

// pandoc's complaint on one line, without its "[WARNING]" chatter, at most
// about 300 bytes ("YAML parse exception at line 2, column 4, while parsing
// a flow sequence: did not find expected ',' or ']'").
std::string complaint(const std::string& err) {
  std::string out;
  std::size_t at = 0;
  while (at < err.size() && out.size() < 300) {
    std::size_t end = err.find('\n', at);
    std::string line = err.substr(at, end == std::string::npos ? std::string::npos : end - at);
    at = end == std::string::npos ? err.size() : end + 1;
    while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.pop_back();
    if (line.empty() || line.rfind("[WARNING]", 0) == 0) continue;
    out += (out.empty() ? "" : " ") + line;
  }
  return out.empty() ? "no reason given" : out;
}

Result<std::string> checked(Result<Output> got, const std::string& what) {
  if (!got) return got.status();
  if (got->timed_out)
    return Status(Code::kInvalidArgument, what + ": pandoc took more than " +
                                              std::to_string(kTimeoutSeconds) + " s; stopped");
  if (got->too_large)
    return Status(Code::kInvalidArgument, what + ": too large to convert (over 512 MiB as a tree)");
  if (got->exit_code != 0)
    return Status(Code::kInvalidArgument, what + " (pandoc: " + complaint(got->err) + ")");
  return std::move(got->out);
}

}  // namespace

Result<std::string> read_tree(const std::string& file, const std::string& reader,
                              const std::string& format) {
  return checked(run({"--from=" + reader, "--to=json", "--", file}, ""),
                 "not a readable " + format + " document");
}

Result<std::string> read_tree_of_text(const std::string& text, const std::string& reader) {
  return checked(run({"--from=" + reader, "--to=json"}, text), "pandoc cannot read it");
}

Result<std::string> commonmark_of(const std::string& tree) {
  return checked(run({"--from=json", "--to=commonmark-raw_html", "--wrap=none"}, tree),
                 "the document's text cannot be written as CommonMark");
}

}  // namespace defter::archive::pandoc
