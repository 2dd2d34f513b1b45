#include "config/config_node.hpp"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <sstream>
#include <unordered_map>

#include "config/env_interpolation.hpp"

namespace sluice::config {
namespace {

// Bounds that keep a hostile or broken file (alias loops, "billion laughs")
// from exhausting the stack or memory; real configs are far below them.
constexpr size_t kMaxNodes = 100000;
constexpr int kMaxDepth = 100;

const std::string kStrTag = "tag:yaml.org,2002:str";

std::string too_deep_message() {
  return "the document is nested too deeply (more than " + std::to_string(kMaxDepth) +
         " levels of lists and mappings)";
}

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
    if (refused_) return out;
    out.where = location(node.Mark());
    if (depth > kMaxDepth) {
      refuse(out.where, too_deep_message());
      return out;
    }
    if (++node_count_ > kMaxNodes) {
      // An alias's values carry the anchor's location: the path says where
      // the expansion got too big.
      refuse(out.where, "the document expands to too many values at " +
                            (path.empty() ? std::string("the top") : path) + " (more than " +
                            std::to_string(kMaxNodes) +
                            "; aliases that repeat aliases, a \"billion laughs\"?)");
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

  // A limit was crossed: the document is refused as a whole, so that the
  // values cut short do not also show up as wrong values of valid keys.
  bool refused() const { return refused_; }

 private:
  void refuse(const SourceLocation& where, std::string message) {
    refused_ = true;
    error(where, std::move(message));
  }

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
    // Key -> index in out.entries: a linear find per key made a mapping of
    // n keys (20,000 connectors) cost n^2/2 comparisons.
    std::unordered_map<std::string, size_t> index;
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
      if (auto first = index.find(key.Scalar()); first != index.end()) {
        std::string what = path == "connectors" ? "connector name" : "key";
        std::string in = path.empty() ? "" : " in " + path;
        error(key_where, "duplicate " + what + " '" + key.Scalar() + "'" + in +
                             " (first defined at " + out.entries[first->second].key_where.str() +
                             ")");
        continue;
      }
      std::string child_path = path.empty() ? key.Scalar() : path + "." + key.Scalar();
      ConfigNode value = build(value_node, depth + 1, &key_where, child_path);
      index.emplace(key.Scalar(), out.entries.size());
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
          if (index.emplace(entry.key, out.entries.size()).second) {
            out.entries.push_back(std::move(entry));
          }
        }
      }
    }
  }

  const std::string& file_;
  const EnvLookup& getenv_;
  std::vector<Diagnostic>& errors_;
  size_t node_count_ = 0;
  bool refused_ = false;
};

// Where yaml-cpp's parser gave up on deep nesting (its own guard, far deeper
// than kMaxDepth, reports only "bad file" at the end of the scanned text):
// replays the parse as events and stops at the first node deeper than
// kMaxDepth, counting depth as NodeBuilder does (mapping keys are not nodes).
class DepthProbe : public YAML::EventHandler {
 public:
  struct Found {
    YAML::Mark mark;
  };

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t) override { node(mark); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { node(mark); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                const std::string&) override {
    node(mark);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    node(mark);
    open_.push_back({false, false});
  }
  void OnSequenceEnd() override { open_.pop_back(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    node(mark);
    open_.push_back({true, true});
  }
  void OnMapEnd() override { open_.pop_back(); }

 private:
  struct Open {
    bool mapping;
    bool expecting_key;
  };

  void node(const YAML::Mark& mark) {
    if (!open_.empty() && open_.back().mapping) {
      bool is_key = open_.back().expecting_key;
      open_.back().expecting_key = !is_key;
      if (is_key) return;
    }
    if (open_.size() > static_cast<size_t>(kMaxDepth)) throw Found{mark};
  }

  std::vector<Open> open_;
};

// yaml-cpp 0.7 (Debian 12's) loops forever on some malformed input: its
// parser keeps returning an empty document without consuming a token, and
// LoadAll allocates one per turn until memory runs out (jbeder/yaml-cpp#1040,
// fixed in 0.8 by #1319; fuzzing found it here). Replaying the parse as
// events first, a document that starts where the previous one started
// shows the loop, and the bound stops it.
class DocumentStarts : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& mark) override {
    stuck_ = documents_ > 0 && mark.pos == last_.pos;
    last_ = mark;
    ++documents_;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}

  bool stuck() const { return stuck_; }
  const YAML::Mark& last() const { return last_; }

 private:
  YAML::Mark last_;
  size_t documents_ = 0;
  bool stuck_ = false;
};

// Where the parser stops making progress, or nothing when it does not.
// Throws what yaml-cpp throws for a syntax error.
std::optional<YAML::Mark> stuck_parser_at(std::string_view yaml_text) {
  std::istringstream in{std::string(yaml_text)};
  YAML::Parser parser(in);
  DocumentStarts starts;
  while (!starts.stuck() && parser.HandleNextDocument(starts)) {
  }
  if (starts.stuck()) return starts.last();
  return std::nullopt;
}

std::optional<YAML::Mark> first_too_deep_node(std::string_view yaml_text) {
  std::istringstream in{std::string(yaml_text)};
  DepthProbe probe;
  try {
    YAML::Parser parser(in);
    for (size_t documents = 0; documents < 10'000 && parser.HandleNextDocument(probe);
         ++documents) {
    }
  } catch (const DepthProbe::Found& found) {
    return found.mark;
  } catch (const YAML::Exception&) {
  }
  return std::nullopt;
}

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
    if (auto stuck = stuck_parser_at(yaml_text)) {
      errors.push_back({builder.location(*stuck),
                        "YAML syntax error: the YAML parser cannot get past this point (a stray "
                        "character such as ',' where a value or key should start?)" +
                            syntax_hint(yaml_text, *stuck)});
      return std::nullopt;
    }
    documents = YAML::LoadAll(std::string(yaml_text));
  } catch (const YAML::DeepRecursion& e) {
    auto mark = first_too_deep_node(yaml_text);
    errors.push_back({builder.location(mark ? *mark : e.mark), too_deep_message()});
    return std::nullopt;
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
  if (builder.refused()) return std::nullopt;
  if (root.is_null()) {
    root.kind = ConfigNode::Kind::kMapping;
    root.where = {file, 1, 1};
  }
  return root;
}

}  // namespace sluice::config
