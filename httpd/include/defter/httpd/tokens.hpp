// Access tokens of the HTTP API. A token is a random secret shown once, when
// it is created; the archive keeps only its BLAKE2b hash (archive.hpp,
// StoredToken). A request's token is hashed and compared with every stored
// hash in constant time, so neither the store nor the timing of a refusal
// tells anything about a secret.
//
// Scopes, each allowing what the one before allows: read (searches and
// record GETs, when the server requires a token for reads), write (PUT,
// DELETE, POST /import), admin.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "defter/archive/archive.hpp"
#include "defter/schema/status.hpp"

namespace defter::httpd {

enum class Scope { kRead = 0, kWrite = 1, kAdmin = 2 };

std::optional<Scope> parse_scope(std::string_view name);
std::string scope_name(Scope scope);

// Creates a token and returns its secret ("dft_" and 64 hex digits).
// kConflict when the name is taken; kInvalidArgument for a name that is not
// 1 to 64 of [A-Za-z0-9._-].
Result<std::string> create_token(archive::Archive& archive, const std::string& name, Scope scope);
// kNotFound when there is no such token.
Status revoke_token(archive::Archive& archive, const std::string& name);
Result<std::vector<archive::StoredToken>> list_tokens(archive::Archive& archive);

// The scope of the stored token whose secret this is, or nullopt.
std::optional<Scope> token_scope(const std::vector<archive::StoredToken>& tokens, std::string_view secret);
// The same, with the token's name (what the archive records as who wrote).
struct TokenMatch {
  Scope scope;
  std::string name;
};
std::optional<TokenMatch> find_token(const std::vector<archive::StoredToken>& tokens, std::string_view secret);

}  // namespace defter::httpd
