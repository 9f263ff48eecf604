// The HTTP API's tokens, stored hashed under "token/" in meta.
#include "store.hpp"

namespace defter::archive {

namespace {
constexpr std::string_view kTokenPrefix = "token/";
}

std::vector<StoredToken> Reader::tokens() const {
  std::vector<StoredToken> out;
  (void)txn_->scan(kMeta, kTokenPrefix, kTokenPrefix, [&](std::string_view key, std::string_view value) {
    json j = json::parse(value, nullptr, false);
    if (!j.is_object()) return true;  // not ours to judge: skipped
    out.push_back({std::string(key.substr(kTokenPrefix.size())), j.value("scope", ""), j.value("hash", ""),
                   j.value("created", "")});
    return true;
  });
  return out;
}

Result<bool> WriteBatch::put_token(const StoredToken& token, bool replace) {
  std::string key = std::string(kTokenPrefix) + token.name;
  if (!replace && txn_->get(kMeta, key)) return false;
  json j = {{"scope", token.scope}, {"hash", token.hash}, {"created", token.created}};
  if (auto st = put_value(kMeta, key, j.dump()); !st.ok()) return st;
  return true;
}

Result<bool> WriteBatch::remove_token(std::string_view name) {
  std::string key = std::string(kTokenPrefix) + std::string(name);
  if (!txn_->get(kMeta, key)) return false;
  if (auto st = del_value(kMeta, key); !st.ok()) return st;
  return true;
}

}  // namespace defter::archive
