// Reading a test file: the shape of every key is checked here, with its
// location, so that a broken test file stops `sluice test` (exit 2) before
// any case runs, instead of failing cases for reasons that are not theirs.
#include "route_test/test_file.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "config/config_node.hpp"
#include "config/field_reader.hpp"
#include "config/regular_file.hpp"
#include "config/scalar_typing.hpp"

namespace sluice::route_test {
namespace {

namespace fs = std::filesystem;
using config::ConfigNode;
using config::FieldReader;

class TestFileReader {
 public:
  TestFileReader(std::string path, std::vector<config::Diagnostic>& errors)
      : path_(std::move(path)), reader_(errors) {}

  TestFile read(const ConfigNode& root) {
    TestFile file;
    file.path = path_;
    if (!reader_.mapping_or_null(root, "")) return file;
    reader_.reject_unknown_keys(root, {"config", "stubs", "cases"}, "", true);
    if (const auto* c = root.find("config")) {
      if (auto s = reader_.string(c->value, "config")) file.config_path = relative_to_file(*s);
    } else {
      reader_.error(root.where, "missing 'config': the config file this test file tests");
    }
    std::vector<RequestStub> shared_stubs;
    if (const auto* s = root.find("stubs")) shared_stubs = stubs(s->value, "stubs");
    const auto* cases = root.find("cases");
    if (!cases || !cases->value.is_sequence() || cases->value.items.empty()) {
      reader_.error(cases ? cases->value.where : root.where,
                    "'cases' must be a list of test cases (each with name, input, expect)");
      return file;
    }
    for (size_t i = 0; i < cases->value.items.size(); ++i) {
      auto c = test_case(cases->value.items[i], "cases[" + std::to_string(i) + "]");
      c.stubs.insert(c.stubs.begin(), shared_stubs.begin(), shared_stubs.end());
      file.cases.push_back(std::move(c));
    }
    return file;
  }

 private:
  std::string relative_to_file(const std::string& p) const {
    if (p.empty() || fs::path(p).is_absolute()) return p;
    return (fs::path(path_).parent_path() / p).lexically_normal().string();
  }

  TestCase test_case(const ConfigNode& node, const std::string& path) {
    TestCase c;
    c.where = node.where;
    if (!node.is_mapping()) {
      reader_.error(node.where, path + ": expected a mapping with name, input and expect");
      return c;
    }
    reader_.reject_unknown_keys(node, {"name", "input", "expect", "stubs", "connectors", "nacked"},
                                path);
    if (const auto* n = node.find("name")) {
      if (auto s = reader_.string(n->value, path + ".name")) c.name = *s;
    } else {
      reader_.error(node.where, path + ": missing 'name'");
    }
    std::string at = c.name.empty() ? path : "case '" + c.name + "'";
    if (const auto* in = node.find("input")) {
      if (!in->value.is_sequence()) {
        reader_.error(in->value.where, at + ".input: expected a list of steps");
      } else {
        for (size_t i = 0; i < in->value.items.size(); ++i)
          c.steps.push_back(step(in->value.items[i], at + ".input[" + std::to_string(i) + "]"));
      }
    }
    if (const auto* ex = node.find("expect")) {
      if (!ex->value.is_mapping()) {
        reader_.error(ex->value.where,
                      at + ".expect: expected a mapping of output connector to what it receives");
      } else {
        for (const auto& e : ex->value.entries)
          c.expect.push_back(output(e, at + ".expect." + e.key));
      }
    }
    if (const auto* s = node.find("stubs")) c.stubs = stubs(s->value, at + ".stubs");
    if (const auto* cs = node.find("connectors")) {
      if (reader_.mapping_or_null(cs->value, at + ".connectors")) {
        for (const auto& e : cs->value.entries) {
          std::string p = at + ".connectors." + e.key;
          StandInBehaviour b;
          if (!reader_.mapping_or_null(e.value, p)) continue;
          reader_.reject_unknown_keys(e.value, {"healthy", "fail"}, p);
          if (const auto* h = e.value.find("healthy"))
            b.healthy = reader_.boolean(h->value, p + ".healthy").value_or(true);
          if (const auto* f = e.value.find("fail")) b.fail = reader_.string(f->value, p + ".fail");
          c.connectors[e.key] = b;
        }
      }
    }
    if (const auto* n = node.find("nacked")) {
      if (auto v = reader_.integer(n->value, at + ".nacked", 0, 1'000'000'000))
        c.nacked = static_cast<size_t>(*v);
    }
    bool checks_a_reply = std::any_of(c.steps.begin(), c.steps.end(),
                                      [](const Step& s) { return s.reply || s.expect_no_reply; });
    if (!node.find("expect") && !checks_a_reply && !c.nacked)
      reader_.error(node.where, at + ": checks nothing: add 'expect' (`out: nothing` expects "
                                     "silence), a step's 'reply' or 'nacked'");
    return c;
  }

  Step step(const ConfigNode& node, const std::string& path) {
    Step s;
    s.where = node.where;
    if (!node.is_mapping()) {
      reader_.error(node.where, path +
                                    ": expected a mapping: {from: connector, payload: ...} or "
                                    "{advance_ms: N}");
      return s;
    }
    if (const auto* a = node.find("advance_ms")) {
      reader_.reject_unknown_keys(node, {"advance_ms"}, path);
      s.kind = Step::Kind::kAdvance;
      s.advance_ms = reader_.integer(a->value, path + ".advance_ms", 0, 1'000'000'000).value_or(0);
      return s;
    }
    reader_.reject_unknown_keys(node,
                                {"from", "payload", "key", "subject", "headers", "timestamp_ms",
                                 "jsonl", "request", "reply"},
                                path);
    if (const auto* f = node.find("from")) {
      if (auto name = reader_.string(f->value, path + ".from")) s.connector = *name;
    } else {
      reader_.error(node.where, path + ": missing 'from' (the source connector) or 'advance_ms'");
    }
    InputMessage m;
    if (const auto* k = node.find("key")) m.key = scalar_text(k->value, path + ".key");
    if (const auto* sub = node.find("subject"))
      m.subject = scalar_text(sub->value, path + ".subject");
    if (const auto* h = node.find("headers")) m.headers = headers(h->value, path + ".headers");
    if (const auto* t = node.find("timestamp_ms"))
      m.timestamp_ms = milliseconds(t->value, path + ".timestamp_ms");
    const auto* payload = node.find("payload");
    const auto* jsonl = node.find("jsonl");
    if (payload && jsonl)
      reader_.error(jsonl->key_where, path + ": give payload or jsonl, not both");
    if (jsonl) {
      if (auto file = reader_.string(jsonl->value, path + ".jsonl"))
        read_jsonl(relative_to_file(*file), jsonl->value.where, m, s.messages);
    } else {
      if (payload) m.payload = payload_text(payload->value, path + ".payload");
      s.messages.push_back(std::move(m));
    }
    if (const auto* r = node.find("request"))
      s.request = reader_.boolean(r->value, path + ".request").value_or(false);
    if (const auto* r = node.find("reply")) {
      if (!s.request)
        reader_.error(r->key_where, path + ".reply: only a `request: true` step gets a reply");
      if (is_nothing(r->value))
        s.expect_no_reply = true;
      else
        s.reply = message(r->value, path + ".reply");
    }
    return s;
  }

  void read_jsonl(const std::string& file, const config::SourceLocation& where,
                  const InputMessage& like, std::vector<InputMessage>& out) {
    std::string text;
    if (std::string why = config::read_regular_file(file, config::kMaxConfigFileBytes, text);
        !why.empty()) {
      reader_.error(where, "jsonl: cannot read " + file + ": " + why);
      return;
    }
    size_t start = 0;
    while (start < text.size()) {
      size_t end = text.find('\n', start);
      if (end == std::string::npos) end = text.size();
      std::string line = text.substr(start, end - start);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (!line.empty()) {
        InputMessage m = like;
        m.payload = std::move(line);
        out.push_back(std::move(m));
      }
      start = end + 1;
    }
  }

  static bool is_nothing(const ConfigNode& node) {
    return node.is_scalar() && !node.literal_string && node.text == "nothing";
  }

  OutputExpectation output(const ConfigNode::Entry& entry, const std::string& path) {
    OutputExpectation o;
    o.connector = entry.key;
    o.where = entry.key_where;
    const ConfigNode& v = entry.value;
    if (is_nothing(v)) {
      o.count = 0;
    } else if (v.is_sequence()) {
      for (size_t i = 0; i < v.items.size(); ++i)
        o.messages.push_back(message(v.items[i], path + "[" + std::to_string(i) + "]"));
      o.count = o.messages.size();
    } else if (v.is_mapping()) {
      reader_.reject_unknown_keys(v, {"count", "messages", "ordered"}, path);
      if (const auto* c = v.find("count"))
        if (auto n = reader_.integer(c->value, path + ".count", 0, 1'000'000'000))
          o.count = static_cast<size_t>(*n);
      if (const auto* m = v.find("messages")) {
        if (!m->value.is_sequence())
          reader_.error(m->value.where, path + ".messages: expected a list");
        else
          for (size_t i = 0; i < m->value.items.size(); ++i)
            o.messages.push_back(
                message(m->value.items[i], path + ".messages[" + std::to_string(i) + "]"));
      }
      if (const auto* ord = v.find("ordered"))
        o.ordered = reader_.boolean(ord->value, path + ".ordered").value_or(true);
      if (!o.count && o.messages.empty())
        reader_.error(v.where, path + ": give count, messages, or both");
    } else {
      reader_.error(v.where, path +
                                 ": expected `nothing`, a list of messages, or a mapping with "
                                 "count, messages and ordered");
    }
    return o;
  }

  MessageExpectation message(const ConfigNode& node, const std::string& path) {
    MessageExpectation m;
    m.where = node.where;
    if (!node.is_mapping()) {
      reader_.error(node.where,
                    path +
                        ": expected a mapping with payload, fields, key, subject, headers or "
                        "error");
      return m;
    }
    reader_.reject_unknown_keys(node, {"payload", "fields", "key", "subject", "headers", "error"},
                                path);
    if (const auto* p = node.find("payload")) {
      if (p->value.is_mapping() || p->value.is_sequence())
        m.payload_json = config::to_json(p->value, reader_.errors());
      else
        m.payload_text = scalar_text(p->value, path + ".payload");
    }
    if (const auto* f = node.find("fields")) {
      if (!f->value.is_mapping()) {
        reader_.error(f->value.where, path +
                                          ".fields: expected a mapping of conditions (as in a "
                                          "route's where)");
      } else {
        auto spec = config::to_json(f->value, reader_.errors());
        m.fields_text = boost::json::serialize(spec);
        std::vector<std::string> problems;
        auto compiled = routing::Predicate::compile(spec, problems, "fields",
                                                    fs::path(path_).parent_path().string());
        for (const auto& problem : problems) reader_.error(f->value.where, path + "." + problem);
        if (compiled) m.fields = std::make_shared<const routing::Predicate>(std::move(*compiled));
      }
    }
    if (const auto* k = node.find("key")) m.key = scalar_text(k->value, path + ".key");
    if (const auto* s = node.find("subject")) m.subject = scalar_text(s->value, path + ".subject");
    if (const auto* h = node.find("headers")) m.headers = headers(h->value, path + ".headers");
    if (const auto* e = node.find("error")) m.error = scalar_text(e->value, path + ".error");
    return m;
  }

  std::vector<RequestStub> stubs(const ConfigNode& node, const std::string& path) {
    std::vector<RequestStub> out;
    if (!node.is_sequence()) {
      reader_.error(node.where, path + ": expected a list of {to, subject, fields, reply}");
      return out;
    }
    for (size_t i = 0; i < node.items.size(); ++i) {
      const ConfigNode& item = node.items[i];
      std::string p = path + "[" + std::to_string(i) + "]";
      RequestStub s;
      s.where = item.where;
      if (!item.is_mapping()) {
        reader_.error(item.where, p + ": expected a mapping {to, subject, fields, reply}");
        continue;
      }
      reader_.reject_unknown_keys(item, {"to", "subject", "fields", "reply", "headers", "error"},
                                  p);
      if (const auto* t = item.find("to")) {
        if (auto name = reader_.string(t->value, p + ".to")) s.connector = *name;
      } else {
        reader_.error(item.where, p + ": missing 'to' (the connector the request goes to)");
      }
      if (const auto* sub = item.find("subject"))
        s.subject = scalar_text(sub->value, p + ".subject");
      if (const auto* f = item.find("fields")) {
        auto spec = config::to_json(f->value, reader_.errors());
        std::vector<std::string> problems;
        auto compiled = routing::Predicate::compile(spec, problems, "fields");
        for (const auto& problem : problems) reader_.error(f->value.where, p + "." + problem);
        if (compiled) s.fields = std::make_shared<const routing::Predicate>(std::move(*compiled));
      }
      if (const auto* r = item.find("reply"))
        s.reply_payload = payload_text(r->value, p + ".reply");
      if (const auto* h = item.find("headers")) s.reply_headers = headers(h->value, p + ".headers");
      if (const auto* e = item.find("error")) s.error = scalar_text(e->value, p + ".error");
      if (!item.find("reply") && !s.error)
        reader_.error(item.where, p + ": give the canned 'reply' (or an 'error')");
      out.push_back(std::move(s));
    }
    return out;
  }

  // A non-negative 64-bit integer (epoch milliseconds do not fit an int).
  int64_t milliseconds(const ConfigNode& node, const std::string& path) {
    if (node.is_scalar() && config::scalar_type(node) == config::ScalarType::kInteger)
      if (auto v = config::scalar_integer(node); v && *v >= 0) return *v;
    reader_.error(node.where, path + ": expected milliseconds (an integer >= 0), got " +
                                  config::describe(node));
    return 0;
  }

  // A payload as sent: a mapping or list as JSON text, a scalar as written.
  std::string payload_text(const ConfigNode& node, const std::string& path) {
    if (node.is_mapping() || node.is_sequence())
      return boost::json::serialize(config::to_json(node, reader_.errors()));
    return scalar_text(node, path);
  }

  std::string scalar_text(const ConfigNode& node, const std::string& path) {
    if (node.is_null()) return "";
    if (!node.is_scalar()) {
      reader_.error(node.where, path + ": expected text, got " + config::describe(node));
      return "";
    }
    return node.text;
  }

  std::vector<message::Header> headers(const ConfigNode& node, const std::string& path) {
    std::vector<message::Header> out;
    if (!reader_.mapping_or_null(node, path)) return out;
    for (const auto& e : node.entries)
      out.push_back({e.key, scalar_text(e.value, path + "." + e.key)});
    return out;
  }

  std::string path_;
  FieldReader reader_;
};

}  // namespace

TestFile load_test_file(const std::string& path, std::vector<config::Diagnostic>& errors) {
  std::string text;
  if (std::string why = config::read_regular_file(path, config::kMaxConfigFileBytes, text);
      !why.empty()) {
    errors.push_back({{path, 0, 0}, "cannot read the test file: " + why});
    return {path, "", {}};
  }
  auto root = config::parse_config_yaml(text, path, config::process_env, errors);
  if (!root) return {path, "", {}};
  TestFile file = TestFileReader(path, errors).read(*root);
  config::sort_and_dedupe(errors);
  return file;
}

}  // namespace sluice::route_test
