#include "routing/route_table.hpp"

#include <algorithm>

namespace sluice::routing {

namespace {

void add_path(const FieldRef& field, std::vector<const JsonPath*>& out) {
  if (!field.reads_payload()) return;
  for (const JsonPath* p : out)
    if (p->text() == field.path().text()) return;
  out.push_back(&field.path());
}

void add_template(const Template& t, std::vector<const JsonPath*>& out) {
  for (const auto& f : t.fields()) add_path(f, out);
}

void collect_payload_paths(CompiledRoute& r) {
  auto& out = r.payload_paths;
  out.clear();
  for (const auto& f : r.where.fields()) add_path(f, out);
  for (const auto& t : r.to.targets()) add_template(t.subject, out);
  if (r.throttle && r.throttle->key) add_template(*r.throttle->key, out);
  if (r.dedup) add_template(r.dedup->key, out);
  if (r.dead_letter) add_template(r.dead_letter->subject, out);
}

}  // namespace

RouteTable::RouteId RouteTable::add(CompiledRoute route) {
  const auto id = static_cast<RouteId>(routes_.size());
  routes_.push_back(std::make_unique<CompiledRoute>(std::move(route)));
  collect_payload_paths(*routes_.back());
  for (const RouteSource& source : routes_.back()->from) {
    auto it = by_connector_.find(std::string_view(source.connector));
    if (it == by_connector_.end())
      it = by_connector_.emplace(source.connector, PerConnector{}).first;
    PerConnector& c = it->second;
    if (!source.pattern) {
      if (c.every_subject.empty() || c.every_subject.back() != id) c.every_subject.push_back(id);
    } else {
      c.patterns.add(*source.pattern, id);
    }
  }
  return id;
}

void RouteTable::match(std::string_view connector, std::string_view subject,
                       std::vector<RouteId>& out) const {
  auto it = by_connector_.find(connector);
  if (it == by_connector_.end()) return;
  const PerConnector& c = it->second;
  const size_t first = out.size();
  out.insert(out.end(), c.every_subject.begin(), c.every_subject.end());
  const size_t from_patterns = out.size();
  c.patterns.match(subject, out);
  // Both runs are sorted; merge them and drop routes found both ways.
  if (from_patterns != first && out.size() != from_patterns) {
    std::inplace_merge(out.begin() + first, out.begin() + from_patterns, out.end());
    out.erase(std::unique(out.begin() + first, out.end()), out.end());
  }
}

std::map<std::string, std::vector<std::string>> RouteTable::subscriptions() const {
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& route : routes_) {
    for (const RouteSource& source : route->from) {
      auto& patterns = out[source.connector];
      if (!source.pattern) continue;
      const std::string& text = source.pattern->text();
      if (std::find(patterns.begin(), patterns.end(), text) == patterns.end())
        patterns.push_back(text);
    }
  }
  return out;
}

}  // namespace sluice::routing
