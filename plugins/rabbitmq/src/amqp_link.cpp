// One rabbitmq-c connection and its setup (see amqp_link.hpp).
#include "amqp_link.hpp"

#include <amqp_ssl_socket.h>
#include <amqp_tcp_socket.h>
#include <arpa/inet.h>
#include <sys/time.h>

#include "amqp_table.hpp"

namespace sluice::rabbitmq {

namespace {

// rabbitmq-c 0.11 checks the URL's host against the certificate's DNS names
// only, so an IP address never passes hostname verification.
bool is_ip_literal(const std::string& host) {
  unsigned char address[sizeof(in6_addr)];
  return inet_pton(AF_INET, host.c_str(), address) == 1 ||
         inet_pton(AF_INET6, host.c_str(), address) == 1;
}

timeval to_timeval(int64_t ms) {
  return timeval{static_cast<time_t>(ms / 1000), static_cast<suseconds_t>((ms % 1000) * 1000)};
}

}  // namespace

std::string close_reason(uint16_t code, amqp_bytes_t text) {
  return std::to_string(code) + " " + std::string(to_view(text));
}

std::string AmqpLink::rpc_problem(const char* what) {
  amqp_rpc_reply_t r = amqp_get_rpc_reply(conn_);
  switch (r.reply_type) {
    case AMQP_RESPONSE_NORMAL:
      return "";
    case AMQP_RESPONSE_NONE:
      return std::string(what) + ": no reply from the server";
    case AMQP_RESPONSE_LIBRARY_EXCEPTION:
      return std::string(what) + ": " + amqp_error_string2(r.library_error);
    case AMQP_RESPONSE_SERVER_EXCEPTION:
      if (r.reply.id == AMQP_CONNECTION_CLOSE_METHOD) {
        auto* m = static_cast<amqp_connection_close_t*>(r.reply.decoded);
        return std::string(what) +
               ": server closed the connection: " + close_reason(m->reply_code, m->reply_text);
      }
      if (r.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
        auto* m = static_cast<amqp_channel_close_t*>(r.reply.decoded);
        return std::string(what) + ": " + close_reason(m->reply_code, m->reply_text);
      }
      return std::string(what) + ": unexpected server reply";
  }
  return std::string(what) + ": failed";
}

bool AmqpLink::open(const AmqpEndpoint& ep, const RabbitSettings& s, std::string& error) {
  close();
  conn_ = amqp_new_connection();
  if (!conn_) {
    error = "out of memory creating a connection";
    return false;
  }
  amqp_socket_t* socket = nullptr;
  if (ep.tls || s.tls.enabled) {
    socket = amqp_ssl_socket_new(conn_);
    if (socket) {
      amqp_ssl_socket_set_verify_peer(socket, s.tls.verify ? 1 : 0);
      amqp_ssl_socket_set_verify_hostname(socket, s.tls.verify ? 1 : 0);
      if (!s.tls.ca_file.empty() &&
          amqp_ssl_socket_set_cacert(socket, s.tls.ca_file.c_str()) != AMQP_STATUS_OK) {
        error = "cannot read tls.ca '" + s.tls.ca_file + "'";
        abandon();
        return false;
      }
      if (!s.tls.cert_file.empty() &&
          amqp_ssl_socket_set_key(socket, s.tls.cert_file.c_str(), s.tls.key_file.c_str()) !=
              AMQP_STATUS_OK) {
        error = "cannot read tls.cert/tls.key";
        abandon();
        return false;
      }
    }
  } else {
    socket = amqp_tcp_socket_new(conn_);
  }
  if (!socket) {
    error = "cannot create a socket";
    abandon();
    return false;
  }
  timeval timeout = to_timeval(s.connect_timeout_ms);
  int rc = amqp_socket_open_noblock(socket, ep.host.c_str(), ep.port, &timeout);
  if (rc != AMQP_STATUS_OK) {
    error = "cannot connect to " + ep.host + ":" + std::to_string(ep.port) + ": " +
            amqp_error_string2(rc);
    if (rc == AMQP_STATUS_SSL_HOSTNAME_VERIFY_FAILED && is_ip_literal(ep.host))
      error +=
          " (rabbitmq-c matches the host against the certificate's DNS names only, never "
          "an IP address: put a host name the certificate names in `url`)";
    if (rc == AMQP_STATUS_SSL_PEER_VERIFY_FAILED)
      error +=
          s.tls.ca_file.empty()
              ? " (no `tls.ca` set and the system's CAs do not trust the server's certificate)"
              : " (the server's certificate is not signed by `tls.ca` '" + s.tls.ca_file + "')";
    abandon();
    return false;
  }
  amqp_set_handshake_timeout(conn_, &timeout);
  amqp_set_rpc_timeout(conn_, &timeout);

  // Client properties: the name in the management UI, and the capability
  // that makes the broker tell us about memory/disk alarms.
  boost::json::object props{
      {"connection_name", s.connection_name},
      {"product", "sluice"},
      {"capabilities", boost::json::object{{"connection.blocked", true},
                                           {"publisher_confirms", true},
                                           {"consumer_cancel_notify", true},
                                           {"authentication_failure_close", true}}}};
  OwnedTable table(props);
  amqp_table_t client_properties = table.table();
  std::string vhost = s.vhost.empty() ? ep.vhost : s.vhost;
  std::string user = s.user.empty() ? ep.user : s.user;
  std::string password = s.password.empty() ? ep.password : s.password;
  amqp_rpc_reply_t login =
      amqp_login_with_properties(conn_, vhost.c_str(), 0, 131072, s.heartbeat_s, &client_properties,
                                 AMQP_SASL_METHOD_PLAIN, user.c_str(), password.c_str());
  if (login.reply_type != AMQP_RESPONSE_NORMAL) {
    error =
        "cannot log in to " + ep.host + ":" + std::to_string(ep.port) + ": " + rpc_problem("login");
    if (login.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION &&
        login.library_error == AMQP_STATUS_CONNECTION_CLOSED)
      error += " (check 'user'/'password' and that vhost '" + vhost + "' exists)";
    else if (login.reply_type == AMQP_RESPONSE_SERVER_EXCEPTION)
      error += " (check 'user'/'password' and 'vhost')";
    abandon();
    return false;
  }

  for (amqp_channel_t ch : {kConsumeChannel, kPublishChannel, kRequestChannel}) {
    amqp_channel_open(conn_, ch);
    if (auto p = rpc_problem("channel.open"); !p.empty()) {
      error = p;
      abandon();
      return false;
    }
  }
  if (s.confirm) {
    amqp_confirm_select(conn_, kPublishChannel);
    if (auto p = rpc_problem("confirm.select"); !p.empty()) {
      error = p;
      abandon();
      return false;
    }
  }
  if (!declare_topology(s, error) || !start_consumers(s, error)) {
    close();
    return false;
  }
  return true;
}

bool AmqpLink::declare_topology(const RabbitSettings& s, std::string& error) {
  amqp_boolean_t passive = s.passive ? 1 : 0;
  for (size_t i = 0; i < s.exchanges.size(); ++i) {
    const auto& e = s.exchanges[i];
    OwnedTable args(e.arguments);
    amqp_exchange_declare(conn_, kConsumeChannel, to_bytes(e.name), to_bytes(e.type), passive,
                          e.durable, e.auto_delete, e.internal, args.table());
    if (auto p = rpc_problem("exchange.declare"); !p.empty()) {
      error = "exchanges[" + std::to_string(i) + "] '" + e.name + "': " + p +
              (s.passive ? " (passive: it must exist)"
                         : " (it exists with other settings? fix 'exchanges' or delete it)");
      return false;
    }
  }
  for (size_t i = 0; i < s.queues.size(); ++i) {
    const auto& q = s.queues[i];
    OwnedTable args(q.all_arguments());
    amqp_queue_declare(conn_, kConsumeChannel, to_bytes(q.name), passive, q.durable, q.exclusive,
                       q.auto_delete, args.table());
    if (auto p = rpc_problem("queue.declare"); !p.empty()) {
      error = "queues[" + std::to_string(i) + "] '" + q.name + "': " + p +
              (s.passive ? " (passive: it must exist)"
                         : " (it exists with other arguments? fix 'queues' or delete it)");
      return false;
    }
  }
  if (s.passive) return true;
  for (size_t i = 0; i < s.bindings.size(); ++i) {
    const auto& b = s.bindings[i];
    OwnedTable args(b.arguments);
    amqp_queue_bind(conn_, kConsumeChannel, to_bytes(b.queue), to_bytes(b.exchange),
                    to_bytes(b.routing_key), args.table());
    if (auto p = rpc_problem("queue.bind"); !p.empty()) {
      error = "bindings[" + std::to_string(i) + "] " + b.queue + " <- " + b.exchange + ": " + p;
      return false;
    }
  }
  return true;
}

bool AmqpLink::start_consumers(const RabbitSettings& s, std::string& error) {
  // Replies to our requests: direct reply-to, consumed without acks on the
  // channel that publishes the requests (the broker requires both).
  amqp_basic_consume(conn_, kRequestChannel, amqp_cstring_bytes(kDirectReplyTo), amqp_empty_bytes,
                     0, 1, 0, amqp_empty_table);
  if (auto p = rpc_problem("basic.consume amq.rabbitmq.reply-to"); !p.empty()) {
    error = p;
    return false;
  }
  if (s.consume.empty()) return true;
  amqp_basic_qos(conn_, kConsumeChannel, 0, static_cast<uint16_t>(s.prefetch), 0);
  if (auto p = rpc_problem("basic.qos"); !p.empty()) {
    error = p + " (setting 'prefetch')";
    return false;
  }
  for (const auto& queue : s.consume) {
    amqp_basic_consume(conn_, kConsumeChannel, to_bytes(queue), amqp_empty_bytes, 0, 0, 0,
                       amqp_empty_table);
    if (auto p = rpc_problem("basic.consume"); !p.empty()) {
      error = "consume '" + queue + "': " + p + " (setting 'consume': does the queue exist?)";
      return false;
    }
  }
  return true;
}

void AmqpLink::close() {
  if (!conn_) return;
  amqp_connection_close(conn_, AMQP_REPLY_SUCCESS);
  abandon();
}

void AmqpLink::abandon() {
  if (!conn_) return;
  amqp_destroy_connection(conn_);
  conn_ = nullptr;
}

}  // namespace sluice::rabbitmq
