// What defter says of itself: --help in plain words with examples, and the
// shell completions and the man page made from the same definitions
// (`defter generate bash|zsh|man`, run by the build; installed by cmake --install).
#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace defter::cli {

inline constexpr const char* kVersion = "defter 0.1.0";

// Sets the help's formatter and each command's examples on `app` and its
// subcommands (call once every option is defined).
void describe(CLI::App& app);

// The text of `defter generate WHAT` for the app as defined: "bash", "zsh"
// or "man".
std::string generated(const CLI::App& app, const std::string& what);

}  // namespace defter::cli
