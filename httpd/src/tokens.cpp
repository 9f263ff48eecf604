#include "defter/httpd/tokens.hpp"

#include <sodium.h>

#include <chrono>
#include <ctime>

namespace defter::httpd {
namespace {

constexpr std::string_view kPrefix = "dft_";

std::string hash_of(std::string_view secret) {
  unsigned char digest[32];
  crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(secret.data()), secret.size(),
                     nullptr, 0);
  std::string out(64, '\0');
  sodium_bin2hex(out.data(), out.size() + 1, digest, sizeof digest);
  return out;
}

bool init() {
  static const bool ok = sodium_init() >= 0;
  return ok;
}

}  // namespace

std::optional<Scope> parse_scope(std::string_view name) {
  if (name == "read") return Scope::kRead;
  if (name == "write") return Scope::kWrite;
  if (name == "admin") return Scope::kAdmin;
  return std::nullopt;
}

std::string scope_name(Scope scope) {
  switch (scope) {
    case Scope::kRead: return "read";
    case Scope::kWrite: return "write";
    case Scope::kAdmin: return "admin";
  }
  return "read";
}

Result<std::string> create_token(archive::Archive& archive, const std::string& name, Scope scope) {
  if (name.empty() || name.size() > 64 ||
      name.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") != std::string::npos)
    return Status(Code::kInvalidArgument, "token name '" + name + "': use 1 to 64 letters, digits, '.', '_' or '-'");
  if (!init()) return Status(Code::kIOError, "the random number generator could not be initialised");
  unsigned char random[32];
  randombytes_buf(random, sizeof random);
  char text[65];
  sodium_bin2hex(text, sizeof text, random, sizeof random);
  std::string secret = std::string(kPrefix) + text;
  std::time_t now = std::time(nullptr);
  char created[32];
  std::strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  archive::StoredToken token{name, scope_name(scope), hash_of(secret), created};
  bool added = false;
  Status st = archive.write([&](archive::WriteBatch& batch) -> Status {
    auto r = batch.put_token(token);
    if (!r) return r.status();
    added = *r;
    return {};
  });
  if (!st.ok()) return st;
  if (!added) return Status(Code::kConflict, "a token named '" + name + "' exists; revoke it first");
  return secret;
}

Status revoke_token(archive::Archive& archive, const std::string& name) {
  bool removed = false;
  Status st = archive.write([&](archive::WriteBatch& batch) -> Status {
    auto r = batch.remove_token(name);
    if (!r) return r.status();
    removed = *r;
    return {};
  });
  if (!st.ok()) return st;
  if (!removed) return Status(Code::kNotFound, "no token named '" + name + "'");
  return {};
}

Result<std::vector<archive::StoredToken>> list_tokens(archive::Archive& archive) {
  auto snap = archive.snapshot();
  if (!snap) return snap.status();
  return snap->tokens();
}

std::optional<TokenMatch> find_token(const std::vector<archive::StoredToken>& tokens, std::string_view secret) {
  if (!init()) return std::nullopt;
  std::string presented = hash_of(secret);
  std::optional<TokenMatch> found;
  // Every stored hash is compared, the whole of it, whatever matched before.
  for (const auto& t : tokens) {
    if (t.hash.size() != presented.size()) continue;
    if (sodium_memcmp(t.hash.data(), presented.data(), presented.size()) == 0)
      if (auto scope = parse_scope(t.scope)) found = TokenMatch{*scope, t.name};
  }
  return found;
}

std::optional<Scope> token_scope(const std::vector<archive::StoredToken>& tokens, std::string_view secret) {
  auto found = find_token(tokens, secret);
  if (!found) return std::nullopt;
  return found->scope;
}

}  // namespace defter::httpd
