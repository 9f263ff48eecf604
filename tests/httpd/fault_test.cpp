// The server when its disk fills or its data directory cannot be written:
// writes are refused with a status that says why and nothing of them is
// kept, reads go on, and once space returns writes and indexing resume.
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "client.hpp"
#include "support.hpp"

using namespace defter;
using nlohmann::json;
using test::Client;
using test::Reply;
namespace http = boost::beast::http;

namespace {

const std::filesystem::path kSample = test::source_dir() / "tools" / "sample";

// A data directory holding the sample archive, indexed, and a write token.
struct Data {
  test::TempDir dir;
  std::filesystem::path path = dir.path() / "data";
  std::string token;
  Data() {
    std::vector<std::string> args{"import"};
    for (const char* f : {"10-authors.jsonl", "20-articles.jsonl", "30-translations.jsonl"}) args.push_back((kSample / f).string());
    auto imported = test::defter(path.string(), args);
    INFO(imported.err);
    REQUIRE(imported.exit_code == 0);
    token = test::write_token(path, "faults");
  }
};

// Writes an author whose name holds `word` (to find it by).
Reply put_author(std::uint16_t port, const std::string& token, const std::string& id, const std::string& word,
                 const std::string& bio) {
  Client c(port);
  http::request<http::string_body> req{http::verb::put, "/api/v1/authors/" + id, 11};
  req.set(http::field::authorization, "Bearer " + token);
  req.body() = json{{"name", "Disk Probe " + word}, {"bio", {{"en", bio}}}}.dump();
  return c.send(std::move(req));
}

// Whether a search for `word` finds author `id` within `wait`; `last` gets
// the last answer (for the failure message).
bool searchable(std::uint16_t port, const std::string& word, const std::string& id, std::chrono::seconds wait,
                std::string& last) {
  for (auto until = std::chrono::steady_clock::now() + wait; std::chrono::steady_clock::now() < until;) {
    Client c(port);
    Reply r = c.get("/api/v1/search?type=author&q=" + word);
    last = std::to_string(r.result_int()) + " " + r.body();
    if (r.result() == http::status::ok) {
      json answer = json::parse(r.body());
      for (const auto& h : answer["hits"])
        if (h["id"] == id) return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

// A biography of about `bytes` that compresses badly: words drawn at random
// from a vocabulary of a few thousand.
std::string bulky_bio(std::size_t bytes, unsigned seed) {
  std::string out;
  for (unsigned x = seed * 2654435761u + 1; out.size() < bytes;) {
    x ^= x << 13, x ^= x >> 17, x ^= x << 5;
    out += "w" + std::to_string(x % 5000) + " ";
  }
  return out;
}

}  // namespace

TEST_CASE("a disk that fills under the server: writes get 507, reads go on, and all resumes once space returns",
          "[httpd][e2e][fault]") {
  Data d;
  // Every file the server writes may grow only so far past the archive's
  // present size: the disk fills after some writes.
  auto archive_bytes = std::filesystem::file_size(d.path / "archive" / "data.mdb");
  test::RunOptions full;
  full.file_size_limit = static_cast<long>(archive_bytes + (1u << 20));
  test::ServeProcess serve(d.path, "full", {}, full);
  REQUIRE(serve.port != 0);

  std::vector<std::string> written;
  Reply refused;
  for (int i = 0; i < 200; ++i) {
    std::string id = "disk-probe-" + std::to_string(i);
    Reply r = put_author(serve.port, d.token, id, "Qdp" + std::to_string(i), bulky_bio(128 << 10, static_cast<unsigned>(i)));
    if (r.result() == http::status::created) {
      written.push_back(id);
      continue;
    }
    refused = r;
    INFO("write " << i << ": " << r.result_int() << " " << r.body());
    REQUIRE(r.result() == http::status::insufficient_storage);
    CHECK(json::parse(r.body())["detail"].get<std::string>().find("disk is full") != std::string::npos);
    // Nothing of the refused write is kept.
    Client c(serve.port);
    CHECK(c.get("/api/v1/authors/" + id).result() == http::status::not_found);
    break;
  }
  REQUIRE(refused.result() == http::status::insufficient_storage);
  CHECK(!written.empty());
  // Reads go on: searches, articles, what was written before the disk filled.
  {
    Client c(serve.port);
    CHECK(c.get("/api/v1/search?q=Kazakhstan").result() == http::status::ok);
    CHECK(c.get("/api/v1/articles/china-central-asia-c5-summit-2023").result() == http::status::ok);
    for (const auto& id : written) CHECK(c.get("/api/v1/authors/" + id).result() == http::status::ok);
    CHECK(c.get("/readyz").result() == http::status::ok);
  }
  // The index filled too (its files grow past the limit as it indexes the
  // biographies): the server says so and goes on serving.
  std::string log;
  for (int i = 0; i < 300 && log.find("File too large") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    log = test::read_file(d.path / "serve-full.err");
  }
  CHECK_THAT(log, Catch::Contains("indexing") && Catch::Contains("stopped") && Catch::Contains("File too large"));
  CHECK(Client(serve.port).get("/api/v1/search?q=Kazakhstan").result() == http::status::ok);
  // Space returns (the limit is lifted from outside the running server).
  rlimit limit{};
  REQUIRE(::prlimit(serve.child->pid(), RLIMIT_FSIZE, nullptr, &limit) == 0);
  limit.rlim_cur = limit.rlim_max;
  REQUIRE(::prlimit(serve.child->pid(), RLIMIT_FSIZE, &limit, nullptr) == 0);
  Reply again = put_author(serve.port, d.token, "disk-probe-after", "Qdiskafter", "Written once space returned.");
  INFO(again.body());
  CHECK(again.result() == http::status::created);
  auto found = [&](const std::string& word, const std::string& id) {
    std::string last;
    bool ok = searchable(serve.port, word, id, std::chrono::seconds(30), last);
    UNSCOPED_INFO("searching " << word << " for " << id << ": " << last.substr(0, 400));
    return ok;
  };
  CHECK(found("Qdiskafter", "disk-probe-after"));
  // Whatever the server could not index while the disk was full, it indexed since.
  for (std::size_t i = 0; i < written.size(); ++i) CHECK(found("Qdp" + std::to_string(i), written[i]));
  serve.child->signal(SIGTERM);
  int exit_code = serve.child->wait();
  INFO("the server's log:\n" << test::read_file(d.path / "serve-full.err"));
  CHECK(exit_code == 0);
  auto verify = test::defter(d.path.string(), {"verify"});
  INFO(verify.out << verify.err);
  CHECK(verify.exit_code == 0);
}

TEST_CASE("defter serve on a data directory it may not write: a clear error, and nothing changed", "[httpd][e2e][fault]") {
  Data d;
  auto before = test::defter(d.path.string(), {"export"}).out;
  test::RunOptions options;
  options.timeout_seconds = 30;  // were it to start serving, the test fails rather than hangs
  namespace fs = std::filesystem;
  const auto read_only = fs::perms::owner_read | fs::perms::owner_exec | fs::perms::group_read |
                         fs::perms::group_exec | fs::perms::others_read | fs::perms::others_exec;
  // root ignores permission bits: the server runs as an unprivileged user,
  // to whom the data directory is readable but not writable.
  bool as_root = ::getuid() == 0;
  if (as_root) options.as_user = 65534;
  for (const char* part : {"archive", "index"}) {
    INFO(part << " not writable");
    for (const auto& entry : fs::recursive_directory_iterator(d.path))
      fs::permissions(entry.path(), entry.is_directory() ? read_only : fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
    fs::permissions(d.path, read_only);
    // The other part writable (by anyone, so by the unprivileged user too).
    const char* other = std::string(part) == "archive" ? "index" : "archive";
    if (std::string(part) == "index") {
      fs::permissions(d.path / other, fs::perms::all);
      for (const auto& entry : fs::directory_iterator(d.path / other)) fs::permissions(entry.path(), fs::perms::all);
    }
    auto r = test::defter(d.path.string(), {"serve", "--port", "0"}, options);
    CHECK(r.exit_code == 3);
    CHECK_THAT(r.err, Catch::Contains("not writable") && Catch::Contains(part));
    CHECK(r.out.find("serving") == std::string::npos);
    for (const auto& entry : fs::recursive_directory_iterator(d.path)) fs::permissions(entry.path(), fs::perms::owner_all);
    fs::permissions(d.path, fs::perms::owner_all);
  }
  CHECK(test::defter(d.path.string(), {"export"}).out == before);
}
