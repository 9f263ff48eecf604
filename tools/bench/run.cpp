// defter-bench-run: runs a command and reports its wall time and memory.
//
//   defter-bench-run OUT_FILE ERR_FILE -- COMMAND [ARGS...]
//
// Prints "SECONDS PEAK_PRIVATE_KIB PEAK_RSS_KIB": private memory is RssAnon
// (sampled every 10 ms from /proc, without starting processes that would
// compete for the CPU); RSS is the kernel's peak (ru_maxrss), which also
// counts file pages the process has mapped, such as LMDB's map of the archive.
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

namespace {

long rss_anon_kib(pid_t pid) {
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%d/status", static_cast<int>(pid));
  FILE* f = std::fopen(path, "r");
  if (!f) return 0;
  char line[256];
  long kib = 0;
  while (std::fgets(line, sizeof line, f))
    if (std::strncmp(line, "RssAnon:", 8) == 0) kib = std::atol(line + 8);
  std::fclose(f);
  return kib;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5 || std::strcmp(argv[3], "--") != 0) {
    std::fprintf(stderr, "usage: defter-bench-run OUT_FILE ERR_FILE -- COMMAND [ARGS...]\n");
    return 2;
  }
  auto start = std::chrono::steady_clock::now();
  pid_t pid = ::fork();
  if (pid == 0) {
    int out = ::open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = ::open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(out, 1);
    ::dup2(err, 2);
    ::execvp(argv[4], argv + 4);
    std::perror("exec");
    _exit(127);
  }
  long peak_anon = 0;
  int status = 0;
  rusage usage{};
  for (;;) {
    pid_t done = ::wait4(pid, &status, WNOHANG, &usage);
    if (done == pid) break;
    peak_anon = std::max(peak_anon, rss_anon_kib(pid));
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%.3f %ld %ld\n", secs, peak_anon, usage.ru_maxrss);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
