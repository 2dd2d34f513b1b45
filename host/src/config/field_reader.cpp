#include "config/field_reader.hpp"

#include <climits>
#include <sluice/common/did_you_mean.hpp>

#include "config/scalar_typing.hpp"

namespace sluice::config {
namespace {

std::string join(const std::vector<std::string_view>& words) {
  std::string out;
  for (auto w : words) {
    if (!out.empty()) out += ", ";
    out += w;
  }
  return out;
}

std::string section_name(std::string_view section) {
  return section.empty() ? "at the top level" : "in " + std::string(section);
}

// Would this quoted string be the wanted type without its quotes?
bool unquoted_would_be(const ConfigNode& node, ScalarType wanted) {
  if (!node.is_scalar() || !node.literal_string) return false;
  ConfigNode plain = node;
  plain.literal_string = false;
  return scalar_type(plain) == wanted;
}

}  // namespace

void FieldReader::error(const SourceLocation& where, std::string message) {
  errors_.push_back({where, std::move(message)});
}

void FieldReader::expected(const ConfigNode& node, std::string_view path, std::string_view what) {
  error(node.where,
        std::string(path) + ": expected " + std::string(what) + ", got " + describe(node));
}

std::optional<int> FieldReader::integer(const ConfigNode& node, std::string_view path, int min,
                                        int max) {
  if (node.broken) return std::nullopt;
  if (scalar_type(node) != ScalarType::kInteger) {
    std::string hint = unquoted_would_be(node, ScalarType::kInteger) ? " (remove the quotes)" : "";
    expected(node, path, "an integer" + hint);
    return std::nullopt;
  }
  auto value = scalar_integer(node);
  if (!value || *value < min || *value > max) {
    error(node.where, std::string(path) + ": " + node.text + " is out of range (" +
                          std::to_string(min) + " to " + std::to_string(max) + ")");
    return std::nullopt;
  }
  return static_cast<int>(*value);
}

std::optional<bool> FieldReader::boolean(const ConfigNode& node, std::string_view path) {
  if (node.broken) return std::nullopt;
  if (scalar_type(node) != ScalarType::kBool) {
    std::string hint = unquoted_would_be(node, ScalarType::kBool) ? " (remove the quotes)" : "";
    expected(node, path, "true or false" + hint);
    return std::nullopt;
  }
  return node.text[0] == 't' || node.text[0] == 'T';
}

std::optional<std::string> FieldReader::string(const ConfigNode& node, std::string_view path,
                                               bool allow_empty) {
  if (node.broken) return std::nullopt;
  // Any scalar is text to a string field ("port: 8080" for a name is fine);
  // lists, mappings and null are not.
  if (!node.is_scalar()) {
    expected(node, path, "a string");
    return std::nullopt;
  }
  if (node.text.empty() && !allow_empty) {
    error(node.where, std::string(path) + ": must not be empty");
    return std::nullopt;
  }
  return node.text;
}

std::optional<int> FieldReader::integer(const ConfigNode& node, std::string_view path,
                                        const Setting& declared) {
  // Host settings are declared with both bounds, within int.
  return integer(node, path, static_cast<int>(declared.minimum.value_or(INT_MIN)),
                 static_cast<int>(declared.maximum.value_or(INT_MAX)));
}

std::optional<std::string> FieldReader::choice(const ConfigNode& node, std::string_view path,
                                               const Setting& declared) {
  std::vector<std::string_view> choices(declared.choices.begin(), declared.choices.end());
  return choice(node, path, choices);
}

std::optional<std::string> FieldReader::choice(const ConfigNode& node, std::string_view path,
                                               const std::vector<std::string_view>& choices) {
  if (node.broken) return std::nullopt;
  auto value = string(node, path);
  if (!value) return std::nullopt;
  for (auto c : choices) {
    if (c == *value) return value;
  }
  error(node.where, std::string(path) + ": '" + *value + "' is not one of " + join(choices) +
                        common::did_you_mean(*value, choices));
  return std::nullopt;
}

std::optional<std::vector<LocatedString>> FieldReader::string_or_list(const ConfigNode& node,
                                                                      std::string_view path) {
  std::vector<LocatedString> out;
  if (node.is_scalar()) {
    if (auto s = string(node, path)) out.push_back({*s, node.where});
    return out.empty() ? std::nullopt : std::optional(out);
  }
  if (!node.is_sequence()) {
    expected(node, path, "a string or a list of strings");
    return std::nullopt;
  }
  if (node.items.empty()) {
    error(node.where, std::string(path) + ": the list is empty");
    return std::nullopt;
  }
  bool ok = true;
  for (size_t i = 0; i < node.items.size(); ++i) {
    auto s = string(node.items[i], std::string(path) + "[" + std::to_string(i) + "]");
    if (s) {
      out.push_back({*s, node.items[i].where});
    } else {
      ok = false;
    }
  }
  return ok ? std::optional(out) : std::nullopt;
}

bool FieldReader::mapping_or_null(const ConfigNode& node, std::string_view path) {
  if (node.is_mapping()) return true;
  if (!node.is_null()) expected(node, path, "a mapping");
  return false;
}

void FieldReader::reject_unknown_keys(const ConfigNode& mapping,
                                      const std::vector<std::string_view>& allowed,
                                      std::string_view section, bool allow_extensions) {
  for (const auto& entry : mapping.entries) {
    if (allow_extensions && entry.key.rfind("x-", 0) == 0) continue;
    bool known = false;
    for (auto a : allowed) known = known || a == entry.key;
    if (known) continue;
    std::string suggestion = common::did_you_mean(entry.key, allowed);
    error(entry.key_where,
          "unknown key '" + entry.key + "' " + section_name(section) +
              (suggestion.empty() ? " (allowed: " + join(allowed) + ")" : suggestion));
  }
}

}  // namespace sluice::config
