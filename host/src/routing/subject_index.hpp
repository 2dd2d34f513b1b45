// Finds which of many subject patterns (routes, thousands of websocket
// subscriptions) match a subject without testing each one: literal patterns
// by one hash lookup, wildcard patterns through a token trie. Globs (Redis
// sources' routes, a handful) have no tokens and are tried one by one.
#pragma once

#include <cstdint>
#include <memory>
#include <sluice/common/subject_pattern.hpp>
#include <string_view>
#include <utility>
#include <vector>

#include "routing/string_hash.hpp"

namespace sluice::routing {

using common::SubjectCursor;
using common::SubjectPattern;
using common::SubjectSyntax;

class SubjectIndex {
 public:
  using Id = uint32_t;

  SubjectIndex();
  ~SubjectIndex();
  SubjectIndex(SubjectIndex&&) noexcept;
  SubjectIndex& operator=(SubjectIndex&&) noexcept;

  // The same pattern may be added under several ids, and the same id under
  // several patterns; an id matching through two patterns is reported once.
  void add(const SubjectPattern& pattern, Id id);
  // Removes one (pattern, id) entry added before; false when there was none.
  bool remove(const SubjectPattern& pattern, Id id);

  // Appends the ids of every pattern matching `subject` to `out`, sorted and
  // without duplicates. Does not allocate beyond growing `out`.
  void match(std::string_view subject, std::vector<Id>& out) const;

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

 private:
  struct Node;
  struct Trie;

  Trie& trie_for(const SubjectPattern& pattern);
  static void collect(const Node& node, std::string_view subject, size_t pos, char separator,
                      bool dollar_guard, std::vector<Id>& out);

  StringMap<std::vector<Id>> literals_;
  std::vector<std::unique_ptr<Trie>> tries_;  // one per (separator, `$` rule): at most 2
  std::vector<std::pair<SubjectPattern, Id>> globs_;
  size_t size_ = 0;
};

}  // namespace sluice::routing
