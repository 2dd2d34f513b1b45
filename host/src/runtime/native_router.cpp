// A first native router: from (connector[:pattern]), where (field
// equality), to (connector[:subject]), dead_letter. Replaced by the
// compiled routing engine in host/src/routing as it lands.
#include <algorithm>

#include "runtime/connector.hpp"
#include "runtime/router.hpp"

namespace sluice::runtime {

TargetSpec parse_target(const std::string& text) {
  auto colon = text.find(':');
  if (colon == std::string::npos) return {text, ""};
  return {text.substr(0, colon), text.substr(colon + 1)};
}

namespace {

std::vector<std::string> string_list(const boost::json::value* v) {
  std::vector<std::string> out;
  if (!v) return out;
  if (v->is_string()) out.emplace_back(v->get_string());
  if (v->is_array())
    for (const auto& item : v->get_array())
      if (item.is_string()) out.emplace_back(item.get_string());
  return out;
}

bool subject_matches(std::string_view pattern, std::string_view subject) {
  if (pattern.empty() || pattern == ">" || pattern == "#") return true;
  size_t p = 0, s = 0;
  while (p < pattern.size()) {
    size_t pend = pattern.find_first_of("./", p);
    if (pend == std::string_view::npos) pend = pattern.size();
    auto ptoken = pattern.substr(p, pend - p);
    if (ptoken == ">" || ptoken == "#") return s < subject.size() || ptoken == "#";
    if (s > subject.size()) return false;
    size_t send = subject.find_first_of("./", s);
    if (send == std::string_view::npos) send = subject.size();
    auto stoken = subject.substr(s, send - s);
    if (ptoken != "*" && ptoken != "+" && ptoken != stoken) return false;
    p = pend + 1;
    s = send + 1;
  }
  return s > subject.size();
}

bool scalar_equals(const boost::json::value& actual, const boost::json::value& expected) {
  if (actual == expected) return true;
  auto number = [](const boost::json::value& v, double& out) {
    if (v.is_number()) {
      out = v.to_number<double>();
      return true;
    }
    if (v.is_string()) {
      const auto& s = v.get_string();
      char* end = nullptr;
      std::string tmp(s);
      out = std::strtod(tmp.c_str(), &end);
      return !tmp.empty() && end == tmp.c_str() + tmp.size();
    }
    return false;
  };
  double a = 0, b = 0;
  if ((actual.is_number() || expected.is_number()) && number(actual, a) && number(expected, b))
    return a == b;
  return false;
}

struct Condition {
  std::string path;
  boost::json::value expected;
};

struct SubjectTemplate {
  std::string text;
  bool literal = true;
  std::string render(const Envelope& env, const std::string& node_id) const {
    if (literal) return text;
    std::string out;
    size_t i = 0;
    while (i < text.size()) {
      auto open = text.find("${", i);
      if (open == std::string::npos) {
        out.append(text, i);
        break;
      }
      out.append(text, i, open - i);
      auto close = text.find('}', open);
      if (close == std::string::npos) {
        out.append(text, open);
        break;
      }
      std::string name = text.substr(open + 2, close - open - 2);
      if (name == "subject") {
        out += env.subject;
      } else if (name == "key") {
        out += env.key.value_or("");
      } else if (name == "node_id") {
        out += node_id;
      } else if (const auto* doc = env.json()) {
        if (const auto* v = find_path(*doc, name)) {
          if (v->is_string())
            out.append(v->get_string());
          else
            out += boost::json::serialize(*v);
        }
      }
      i = close + 1;
    }
    return out;
  }
};

struct CompiledTarget {
  Connector* connector = nullptr;
  SubjectTemplate subject;
};

struct Route {
  std::string name;
  std::vector<std::pair<Connector*, std::string>> from;
  std::vector<Condition> where;
  std::vector<CompiledTarget> to;
  std::optional<CompiledTarget> dead_letter;
  std::unique_ptr<RouteStats> stats;
};

class NativeRouter : public Router {
 public:
  NativeRouter(std::vector<Route> routes, std::string node_id)
      : routes_(std::move(routes)), node_id_(std::move(node_id)) {}

  bool route(const EnvelopePtr& message, Delivery& delivery, Dispatch& out) const override {
    bool any = false;
    for (const auto& r : routes_) {
      bool from_ok = false;
      for (const auto& [c, pattern] : r.from)
        if (c == message->source && subject_matches(pattern, message->subject)) from_ok = true;
      if (!from_ok) continue;
      any = true;
      r.stats->matched.inc();
      if (!r.where.empty()) {
        const auto* doc = message->json();
        if (!doc) {
          r.stats->parse_errors.inc();
          if (r.dead_letter) {
            auto copy = dead_letter_copy(*message, message->json_error());
            r.stats->dead_lettered.inc();
            out.send(delivery, Output{OutputKind::kPublish,
                                      {r.dead_letter->connector,
                                       r.dead_letter->subject.render(*message, node_id_)},
                                      copy, std::nullopt, r.stats.get()});
          } else {
            r.stats->filtered.inc();
          }
          continue;
        }
        bool pass = true;
        for (const auto& c : r.where) {
          const auto* v = find_path(*doc, c.path);
          if (!v || !scalar_equals(*v, c.expected)) {
            pass = false;
            break;
          }
        }
        if (!pass) {
          r.stats->filtered.inc();
          continue;
        }
      }
      for (const auto& t : r.to) {
        std::optional<Target> dl;
        if (r.dead_letter)
          dl = Target{r.dead_letter->connector, r.dead_letter->subject.render(*message, node_id_)};
        out.send(delivery, Output{OutputKind::kPublish,
                                  {t.connector, t.subject.render(*message, node_id_)},
                                  message, dl, r.stats.get()});
      }
    }
    return any;
  }

  std::map<std::string, std::vector<std::string>> subscriptions() const override {
    std::map<std::string, std::vector<std::string>> out;
    for (const auto& r : routes_)
      for (const auto& [c, pattern] : r.from) {
        auto& list = out[c->name()];
        if (!pattern.empty() && std::find(list.begin(), list.end(), pattern) == list.end())
          list.push_back(pattern);
      }
    return out;
  }
  std::vector<std::string> sources() const override {
    std::vector<std::string> out;
    for (const auto& r : routes_)
      for (const auto& [c, pattern] : r.from)
        if (std::find(out.begin(), out.end(), c->name()) == out.end()) out.push_back(c->name());
    return out;
  }

 private:
  static EnvelopePtr dead_letter_copy(const Envelope& m, const std::string& error) {
    auto copy = std::make_shared<Envelope>();
    copy->payload = m.payload;
    copy->key = m.key;
    copy->subject = m.subject;
    copy->headers = m.headers;
    copy->headers.push_back({"sluice-error", error});
    copy->timestamp_ms = m.timestamp_ms;
    return copy;
  }

  std::vector<Route> routes_;
  std::string node_id_;
};

}  // namespace

std::shared_ptr<const Router> build_router(const std::vector<config::RouteConfig>& routes,
                                           const ConnectorLookup& lookup,
                                           metrics::Registry& registry, const std::string& node_id,
                                           std::vector<std::string>& errors) {
  std::vector<Route> compiled;
  int index = 0;
  for (const auto& rc : routes) {
    ++index;
    Route r;
    r.name = rc.name;
    if (const auto* n = rc.spec.if_contains("name"); r.name.empty() && n && n->is_string())
      r.name = n->get_string();
    if (r.name.empty()) r.name = "route-" + std::to_string(index);
    std::string where = rc.where.str() + ": route '" + r.name + "': ";
    auto resolve = [&](const std::string& text, const char* role) -> Connector* {
      auto spec = parse_target(text);
      Connector* c = lookup(spec.connector);
      if (!c) errors.push_back(where + role + " names unknown connector '" + spec.connector + "'");
      return c;
    };
    for (const auto& f : string_list(rc.spec.if_contains("from"))) {
      if (Connector* c = resolve(f, "from")) {
        if (!c->is_source())
          errors.push_back(where + "from: connector '" + c->name() + "' (plugin " +
                           c->plugin().name() + ") is not a source");
        r.from.emplace_back(c, parse_target(f).subject);
      }
    }
    if (r.from.empty() && !rc.spec.contains("from")) errors.push_back(where + "has no 'from'");
    for (const auto& t : string_list(rc.spec.if_contains("to"))) {
      if (Connector* c = resolve(t, "to")) {
        if (!c->is_sink())
          errors.push_back(where + "to: connector '" + c->name() + "' (plugin " +
                           c->plugin().name() + ") is not a sink");
        auto subject = parse_target(t).subject;
        r.to.push_back({c, {subject, subject.find("${") == std::string::npos}});
      }
    }
    if (const auto* dl = rc.spec.if_contains("dead_letter"); dl && dl->is_string()) {
      std::string text(dl->get_string());
      if (Connector* c = resolve(text, "dead_letter")) {
        auto subject = parse_target(text).subject;
        r.dead_letter = CompiledTarget{c, {subject, subject.find("${") == std::string::npos}};
      }
    }
    if (const auto* w = rc.spec.if_contains("where")) {
      if (!w->is_object()) {
        errors.push_back(where + "'where' must be a mapping of field: value");
      } else {
        for (const auto& [path, value] : w->get_object()) {
          if (value.is_object() || value.is_array()) {
            errors.push_back(where + "where: '" + std::string(path) +
                             "' must compare with a single value");
            continue;
          }
          r.where.push_back({std::string(path), value});
        }
      }
    }
    r.stats = std::make_unique<RouteStats>(registry, r.name);
    compiled.push_back(std::move(r));
  }
  return std::make_shared<NativeRouter>(std::move(compiled), node_id);
}

}  // namespace sluice::runtime
