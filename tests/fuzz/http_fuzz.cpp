// Fuzz target: a raw HTTP request, parsed by Beast with the server's limits
// and answered by the API's router over the sample archive (writes included:
// the words FUZZ-WRITE-TOKEN and FUZZ-READ-TOKEN in an input stand for the
// secrets of a write and a read token the target makes). Invariants: no
// request makes a 500 (an unexpected failure); an error is a problem
// document whose status is the response's; no response holds the machine's
// path to the data (unless the request did).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include <boost/asio/buffer.hpp>
#include <nlohmann/json.hpp>

#include "defter/httpd/api.hpp"
#include "defter/httpd/tokens.hpp"
#include "fuzz_support.hpp"

using namespace defter;
namespace http = boost::beast::http;

namespace {

struct Router {
  fuzz::Sample& sample = fuzz::Sample::get();
  std::string write_secret, read_secret;
  std::unique_ptr<httpd::ApiWorker> worker;

  Router() {
    auto w = httpd::create_token(*sample.archive, "fuzz-write", httpd::Scope::kWrite);
    auto r = httpd::create_token(*sample.archive, "fuzz-read", httpd::Scope::kRead);
    if (!w || !r) fuzz::broken("make the tokens");
    write_secret = *w;
    read_secret = *r;
    httpd::ApiOptions options;
    options.data = sample.dir;
    worker = std::make_unique<httpd::ApiWorker>(options, *sample.archive);
  }
};

void replace_all(std::string& s, const std::string& from, const std::string& to) {
  for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Router router;
  std::string raw = fuzz::text_of(data, size);
  replace_all(raw, "FUZZ-WRITE-TOKEN", router.write_secret);
  replace_all(raw, "FUZZ-READ-TOKEN", router.read_secret);

  // The server's parser settings (session.hpp), with a smaller body limit.
  http::request_parser<http::string_body> parser;
  parser.eager(true);
  parser.header_limit(8192 + 8192);
  parser.body_limit(1 << 20);
  boost::system::error_code ec;
  std::size_t used = 0;
  while (!parser.is_done() && !ec && used < raw.size())
    used += parser.put(boost::asio::buffer(raw.data() + used, raw.size() - used), ec);
  if (parser.got_some() && (ec == http::error::need_more || (!ec && !parser.is_done()))) {
    ec = {};
    parser.put_eof(ec);
  }
  if (ec || !parser.is_done()) return 0;  // the server answers 400 (tested end to end)

  httpd::Request request = parser.release();
  httpd::ApiWorker::Outcome outcome;
  httpd::Response response = router.worker->handle(request, outcome);
  unsigned status = response.result_int();
  if (status == 500) fuzz::broken("a 500 (" + outcome.error + ") for:\n" + raw);
  // A streamed body (an export of a search), as the server writes it.
  if (outcome.stream) {
    try {
      while (auto piece = outcome.stream->next()) response.body() += *piece;
    } catch (const Status& st) {
      fuzz::broken("a streamed body that failed (" + st.message() + ") for:\n" + raw);
    }
  }
  // (An answer may quote the request, which may hold the path itself.)
  const std::string dir = router.sample.dir.string();
  if (raw.find(dir) == std::string::npos && response.body().find(dir) != std::string::npos)
    fuzz::broken("the data directory's path in a response to:\n" + raw);
  if (status >= 400 && request.method() != http::verb::head) {
    if (response[http::field::content_type] != "application/problem+json")
      fuzz::broken("an error that is not a problem document, for:\n" + raw);
    auto problem = nlohmann::json::parse(response.body(), nullptr, false);
    if (!problem.is_object() || problem.value("status", 0u) != status)
      fuzz::broken("a problem document without its status, for:\n" + raw);
  }
  return 0;
}
