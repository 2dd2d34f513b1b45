#include "route_test/expectation_check.hpp"

#include "routing/message_context.hpp"

namespace sluice::route_test {
namespace {

std::string quoted(const std::string& s) { return boost::json::serialize(boost::json::value(s)); }

std::optional<double> number_of(const boost::json::value& v) {
  if (v.is_int64()) return static_cast<double>(v.as_int64());
  if (v.is_uint64()) return static_cast<double>(v.as_uint64());
  if (v.is_double()) return v.as_double();
  return std::nullopt;
}

const std::string* header_of(const ReceivedMessage& m, const std::string& name) {
  for (const auto& h : m.headers)
    if (h.name == name) return &h.value;
  return nullptr;
}

}  // namespace

bool same_json(const boost::json::value& a, const boost::json::value& b) {
  auto na = number_of(a), nb = number_of(b);
  if (na && nb) return *na == *nb;
  if (a.kind() != b.kind()) return false;
  if (a.is_object()) {
    const auto& oa = a.as_object();
    const auto& ob = b.as_object();
    if (oa.size() != ob.size()) return false;
    for (const auto& [k, v] : oa) {
      const auto* other = ob.if_contains(k);
      if (!other || !same_json(v, *other)) return false;
    }
    return true;
  }
  if (a.is_array()) {
    const auto& xa = a.as_array();
    const auto& xb = b.as_array();
    if (xa.size() != xb.size()) return false;
    for (size_t i = 0; i < xa.size(); ++i)
      if (!same_json(xa[i], xb[i])) return false;
    return true;
  }
  return a == b;
}

std::vector<std::string> mismatches(const MessageExpectation& expected,
                                    const ReceivedMessage& actual) {
  std::vector<std::string> out;
  if (expected.payload_json) {
    boost::system::error_code ec;
    auto parsed = boost::json::parse(actual.payload, ec);
    if (ec)
      out.push_back("payload is not JSON (" + ec.message() + ")");
    else if (!same_json(*expected.payload_json, parsed))
      out.push_back("payload differs");
  }
  if (expected.payload_text && *expected.payload_text != actual.payload)
    out.push_back("payload differs");
  if (expected.fields) {
    message::Envelope env;
    env.payload = actual.payload;
    env.key = actual.key;
    env.subject = actual.subject;
    env.headers = actual.headers;
    routing::MessageContext ctx{env, "", "", nullptr};
    auto verdict = expected.fields->evaluate(ctx);
    if (verdict == routing::Verdict::kNotJson)
      out.push_back("fields " + expected.fields_text + ": payload is not JSON");
    else if (verdict == routing::Verdict::kNoMatch)
      out.push_back("fields " + expected.fields_text + " do not hold");
  }
  if (expected.key && (!actual.key || *actual.key != *expected.key))
    out.push_back("key: expected " + quoted(*expected.key) + ", got " +
                  (actual.key ? quoted(*actual.key) : std::string("none")));
  if (expected.subject && *expected.subject != actual.subject)
    out.push_back("subject: expected " + quoted(*expected.subject) + ", got " +
                  quoted(actual.subject));
  for (const auto& h : expected.headers) {
    const std::string* got = header_of(actual, h.name);
    if (!got || *got != h.value)
      out.push_back("header " + h.name + ": expected " + quoted(h.value) + ", got " +
                    (got ? quoted(*got) : std::string("none")));
  }
  if (expected.error) {
    const std::string* got = header_of(actual, "sluice-error");
    if (!got || got->find(*expected.error) == std::string::npos)
      out.push_back("error: expected a sluice-error header containing " + quoted(*expected.error) +
                    ", got " + (got ? quoted(*got) : std::string("none")));
  }
  return out;
}

std::string describe(const ReceivedMessage& m) {
  std::string out;
  if (m.request) out += "request ";
  if (!m.subject.empty()) out += "subject=" + m.subject + " ";
  if (m.key) out += "key=" + *m.key + " ";
  for (const auto& h : m.headers) out += "header " + h.name + "=" + h.value + " ";
  return out + m.payload;
}

std::string describe(const MessageExpectation& e) {
  std::string out;
  if (e.subject) out += "subject=" + *e.subject + " ";
  if (e.key) out += "key=" + *e.key + " ";
  for (const auto& h : e.headers) out += "header " + h.name + "=" + h.value + " ";
  if (e.error) out += "error~" + quoted(*e.error) + " ";
  if (e.fields) out += "fields " + e.fields_text + " ";
  if (e.payload_json) out += boost::json::serialize(*e.payload_json);
  if (e.payload_text) out += *e.payload_text;
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out.empty() ? "(any message)" : out;
}

std::vector<std::string> check_output(const OutputExpectation& expected,
                                      const std::vector<ReceivedMessage>& received) {
  std::vector<std::string> problems;
  auto plural = [](size_t n) { return std::to_string(n) + (n == 1 ? " message" : " messages"); };
  if (expected.count && *expected.count != received.size())
    problems.push_back(plural(*expected.count) + " expected, " + std::to_string(received.size()) +
                       " received");
  if (expected.ordered) {
    for (size_t i = 0; i < expected.messages.size(); ++i) {
      if (i >= received.size()) {
        problems.push_back("message " + std::to_string(i + 1) + " never arrived");
        continue;
      }
      for (const auto& why : mismatches(expected.messages[i], received[i]))
        problems.push_back("message " + std::to_string(i + 1) + ": " + why);
    }
  } else {
    std::vector<bool> used(received.size(), false);
    for (size_t i = 0; i < expected.messages.size(); ++i) {
      bool found = false;
      for (size_t j = 0; j < received.size() && !found; ++j) {
        if (used[j] || !mismatches(expected.messages[i], received[j]).empty()) continue;
        used[j] = found = true;
      }
      if (!found)
        problems.push_back("expected message " + std::to_string(i + 1) + " matches none received");
    }
  }
  if (problems.empty()) return problems;
  // The whole picture: every expectation, then every message that arrived.
  std::vector<std::string> out;
  for (auto& p : problems) out.push_back(expected.connector + ": " + p);
  for (size_t i = 0; i < expected.messages.size(); ++i)
    out.push_back("  - " + std::to_string(i + 1) + " " + describe(expected.messages[i]));
  if (expected.messages.empty() && expected.count) out.push_back("  - " + plural(*expected.count));
  for (size_t i = 0; i < received.size(); ++i)
    out.push_back("  + " + std::to_string(i + 1) + " " + describe(received[i]));
  if (received.empty()) out.push_back("  + (nothing received)");
  return out;
}

}  // namespace sluice::route_test
