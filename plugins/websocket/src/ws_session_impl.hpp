// The definitions of WsSession's members, included by the files that
// instantiate it: one per transport, so the two (each a large Beast
// instantiation) compile side by side.
#pragma once

#include <chrono>

#include "ws_session.hpp"

namespace sluice::websocket {
namespace ws_session_detail {

// A read asks Beast for at most this much of a message at a time. Beast's
// async_read would reserve 1,536 bytes in the read buffer of every idle
// client; control messages are rare and small, so they arrive in pieces.
inline constexpr size_t kReadPiece = 128;
// A buffer grown past this by a large control message is given back after it.
inline constexpr size_t kKeptReadCapacity = 1024;

inline int64_t unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace ws_session_detail

template <class Stream, bool kDeflate>
WsSession<Stream, kDeflate>::WsSession(Stream&& stream, ServerContext& context, ClientInfo info,
                                       std::optional<SubscribeRequest> initial)
    : ws_(std::move(stream)),
      context_(context),
      handshake_(new Handshake{std::move(info), std::move(initial)}) {}

template <class Stream, bool kDeflate>
WsSession<Stream, kDeflate>::~WsSession() {
  if (!finished_) {
    if (client_) {
      context_.hub.disconnect(*client_);
    } else if (slot_held_) {
      context_.hub.release_slot();
    }
  }
}

template <class Stream, bool kDeflate>
void WsSession<Stream, kDeflate>::accept(Request request) {
  const ServerOptions& options = context_.options;
  ws::stream_base::timeout timeout{};
  timeout.handshake_timeout = std::chrono::seconds(30);
  if (options.keepalive_s > 0) {
    // Beast pings after half the idle timeout and gives up after all of it:
    // a ping after keepalive_s of silence, closed after twice that.
    timeout.idle_timeout = std::chrono::seconds(2 * options.keepalive_s);
    timeout.keep_alive_pings = true;
  } else {
    timeout.idle_timeout = ws::stream_base::none();
    timeout.keep_alive_pings = false;
  }
  ws_.set_option(timeout);
  ws_.read_message_max(options.max_message_bytes);
  if constexpr (kDeflate) {
    if (options.permessage_deflate) {
      ws::permessage_deflate deflate;
      deflate.server_enable = true;
      ws_.set_option(deflate);
    }
  }
  ws_.set_option(ws::stream_base::decorator(
      [](ws::response_type& response) { response.set(http::field::server, "sluice"); }));
  // Beast echoes any close code it does not know to be reserved, 5000 and up
  // included; RFC 6455 wants those answered as a protocol error.
  ws_.control_callback([this](ws::frame_type kind, beast::string_view) {
    uint16_t code = ws_.reason().code;
    if (kind == ws::frame_type::close && code != 0 && !is_sendable_close_code(code))
      ws_.next_layer().answer_close_code_with_protocol_error(code);
  });
  ws_.async_accept(request,
                   beast::bind_front_handler(&WsSession::on_accept, this->shared_from_this()));
}

template <class Stream, bool kDeflate>
void WsSession<Stream, kDeflate>::on_accept(beast::error_code ec) {
  if (ec) return finish(ec);
  std::unique_ptr<Handshake> handshake = std::move(handshake_);
  client_ = context_.hub.connect(std::move(handshake->info), this);
  if (!client_) {
    // Only when the identity limits an unindexed field; checked earlier, so
    // this is a guard, not a path users see.
    return do_close(ws::close_code::policy_error, "identity cannot be enforced");
  }
  slot_held_ = false;
  context_.counters.connections.fetch_add(1, std::memory_order_relaxed);
  if (handshake->initial) {
    auto result = context_.hub.subscribe(*client_, *handshake->initial);
    if (auto* error = std::get_if<ProtocolError>(&result)) {
      context_.hub.send_control(*client_, error_frame(*error));
    } else if (client_->info().format == Format::kEnvelope) {
      // Raw clients get nothing but payloads, as the endpoint they replace.
      context_.hub.send_control(*client_, std::get<Granted>(result).answer_json);
    }
  }
  do_read();
}

template <class Stream, bool kDeflate>
void WsSession<Stream, kDeflate>::do_read() {
  ws_.async_read_some(
      read_buffer_, ws_session_detail::kReadPiece,
      [self = this->shared_from_this()](beast::error_code ec, size_t) { self->on_read(ec); });
}

template <class Stream, bool kDeflate>
void WsSession<Stream, kDeflate>::on_read(beast::error_code ec) {
  if (ec) return finish(ec);
  if (!ws_.is_message_done()) return do_read();  // Beast bounds the whole message
  if (!ws_.got_text()) {
    context_.counters.protocol_errors.fetch_add(1, std::memory_order_relaxed);
    context_.hub.send_control(
        *client_, error_frame({"bad_frame", "binary frames are not accepted; send JSON text", ""}));
  } else {
    auto data = read_buffer_.cdata();
    handle_control(std::string_view(static_cast<const char*>(data.data()), data.size()));
  }
  read_buffer_.consume(read_buffer_.size());
  if (read_buffer_.capacity() > ws_session_detail::kKeptReadCapacity) read_buffer_.shrink_to_fit();
  do_read();
}

template <class Stream, bool kDeflate>
void WsSession<Stream, kDeflate>::handle_control(std::string_view text) {
  Hub& hub = context_.hub;
  auto parsed = parse_control_frame(text, hub.options().max_filter_values);
  auto fail = [&](const ProtocolError& error) {
    context_.counters.protocol_errors.fetch_add(1, std::memory_order_relaxed);
    hub.send_control(*client_, error_frame(error));
  };
  if (auto* error = std::get_if<ProtocolError>(&parsed)) return fail(*error);
  auto& frame = std::get<ControlFrame>(parsed);
  if (auto* sub = std::get_if<SubscribeRequest>(&frame)) {
    auto result = hub.subscribe(*client_, *sub);
    if (auto* error = std::get_if<ProtocolError>(&result)) return fail(*error);
    hub.send_control(*client_, std::move(std::get<Granted>(result).answer_json));
  } else if (auto* unsub = std::get_if<UnsubscribeRequest>(&frame)) {
    if (auto error = hub.unsubscribe(*client_, unsub->id)) return fail(*error);
    hub.send_control(*client_, unsubscribed_frame(unsub->id));
  } else if (auto* ping = std::get_if<PingRequest>(&frame)) {
    hub.send_control(*client_, pong_frame(ping->id_json, ws_session_detail::unix_ms()));
  }
}

template <class Stream, bool kDeflate>
void WsSession<Stream, kDeflate>::wake() {
  // Called by the hub under its locks, possibly while this session is being
  // destroyed (then there is nothing left to write).
  if (auto self = this->weak_from_this().lock())
    net::post(ws_.get_executor(), [self] { self->do_write(); });
}

template <class Stream, bool kDeflate>
void WsSession<Stream, kDeflate>::close(uint16_t code, std::string reason) {
  if (auto self = this->weak_from_this().lock())
    net::post(ws_.get_executor(),
              [self, code, reason = std::move(reason)] { self->do_close(code, reason); });
}

template <class Stream, bool kDeflate>
void WsSession<Stream, kDeflate>::abort() {
  if (auto self = this->weak_from_this().lock())
    net::post(ws_.get_executor(), [self] { self->drop_connection(); });
}

template <class Stream, bool kDeflate>
void WsSession<Stream, kDeflate>::drop_connection() {
  if (finished_) return;
  closing_ = true;
  // Pending reads, writes and a closing handshake all complete with an
  // error now, and the read's completion finishes the session.
  beast::error_code ignored;
  tcp::socket& socket = socket_of(beast::get_lowest_layer(ws_));
  socket.shutdown(tcp::socket::shutdown_both, ignored);
  socket.close(ignored);
}

template <class Stream, bool kDeflate>
void WsSession<Stream, kDeflate>::do_write() {
  if (write_in_flight_ || finished_ || !client_) return;
  if (!context_.hub.next_frame(*client_, writing_)) return;
  write_buffers_[0] = writing_.head ? net::buffer(*writing_.head) : net::const_buffer();
  write_buffers_[1] = net::buffer(*writing_.body);
  ws_.text(writing_.text);
  write_in_flight_ = true;
  ws_.async_write(write_buffers_, [self = this->shared_from_this()](beast::error_code ec, size_t) {
    self->on_write(ec);
  });
}

template <class Stream, bool kDeflate>
void WsSession<Stream, kDeflate>::on_write(beast::error_code ec) {
  write_in_flight_ = false;
  if (ec) return finish(ec);
  context_.hub.count_delivered(*client_, writing_);
  writing_ = OutFrame{};
  do_write();
}

template <class Stream, bool kDeflate>
void WsSession<Stream, kDeflate>::do_close(uint16_t code, const std::string& reason) {
  if (closing_ || finished_) return;
  closing_ = true;
  if (write_in_flight_) {
    // A write is stuck behind a peer that stopped reading: a close frame
    // would queue behind it forever. Drop the connection instead.
    drop_connection();
    return;
  }
  ws::close_reason why(static_cast<ws::close_code>(code), reason);
  ws_.async_close(why, [self = this->shared_from_this()](beast::error_code ec) {
    // The pending read completes when the peer answers (or the handshake
    // timeout fires); it finishes the session.
    if (ec) self->finish(ec);
  });
}

template <class Stream, bool kDeflate>
void WsSession<Stream, kDeflate>::finish(beast::error_code ec) {
  if (finished_) return;
  finished_ = true;
  if (client_) {
    context_.hub.disconnect(*client_);
  } else if (slot_held_) {
    context_.hub.release_slot();
  }
  slot_held_ = false;
  if (ec && ec != ws::error::closed && ec != net::error::operation_aborted &&
      ec != net::error::eof) {
    context_.log(LogLevel::kDebug, "client " + (client_ ? std::to_string(client_->id()) : "?") +
                                       " closed: " + ec.message());
  }
  // A session that fails before its read loop (e.g. in the handshake) has
  // nothing else pending: the socket closes with the last reference.
  if (!ec || ec == ws::error::closed) return;
  beast::error_code ignored;
  socket_of(beast::get_lowest_layer(ws_)).close(ignored);
}

}  // namespace sluice::websocket
