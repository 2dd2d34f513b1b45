// Route compilation from any JSON spec (what a YAML `routes:` entry or a Lua
// sluice.route{} table becomes), then the compiled route on a message: the
// `where` filter evaluates and the transform applies without crashing, and
// every refusal comes with a reason.
//   input: route spec (JSON) ---- payload ---- subject
#include <boost/json.hpp>
#include <string>
#include <vector>

#include "fuzz_input.hpp"
#include "message/envelope.hpp"
#include "routing/message_context.hpp"
#include "routing/route_spec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sluice;
  auto parts = fuzz::split_parts(fuzz::as_text(data, size), 3);
  std::string target_error;
  if (!routing::compile_target(parts[0], target_error)) FUZZ_CHECK(!target_error.empty());

  boost::system::error_code ec;
  boost::json::value spec = boost::json::parse(parts[0], ec);
  if (ec) return 0;
  std::vector<std::string> errors;
  auto route = routing::compile_route(spec, {}, "routes[0]", errors);
  if (!route) {
    FUZZ_CHECK(!errors.empty());
    for (const auto& e : errors) FUZZ_CHECK(e.rfind("routes[0]", 0) == 0);
    return 0;
  }
  FUZZ_CHECK(errors.empty());

  message::Envelope message;
  message.payload = std::string(parts[1]);
  message.subject = std::string(parts[2]);
  routing::MessageContext context{message, "source", "node"};
  for (const auto& source : route->from)
    if (source.pattern) source.pattern->matches(message.subject);
  route->where.evaluate(context);
  if (route->transform) {
    boost::json::value doc = boost::json::parse(message.payload, ec);
    if (!ec) route->transform->apply(context, doc);
  }
  return 0;
}
