// Baseline and load tool for the RabbitMQ benchmark, straight on rabbitmq-c:
//   amqp_bench publish --url U --queue Q --count N [--window W] [--payload P]
//       declares Q, publishes N messages with confirms, W in flight; prints JSON
//   amqp_bench consume --url U --queue Q --count N [--prefetch P]
//       consumes N messages with manual acks (one per message); prints JSON
//   amqp_bench wait --url U --queue Q --count N
//       waits until Q holds at least N ready messages; prints the seconds waited
//   amqp_bench delete --url U --queue Q1,Q2,...
//       deletes the queues (missing ones are skipped)
//   amqp_bench respond --url U --queue Q
//       answers every request on Q (reply_to + correlation_id) until killed
//   amqp_bench request --url U --queue Q --k K --seconds S [--payload P]
//       keeps K requests in flight (direct reply-to) for S seconds; prints
//       req/s and p50/p99 latency as JSON
#include <amqp.h>
#include <amqp_tcp_socket.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

std::map<std::string, std::string> args;
std::string arg(const std::string& name, const std::string& def = "") {
  auto it = args.find(name);
  return it == args.end() ? def : it->second;
}
amqp_bytes_t bytes(const std::string& s) { return {s.size(), const_cast<char*>(s.data())}; }

void die(const std::string& why) {
  std::fprintf(stderr, "amqp_bench: %s\n", why.c_str());
  std::exit(1);
}

void check(amqp_connection_state_t c, const char* what) {
  if (amqp_get_rpc_reply(c).reply_type != AMQP_RESPONSE_NORMAL) die(std::string(what) + " failed");
}

amqp_connection_state_t connect(const std::string& url) {
  std::vector<char> buffer(url.begin(), url.end());
  buffer.push_back('\0');
  amqp_connection_info info;
  if (amqp_parse_url(buffer.data(), &info) != AMQP_STATUS_OK) die("bad url " + url);
  auto c = amqp_new_connection();
  auto* s = amqp_tcp_socket_new(c);
  if (amqp_socket_open(s, info.host, info.port) != AMQP_STATUS_OK) die("cannot connect " + url);
  std::string vhost = info.vhost && *info.vhost ? info.vhost : "/";
  if (amqp_login(c, vhost.c_str(), 0, 131072, 0, AMQP_SASL_METHOD_PLAIN, info.user, info.password)
          .reply_type != AMQP_RESPONSE_NORMAL)
    die("login failed");
  amqp_channel_open(c, 1);
  check(c, "channel.open");
  return c;
}

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

int publish() {
  auto c = connect(arg("url"));
  std::string queue = arg("queue");
  long count = std::stol(arg("count", "100000"));
  long window = std::stol(arg("window", "1000"));
  std::string payload = arg("payload", R"({"device":"d-1","speed":42,"engine":"ON"})");
  amqp_queue_declare(c, 1, bytes(queue), 0, 1, 0, 0, amqp_empty_table);
  check(c, "queue.declare");
  amqp_confirm_select(c, 1);
  check(c, "confirm.select");
  amqp_basic_properties_t props{};
  props._flags = AMQP_BASIC_DELIVERY_MODE_FLAG;
  props.delivery_mode = AMQP_DELIVERY_PERSISTENT;
  auto start = Clock::now();
  long sent = 0, confirmed = 0;
  while (confirmed < count) {
    while (sent < count && sent - confirmed < window) {
      if (amqp_basic_publish(c, 1, amqp_empty_bytes, bytes(queue), 0, 0, &props, bytes(payload)) !=
          AMQP_STATUS_OK)
        die("publish failed");
      ++sent;
    }
    amqp_frame_t frame;
    if (amqp_simple_wait_frame(c, &frame) != AMQP_STATUS_OK) die("connection lost");
    if (frame.frame_type != AMQP_FRAME_METHOD) continue;
    if (frame.payload.method.id == AMQP_BASIC_NACK_METHOD) die("nacked");
    if (frame.payload.method.id != AMQP_BASIC_ACK_METHOD) continue;
    auto* ack = static_cast<amqp_basic_ack_t*>(frame.payload.method.decoded);
    confirmed = ack->multiple ? static_cast<long>(ack->delivery_tag) : confirmed + 1;
    amqp_maybe_release_buffers(c);
  }
  double secs = seconds_since(start);
  std::printf("{\"messages\":%ld,\"bytes\":%zu,\"seconds\":%.3f}\n", count, count * payload.size(),
              secs);
  amqp_connection_close(c, AMQP_REPLY_SUCCESS);
  amqp_destroy_connection(c);
  return 0;
}

int consume() {
  auto c = connect(arg("url"));
  std::string queue = arg("queue");
  long count = std::stol(arg("count", "100000"));
  amqp_basic_qos(c, 1, 0, static_cast<uint16_t>(std::stoi(arg("prefetch", "100"))), 0);
  check(c, "basic.qos");
  amqp_basic_consume(c, 1, bytes(queue), amqp_empty_bytes, 0, 0, 0, amqp_empty_table);
  check(c, "basic.consume");
  auto start = Clock::now();
  long got = 0;
  size_t total = 0;
  while (got < count) {
    amqp_envelope_t e;
    amqp_maybe_release_buffers(c);
    if (amqp_consume_message(c, &e, nullptr, 0).reply_type != AMQP_RESPONSE_NORMAL)
      die("consume failed");
    total += e.message.body.len;
    amqp_basic_ack(c, 1, e.delivery_tag, 0);
    amqp_destroy_envelope(&e);
    ++got;
  }
  double secs = seconds_since(start);
  std::printf("{\"messages\":%ld,\"bytes\":%zu,\"seconds\":%.3f}\n", got, total, secs);
  amqp_connection_close(c, AMQP_REPLY_SUCCESS);
  amqp_destroy_connection(c);
  return 0;
}

// Ready messages in `queue`; 0 while it does not exist yet.
uint32_t ready_count(amqp_connection_state_t c, const std::string& queue) {
  auto* ok = amqp_queue_declare(c, 1, bytes(queue), 1, 0, 0, 0, amqp_empty_table);
  if (ok) return ok->message_count;
  amqp_channel_close_ok_t close_ok{};  // 404 closed the channel: reopen it
  amqp_send_method(c, 1, AMQP_CHANNEL_CLOSE_OK_METHOD, &close_ok);
  amqp_channel_open(c, 1);
  check(c, "channel.open");
  return 0;
}

int wait_count() {
  auto c = connect(arg("url"));
  std::string queue = arg("queue");
  uint32_t count = static_cast<uint32_t>(std::stoul(arg("count")));
  double timeout = std::stod(arg("timeout", "600"));
  auto start = Clock::now();
  while (ready_count(c, queue) < count) {
    if (seconds_since(start) > timeout) die("timeout waiting for " + queue);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  std::printf("%.3f\n", seconds_since(start));
  return 0;
}

int delete_queues() {
  auto c = connect(arg("url"));
  std::string list = arg("queue") + ",";
  for (size_t pos = 0, comma; (comma = list.find(',', pos)) != std::string::npos; pos = comma + 1) {
    std::string name = list.substr(pos, comma - pos);
    if (name.empty()) continue;
    amqp_queue_delete(c, 1, bytes(name), 0, 0);
    if (amqp_get_rpc_reply(c).reply_type != AMQP_RESPONSE_NORMAL) {
      amqp_channel_close_ok_t ok{};  // the broker closed the channel: reopen it
      amqp_send_method(c, 1, AMQP_CHANNEL_CLOSE_OK_METHOD, &ok);
      amqp_channel_open(c, 1);
    }
  }
  return 0;
}

int respond() {
  auto c = connect(arg("url"));
  std::string queue = arg("queue");
  amqp_queue_declare(c, 1, bytes(queue), 0, 0, 0, 1, amqp_empty_table);
  check(c, "queue.declare");
  amqp_basic_consume(c, 1, bytes(queue), amqp_empty_bytes, 0, 1, 0, amqp_empty_table);
  check(c, "basic.consume");
  std::printf("ready\n");
  std::fflush(stdout);
  std::string answer = R"({"ok":true})";
  while (true) {
    amqp_envelope_t e;
    amqp_maybe_release_buffers(c);
    if (amqp_consume_message(c, &e, nullptr, 0).reply_type != AMQP_RESPONSE_NORMAL) return 1;
    amqp_basic_properties_t props{};
    props._flags = AMQP_BASIC_CORRELATION_ID_FLAG;
    props.correlation_id = e.message.properties.correlation_id;
    amqp_basic_publish(c, 1, amqp_empty_bytes, e.message.properties.reply_to, 0, 0, &props,
                       bytes(answer));
    amqp_destroy_envelope(&e);
  }
}

int request() {
  auto c = connect(arg("url"));
  std::string queue = arg("queue");
  int k = std::stoi(arg("k", "1"));
  double duration = std::stod(arg("seconds", "5"));
  std::string payload = arg("payload", R"({"command":"version"})");
  amqp_basic_consume(c, 1, amqp_cstring_bytes("amq.rabbitmq.reply-to"), amqp_empty_bytes, 0, 1, 0,
                     amqp_empty_table);
  check(c, "basic.consume reply-to");
  std::map<std::string, Clock::time_point> in_flight;
  std::vector<double> latencies;
  long next = 0;
  auto send = [&] {
    std::string id = std::to_string(next++);
    amqp_basic_properties_t props{};
    props._flags = AMQP_BASIC_CORRELATION_ID_FLAG | AMQP_BASIC_REPLY_TO_FLAG;
    props.correlation_id = bytes(id);
    props.reply_to = amqp_cstring_bytes("amq.rabbitmq.reply-to");
    in_flight[id] = Clock::now();
    if (amqp_basic_publish(c, 1, amqp_empty_bytes, bytes(queue), 0, 0, &props, bytes(payload)) !=
        AMQP_STATUS_OK)
      die("publish failed");
  };
  auto start = Clock::now();
  for (int i = 0; i < k; ++i) send();
  while (seconds_since(start) < duration) {
    amqp_envelope_t e;
    amqp_maybe_release_buffers(c);
    timeval tv{5, 0};
    if (amqp_consume_message(c, &e, &tv, 0).reply_type != AMQP_RESPONSE_NORMAL)
      die("no reply within 5 s");
    std::string id(static_cast<char*>(e.message.properties.correlation_id.bytes),
                   e.message.properties.correlation_id.len);
    amqp_destroy_envelope(&e);
    auto it = in_flight.find(id);
    if (it == in_flight.end()) continue;
    latencies.push_back(
        std::chrono::duration<double, std::micro>(Clock::now() - it->second).count());
    in_flight.erase(it);
    send();
  }
  double secs = seconds_since(start);
  std::sort(latencies.begin(), latencies.end());
  auto pct = [&](double p) {
    return latencies.empty() ? 0.0 : latencies[static_cast<size_t>(p * (latencies.size() - 1))];
  };
  std::printf("{\"messages\":%zu,\"bytes\":%zu,\"seconds\":%.3f,\"p50_us\":%.0f,\"p99_us\":%.0f}\n",
              latencies.size(), latencies.size() * payload.size(), secs, pct(0.5), pct(0.99));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) die("usage: amqp_bench publish|consume|wait|respond|request --url U ...");
  std::string mode = argv[1];
  for (int i = 2; i + 1 < argc; i += 2) args[std::string(argv[i]).substr(2)] = argv[i + 1];
  if (arg("url").empty()) die("--url is required");
  if (mode == "publish") return publish();
  if (mode == "consume") return consume();
  if (mode == "wait") return wait_count();
  if (mode == "respond") return respond();
  if (mode == "delete") return delete_queues();
  if (mode == "request") return request();
  die("unknown mode " + mode);
}
