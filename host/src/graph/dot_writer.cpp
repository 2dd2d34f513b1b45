#include "graph/dot_writer.hpp"

#include <set>

namespace sluice::graph {
namespace {

// A DOT double-quoted string: only `"` and `\` need escaping; newlines
// become DOT's left-justified line breaks.
std::string quoted(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\l";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

std::string connector_id(const std::string& name) { return quoted("connector:" + name); }

std::string label_line(const char* what, const std::string& json) {
  return json.empty() ? "" : std::string(what) + " " + json + "\n";
}

void edge(std::string& out, const std::string& from, const std::string& to,
          const std::string& label, bool dashed = false) {
  out += "  " + from + " -> " + to;
  std::string attrs;
  if (!label.empty()) attrs += "label=" + quoted(label);
  if (dashed) attrs += std::string(attrs.empty() ? "" : ", ") + "style=dashed";
  if (!attrs.empty()) out += " [" + attrs + "]";
  out += ";\n";
}

}  // namespace

std::string to_dot(const Topology& t) {
  std::string out =
      "digraph sluice {\n"
      "  rankdir=LR;\n"
      "  node [fontname=\"Helvetica\", fontsize=10];\n"
      "  edge [fontname=\"Helvetica\", fontsize=9];\n";
  std::set<std::string> known;
  for (const auto& c : t.connectors) {
    known.insert(c.name);
    out += "  " + connector_id(c.name) +
           " [shape=box, style=rounded, label=" + quoted(c.name + "\n(" + c.plugin + ")") + "];\n";
  }
  // A route or handler naming a connector the config lacks still draws
  // (`sluice check` reports it); it shows as a red box.
  auto ensure = [&](const std::string& name) {
    if (known.insert(name).second)
      out += "  " + connector_id(name) +
             " [shape=box, color=red, label=" + quoted(name + "\n(unknown connector)") + "];\n";
  };
  for (size_t i = 0; i < t.routes.size(); ++i) {
    const auto& r = t.routes[i];
    std::string id = quoted("route:" + std::to_string(i));
    std::string label = "route " + r.name + "\n" + label_line("where", r.where) +
                        label_line("transform", r.transform) + label_line("dedup", r.dedup) +
                        label_line("throttle", r.throttle);
    if (r.from.size() > 1) label += "from: " + r.source_policy + "\n";
    if (r.to.size() > 1) label += "to: " + r.policy + "\n";
    out += "  " + id + " [shape=ellipse, label=" + quoted(label) + "];\n";
    for (const auto& f : r.from) {
      ensure(f.connector);
      edge(out, connector_id(f.connector), id, f.subject);
    }
    for (const auto& o : r.to) {
      ensure(o.connector);
      edge(out, id, connector_id(o.connector), o.subject);
    }
    for (const auto& d : r.dead_letter) {
      ensure(d.connector);
      edge(out, id, connector_id(d.connector),
           "dead letter" + (d.subject.empty() ? "" : ": " + d.subject), true);
    }
  }
  for (size_t i = 0; i < t.handlers.size(); ++i) {
    const auto& h = t.handlers[i];
    std::string id = quoted("handler:" + std::to_string(i));
    std::string label = std::string(h.request ? "sluice.on_request " : "sluice.on ") + h.name +
                        "\n" + h.declared_at + "\n";
    out += "  " + id + " [shape=component, label=" + quoted(label) + "];\n";
    ensure(h.from.connector);
    edge(out, connector_id(h.from.connector), id, h.from.subject);
    if (h.request) edge(out, id, connector_id(h.from.connector), "reply", true);
    for (const auto& d : h.dead_letter) {
      ensure(d.connector);
      edge(out, id, connector_id(d.connector), "dead letter", true);
    }
  }
  return out + "}\n";
}

}  // namespace sluice::graph
