// The layer between a WebSocket stream and its transport, there for one
// thing: when a peer closes with a code RFC 6455 does not define (5000 and
// up), Beast echoes that code back; this layer makes the echo say 1002
// (protocol error), as the RFC asks. Everything else passes through.
#pragma once

#include <cstdint>
#include <type_traits>
#include <utility>

#include "beast_types.hpp"
#include "drain_teardown.hpp"

namespace sluice::websocket {

// Close codes a peer may send (RFC 6455 7.4): Beast refuses the reserved
// ones itself, but lets 5000-65535 through.
inline bool is_sendable_close_code(uint16_t code) {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
         (code >= 3000 && code <= 4999);
}

template <class Next>
class CloseCodeGuard {
 public:
  using executor_type = typename Next::executor_type;
  using next_layer_type = Next;

  explicit CloseCodeGuard(Next&& next) : next_(std::move(next)) {}

  executor_type get_executor() noexcept { return next_.get_executor(); }
  Next& next_layer() noexcept { return next_; }
  const Next& next_layer() const noexcept { return next_; }

  // The peer's close frame carried `code`, which it must not send: the close
  // frame Beast writes next (its echo of `code`) goes out with 1002 instead.
  void answer_close_code_with_protocol_error(uint16_t code) { bad_code_ = code; }

  template <class Buffers, class Handler>
  auto async_read_some(const Buffers& buffers, Handler&& handler) {
    return next_.async_read_some(buffers, std::forward<Handler>(handler));
  }

  template <class Buffers, class Handler>
  auto async_write_some(const Buffers& buffers, Handler&& handler) {
    if (bad_code_ != 0) rewrite_echo(*net::buffer_sequence_begin(buffers));
    return next_.async_write_some(buffers, std::forward<Handler>(handler));
  }

 private:
  // Beast writes a close frame in one piece from its own (mutable) buffer:
  // 0x88, a length of at least 2, then the code in network order.
  void rewrite_echo(const net::const_buffer& first) {
    auto* bytes = static_cast<unsigned char*>(const_cast<void*>(first.data()));
    if (first.size() < 4 || bytes[0] != 0x88 || (bytes[1] & 0x7f) < 2 ||
        bytes[2] != (bad_code_ >> 8) || bytes[3] != (bad_code_ & 0xff))
      return;
    bytes[2] = 1002 >> 8;
    bytes[3] = 1002 & 0xff;
    bad_code_ = 0;
  }

  Next next_;
  uint16_t bad_code_ = 0;
};

// Beast closes the transport under the WebSocket stream through these.
template <class Next>
void teardown(beast::role_type role, CloseCodeGuard<Next>& stream, beast::error_code& ec) {
  using ws::teardown;
  teardown(role, stream.next_layer(), ec);
}

template <class Next, class Handler>
void async_teardown(beast::role_type role, CloseCodeGuard<Next>& stream, Handler&& handler) {
  if constexpr (std::is_same_v<Next, tcp::socket>) {
    if (role == beast::role_type::server)
      return async_drain_then_close(stream.next_layer(), std::forward<Handler>(handler));
  }
  using ws::async_teardown;
  async_teardown(role, stream.next_layer(), std::forward<Handler>(handler));
}

}  // namespace sluice::websocket
