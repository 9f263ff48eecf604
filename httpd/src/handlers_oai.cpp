// OAI-PMH over HTTP (oai.hpp has the protocol): /oai by GET or by a form
// POST, and /oai/article.xsd, the schema of the archive's own format.
#include "api_impl.hpp"
#include "oai.hpp"
#include "oai_schema.hpp"

namespace defter::httpd {

Response ApiWorker::Impl::oai(const Request& req, const Params& query) {
  Params args = query;
  if (req.method() == http::verb::post) {
    // The arguments as a form's body (application/x-www-form-urlencoded),
    // decoded as a query is; with any in the target, a repeated one is
    // the protocol's badArgument.
    std::string type(req[http::field::content_type]);
    if (type.substr(0, type.find(';')) != "application/x-www-form-urlencoded")
      return problem(Problem::kBadRequest,
                     "an OAI-PMH POST sends its arguments as application/x-www-form-urlencoded");
    for (auto& p : parse_target("/oai?" + req.body()).params) args.insert(std::move(p));
  }
  oai::Options o{options.oai_name, options.oai_admin_email, options.oai_repository_id,
                 options.oai_page_size};
  auto snap = snapshot();
  Response res{http::status::ok, 11};
  res.set(http::field::content_type, "text/xml; charset=utf-8");
  res.body() = oai::respond(snap, o, origin_of(req), args);
  return res;
}

Response ApiWorker::Impl::oai_schema() {
  Response res{http::status::ok, 11};
  res.set(http::field::content_type, "application/xml");
  res.set(http::field::cache_control, "public, max-age=86400");
  res.body() = kOaiArticleSchema;
  return res;
}

}  // namespace defter::httpd
