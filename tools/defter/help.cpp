#include "help.hpp"

#include <functional>
#include <map>
#include <regex>
#include <sstream>
#include <vector>

namespace defter::cli {
namespace {

// Each command's examples: what a new user would type first.
const std::map<std::string, std::vector<std::string>> kExamples = {
    {"", {"defter import articles.jsonl authors.jsonl", "defter search kazakhstan --country KZ --from 2023",
          "defter --data /srv/defter serve --port 8080", "defter import --data /srv/defter --dry-run new.jsonl"}},
    {"import", {"defter import authors.jsonl articles.jsonl", "defter import --dry-run articles.jsonl",
                "defter import seed-article.json    (one JSON document: a record, or an array of records)",
                "curl -s https://example.org/export.jsonl | defter import -",
                "defter import --from docx analysis.docx --lang en    (a Word document: one article, its footnotes)",
                "defter import --from odt analysis.tr.odt --article ID --lang tr    (a translation of that article)",
                "defter import --from md notes/    (a folder of Markdown files with front matter, one a translation)",
                "defter import --from csv authors.csv    (a spreadsheet: id, name, affiliation, topics, bio_tr, ...)",
                "defter import --from html --profile site.json page.html    (a page, read where its site keeps each part)"}},
    {"index", {"defter index", "defter index --stats"}},
    {"reindex", {"defter reindex --jobs 4"}},
    {"verify", {"defter verify && echo clean"}},
    {"backup", {"defter backup /backups/defter-2026-11-30"}},
    {"restore", {"defter --data ./restored restore /backups/defter-2026-11-30"}},
    {"export", {"defter export -o archive.jsonl", "defter export --type author",
                "defter export --format md site/content/analyses    (Markdown with front matter; import --from md reads it back)"}},
    {"get", {"defter get china-central-asia-c5-summit-2023", "defter get china-central-asia-c5-summit-2023 --lang tr",
             "defter get anna-petrova --revision 1"}},
    {"delete", {"defter delete china-central-asia-c5-summit-2023 --lang ru"}},
    {"history", {"defter history china-central-asia-c5-summit-2023", "defter history ID --lang tr --json"}},
    {"runs", {"defter runs", "defter runs --json"}},
    {"revert", {"defter revert 12 --dry-run", "defter revert 12", "defter revert china-central-asia-c5-summit-2023 --to 3"}},
    {"prune", {"defter prune --keep-revisions 20"}},
    {"list", {"defter list --type author"}},
    {"stats", {"defter stats", "defter stats --countries"}},
    {"search", {"defter search kazakhstan", "defter search '\"belt and road\" -railway' --lang en --sort newest",
                "defter search --country KZ --country UZ --from 2023-01 --to 2023-12",
                "defter search 'author:basaran' --page 2 --size 20"}},
    {"suggest", {"defter suggest kaz"}},
    {"serve", {"defter serve", "defter serve --bind 0.0.0.0 --port 8080 --require-read-token"}},
    {"token", {"defter token create --name catalogue --scope read", "defter token list", "defter token revoke catalogue"}},
};

// Flags (and --help) take no value.
bool takes_value(const CLI::Option* opt) { return opt->get_items_expected_max() > 0; }

std::string upper(std::string s) {
  for (auto& c : s)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return s;
}

// What CLI11 calls an option's type, "UINT:INT in [1 - 1000000]", in parts.
struct TypeName {
  std::string base, rest;
};
TypeName type_of(const CLI::Option* opt) {
  std::string t = opt->get_type_name();
  auto colon = t.find(':');
  return {t.substr(0, colon), colon == std::string::npos ? "" : t.substr(colon + 1)};
}

// The choices of an option checked against a set ("author|article"), or "".
std::string choices(const CLI::Option* opt) {
  auto t = type_of(opt);
  if (t.rest.size() < 2 || t.rest.front() != '{') return "";
  std::string c = t.rest.substr(1, t.rest.find('}') - 1);
  for (auto& ch : c)
    if (ch == ',') ch = '|';
  return c;
}

// What stands for an option's value in the help: N, NUMBER, a set's
// choices, a name the definition gave (DIR, FILE), or the positional's own name.
std::string value_name(const CLI::Option* opt) {
  if (auto c = choices(opt); !c.empty()) return c;
  auto t = type_of(opt);
  if (t.base == "UINT" || t.base == "INT" || t.base == "INT64" || t.base == "UINT64") return "N";
  if (t.base == "FLOAT") return "NUMBER";
  if (t.base == "TEXT") return opt->get_positional() ? upper(opt->get_name()) : "TEXT";
  return t.base;
}

// "1 to 1000000" from a range check, or "".
std::string range(const CLI::Option* opt) {
  static const std::regex kRange(R"(in \[([^ ]+) - ([^\]]+)\])");
  std::smatch m;
  std::string rest = type_of(opt).rest;
  if (!std::regex_search(rest, m, kRange)) return "";
  return m[1].str() + " to " + m[2].str();
}

// The description with what the type name used to carry: the range and
// the default.
std::string full_description(const CLI::Option* opt) {
  std::string d = opt->get_description();
  std::vector<std::string> notes;
  if (auto r = range(opt); !r.empty()) notes.push_back(r);
  if (!opt->get_default_str().empty()) notes.push_back("default " + opt->get_default_str());
  if (opt->get_required() && !opt->get_positional()) notes.push_back("required");
  if (notes.empty()) return d;
  std::string joined;
  for (const auto& n : notes) joined += (joined.empty() ? "" : "; ") + n;
  return d + " (" + joined + ")";
}

class Help : public CLI::Formatter {
 public:
  std::string make_option_opts(const CLI::Option* opt) const override {
    if (!takes_value(opt)) return "";
    std::string out = " " + value_name(opt);
    if (opt->get_expected_max() == CLI::detail::expected_max_vector_size) out += " ...";
    return out;
  }
  std::string make_option_desc(const CLI::Option* opt) const override { return full_description(opt); }
};

std::string examples_footer(const std::string& command) {
  auto it = kExamples.find(command);
  if (it == kExamples.end()) return "";
  std::string out = "Examples:";
  for (const auto& e : it->second) out += "\n  " + e;
  return out;
}

std::vector<const CLI::App*> commands(const CLI::App& app) {
  std::vector<const CLI::App*> out;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; }))
    if (!sub->get_group().empty()) out.push_back(sub);
  return out;
}

std::vector<const CLI::Option*> options(const CLI::App& app, bool positionals) {
  std::vector<const CLI::Option*> out;
  for (const CLI::Option* opt : app.get_options())
    if (opt->get_positional() == positionals && !opt->get_group().empty()) out.push_back(opt);
  return out;
}

// The names of an option, long ones first: "--dry-run", "-n".
std::vector<std::string> names_of(const CLI::Option* opt) {
  std::vector<std::string> out;
  for (const auto& l : opt->get_lnames()) out.push_back("--" + l);
  for (const auto& s : opt->get_snames()) out.push_back("-" + s);
  return out;
}

std::string words(const std::vector<std::string>& list) {
  std::string out;
  for (const auto& w : list) out += (out.empty() ? "" : " ") + w;
  return out;
}

// ---- bash

std::string bash_values(const CLI::Option* opt) {
  std::string v = value_name(opt);
  if (v == "DIR" || v == "BACKUP") return "COMPREPLY=($(compgen -d -- \"$cur\"))";
  if (v == "FILE" || v == "FILES") return "COMPREPLY=($(compgen -f -- \"$cur\"))";
  if (auto c = choices(opt); !c.empty()) {
    for (auto& ch : c)
      if (ch == '|') ch = ' ';
    return "COMPREPLY=($(compgen -W \"" + c + "\" -- \"$cur\"))";
  }
  return "COMPREPLY=()";
}

void bash_command(std::ostringstream& out, const CLI::App& cmd, const std::string& path) {
  std::vector<std::string> flags;
  for (const auto* opt : options(cmd, false)) {
    for (const auto& n : names_of(opt)) flags.push_back(n);
  }
  std::vector<std::string> subs;
  for (const auto* sub : commands(cmd)) subs.push_back(sub->get_name());
  out << "    \"" << path << "\")\n      case $prev in\n";
  for (const auto* opt : options(cmd, false)) {
    if (!takes_value(opt)) continue;
    std::string pattern;
    for (const auto& n : names_of(opt)) pattern += (pattern.empty() ? "" : "|") + n;
    out << "        " << pattern << ") " << bash_values(opt) << "; return ;;\n";
  }
  out << "      esac\n";
  out << "      COMPREPLY=($(compgen -W \"" << words(flags) << (subs.empty() ? "" : " " + words(subs)) << "\" -- \"$cur\"))\n";
  auto positionals = options(cmd, true);
  if (!positionals.empty() && subs.empty())
    out << "      [[ $cur == -* ]] || COMPREPLY+=(" << (value_name(positionals[0]) == "DIR" || value_name(positionals[0]) == "BACKUP" ? "$(compgen -d -- \"$cur\")" : "$(compgen -f -- \"$cur\")") << ")\n";
  out << "      ;;\n";
  for (const auto* sub : commands(cmd)) bash_command(out, *sub, path + " " + sub->get_name());
}

std::string bash(const CLI::App& app) {
  std::ostringstream out;
  out << "# bash completion for defter (generated by defter generate bash from the definitions --help shows)\n"
      << "_defter() {\n"
      << "  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} path=\"\" i\n"
      << "  # The command path so far (\"token create\"), past global options and their values.\n"
      << "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
      << "    case ${COMP_WORDS[i]} in\n";
  std::string valued;
  for (const auto* opt : options(app, false))
    if (takes_value(opt))
      for (const auto& n : names_of(opt)) valued += (valued.empty() ? "" : "|") + n;
  out << "      " << valued << ") ((i++)) ;;\n"
      << "      -*) ;;\n"
      << "      *) path=\"${path:+$path }${COMP_WORDS[i]}\" ;;\n"
      << "    esac\n"
      << "  done\n"
      << "  case $path in\n";
  // The top level: global options and the commands.
  std::vector<std::string> top;
  for (const auto* opt : options(app, false))
    for (const auto& n : names_of(opt)) top.push_back(n);
  for (const auto* sub : commands(app)) top.push_back(sub->get_name());
  out << "    \"\")\n      case $prev in\n";
  for (const auto* opt : options(app, false)) {
    if (!takes_value(opt)) continue;
    std::string pattern;
    for (const auto& n : names_of(opt)) pattern += (pattern.empty() ? "" : "|") + n;
    out << "        " << pattern << ") " << bash_values(opt) << "; return ;;\n";
  }
  out << "      esac\n      COMPREPLY=($(compgen -W \"" << words(top) << "\" -- \"$cur\"))\n      ;;\n";
  for (const auto* sub : commands(app)) bash_command(out, *sub, sub->get_name());
  out << "  esac\n}\ncomplete -F _defter defter\n";
  return out.str();
}

// ---- zsh

// Text inside a zsh completion's single quotes; `colons`: where a colon
// would end the field (a positional's message).
std::string zsh_text(std::string s, bool colons = false) {
  std::string out;
  for (char c : s) {
    if (c == '[') out += '(';
    else if (c == ']') out += ')';
    else if (c == ':' && colons) out += "\\:";
    else if (c == '\'') out += "'\\''";
    else if (c == '\n') out += ' ';
    else out += c;
  }
  return out;
}

std::string zsh_action(const CLI::Option* opt) {
  std::string v = value_name(opt);
  if (v == "DIR" || v == "BACKUP") return ":" + v + ":_files -/";
  if (v == "FILE" || v == "FILES") return ":" + v + ":_files";
  if (auto c = choices(opt); !c.empty()) {
    for (auto& ch : c)
      if (ch == '|') ch = ' ';
    return ":" + value_name(opt) + ":(" + c + ")";
  }
  return ":" + v + ": ";
}

void zsh_specs(std::ostringstream& out, const CLI::App& cmd, const std::string& indent) {
  for (const auto* opt : options(cmd, false)) {
    auto names = names_of(opt);
    std::string desc = "[" + zsh_text(opt->get_description()) + "]";
    std::string action = takes_value(opt) ? zsh_action(opt) : "";
    std::string repeat = opt->get_expected_max() > 1 ? "*" : "";
    if (names.size() == 1) {
      out << indent << "'" << repeat << names[0] << desc << action << "' \\\n";
    } else {
      // '(-n --dry-run)'{-n,--dry-run}'[...]': either name, not both.
      std::string all, comma;
      for (std::size_t i = 0; i < names.size(); ++i) {
        all += (i ? " " : "") + names[i];
        comma += (i ? "," : "") + names[i];
      }
      out << indent << "'" << (repeat.empty() ? "(" + all + ")" : repeat) << "'{" << comma << "}'" << desc << action << "' \\\n";
    }
  }
  for (const auto* pos : options(cmd, true)) {
    std::string v = value_name(pos);
    std::string action = (v == "DIR" || v == "BACKUP") ? "_files -/" : (v == "FILES" || v == "FILE") ? "_files" : " ";
    out << indent << "'" << (pos->get_expected_max() > 1 ? "*" : "") << ":" << zsh_text(pos->get_description(), true) << ":" << action << "' \\\n";
  }
}

void zsh_command(std::ostringstream& out, const CLI::App& cmd, const std::string& fn) {
  auto subs = commands(cmd);
  out << fn << "() {\n";
  if (subs.empty()) {
    out << "  _arguments -s \\\n";
    zsh_specs(out, cmd, "    ");
    out << "    && return 0\n}\n\n";
    return;
  }
  out << "  local -a commands\n  commands=(\n";
  for (const auto* sub : subs) out << "    '" << sub->get_name() << ":" << zsh_text(sub->get_description()) << "'\n";
  out << "  )\n  local curcontext=$curcontext state line\n  _arguments -C \\\n";
  zsh_specs(out, cmd, "    ");
  out << "    '1: :->command' '*:: :->args' && return 0\n"
      << "  case $state in\n    command) _describe -t commands 'defter command' commands ;;\n"
      << "    args)\n      case $words[1] in\n";
  for (const auto* sub : subs) out << "        " << sub->get_name() << ") " << fn << "_" << sub->get_name() << " ;;\n";
  out << "      esac ;;\n  esac\n}\n\n";
  for (const auto* sub : subs) zsh_command(out, *sub, fn + "_" + sub->get_name());
}

std::string zsh(const CLI::App& app) {
  std::ostringstream out;
  out << "#compdef defter\n# zsh completion for defter (generated by defter generate zsh from the definitions --help shows)\n\n";
  zsh_command(out, app, "_defter");
  out << "_defter \"$@\"\n";
  return out.str();
}

// ---- man

std::string roff(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\\') out += "\\e";
    else if (c == '-') out += "\\-";
    else out += c;
  }
  if (!out.empty() && (out[0] == '.' || out[0] == '\'')) out = "\\&" + out;
  return out;
}

std::string man_option(const CLI::Option* opt) {
  std::string names;
  for (const auto& n : names_of(opt)) names += (names.empty() ? "" : ", ") + ("\\fB" + roff(n) + "\\fR");
  if (takes_value(opt)) names += " \\fI" + roff(value_name(opt)) + "\\fR";
  return ".TP\n" + names + "\n" + roff(full_description(opt)) + "\n";
}

void man_examples(std::ostringstream& out, const std::string& command) {
  auto it = kExamples.find(command);
  if (it == kExamples.end()) return;
  out << ".PP\nExamples:\n.RS\n.nf\n";
  for (const auto& e : it->second) out << roff(e) << "\n";
  out << ".fi\n.RE\n";
}

void man_command(std::ostringstream& out, const CLI::App& cmd, const std::string& path) {
  std::string usage = "defter " + path;
  if (!options(cmd, false).empty()) usage += " [OPTIONS]";
  for (const auto* pos : options(cmd, true))
    usage += " " + value_name(pos) + (pos->get_expected_max() > 1 ? "..." : "");
  out << ".SS \"" << roff(usage) << "\"\n" << roff(cmd.get_description()) << "\n";
  for (const auto* pos : options(cmd, true))
    out << ".TP\n\\fI" << roff(value_name(pos)) << "\\fR\n" << roff(full_description(pos)) << "\n";
  for (const auto* opt : options(cmd, false))
    if (opt->get_name() != "--help") out << man_option(opt);
  man_examples(out, cmd.get_name());
  for (const auto* sub : commands(cmd)) man_command(out, *sub, path + " " + sub->get_name());
}

std::string man(const CLI::App& app) {
  std::ostringstream out;
  out << ".\\\" The defter man page: generated by defter generate man from the definitions --help shows.\n"
      << ".TH DEFTER 1 \"\" \"" << roff(kVersion) << "\" \"User Commands\"\n"
      << ".SH NAME\ndefter \\- " << roff(app.get_description().substr(app.get_description().find(':') + 2)) << "\n"
      << ".SH SYNOPSIS\n.B defter\n[\\fIGLOBAL OPTIONS\\fR] \\fICOMMAND\\fR [\\fIOPTIONS\\fR] [\\fIARGUMENTS\\fR]\n"
      << ".SH DESCRIPTION\n"
      << "defter keeps articles, their translations and their authors' biographies in an archive (LMDB) and "
         "searches them across languages (Xapian). Archivists import, fix, export, back up and verify it with "
         "this command; \\fBdefter serve\\fR serves the staff's search page and a JSON API. Global options may be "
         "given before or after the command.\n"
      << ".SH GLOBAL OPTIONS\n";
  for (const auto* opt : options(app, false))
    if (opt->get_name() != "--help") out << man_option(opt);
  out << ".SH COMMANDS\n";
  for (const auto* sub : commands(app)) man_command(out, *sub, sub->get_name());
  out << ".SH EXIT STATUS\n"
      << ".TP\n0\nsuccess\n"
      << ".TP\n1\nsome records were rejected, a record was not found, or a check found differences\n"
      << ".TP\n2\nbad arguments or unreadable input; nothing was written\n"
      << ".TP\n3\nthe archive or the index could not be read or written\n"
      << ".SH ENVIRONMENT\n"
      << ".TP\n.B DEFTER_DATA\nthe data directory when \\fB\\-\\-data\\fR is not given (default ./defter\\-data)\n"
      << ".TP\n.B LC_ALL, LC_MESSAGES, LANG\nthe terminal's language: \\fBsearch\\fR shows the translation in it first "
         "(unless \\fB\\-\\-prefer\\fR says otherwise) and names countries in it (Turkish and Russian)\n";
  out << ".SH EXAMPLES\n.nf\n";
  for (const auto& e : kExamples.at("")) out << roff(e) << "\n";
  out << ".fi\n";
  return out.str();
}

}  // namespace

void describe(CLI::App& app) {
  auto help = std::make_shared<Help>();
  app.formatter(help);
  app.footer(examples_footer(""));
  // Subcommands made before took their parent's formatter then: set theirs.
  std::function<void(CLI::App&)> each = [&](CLI::App& cmd) {
    for (CLI::App* sub : cmd.get_subcommands([](CLI::App*) { return true; })) {
      sub->formatter(help);
      if (&cmd == &app) sub->footer(examples_footer(sub->get_name()));
      each(*sub);
    }
  };
  each(app);
}

std::string generated(const CLI::App& app, const std::string& what) {
  if (what == "bash") return bash(app);
  if (what == "zsh") return zsh(app);
  return man(app);
}

}  // namespace defter::cli
