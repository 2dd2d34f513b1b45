#include "config/env_interpolation.hpp"

namespace sluice::config {
namespace {

constexpr int kMaxDefaultNesting = 16;

bool is_name_start(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9'); }
bool is_upper_name(std::string_view name) {
  for (char c : name)
    if (c >= 'a' && c <= 'z') return false;
  return true;
}

// Index of the '}' closing the '{' at `open`, counting nested braces so that
// a default may hold another ${...}; npos when there is none.
size_t matching_brace(std::string_view text, size_t open) {
  int depth = 0;
  for (size_t i = open; i < text.size(); ++i) {
    if (text[i] == '{') {
      ++depth;
    } else if (text[i] == '}' && --depth == 0) {
      return i;
    }
  }
  return std::string_view::npos;
}

std::string expand(std::string_view text, const EnvLookup& getenv,
                   std::vector<std::string>& problems, int nesting) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    if (text.compare(i, 3, "$${") == 0) {
      out += "${";
      i += 3;
      continue;
    }
    if (text.compare(i, 2, "${") != 0) {
      out += text[i++];
      continue;
    }
    size_t close = matching_brace(text, i + 1);
    if (close == std::string_view::npos) {
      problems.push_back("unterminated '${' in \"" + std::string(text) +
                         "\" (close it with '}', or write '$${' for a literal '${')");
      out.append(text.substr(i));
      break;
    }
    std::string_view body = text.substr(i + 2, close - i - 2);
    size_t name_end = 0;
    if (!body.empty() && is_name_start(body[0])) {
      name_end = 1;
      while (name_end < body.size() && is_name_char(body[name_end])) ++name_end;
    }
    // A plain ${name} is an environment variable only when the name is
    // upper case, as environment variables are by convention; ${device},
    // ${counter} or ${node_id} are left for message templates (plugins and
    // routes use the same syntax). With a default, ${name:-x} is always
    // the environment.
    bool plain_reference =
        name_end > 0 && name_end == body.size() && is_upper_name(body.substr(0, name_end));
    bool with_default = name_end > 0 && body.compare(name_end, 2, ":-") == 0;
    if (!plain_reference && !with_default) {
      // Not ours: a message template such as ${data.DEVICE_ID}.
      out.append(text.substr(i, close - i + 1));
      i = close + 1;
      continue;
    }
    std::string name(body.substr(0, name_end));
    std::optional<std::string> value = getenv(name);
    if (plain_reference) {
      if (value) {
        out += *value;
      } else {
        problems.push_back("environment variable '" + name +
                           "' is not set (give a default with ${" + name +
                           ":-value}, or write $${" + name + "} for a literal '${" + name + "}')");
      }
    } else if (value && !value->empty()) {
      out += *value;
    } else if (nesting >= kMaxDefaultNesting) {
      problems.push_back("defaults nested more than " + std::to_string(kMaxDefaultNesting) +
                         " levels deep in \"" + std::string(text) + "\"");
    } else {
      out += expand(body.substr(name_end + 2), getenv, problems, nesting + 1);
    }
    i = close + 1;
  }
  return out;
}

}  // namespace

std::string interpolate_env(std::string_view text, const EnvLookup& getenv,
                            std::vector<std::string>& problems) {
  return expand(text, getenv, problems, 0);
}

}  // namespace sluice::config
