// One accepted WebSocket connection: reads control frames, writes the frames
// the hub queues for it (one write in flight, from its bounded queue), and
// keeps the peer alive with pings. Runs on its own strand.
#pragma once

#include <array>
#include <memory>
#include <optional>

#include "beast_types.hpp"
#include "client.hpp"
#include "close_code_guard.hpp"
#include "protocol.hpp"
#include "server_context.hpp"

namespace sluice::websocket {

// `kDeflate`: the stream supports permessage-deflate (offered when the
// connector's setting asks). A stream without it is ~60 bytes smaller, which
// moves Beast's per-connection state (2.5 kB, mostly its 1,536-byte frame
// buffer) into a smaller allocation class: plain connections get the
// smaller one unless deflate is on.
template <class Stream, bool kDeflate>
class WsSession final : public ClientTransport,
                        public std::enable_shared_from_this<WsSession<Stream, kDeflate>> {
 public:
  // `stream` carries an HTTP upgrade request that passed every check; the
  // session holds the client slot reserved for it.
  WsSession(Stream&& stream, ServerContext& context, ClientInfo info,
            std::optional<SubscribeRequest> initial);
  ~WsSession() override;

  void accept(Request request);

  void wake() override;
  void close(uint16_t code, std::string reason) override;
  void abort() override;

 private:
  void on_accept(beast::error_code ec);
  void do_read();
  void on_read(beast::error_code ec);
  void handle_control(std::string_view text);
  void do_write();
  void on_write(beast::error_code ec);
  void do_close(uint16_t code, const std::string& reason);
  void drop_connection();
  void finish(beast::error_code ec);

  // What the upgrade asked for, kept only until the handshake is done (the
  // hub then owns the client): a connected session keeps none of it.
  struct Handshake {
    ClientInfo info;
    std::optional<SubscribeRequest> initial;
  };

  ws::stream<CloseCodeGuard<Stream>, kDeflate> ws_;
  ServerContext& context_;
  std::unique_ptr<Handshake> handshake_;
  std::shared_ptr<Client> client_;
  bool slot_held_ = true;  // until the hub owns it (connect) or we give it back
  beast::flat_buffer read_buffer_;
  OutFrame writing_;
  std::array<net::const_buffer, 2> write_buffers_;
  bool write_in_flight_ = false;
  bool closing_ = false;
  bool finished_ = false;
};

extern template class WsSession<PlainWsTransport, false>;
extern template class WsSession<PlainWsTransport, true>;
extern template class WsSession<TlsStream, true>;

}  // namespace sluice::websocket
