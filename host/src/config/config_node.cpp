#include "config/config_node.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>

#include "config/env_interpolation.hpp"

namespace sluice::config {
namespace {

// Bounds that keep a hostile or broken file (alias loops, "billion laughs")
// from exhausting the stack or memory; real configs are far below them.
constexpr size_t kMaxNodes = 100000;
constexpr int kMaxDepth = 100;

const std::string kStrTag = "tag:yaml.org,2002:str";

class NodeBuilder {
 public:
  NodeBuilder(const std::string& file, const EnvLookup& getenv, std::vector<Diagnostic>& errors)
      : file_(file), getenv_(getenv), errors_(errors) {}

  SourceLocation location(const YAML::Mark& mark) const {
    if (mark.line < 0) return {file_, 0, 0};
    return {file_, mark.line + 1, mark.column + 1};
  }

  // `key_where` is the location of the key holding this node, if any: an empty
  // value's own mark points at whatever token follows it, the key is clearer.
  // `path` names the node in messages ("connectors.kafka", "routes[0]").
  ConfigNode build(const YAML::Node& node, int depth, const SourceLocation* key_where,
                   const std::string& path) {
    ConfigNode out;
    out.where = location(node.Mark());
    if (++node_count_ > kMaxNodes || depth > kMaxDepth) {
      if (!limit_reported_) {
        limit_reported_ = true;
        error(out.where,
              "the document is nested too deeply or expands to too many values "
              "(an alias that refers to itself?)");
      }
      return out;
    }
    switch (node.Type()) {
      case YAML::NodeType::Scalar:
        build_scalar(node, out);
        break;
      case YAML::NodeType::Sequence:
        out.kind = ConfigNode::Kind::kSequence;
        for (const auto& item : node) {
          std::string item_path = path + "[" + std::to_string(out.items.size()) + "]";
          out.items.push_back(build(item, depth + 1, nullptr, item_path));
        }
        break;
      case YAML::NodeType::Map:
        build_mapping(node, depth, path, out);
        break;
      default:  // Null or Undefined
        if (key_where && out.where.line != key_where->line) out.where = *key_where;
        break;
    }
    return out;
  }

 private:
  void error(const SourceLocation& where, std::string message) {
    errors_.push_back({where, std::move(message)});
  }

  void build_scalar(const YAML::Node& node, ConfigNode& out) {
    out.kind = ConfigNode::Kind::kScalar;
    out.literal_string = node.Tag() == "!" || node.Tag() == kStrTag;
    std::vector<std::string> problems;
    out.text = interpolate_env(node.Scalar(), getenv_, problems);
    out.broken = !problems.empty();
    for (auto& p : problems) error(out.where, std::move(p));
  }

  void build_mapping(const YAML::Node& node, int depth, const std::string& path, ConfigNode& out) {
    out.kind = ConfigNode::Kind::kMapping;
    std::vector<YAML::Node> merges;
    for (auto it = node.begin(); it != node.end(); ++it) {
      // Copies: the iterator's `->` yields a temporary pair.
      YAML::Node key = it->first;
      YAML::Node value_node = it->second;
      SourceLocation key_where = location(key.Mark());
      if (!key.IsScalar()) {
        error(key_where, "a key must be a plain string, not " +
                             std::string(key.IsNull() ? "null" : "a list or mapping"));
        continue;
      }
      if (key.Scalar() == "<<" && key.Tag() == "?") {
        merges.push_back(value_node);
        continue;
      }
      if (const auto* first = out.find(key.Scalar())) {
        std::string what = path == "connectors" ? "connector name" : "key";
        std::string in = path.empty() ? "" : " in " + path;
        error(key_where, "duplicate " + what + " '" + key.Scalar() + "'" + in +
                             " (first defined at " + first->key_where.str() + ")");
        continue;
      }
      std::string child_path = path.empty() ? key.Scalar() : path + "." + key.Scalar();
      ConfigNode value = build(value_node, depth + 1, &key_where, child_path);
      out.entries.push_back({key.Scalar(), key_where, std::move(value)});
    }
    // YAML merge keys: explicit keys win, then earlier merged mappings.
    for (const auto& merge : merges) {
      ConfigNode merged = build(merge, depth + 1, nullptr, path);
      std::vector<ConfigNode> sources;
      if (merged.is_mapping()) {
        sources.push_back(std::move(merged));
      } else if (merged.is_sequence() &&
                 std::all_of(merged.items.begin(), merged.items.end(),
                             [](const ConfigNode& n) { return n.is_mapping(); })) {
        sources = std::move(merged.items);
      } else {
        error(merged.where,
              "a merge key (<<) needs a mapping or a list of mappings, e.g. <<: *defaults");
        continue;
      }
      for (auto& source : sources) {
        for (auto& entry : source.entries) {
          if (!out.find(entry.key)) out.entries.push_back(std::move(entry));
        }
      }
    }
  }

  const std::string& file_;
  const EnvLookup& getenv_;
  std::vector<Diagnostic>& errors_;
  size_t node_count_ = 0;
  bool limit_reported_ = false;
};

// The line `line` (0-based) of `text`, for hints about syntax errors.
std::string_view line_of(std::string_view text, int line) {
  size_t begin = 0;
  for (int i = 0; i < line && begin != std::string_view::npos; ++i) {
    begin = text.find('\n', begin);
    if (begin != std::string_view::npos) ++begin;
  }
  if (begin == std::string_view::npos || begin > text.size()) return {};
  size_t end = text.find('\n', begin);
  return text.substr(begin, end == std::string_view::npos ? std::string_view::npos : end - begin);
}

std::string syntax_hint(std::string_view text, const YAML::Mark& mark) {
  std::string_view line = line_of(text, mark.line);
  if (line.find("${") != std::string_view::npos) {
    return " (inside { } or [ ], a value holding ${...} must be quoted: \"${VAR}\")";
  }
  return "";
}

}  // namespace

const ConfigNode::Entry* ConfigNode::find(std::string_view key) const {
  for (const auto& entry : entries) {
    if (entry.key == key) return &entry;
  }
  return nullptr;
}

std::optional<ConfigNode> parse_config_yaml(std::string_view yaml_text, const std::string& file,
                                            const EnvLookup& getenv,
                                            std::vector<Diagnostic>& errors) {
  NodeBuilder builder(file, getenv, errors);
  std::vector<YAML::Node> documents;
  try {
    documents = YAML::LoadAll(std::string(yaml_text));
  } catch (const YAML::Exception& e) {
    errors.push_back(
        {builder.location(e.mark), "YAML syntax error: " + e.msg + syntax_hint(yaml_text, e.mark)});
    return std::nullopt;
  }
  if (documents.size() > 1) {
    errors.push_back({builder.location(documents[1].Mark()),
                      "the file holds " + std::to_string(documents.size()) +
                          " YAML documents (separated by ---); a config is exactly one"});
  }
  ConfigNode root;
  if (!documents.empty()) root = builder.build(documents[0], 0, nullptr, "");
  if (root.is_null()) {
    root.kind = ConfigNode::Kind::kMapping;
    root.where = {file, 1, 1};
  }
  return root;
}

}  // namespace sluice::config
