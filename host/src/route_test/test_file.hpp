// A `sluice test` file: which config it tests and its cases, each a list of
// input steps (messages sent into source connectors, virtual time advanced)
// and what every output connector must have received. Read from YAML with
// every mistake reported at file:line:col, all at once, like a config.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/diagnostic.hpp"
#include "message/envelope.hpp"
#include "routing/predicate.hpp"

namespace sluice::route_test {

// One message a step sends into a source connector.
struct InputMessage {
  std::string payload;
  std::optional<std::string> key;
  std::string subject;
  std::vector<message::Header> headers;
  int64_t timestamp_ms = 0;  // 0: stamped with the wall clock when sent
};

// What one received message (or a reply) must look like. Every part is
// optional; what is not given is not checked.
struct MessageExpectation {
  config::SourceLocation where;
  std::optional<boost::json::value> payload_json;  // a mapping or list: compared as JSON
  std::optional<std::string> payload_text;         // a string: compared byte for byte
  // `fields:` — conditions in the syntax of a route's `where`.
  std::shared_ptr<const routing::Predicate> fields;
  std::string fields_text;  // as written, for the diff
  std::optional<std::string> key;
  std::optional<std::string> subject;
  std::vector<message::Header> headers;  // each present with this value
  std::optional<std::string> error;      // text the sluice-error header contains
};

// What one output connector must have received by the end of a case.
struct OutputExpectation {
  std::string connector;
  config::SourceLocation where;
  std::optional<size_t> count;  // exactly this many messages
  std::vector<MessageExpectation> messages;
  bool ordered = true;  // messages[i] is the i-th received; else any order
};

struct Step {
  enum class Kind { kSend, kAdvance };
  Kind kind = Kind::kSend;
  config::SourceLocation where;
  // kSend
  std::string connector;
  std::vector<InputMessage> messages;  // one, or one per line of a jsonl file
  bool request = false;                // sent with a reply handle
  std::optional<MessageExpectation> reply;
  bool expect_no_reply = false;  // `reply: nothing`
  // kAdvance
  int64_t advance_ms = 0;
};

// A canned reply for the requests a handler sends with sluice.request.
struct RequestStub {
  config::SourceLocation where;
  std::string connector;
  std::optional<std::string> subject;                // only requests to this subject
  std::shared_ptr<const routing::Predicate> fields;  // only requests whose payload matches
  std::string reply_payload;
  std::vector<message::Header> reply_headers;
  std::optional<std::string> error;  // fail the request with this text instead
};

// How a stand-in output behaves in a case (default: healthy, takes everything).
struct StandInBehaviour {
  bool healthy = true;
  std::optional<std::string> fail;  // every publish refused with this error
};

struct TestCase {
  std::string name;
  config::SourceLocation where;
  std::vector<Step> steps;
  std::vector<OutputExpectation> expect;
  std::vector<RequestStub> stubs;  // the file's, then the case's own
  std::map<std::string, StandInBehaviour> connectors;
  std::optional<size_t> nacked;  // source messages that must have been nacked
};

struct TestFile {
  std::string path;
  std::string config_path;  // absolute or relative to the working dir, as opened
  std::vector<TestCase> cases;
};

// Reads a test file. Every problem goes to `errors` (sorted by line);
// callers check errors.empty().
TestFile load_test_file(const std::string& path, std::vector<config::Diagnostic>& errors);

}  // namespace sluice::route_test
