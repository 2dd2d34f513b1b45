// How the server ends the TCP connection under a WebSocket once the close
// frames are written: stop sending, read what the peer still sends until its
// FIN (within bounds), then close.
//
// Beast 1.81's own teardown stops after its first read (it checks the byte
// count of the wrong call, boostorg/beast#1373), so when a client's oversized
// message is still arriving the socket closes with unread bytes, the kernel
// answers with a reset, and the reset can destroy the client's copy of our
// close frame (1009) before the client reads it.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>

#include "beast_types.hpp"

namespace sluice::websocket {

// Bounds for a peer that keeps sending after the close: past them the socket
// closes anyway (and the peer may see a reset instead of the close frame).
inline constexpr size_t kTeardownDrainBytes = 4 * 1024 * 1024;
inline constexpr std::chrono::seconds kTeardownDrainTime{5};

class DrainThenClose {
 public:
  explicit DrainThenClose(beast::tcp_stream& stream)
      : stream_(stream), buffer_(std::make_unique<char[]>(kBufferBytes)) {}

  template <class Self>
  void operator()(Self& self, beast::error_code ec = {}, size_t bytes = 0) {
    if (!started_) {
      started_ = true;
      beast::error_code ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
      stream_.expires_after(kTeardownDrainTime);
    } else {
      drained_ += bytes;
      // End of stream is the clean end; a timeout, a reset or too many bytes
      // end it too: the socket closes either way.
      if (ec || drained_ > kTeardownDrainBytes) {
        beast::error_code ignored;
        stream_.socket().close(ignored);
        return self.complete(ec == net::error::eof ? beast::error_code{} : ec);
      }
    }
    stream_.async_read_some(net::buffer(buffer_.get(), kBufferBytes), std::move(self));
  }

 private:
  static constexpr size_t kBufferBytes = 16 * 1024;
  beast::tcp_stream& stream_;
  std::unique_ptr<char[]> buffer_;
  size_t drained_ = 0;
  bool started_ = false;
};

template <class Handler>
auto async_drain_then_close(beast::tcp_stream& stream, Handler&& handler) {
  return net::async_compose<Handler, void(beast::error_code)>(DrainThenClose(stream), handler,
                                                              stream);
}

}  // namespace sluice::websocket
