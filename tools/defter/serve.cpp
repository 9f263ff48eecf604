// defter serve and the token subcommands.
#include "commands.hpp"
#include "cli_util.hpp"

#include "defter/httpd/tokens.hpp"

#include <iostream>

#include <fmt/core.h>

namespace defter::cli {

int run_serve(const std::string& data_dir, httpd::ServerOptions options) {
  options.data = data_dir;
  options.handle_signals = true;
  auto server = httpd::Server::open(options);
  if (!server) return fail(server.status());
  std::string host = options.bind.find(':') != std::string::npos ? "[" + options.bind + "]" : options.bind;
  std::cout << fmt::format("serving http://{}:{}", host, (*server)->port()) << std::endl;
  (*server)->run();
  std::cerr << "defter: stopped\n";
  return kExitOk;
}

int run_token_create(const std::string& data_dir, const std::string& name, const std::string& scope) {
  auto archive = open_archive(data_dir, false);
  if (!archive) return fail(archive.status());
  auto secret = httpd::create_token(**archive, name, httpd::parse_scope(scope).value_or(httpd::Scope::kWrite));
  if (!secret) return fail(secret.status());
  std::cout << *secret << std::endl;
  std::cerr << fmt::format("defter: token \"{}\" ({}) created; its secret is shown only this once\n", name, scope);
  return kExitOk;
}

int run_token_list(const std::string& data_dir) {
  auto archive = open_archive(data_dir, true);
  if (!archive) return fail(archive.status());
  auto tokens = httpd::list_tokens(**archive);
  if (!tokens) return fail(tokens.status());
  // Tab-separated under a header, for people and for cut(1) alike.
  std::cout << "name\tscope\tcreated\n";
  for (const auto& t : *tokens) std::cout << fmt::format("{}\t{}\t{}\n", shown(t.name), t.scope, t.created);
  if (tokens->empty()) std::cerr << "defter: no tokens yet (defter token create --name NAME makes one)\n";
  return kExitOk;
}

int run_token_revoke(const std::string& data_dir, const std::string& name) {
  auto archive = open_archive(data_dir, false);
  if (!archive) return fail(archive.status());
  if (auto st = httpd::revoke_token(**archive, name); !st.ok()) return fail(st);
  std::cerr << fmt::format("defter: token \"{}\" revoked\n", name);
  return kExitOk;
}

}  // namespace defter::cli
