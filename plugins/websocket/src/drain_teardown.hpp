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
  explicit DrainThenClose(tcp::socket& socket)
      : socket_(socket),
        deadline_(std::make_shared<Deadline>(socket.get_executor())),
        buffer_(std::make_unique<char[]>(kBufferBytes)) {}

  template <class Self>
  void operator()(Self& self, beast::error_code ec = {}, size_t bytes = 0) {
    if (!started_) {
      started_ = true;
      beast::error_code ignored;
      socket_.shutdown(tcp::socket::shutdown_send, ignored);
      deadline_->socket = &socket_;
      deadline_->timer.expires_after(kTeardownDrainTime);
      // The timer runs on the socket's strand, as the reads do: it sees
      // `socket` cleared once the drain is over, and closing the socket is
      // what ends a read past the time bound.
      deadline_->timer.async_wait([deadline = deadline_](beast::error_code ec) {
        if (ec || !deadline->socket) return;
        beast::error_code ignored;
        deadline->socket->close(ignored);
      });
    } else {
      drained_ += bytes;
      // End of stream is the clean end; a timeout (the socket closed under
      // the read), a reset or too many bytes end it too: the socket closes
      // either way.
      if (ec || drained_ > kTeardownDrainBytes) {
        deadline_->socket = nullptr;
        deadline_->timer.cancel();
        beast::error_code ignored;
        socket_.close(ignored);
        return self.complete(ec == net::error::eof ? beast::error_code{} : ec);
      }
    }
    socket_.async_read_some(net::buffer(buffer_.get(), kBufferBytes), std::move(self));
  }

 private:
  // Shared with the timer's handler, which may run after the drain is over.
  struct Deadline {
    explicit Deadline(const tcp::socket::executor_type& executor) : timer(executor) {}
    net::steady_timer timer;
    tcp::socket* socket = nullptr;
  };

  static constexpr size_t kBufferBytes = 16 * 1024;
  tcp::socket& socket_;
  std::shared_ptr<Deadline> deadline_;
  std::unique_ptr<char[]> buffer_;
  size_t drained_ = 0;
  bool started_ = false;
};

template <class Handler>
auto async_drain_then_close(tcp::socket& socket, Handler&& handler) {
  return net::async_compose<Handler, void(beast::error_code)>(DrainThenClose(socket), handler,
                                                              socket);
}

}  // namespace sluice::websocket
