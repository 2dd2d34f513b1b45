// The tests' own AMQP client (see amqp_client.hpp).
#include "amqp_client.hpp"

#include <amqp_tcp_socket.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <stdexcept>

#include "support/sluice_test.hpp"

namespace sluice::test::rabbitmq {

namespace {

amqp_bytes_t bytes(const std::string& s) {
  return amqp_bytes_t{s.size(), const_cast<char*>(s.data())};
}

std::string text(amqp_bytes_t b) {
  return b.bytes ? std::string(static_cast<const char*>(b.bytes), b.len) : std::string();
}

// Owns the storage of a table built from JSON (strings, integers, booleans).
struct JsonTable {
  explicit JsonTable(const std::string& json) {
    auto doc = boost::json::parse(json).as_object();
    entries.reserve(doc.size());
    for (const auto& [key, value] : doc) {
      keys.emplace_back(key);
      amqp_field_value_t v{};
      if (value.is_string()) {
        strings.emplace_back(value.get_string());
        v.kind = AMQP_FIELD_KIND_UTF8;
        v.value.bytes = amqp_bytes_t{strings.back().size(), strings.back().data()};
      } else if (value.is_bool()) {
        v.kind = AMQP_FIELD_KIND_BOOLEAN;
        v.value.boolean = value.get_bool();
      } else {
        v.kind = AMQP_FIELD_KIND_I64;
        v.value.i64 = value.to_number<int64_t>();
      }
      entries.push_back({amqp_bytes_t{keys.back().size(), keys.back().data()}, v});
    }
  }
  amqp_table_t table() { return {static_cast<int>(entries.size()), entries.data()}; }
  std::deque<std::string> keys, strings;
  std::vector<amqp_table_entry_t> entries;
};

AmqpMessage from_envelope(const amqp_envelope_t& e) {
  AmqpMessage m;
  m.body = text(e.message.body);
  m.routing_key = text(e.routing_key);
  m.exchange = text(e.exchange);
  m.redelivered = e.redelivered != 0;
  const auto& p = e.message.properties;
  if (p._flags & AMQP_BASIC_CORRELATION_ID_FLAG) m.correlation_id = text(p.correlation_id);
  if (p._flags & AMQP_BASIC_REPLY_TO_FLAG) m.reply_to = text(p.reply_to);
  if (p._flags & AMQP_BASIC_PRIORITY_FLAG) m.priority = p.priority;
  if (p._flags & AMQP_BASIC_DELIVERY_MODE_FLAG) m.delivery_mode = p.delivery_mode;
  if (p._flags & AMQP_BASIC_HEADERS_FLAG)
    for (int i = 0; i < p.headers.num_entries; ++i) {
      const auto& entry = p.headers.entries[i];
      if (entry.value.kind == AMQP_FIELD_KIND_UTF8 || entry.value.kind == AMQP_FIELD_KIND_BYTES)
        m.headers[text(entry.key)] = text(entry.value.value.bytes);
    }
  return m;
}

}  // namespace

AmqpClient::AmqpClient(const std::string& url) {
  std::vector<char> buffer(url.begin(), url.end());
  buffer.push_back('\0');
  amqp_connection_info info;
  if (amqp_parse_url(buffer.data(), &info) != AMQP_STATUS_OK)
    throw std::runtime_error("bad AMQP URL " + url);
  conn_ = amqp_new_connection();
  amqp_socket_t* socket = amqp_tcp_socket_new(conn_);
  timeval timeout{5, 0};
  if (amqp_socket_open_noblock(socket, info.host, info.port, &timeout) != AMQP_STATUS_OK) {
    amqp_destroy_connection(conn_);
    throw std::runtime_error("cannot connect to " + url);
  }
  std::string vhost = info.vhost && *info.vhost ? info.vhost : "/";
  amqp_rpc_reply_t r = amqp_login(conn_, vhost.c_str(), 0, 131072, 0, AMQP_SASL_METHOD_PLAIN,
                                  info.user, info.password);
  if (r.reply_type != AMQP_RESPONSE_NORMAL) {
    amqp_destroy_connection(conn_);
    throw std::runtime_error("cannot log in to " + url);
  }
  amqp_channel_open(conn_, 1);
  check("channel.open");
}

AmqpClient::~AmqpClient() {
  amqp_connection_close(conn_, AMQP_REPLY_SUCCESS);
  amqp_destroy_connection(conn_);
}

void AmqpClient::check(const char* what) {
  amqp_rpc_reply_t r = amqp_get_rpc_reply(conn_);
  if (r.reply_type == AMQP_RESPONSE_NORMAL) return;
  std::string why = std::string(what) + " failed";
  if (r.reply_type == AMQP_RESPONSE_SERVER_EXCEPTION && r.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
    auto* m = static_cast<amqp_channel_close_t*>(r.reply.decoded);
    why += ": " + text(m->reply_text);
  } else if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION) {
    why += std::string(": ") + amqp_error_string2(r.library_error);
  }
  throw std::runtime_error(why);
}

void AmqpClient::declare_queue(const std::string& name, const std::string& arguments_json,
                               bool durable, bool exclusive) {
  JsonTable args(arguments_json);
  amqp_queue_declare(conn_, 1, bytes(name), 0, durable, exclusive, 0, args.table());
  check("queue.declare");
}

std::string AmqpClient::declare_private_queue() {
  auto* ok = amqp_queue_declare(conn_, 1, amqp_empty_bytes, 0, 0, 1, 1, amqp_empty_table);
  check("queue.declare");
  return text(ok->queue);
}

void AmqpClient::delete_queue(const std::string& name) {
  amqp_queue_delete(conn_, 1, bytes(name), 0, 0);
  check("queue.delete");
}

void AmqpClient::delete_exchange(const std::string& name) {
  amqp_exchange_delete(conn_, 1, bytes(name), 0);
  check("exchange.delete");
}

void AmqpClient::bind(const std::string& queue, const std::string& exchange,
                      const std::string& key) {
  amqp_queue_bind(conn_, 1, bytes(queue), bytes(exchange), bytes(key), amqp_empty_table);
  check("queue.bind");
}

amqp_channel_t AmqpClient::scratch_channel() {
  amqp_channel_t ch = next_channel_++;
  amqp_channel_open(conn_, ch);
  check("channel.open");
  return ch;
}

std::optional<QueueCounts> AmqpClient::queue_counts(const std::string& name) {
  amqp_channel_t ch = scratch_channel();
  auto* ok = amqp_queue_declare(conn_, ch, bytes(name), 1, 0, 0, 0, amqp_empty_table);
  if (!ok) {
    // The broker closed the channel (404): acknowledge that.
    amqp_channel_close_ok_t close_ok{};
    amqp_send_method(conn_, ch, AMQP_CHANNEL_CLOSE_OK_METHOD, &close_ok);
    return std::nullopt;
  }
  QueueCounts counts{ok->message_count, ok->consumer_count};
  amqp_channel_close(conn_, ch, AMQP_REPLY_SUCCESS);
  return counts;
}

bool AmqpClient::exchange_exists(const std::string& name) {
  amqp_channel_t ch = scratch_channel();
  auto* ok = amqp_exchange_declare(conn_, ch, bytes(name), amqp_cstring_bytes("direct"), 1, 0, 0, 0,
                                   amqp_empty_table);
  if (!ok) {
    amqp_channel_close_ok_t close_ok{};
    amqp_send_method(conn_, ch, AMQP_CHANNEL_CLOSE_OK_METHOD, &close_ok);
    return false;
  }
  amqp_channel_close(conn_, ch, AMQP_REPLY_SUCCESS);
  return true;
}

void AmqpClient::publish(const Publish& p) { publish_many({p}); }

void AmqpClient::publish_many(const std::vector<Publish>& ps) {
  if (!confirming_) {
    amqp_confirm_select(conn_, 1);
    check("confirm.select");
    confirming_ = true;
  }
  uint64_t count = 0;
  for (const auto& p : ps) {
    amqp_basic_properties_t props{};
    props._flags = AMQP_BASIC_DELIVERY_MODE_FLAG;
    props.delivery_mode = AMQP_DELIVERY_PERSISTENT;
    std::deque<std::string> keep;
    std::vector<amqp_table_entry_t> entries;
    if (!p.reply_to.empty())
      props._flags |= AMQP_BASIC_REPLY_TO_FLAG, props.reply_to = bytes(p.reply_to);
    if (!p.correlation_id.empty())
      props._flags |= AMQP_BASIC_CORRELATION_ID_FLAG,
          props.correlation_id = bytes(p.correlation_id);
    if (p.priority >= 0)
      props._flags |= AMQP_BASIC_PRIORITY_FLAG, props.priority = static_cast<uint8_t>(p.priority);
    for (const auto& [k, v] : p.headers) {
      amqp_field_value_t value{};
      value.kind = AMQP_FIELD_KIND_UTF8;
      value.value.bytes = bytes(v);
      entries.push_back({bytes(k), value});
    }
    if (!entries.empty()) {
      props._flags |= AMQP_BASIC_HEADERS_FLAG;
      props.headers = {static_cast<int>(entries.size()), entries.data()};
    }
    int rc = amqp_basic_publish(conn_, 1, bytes(p.exchange), bytes(p.routing_key), 0, 0, &props,
                                bytes(p.body));
    if (rc != AMQP_STATUS_OK) throw std::runtime_error("publish failed");
    outstanding_.insert(++next_seq_);
    ++count;
  }
  // Wait for the confirms of everything just sent (multiple=true covers several).
  int other_frames = 0;
  while (!outstanding_.empty()) {
    amqp_frame_t frame;
    timeval timeout{10, 0};
    int rc = amqp_simple_wait_frame_noblock(conn_, &frame, &timeout);
    if (rc != AMQP_STATUS_OK)
      throw std::runtime_error("no publisher confirm (" + std::to_string(outstanding_.size()) +
                               " of " + std::to_string(count) + " unconfirmed; " +
                               amqp_error_string2(rc) +
                               "; other frames: " + std::to_string(other_frames) + ")");
    if (frame.frame_type != AMQP_FRAME_METHOD) {
      ++other_frames;
      continue;
    }
    if (frame.payload.method.id == AMQP_BASIC_NACK_METHOD)
      throw std::runtime_error("broker nacked a publish");
    if (frame.payload.method.id != AMQP_BASIC_ACK_METHOD) {
      ++other_frames;
      continue;
    }
    auto* ack = static_cast<amqp_basic_ack_t*>(frame.payload.method.decoded);
    if (ack->multiple)
      outstanding_.erase(outstanding_.begin(), outstanding_.upper_bound(ack->delivery_tag));
    else
      outstanding_.erase(ack->delivery_tag);
  }
}

std::optional<AmqpMessage> AmqpClient::get(const std::string& queue) {
  amqp_rpc_reply_t r = amqp_basic_get(conn_, 1, bytes(queue), 1);
  if (r.reply_type != AMQP_RESPONSE_NORMAL) check("basic.get");
  if (r.reply.id == AMQP_BASIC_GET_EMPTY_METHOD) return std::nullopt;
  auto* ok = static_cast<amqp_basic_get_ok_t*>(r.reply.decoded);
  amqp_envelope_t e{};
  e.routing_key = amqp_bytes_malloc_dup(ok->routing_key);
  e.exchange = amqp_bytes_malloc_dup(ok->exchange);
  e.redelivered = ok->redelivered;
  amqp_message_t message;
  r = amqp_read_message(conn_, 1, &message, 0);
  if (r.reply_type != AMQP_RESPONSE_NORMAL) check("read message");
  e.message = message;
  AmqpMessage m = from_envelope(e);
  amqp_destroy_message(&message);
  amqp_bytes_free(e.routing_key);
  amqp_bytes_free(e.exchange);
  amqp_maybe_release_buffers(conn_);
  return m;
}

void AmqpClient::consume(const std::string& queue) {
  amqp_basic_consume(conn_, 1, bytes(queue), amqp_empty_bytes, 0, 1, 0, amqp_empty_table);
  check("basic.consume");
}

std::optional<AmqpMessage> AmqpClient::next(std::chrono::milliseconds timeout) {
  amqp_maybe_release_buffers(conn_);
  amqp_envelope_t e;
  timeval tv{static_cast<time_t>(timeout.count() / 1000),
             static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
  amqp_rpc_reply_t r = amqp_consume_message(conn_, &e, &tv, 0);
  if (r.reply_type != AMQP_RESPONSE_NORMAL) return std::nullopt;
  AmqpMessage m = from_envelope(e);
  amqp_destroy_envelope(&e);
  return m;
}

int rabbitmqctl(const std::vector<std::string>& args, std::string* output) {
  std::string state = env_or_empty("SLUICE_BROKERS_DIR");
  if (state.empty()) state = "/tmp/sluice-brokers-" + std::to_string(getuid());
  std::string ctl = "/usr/lib/rabbitmq/bin/rabbitmqctl";
  if (access(ctl.c_str(), X_OK) != 0) ctl = "rabbitmqctl";
  std::vector<std::string> argv{ctl};
  argv.insert(argv.end(), args.begin(), args.end());
  std::string epmd = env_or_empty("SLUICE_BROKERS_EPMD_PORT");
  Env env{{"HOME", state + "/rabbitmq/home"},
          {"ERL_EPMD_PORT", epmd.empty() ? "14369" : epmd},
          {"RABBITMQ_NODENAME", "sluicetest-" + std::to_string(getuid()) + "@localhost"}};
  return run_command(argv, env, output, std::chrono::seconds(60));
}

}  // namespace sluice::test::rabbitmq
