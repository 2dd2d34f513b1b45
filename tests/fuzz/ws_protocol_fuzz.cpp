// The WebSocket control frames browsers send (subscribe, unsubscribe,
// ping): any text is parsed or answered with an error frame, and every frame
// sluice sends back (error, unsubscribed, pong echoing the client's id) is
// valid JSON whatever the client wrote.
#include <boost/json.hpp>
#include <string>
#include <variant>

#include "fuzz_input.hpp"
#include "protocol.hpp"

namespace {

bool is_json(const std::string& text) {
  boost::system::error_code ec;
  boost::json::parse(text, ec);
  return !ec;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sluice::websocket;
  auto parsed = parse_control_frame(sluice::fuzz::as_text(data, size), 16);
  if (auto* error = std::get_if<ProtocolError>(&parsed)) {
    FUZZ_CHECK(!error->code.empty());
    FUZZ_CHECK(is_json(error_frame(*error)));
    return 0;
  }
  const auto& frame = std::get<ControlFrame>(parsed);
  if (auto* ping = std::get_if<PingRequest>(&frame))
    FUZZ_CHECK(is_json(pong_frame(ping->id_json, 1)));
  if (auto* sub = std::get_if<SubscribeRequest>(&frame)) {
    FUZZ_CHECK(sub->id.size() <= kMaxSubscriptionIdBytes);
    for (const auto& [name, values] : sub->fields) FUZZ_CHECK(values.size() <= 16);
    FUZZ_CHECK(is_json(unsubscribed_frame(sub->id)));
  }
  if (auto* unsub = std::get_if<UnsubscribeRequest>(&frame))
    FUZZ_CHECK(is_json(unsubscribed_frame(unsub->id)));
  return 0;
}
