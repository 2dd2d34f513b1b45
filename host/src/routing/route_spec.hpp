// One route as compiled from its spec (YAML `routes:` entry or a Lua
// `sluice.route{...}` table, both as JSON): where it reads from, the filter,
// the transform, the outputs, throttle, dedup and dead-letter settings. Immutable and
// shared by all workers; per-worker state (Throttle, DedupWindow,
// OutputSelector) is built from it.
#pragma once

#include <boost/json/value.hpp>
#include <chrono>
#include <functional>
#include <optional>
#include <sluice/common/subject_pattern.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "routing/output_group.hpp"
#include "routing/predicate.hpp"
#include "routing/source_policy.hpp"
#include "routing/template.hpp"
#include "routing/throttle.hpp"
#include "routing/transform.hpp"

namespace sluice::routing {

using common::SubjectCursor;
using common::SubjectPattern;
using common::SubjectSyntax;

// One `from` entry: "connector" (everything it delivers) or
// "connector:pattern".
struct RouteSource {
  std::string connector;
  std::optional<SubjectPattern> pattern;
  std::string text;  // as written
};

// `throttle.shared`: the rate is one budget per window for every node,
// counted through a key/value connector (Redis) that answers `@kv` requests.
struct SharedThrottle {
  std::string connector;
  std::chrono::milliseconds window{1000};
  uint32_t lease = 0;  // tokens asked for at once; 0: a 20th of the window's budget
  std::chrono::milliseconds timeout{100};  // a worker waits this long for a lease
  std::string key_prefix = "sluice:throttle:";

  // The budget per window: rate x window, at least 1.
  uint32_t limit(double rate) const;
  uint32_t lease_size(double rate) const;
};

struct RouteThrottle {
  // What separates keys: a field ("data.DEVICE_ID", "subject", "key") or a
  // template ("${source}/${data.ID}"). Absent: one key for the whole route.
  // Messages where the field is missing share the key "".
  std::optional<Template> key;
  ThrottleSpec spec;
  std::optional<SharedThrottle> shared;
};

struct RouteDedup {
  Template key;
  std::chrono::milliseconds window{0};
  size_t max_keys = 100'000;
};

struct CompiledRoute {
  std::string name;
  std::vector<RouteSource> from;
  // Which of `from` the route takes messages from (merge: all of them).
  SourcePolicySpec sources;
  Predicate where;
  OutputGroup to;
  std::optional<RouteThrottle> throttle;
  std::optional<RouteDedup> dedup;
  std::optional<OutputTarget> dead_letter;
  // Applied after `where`: dedup, throttle and `to` read the result.
  std::optional<Transform> transform;
  // Every payload path this route reads (where, subject templates, throttle
  // and dedup keys), each once, pointing into this route: plan them on a
  // PayloadScan and one validating pass serves them all. Filled by
  // RouteTable::add (where the route's address no longer changes).
  std::vector<const JsonPath*> payload_paths;
};

struct RouteCompileOptions {
  enum class Role : uint8_t { kSource, kSink, kRequest };
  // Says what is wrong with using `connector` in this role (unknown name,
  // a plugin that cannot consume or publish), or nothing when it is fine.
  // Not set: any name is accepted.
  std::function<std::optional<std::string>(std::string_view connector, Role role)> check_connector;
  // The wildcard syntax of a source connector's subjects (its broker's).
  // Not set, or kAuto: guessed per pattern.
  std::function<SubjectSyntax(std::string_view connector)> syntax_for;
  // Where a relative `in: { file: ... }` is read from: the directory of the
  // file that declares the route (the config, or the Lua script).
  std::string files_dir;
};

// Compiles one route. `context` names it in errors ("routes[2]",
// "routes.lua:14"); it is also the route's name when the spec has none.
// Every problem is appended to `errors` as "<context>.<key>: what is wrong";
// returns nothing when there was any.
std::optional<CompiledRoute> compile_route(const boost::json::value& spec,
                                           const RouteCompileOptions& options,
                                           std::string_view context,
                                           std::vector<std::string>& errors);

// "connector" or "connector:subject-template" (an output or dead letter).
std::optional<OutputTarget> compile_target(std::string_view text, std::string& error);

}  // namespace sluice::routing
