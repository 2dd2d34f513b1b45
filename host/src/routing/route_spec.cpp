#include "routing/route_spec.hpp"

#include <algorithm>
#include <cmath>
#include <sluice/common/quoted.hpp>

#include "config/route_keys.hpp"

namespace sluice::routing {

using common::quoted;

namespace {

// The route keys that `wanted` picks, from the one list, as "a, b, c".
// Keys that only document a route are left out: errors name what acts.
std::string route_keys(bool (*wanted)(const config::RouteKey&)) {
  std::string out;
  for (const auto& key : config::kRouteKeys)
    if (!key.documentation && wanted(key)) out += (out.empty() ? "" : ", ") + std::string(key.name);
  return out;
}

bool any_key(const config::RouteKey&) { return true; }
bool required_key(const config::RouteKey& key) { return key.required; }
bool optional_key(const config::RouteKey& key) { return !key.required; }

// Settings may come from YAML through environment substitution as strings
// ("10"); numbers written as text are accepted.
std::optional<double> number_of(const boost::json::value& v) {
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  if (v.is_double()) return v.get_double();
  if (v.is_string()) {
    if (auto n = parse_number(v.get_string())) return n->real;
  }
  return std::nullopt;
}

std::optional<bool> bool_of(const boost::json::value& v) {
  if (v.is_bool()) return v.get_bool();
  if (v.is_string()) {
    if (v.get_string() == "true") return true;
    if (v.get_string() == "false") return false;
  }
  return std::nullopt;
}

class RouteCompiler {
 public:
  RouteCompiler(const RouteCompileOptions& options, std::string_view context,
                std::vector<std::string>& errors)
      : options_(options), context_(context), errors_(errors) {}

  std::optional<CompiledRoute> run(const boost::json::value& spec) {
    const size_t errors_before = errors_.size();
    if (!spec.is_object()) {
      error(context_, "a route must be an object with " + route_keys(required_key) +
                          " and optionally " + route_keys(optional_key));
      return std::nullopt;
    }
    const auto& object = spec.get_object();
    CompiledRoute route;
    route.name = context_;
    for (const auto& entry : object) {
      std::string_view key = entry.key();
      const auto& value = entry.value();
      std::string here = at(key);
      if (key == "name") {
        if (value.is_string() && !value.get_string().empty())
          route.name = std::string(value.get_string());
        else
          error(here, "expected a non-empty string");
      } else if (key == "from") {
        if (value.is_object())
          compile_source_policy(value.get_object(), here, route);
        else
          compile_from(value, here, route.from);
      } else if (key == "where") {
        if (auto p = Predicate::compile(value, errors_, here, options_.files_dir))
          route.where = std::move(*p);
      } else if (key == "to") {
        compile_to(value, here, route.to);
      } else if (key == "throttle") {
        route.throttle = compile_throttle(value, here);
      } else if (key == "dedup") {
        route.dedup = compile_dedup(value, here);
      } else if (key == "dead_letter") {
        if (!value.is_string()) {
          error(here, "expected \"connector\" or \"connector:subject\"");
          continue;
        }
        route.dead_letter = target(value.get_string(), here);
      } else if (key == "transform") {
        route.transform = Transform::compile(value, here, errors_);
      } else if (key == "description") {
        if (!value.is_string()) error(here, "expected a string");
      } else {
        error(here,
              "unknown key '" + std::string(key) + "' (expected " + route_keys(any_key) + ")");
      }
    }
    if (!object.contains("from")) error(context_, "missing 'from' (where the route reads)");
    if (!object.contains("to")) error(context_, "missing 'to' (where the route sends)");
    if (errors_.size() != errors_before) return std::nullopt;
    return route;
  }

 private:
  std::string at(std::string_view key) const { return context_ + "." + std::string(key); }
  void error(const std::string& where, std::string what) {
    errors_.push_back(where + ": " + std::move(what));
  }

  void check(std::string_view connector, RouteCompileOptions::Role role, const std::string& where) {
    if (!options_.check_connector) return;
    if (auto problem = options_.check_connector(connector, role)) error(where, *problem);
  }

  void compile_from(const boost::json::value& value, const std::string& where,
                    std::vector<RouteSource>& out) {
    auto one = [&](const boost::json::value& v, const std::string& here) {
      if (!v.is_string() || v.get_string().empty()) {
        error(here, "expected \"connector\" or \"connector:subject-pattern\"");
        return;
      }
      std::string_view text = v.get_string();
      RouteSource source;
      source.text = std::string(text);
      auto colon = text.find(':');
      source.connector = std::string(text.substr(0, colon));
      if (source.connector.empty()) {
        error(here, quoted(text) + " names no connector before ':'");
        return;
      }
      check(source.connector, RouteCompileOptions::Role::kSource, here);
      if (colon != std::string_view::npos) {
        std::string_view pattern = text.substr(colon + 1);
        if (pattern.empty()) {
          error(here, quoted(text) + " has an empty subject pattern after ':'");
          return;
        }
        SubjectSyntax syntax =
            options_.syntax_for ? options_.syntax_for(source.connector) : SubjectSyntax::kAuto;
        std::string why;
        source.pattern = SubjectPattern::compile(pattern, syntax, why);
        if (!source.pattern) {
          error(here, why);
          return;
        }
      }
      out.push_back(std::move(source));
    };
    if (value.is_array()) {
      if (value.get_array().empty()) error(where, "expected at least one source");
      for (size_t i = 0; i < value.get_array().size(); ++i)
        one(value.get_array()[i], where + "[" + std::to_string(i) + "]");
    } else {
      one(value, where);
    }
  }

  // from: { priority: [a, b], silence_ms: 5000, standby: drop|pause }, or
  // fallback, round_robin (with batch), merge.
  void compile_source_policy(const boost::json::object& object, const std::string& where,
                             CompiledRoute& route) {
    SourcePolicySpec& spec = route.sources;
    const boost::json::value* list = nullptr;
    std::string list_at;
    const boost::json::value* silence = nullptr;
    const boost::json::value* standby = nullptr;
    const boost::json::value* batch = nullptr;
    for (const auto& entry : object) {
      std::string_view key = entry.key();
      std::string here = where + "." + std::string(key);
      if (auto policy = parse_source_policy(key)) {
        if (list) {
          error(here,
                "one policy per route: already " + std::string(source_policy_name(spec.policy)));
          continue;
        }
        spec.policy = *policy;
        list = &entry.value();
        list_at = here;
      } else if (key == "silence_ms") {
        silence = &entry.value();
      } else if (key == "standby") {
        standby = &entry.value();
      } else if (key == "batch") {
        batch = &entry.value();
      } else {
        error(here,
              "unknown key (expected one of priority, fallback, round_robin, merge with a list "
              "of sources, and silence_ms, standby, batch)");
      }
    }
    if (!list) {
      error(where, "expected one of priority, fallback, round_robin, merge with a list of sources");
      return;
    }
    if (!list->is_array()) {
      error(list_at, "expected a list of sources");
      return;
    }
    compile_from(*list, list_at, route.from);
    if (spec.selects()) {
      if (route.from.size() < 2)
        error(list_at, std::string(source_policy_name(spec.policy)) +
                           " chooses between sources: list at least two");
      for (size_t i = 0; i < route.from.size(); ++i)
        for (size_t j = 0; j < i; ++j)
          if (route.from[i].connector == route.from[j].connector)
            error(list_at + "[" + std::to_string(i) + "]",
                  "connector '" + route.from[i].connector +
                      "' is listed twice; a policy chooses between connectors");
    }
    const bool round_robin = spec.policy == SourcePolicy::kRoundRobin;
    spec.silence = round_robin ? kDefaultRoundRobinSilence : kDefaultPrioritySilence;
    spec.standby = round_robin ? StandbyAction::kPause : StandbyAction::kDrop;
    const std::string policy_name(source_policy_name(spec.policy));
    if (!spec.selects() && (silence || standby || batch)) {
      error(where,
            "silence_ms, standby and batch belong to priority, fallback and round_robin; "
            "merge takes every source");
      return;
    }
    if (silence) {
      auto n = number_of(*silence);
      if (!n || *n < 1 || *n != std::floor(*n) || *n > 86'400'000)
        error(where + ".silence_ms", "expected whole milliseconds from 1 to 86400000");
      else
        spec.silence = std::chrono::milliseconds(static_cast<int64_t>(*n));
    }
    if (standby) {
      if (standby->is_string() && standby->get_string() == "drop") {
        spec.standby = StandbyAction::kDrop;
      } else if (standby->is_string() && standby->get_string() == "pause") {
        spec.standby = StandbyAction::kPause;
      } else {
        error(where + ".standby", "expected drop or pause");
      }
      if (round_robin && spec.standby == StandbyAction::kDrop)
        error(where + ".standby",
              "round_robin takes turns by pausing the other sources; standby: drop would lose "
              "every message outside a source's turn");
    }
    if (batch) {
      auto n = number_of(*batch);
      if (!round_robin)
        error(where + ".batch", "batch belongs to round_robin (messages per turn)");
      else if (!n || *n < 1 || *n != std::floor(*n) || *n > 1'000'000)
        error(where + ".batch", "expected a whole number of messages from 1 to 1000000");
      else
        spec.batch = static_cast<uint32_t>(*n);
    }
  }

  std::optional<OutputTarget> target(std::string_view text, const std::string& where) {
    std::string why;
    auto t = compile_target(text, why);
    if (!t) {
      error(where, why);
      return std::nullopt;
    }
    check(t->connector, RouteCompileOptions::Role::kSink, where);
    return t;
  }

  void compile_to(const boost::json::value& value, const std::string& where, OutputGroup& out) {
    OutputPolicy policy = OutputPolicy::kFanout;
    const boost::json::value* list = &value;
    std::string here = where;
    if (value.is_object()) {
      const auto& object = value.get_object();
      if (object.size() != 1) {
        error(where, "expected one of fanout, fallback, round_robin with a list of targets");
        return;
      }
      std::string_view name = object.begin()->key();
      auto p = parse_output_policy(name);
      if (!p) {
        error(where + "." + std::string(name),
              "unknown output policy (expected fanout, fallback or round_robin)");
        return;
      }
      policy = *p;
      list = &object.begin()->value();
      here = where + "." + std::string(name);
      if (!list->is_array()) {
        error(here, "expected a list of targets");
        return;
      }
    }
    std::vector<OutputTarget> targets;
    auto one = [&](const boost::json::value& v, const std::string& at) {
      if (!v.is_string()) {
        error(at, "expected \"connector\" or \"connector:subject\"");
        return;
      }
      if (auto t = target(v.get_string(), at)) targets.push_back(std::move(*t));
    };
    if (list->is_array()) {
      if (list->get_array().empty()) error(here, "expected at least one target");
      for (size_t i = 0; i < list->get_array().size(); ++i)
        one(list->get_array()[i], here + "[" + std::to_string(i) + "]");
    } else {
      one(*list, here);
    }
    out = OutputGroup(policy, std::move(targets));
  }

  // A field name ("data.ID") or a template ("${source}:${data.ID}").
  std::optional<Template> key_template(const boost::json::value& v, const std::string& where) {
    if (!v.is_string() || v.get_string().empty()) {
      error(where, "expected a field name (\"data.DEVICE_ID\", \"subject\") or a template");
      return std::nullopt;
    }
    std::string text(v.get_string());
    if (text.find("${") == std::string::npos) text = "${" + text + "}";
    std::string why;
    auto t = Template::compile(text, why);
    if (!t) error(where, why);
    return t;
  }

  std::optional<double> non_negative(const boost::json::value& v, const std::string& where) {
    auto n = number_of(v);
    if (!n || *n < 0 || !std::isfinite(*n)) {
      error(where, "expected a number >= 0");
      return std::nullopt;
    }
    return n;
  }

  std::optional<uint32_t> whole(const boost::json::value& v, const std::string& where,
                                uint32_t min) {
    auto n = number_of(v);
    if (!n || *n < min || *n > 1e9 || std::trunc(*n) != *n) {
      error(where, "expected a whole number >= " + std::to_string(min));
      return std::nullopt;
    }
    return static_cast<uint32_t>(*n);
  }

  std::optional<RouteThrottle> compile_throttle(const boost::json::value& value,
                                                const std::string& where) {
    if (!value.is_object()) {
      error(where,
            "expected an object (key, rate, burst, min_interval_ms, keep_latest, buffer, "
            "overflow, max_keys, shared)");
      return std::nullopt;
    }
    RouteThrottle t;
    const size_t errors_before = errors_.size();
    for (const auto& entry : value.get_object()) {
      std::string_view key = entry.key();
      const auto& v = entry.value();
      std::string here = where + "." + std::string(key);
      if (key == "key") {
        t.key = key_template(v, here);
      } else if (key == "rate") {
        if (auto n = non_negative(v, here)) t.spec.rate = *n;
      } else if (key == "burst") {
        if (auto n = whole(v, here, 1)) t.spec.burst = *n;
      } else if (key == "min_interval_ms") {
        if (auto n = non_negative(v, here))
          t.spec.min_interval = std::chrono::milliseconds(std::llround(*n));
      } else if (key == "keep_latest") {
        if (auto b = bool_of(v))
          t.spec.keep_latest = *b;
        else
          error(here, "expected true or false");
      } else if (key == "buffer") {
        if (auto n = whole(v, here, 0)) t.spec.buffer = *n;
      } else if (key == "overflow") {
        auto o = v.is_string() ? parse_overflow(v.get_string()) : std::nullopt;
        if (o)
          t.spec.overflow = *o;
        else
          error(here, "expected drop_newest, drop_oldest or keep_latest");
      } else if (key == "max_keys") {
        if (auto n = whole(v, here, 1)) t.spec.max_keys = *n;
      } else if (key == "shared") {
        t.shared = compile_shared_throttle(v, here);
      } else {
        error(here, "unknown key '" + std::string(key) +
                        "' (expected key, rate, burst, min_interval_ms, keep_latest, buffer, "
                        "overflow, max_keys, shared)");
      }
    }
    if (errors_.size() != errors_before) return std::nullopt;
    if (t.spec.rate <= 0 && t.spec.min_interval.count() <= 0) {
      error(where, "set rate (messages per second) or min_interval_ms");
      return std::nullopt;
    }
    if (t.shared && t.spec.rate <= 0) {
      error(where + ".shared",
            "shares the rate between nodes: set rate (min_interval_ms stays per node)");
      return std::nullopt;
    }
    if (t.shared && t.spec.burst) {
      error(where + ".burst",
            "a shared budget counts per window (rate x shared.window_ms): set window_ms "
            "instead of burst");
      return std::nullopt;
    }
    if (t.spec.overflow && t.spec.buffer == 0 && !t.spec.keep_latest) {
      error(where + ".overflow", "has no effect without buffer (messages held per key)");
      return std::nullopt;
    }
    return t;
  }

  // "connector" or {connector, window_ms, lease, timeout_ms, key_prefix}.
  std::optional<SharedThrottle> compile_shared_throttle(const boost::json::value& value,
                                                        const std::string& where) {
    SharedThrottle shared;
    const char* expected =
        "expected a connector name or {connector, window_ms, lease, timeout_ms, key_prefix}";
    if (value.is_string()) {
      shared.connector = std::string(value.get_string());
    } else if (value.is_object()) {
      for (const auto& entry : value.get_object()) {
        std::string_view key = entry.key();
        const auto& v = entry.value();
        std::string here = where + "." + std::string(key);
        if (key == "connector" && v.is_string()) {
          shared.connector = std::string(v.get_string());
        } else if (key == "connector") {
          error(here, "expected a connector name");
        } else if (key == "window_ms") {
          if (auto n = whole(v, here, 1)) shared.window = std::chrono::milliseconds(*n);
        } else if (key == "lease") {
          if (auto n = whole(v, here, 1)) shared.lease = *n;
        } else if (key == "timeout_ms") {
          if (auto n = whole(v, here, 1)) shared.timeout = std::chrono::milliseconds(*n);
        } else if (key == "key_prefix" && v.is_string()) {
          shared.key_prefix = std::string(v.get_string());
        } else if (key == "key_prefix") {
          error(here, "expected a string");
        } else {
          error(here, "unknown key '" + std::string(key) +
                          "' (expected connector, window_ms, lease, timeout_ms, key_prefix)");
        }
      }
    } else {
      error(where, expected);
      return std::nullopt;
    }
    if (shared.connector.empty()) {
      error(where, expected);
      return std::nullopt;
    }
    check(shared.connector, RouteCompileOptions::Role::kRequest, where);
    return shared;
  }

  std::optional<RouteDedup> compile_dedup(const boost::json::value& value,
                                          const std::string& where) {
    if (!value.is_object()) {
      error(where, "expected an object (key, window_ms, max_keys)");
      return std::nullopt;
    }
    RouteDedup d;
    bool has_key = false;
    const size_t errors_before = errors_.size();
    for (const auto& entry : value.get_object()) {
      std::string_view key = entry.key();
      std::string here = where + "." + std::string(key);
      if (key == "key") {
        if (auto t = key_template(entry.value(), here)) {
          d.key = std::move(*t);
          has_key = true;
        }
      } else if (key == "window_ms") {
        if (auto n = whole(entry.value(), here, 1)) d.window = std::chrono::milliseconds(*n);
      } else if (key == "max_keys") {
        if (auto n = whole(entry.value(), here, 1)) d.max_keys = *n;
      } else {
        error(here, "unknown key '" + std::string(key) + "' (expected key, window_ms, max_keys)");
      }
    }
    if (errors_.size() != errors_before) return std::nullopt;
    if (!has_key) error(where, "missing 'key' (the field that identifies a repeated message)");
    if (d.window.count() <= 0) error(where, "missing 'window_ms'");
    if (errors_.size() != errors_before) return std::nullopt;
    return d;
  }

  const RouteCompileOptions& options_;
  std::string context_;
  std::vector<std::string>& errors_;
};

}  // namespace

uint32_t SharedThrottle::limit(double rate) const {
  double per_window = rate * static_cast<double>(window.count()) / 1000.0;
  return static_cast<uint32_t>(std::clamp(std::llround(per_window), 1LL, 1'000'000'000LL));
}

uint32_t SharedThrottle::lease_size(double rate) const {
  uint32_t budget = limit(rate);
  uint32_t size = lease ? lease : budget / 20;
  return std::clamp<uint32_t>(size, 1, budget);
}

std::optional<OutputTarget> compile_target(std::string_view text, std::string& error) {
  OutputTarget t;
  t.text = std::string(text);
  auto colon = text.find(':');
  t.connector = std::string(text.substr(0, colon));
  if (t.connector.empty()) {
    error = quoted(text) + " names no connector before ':'";
    return std::nullopt;
  }
  if (colon == std::string_view::npos) return t;
  std::string_view subject = text.substr(colon + 1);
  if (subject.empty()) {
    error = quoted(text) + " has an empty subject after ':'";
    return std::nullopt;
  }
  auto compiled = Template::compile(subject, error);
  if (!compiled) return std::nullopt;
  t.subject = std::move(*compiled);
  t.has_subject = true;
  return t;
}

std::optional<CompiledRoute> compile_route(const boost::json::value& spec,
                                           const RouteCompileOptions& options,
                                           std::string_view context,
                                           std::vector<std::string>& errors) {
  return RouteCompiler(options, context, errors).run(spec);
}

}  // namespace sluice::routing
