// Load tools for the websocket benchmark.
//
//   ws_bench feed --rate R --seconds S [--devices D]
//       writes vehicle-tracking JSON lines to stdout at R per second, each
//       stamped with "ts_us" (wall clock, microseconds) for latency.
//   ws_bench load --port P --clients C [--per-client K] [--devices D]
//                 [--seconds S] [--ready FILE] [--path /api/v1/stream]
//       opens C WebSocket clients, each subscribed by URL to K random devices
//       (?device_ids=...), touches FILE once all are connected, then counts
//       messages for S seconds from the first one received and prints one
//       JSON line: connected, messages, seconds, rate, p50_ms, p99_ms.
#include <unistd.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace beast = boost::beast;
namespace ws = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::map<std::string, std::string> parse_args(int argc, char** argv, int first) {
  std::map<std::string, std::string> args;
  for (int i = first; i + 1 < argc; i += 2) args[argv[i]] = argv[i + 1];
  return args;
}

double arg(const std::map<std::string, std::string>& args, const std::string& name, double def) {
  auto it = args.find(name);
  return it == args.end() ? def : std::stod(it->second);
}

std::string device_id(int i) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0848086%03d", i);
  return buf;
}

int feed(const std::map<std::string, std::string>& args) {
  const double rate = arg(args, "--rate", 1000);
  const double seconds = arg(args, "--seconds", 10);
  const int devices = static_cast<int>(arg(args, "--devices", 1000));
  std::mt19937 rng(42);
  std::uniform_int_distribution<int> pick(0, devices - 1);
  const auto start = Clock::now();
  const auto total = static_cast<int64_t>(rate * seconds);
  std::string batch;
  for (int64_t n = 0; n < total;) {
    // Write whatever is due now, in one syscall, then sleep a little.
    auto due =
        static_cast<int64_t>(std::chrono::duration<double>(Clock::now() - start).count() * rate);
    batch.clear();
    for (; n < std::min(due + 1, total); ++n) {
      int d = pick(rng);
      batch += R"({"data":{"DEVICE_ID":")" + device_id(d) +
               R"(","LATITUD":"+20.652472","LONGITUD":"-100.391423","SPEED":"12.50",)"
               R"("GPS_DATETIME":"2025-10-18 00:51:16","ENGINE_STATUS":"ON","SATELLITES":"9"},)"
               R"("metadata":{"source":"gw-1"},"n":)" +
               std::to_string(n) + R"(,"ts_us":)" + std::to_string(now_us()) + "}\n";
    }
    size_t off = 0;
    while (off < batch.size()) {
      ssize_t w = ::write(STDOUT_FILENO, batch.data() + off, batch.size() - off);
      if (w <= 0) return 1;
      off += static_cast<size_t>(w);
    }
    std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
  return 0;
}

// Latency histogram: 100 us buckets up to 30 s.
struct Histogram {
  static constexpr int64_t kBucketUs = 100;
  std::vector<uint64_t> buckets = std::vector<uint64_t>(300'000, 0);
  uint64_t count = 0;
  void add(int64_t us) {
    if (us < 0) us = 0;
    size_t b = std::min<size_t>(static_cast<size_t>(us / kBucketUs), buckets.size() - 1);
    ++buckets[b];
    ++count;
  }
  double percentile_ms(double p) const {
    if (!count) return 0;
    auto target = static_cast<uint64_t>(p * static_cast<double>(count));
    uint64_t seen = 0;
    for (size_t b = 0; b < buckets.size(); ++b) {
      seen += buckets[b];
      if (seen > target) return static_cast<double>((b + 1) * kBucketUs) / 1000.0;
    }
    return static_cast<double>(buckets.size() * kBucketUs) / 1000.0;
  }
};

struct Load {
  net::io_context ioc{1};
  tcp::endpoint endpoint;
  std::string host;
  std::vector<std::string> targets;
  size_t next = 0;
  size_t in_flight = 0;
  size_t connected = 0;
  size_t failed = 0;
  bool measuring = false;
  bool done = false;
  Clock::time_point measure_end;
  uint64_t messages = 0;
  Histogram latency;
  double seconds = 10;
  std::string ready_file;
  std::optional<net::steady_timer> watchdog;

  struct Conn : std::enable_shared_from_this<Conn> {
    explicit Conn(Load& load) : load(load), stream(load.ioc) {}
    Load& load;
    ws::stream<beast::tcp_stream> stream;
    beast::flat_buffer buffer;

    void start(const std::string& target) {
      beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(60));
      beast::get_lowest_layer(stream).async_connect(
          load.endpoint, [self = shared_from_this(), target](beast::error_code ec) {
            if (ec) return self->load.on_connected(false);
            self->stream.async_handshake(self->load.host, target, [self](beast::error_code ec) {
              if (ec) return self->load.on_connected(false);
              beast::get_lowest_layer(self->stream).expires_never();
              self->load.on_connected(true);
              self->read();
            });
          });
    }
    void read() {
      stream.async_read(buffer, [self = shared_from_this()](beast::error_code ec, size_t) {
        if (ec) return;
        self->load.on_message(self->buffer);
        self->buffer.consume(self->buffer.size());
        if (!self->load.done) self->read();
      });
    }
  };
  std::vector<std::shared_ptr<Conn>> conns;

  void start_more() {
    // At most 256 handshakes in flight: the server's accept backlog is finite.
    while (in_flight < 256 && next < targets.size()) {
      auto c = std::make_shared<Conn>(*this);
      conns.push_back(c);
      ++in_flight;
      c->start(targets[next++]);
    }
  }
  void on_connected(bool ok) {
    --in_flight;
    (ok ? connected : failed)++;
    if (connected + failed == targets.size()) {
      std::fprintf(stderr, "ws_bench: %zu connected, %zu failed\n", connected, failed);
      if (!ready_file.empty()) std::ofstream(ready_file) << connected << "\n";
    }
    start_more();
  }
  void on_message(const beast::flat_buffer& buffer) {
    if (done) return;
    auto now = Clock::now();
    if (!measuring) {
      if (connected + failed < targets.size()) return;  // still ramping up
      measuring = true;
      measure_end =
          now + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
      auto timer = std::make_shared<net::steady_timer>(ioc, measure_end);
      timer->async_wait([this, timer](beast::error_code) { finish(); });
    }
    ++messages;
    auto data = buffer.cdata();
    std::string_view text(static_cast<const char*>(data.data()), data.size());
    auto at = text.rfind("\"ts_us\":");
    if (at == std::string_view::npos) return;
    int64_t ts = 0;
    const char* first = text.data() + at + 8;
    std::from_chars(first, text.data() + text.size(), ts);
    latency.add(now_us() - ts);
  }
  void finish() {
    done = true;
    if (watchdog) watchdog->cancel();
    for (auto& c : conns) {
      beast::error_code ignored;
      beast::get_lowest_layer(c->stream).socket().close(ignored);
    }
  }
};

int load(const std::map<std::string, std::string>& args) {
  Load l;
  const auto port = static_cast<uint16_t>(arg(args, "--port", 8080));
  const auto clients = static_cast<size_t>(arg(args, "--clients", 1000));
  const int per_client = static_cast<int>(arg(args, "--per-client", 10));
  const int devices = static_cast<int>(arg(args, "--devices", 1000));
  const double max_wait = arg(args, "--max-wait", 120);
  l.seconds = arg(args, "--seconds", 10);
  auto path = args.count("--path") ? args.at("--path") : std::string("/api/v1/stream");
  if (args.count("--ready")) l.ready_file = args.at("--ready");
  l.endpoint = tcp::endpoint(net::ip::make_address("127.0.0.1"), port);
  l.host = "127.0.0.1:" + std::to_string(port);
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> pick(0, devices - 1);
  for (size_t i = 0; i < clients; ++i) {
    std::string target = path + "?device_ids=";
    for (int k = 0; k < per_client; ++k) target += (k ? "," : "") + device_id(pick(rng));
    l.targets.push_back(std::move(target));
  }
  // Give up if no event ever arrives.
  l.watchdog.emplace(
      l.ioc, std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(max_wait)));
  l.watchdog->async_wait([&](beast::error_code ec) {
    if (!ec && !l.measuring) {
      std::fprintf(stderr, "ws_bench: no message within %.0f s\n", max_wait);
      l.finish();
    }
  });
  l.start_more();
  l.ioc.run_for(std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(max_wait + l.seconds + 30)));
  double rate = l.seconds > 0 ? static_cast<double>(l.messages) / l.seconds : 0;
  std::printf(
      "{\"clients\":%zu,\"connected\":%zu,\"failed\":%zu,\"messages\":%llu,\"seconds\":%.3f,"
      "\"rate\":%.1f,\"p50_ms\":%.2f,\"p99_ms\":%.2f}\n",
      clients, l.connected, l.failed, static_cast<unsigned long long>(l.messages), l.seconds, rate,
      l.latency.percentile_ms(0.50), l.latency.percentile_ms(0.99));
  return l.measuring ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: ws_bench feed|load [--option value]...\n");
    return 2;
  }
  auto args = parse_args(argc, argv, 2);
  if (std::strcmp(argv[1], "feed") == 0) return feed(args);
  if (std::strcmp(argv[1], "load") == 0) return load(args);
  std::fprintf(stderr, "ws_bench: unknown command '%s'\n", argv[1]);
  return 2;
}
