#include "routing/subject_index.hpp"

#include <algorithm>

namespace sluice::routing {

struct SubjectIndex::Node {
  StringMap<std::unique_ptr<Node>> literal;
  std::unique_ptr<Node> one;
  std::unique_ptr<Node> rest;  // zero or more tokens, then continue from here
  std::vector<Id> ids;         // patterns that end here

  bool is_empty() const { return literal.empty() && !one && !rest && ids.empty(); }
};

struct SubjectIndex::Trie {
  char separator;
  bool dollar_guard;
  Node root;
};

SubjectIndex::SubjectIndex() = default;
SubjectIndex::~SubjectIndex() = default;
SubjectIndex::SubjectIndex(SubjectIndex&&) noexcept = default;
SubjectIndex& SubjectIndex::operator=(SubjectIndex&&) noexcept = default;

SubjectIndex::Trie& SubjectIndex::trie_for(const SubjectPattern& pattern) {
  for (auto& t : tries_)
    if (t->separator == pattern.separator() && t->dollar_guard == pattern.protects_dollar_topics())
      return *t;
  tries_.push_back(std::make_unique<Trie>());
  tries_.back()->separator = pattern.separator();
  tries_.back()->dollar_guard = pattern.protects_dollar_topics();
  return *tries_.back();
}

void SubjectIndex::add(const SubjectPattern& pattern, Id id) {
  ++size_;
  if (pattern.is_literal()) {
    auto it = literals_.find(std::string_view(pattern.text()));
    if (it == literals_.end()) it = literals_.emplace(pattern.text(), std::vector<Id>{}).first;
    it->second.push_back(id);
    return;
  }
  if (pattern.is_glob()) {
    globs_.emplace_back(pattern, id);
    return;
  }
  Node* node = &trie_for(pattern).root;
  for (const auto& token : pattern.tokens()) {
    std::unique_ptr<Node>* child = nullptr;
    switch (token.kind) {
      case SubjectPattern::TokenKind::kLiteral: {
        auto it = node->literal.find(std::string_view(token.text));
        if (it == node->literal.end()) it = node->literal.emplace(token.text, nullptr).first;
        child = &it->second;
        break;
      }
      case SubjectPattern::TokenKind::kOne:
        child = &node->one;
        break;
      case SubjectPattern::TokenKind::kRest:
        child = &node->rest;
        break;
    }
    if (!*child) *child = std::make_unique<Node>();
    node = child->get();
  }
  node->ids.push_back(id);
}

namespace {

bool erase_one(std::vector<uint32_t>& ids, uint32_t id) {
  auto it = std::find(ids.begin(), ids.end(), id);
  if (it == ids.end()) return false;
  ids.erase(it);
  return true;
}

}  // namespace

bool SubjectIndex::remove(const SubjectPattern& pattern, Id id) {
  if (pattern.is_literal()) {
    auto it = literals_.find(std::string_view(pattern.text()));
    if (it == literals_.end() || !erase_one(it->second, id)) return false;
    if (it->second.empty()) literals_.erase(it);
    --size_;
    return true;
  }
  if (pattern.is_glob()) {
    auto it = std::find_if(globs_.begin(), globs_.end(), [&](const auto& g) {
      return g.second == id && g.first.text() == pattern.text();
    });
    if (it == globs_.end()) return false;
    globs_.erase(it);
    --size_;
    return true;
  }
  Trie* trie = nullptr;
  for (auto& t : tries_)
    if (t->separator == pattern.separator() && t->dollar_guard == pattern.protects_dollar_topics())
      trie = t.get();
  if (!trie) return false;
  // Remember the path so empty nodes can be pruned bottom-up.
  std::vector<std::unique_ptr<Node>*> path;
  Node* node = &trie->root;
  for (const auto& token : pattern.tokens()) {
    std::unique_ptr<Node>* child = nullptr;
    if (token.kind == SubjectPattern::TokenKind::kLiteral) {
      auto it = node->literal.find(std::string_view(token.text));
      if (it == node->literal.end()) return false;
      child = &it->second;
    } else {
      child = token.kind == SubjectPattern::TokenKind::kOne ? &node->one : &node->rest;
      if (!*child) return false;
    }
    path.push_back(child);
    node = child->get();
  }
  if (!erase_one(node->ids, id)) return false;
  --size_;

  for (size_t i = path.size(); i-- > 0;) {
    Node* parent = i == 0 ? &trie->root : path[i - 1]->get();
    if (!(*path[i])->is_empty()) break;
    const auto& token = pattern.tokens()[i];
    if (token.kind == SubjectPattern::TokenKind::kLiteral)
      parent->literal.erase(parent->literal.find(std::string_view(token.text)));
    else
      path[i]->reset();
  }
  return true;
}

void SubjectIndex::match(std::string_view subject, std::vector<Id>& out) const {
  const size_t first = out.size();
  if (!literals_.empty()) {
    auto it = literals_.find(subject);
    if (it != literals_.end()) out.insert(out.end(), it->second.begin(), it->second.end());
  }
  for (const auto& trie : tries_) {
    bool guard = trie->dollar_guard && !subject.empty() && subject.front() == '$';
    collect(trie->root, subject, 0, trie->separator, guard, out);
  }
  for (const auto& [pattern, id] : globs_)
    if (pattern.matches(subject)) out.push_back(id);
  if (out.size() - first > 1) {
    std::sort(out.begin() + first, out.end());
    out.erase(std::unique(out.begin() + first, out.end()), out.end());
  }
}

// `pos` is the start of the next unconsumed token, or kEnd. `dollar_guard`
// is set only while at the first token of a `$` topic (MQTT): wildcards must
// not match there.
void SubjectIndex::collect(const Node& node, std::string_view subject, size_t pos, char separator,
                           bool dollar_guard, std::vector<Id>& out) {
  if (node.rest && !dollar_guard) {
    const Node& rest = *node.rest;
    out.insert(out.end(), rest.ids.begin(), rest.ids.end());  // consumes all that is left
    if (rest.literal.size() || rest.one || rest.rest) {
      // A `#` in the middle (AMQP): continue after skipping 0, 1, ... tokens.
      for (size_t p = pos; p != SubjectCursor::kEnd; p = SubjectCursor::next(subject, p, separator))
        collect(rest, subject, p, separator, false, out);
    }
  }
  if (pos == SubjectCursor::kEnd) {
    out.insert(out.end(), node.ids.begin(), node.ids.end());
    return;
  }
  std::string_view token = SubjectCursor::token_at(subject, pos, separator);
  size_t next = SubjectCursor::next(subject, pos, separator);
  if (!node.literal.empty()) {
    auto it = node.literal.find(token);
    if (it != node.literal.end()) collect(*it->second, subject, next, separator, false, out);
  }
  if (node.one && !dollar_guard) collect(*node.one, subject, next, separator, false, out);
}

}  // namespace sluice::routing
