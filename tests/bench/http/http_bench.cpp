// The http benchmark's helper, one program with two roles:
//   http_bench serve --port P [--seconds S --warmup-ms W]
//       the baseline server: a minimal Beast server that reads each request
//       and answers 200 at once (no routing, no sink), one thread per
//       connection. With --seconds it is also the instrument of the sink
//       half: from W ms after the first request on, for S seconds, it counts
//       requests and times each connection's request cycle (one request's
//       arrival to the next's on the same connection: the client's round
//       trip plus its own time per request), then prints
//       {"requests":N,"rate":R,"connections":C,"p50_ms":x,"p99_ms":y} and exits.
//   http_bench load --port P --path /ingest/bench --connections 64 --seconds 10
//       64 keep-alive clients POSTing one JSON body after another; prints
//       {"requests":N,"ok":N,"rate":R,"p50_ms":x,"p99_ms":y} on stdout. It is
//       the webhook half's load and the sink half's baseline client.
#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

std::string arg(int argc, char** argv, const char* name, const char* fallback) {
  for (int i = 2; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], name) == 0) return argv[i + 1];
  return fallback;
}

// The latency at fraction p of sorted `v` (0 when empty).
double percentile(const std::vector<double>& v, double p) {
  if (v.empty()) return 0.0;
  return v[std::min(v.size() - 1, static_cast<size_t>(p * v.size()))];
}

// What `serve --seconds` measures, shared by the connection threads.
class ServeStats {
 public:
  ServeStats(std::chrono::milliseconds warmup, std::chrono::seconds window)
      : warmup_(warmup), window_(window) {}

  // Called for each request; `previous` is the connection's last arrival.
  // Returns false once the window is over (the connection then flushes).
  bool on_request(Clock::time_point now, std::optional<Clock::time_point> previous,
                  std::vector<double>& cycles) {
    std::call_once(started_, [&] {
      begin_ = now + warmup_;
      end_ = begin_ + window_;
      begun_.store(true);
    });
    if (now >= end_) return false;
    if (now >= begin_) {
      requests_.fetch_add(1, std::memory_order_relaxed);
      if (previous && *previous >= begin_)
        cycles.push_back(std::chrono::duration<double, std::milli>(now - *previous).count());
    }
    return true;
  }

  void flush(std::vector<double>& cycles, bool active) {
    std::lock_guard lock(mutex_);
    all_.insert(all_.end(), cycles.begin(), cycles.end());
    cycles.clear();
    if (active) ++flushed_connections_;
  }

  // Waits for the window to end and the busy connections to report, prints
  // the JSON line.
  void report() {
    while (!begun_.load()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    std::this_thread::sleep_until(end_ + std::chrono::milliseconds(500));
    std::vector<double> all;
    size_t connections = 0;
    {
      std::lock_guard lock(mutex_);
      all = all_;
      connections = flushed_connections_;
    }
    std::sort(all.begin(), all.end());
    double seconds = std::chrono::duration<double>(window_).count();
    std::printf(
        "{\"requests\":%llu,\"rate\":%.1f,\"connections\":%zu,\"p50_ms\":%.3f,\"p99_ms\":%.3f}\n",
        static_cast<unsigned long long>(requests_.load()), requests_.load() / seconds, connections,
        percentile(all, 0.50), percentile(all, 0.99));
    std::fflush(stdout);
  }

 private:
  const std::chrono::milliseconds warmup_;
  const std::chrono::seconds window_;
  std::once_flag started_;
  std::atomic<bool> begun_{false};
  Clock::time_point begin_, end_;  // written once, before begun_
  std::atomic<uint64_t> requests_{0};
  std::mutex mutex_;
  std::vector<double> all_;
  size_t flushed_connections_ = 0;
};

void serve_connection(tcp::socket socket, ServeStats* stats) {
  beast::flat_buffer buffer;
  beast::error_code ec;
  std::vector<double> cycles;
  std::optional<Clock::time_point> previous;
  bool measuring = stats != nullptr;
  for (;;) {
    http::request<http::string_body> req;
    http::read(socket, buffer, req, ec);
    if (ec) break;
    if (measuring) {
      auto now = Clock::now();
      if (!stats->on_request(now, previous, cycles)) {
        stats->flush(cycles, true);
        measuring = false;
      }
      previous = now;
    }
    http::response<http::string_body> res{http::status::ok, req.version()};
    res.set(http::field::content_type, "application/json");
    res.body() = R"({"messages":1})";
    res.keep_alive(req.keep_alive());
    res.prepare_payload();
    http::write(socket, res, ec);
    if (ec || !req.keep_alive()) break;
  }
  if (measuring) stats->flush(cycles, !cycles.empty());
}

int serve(uint16_t port, int seconds, int warmup_ms) {
  std::unique_ptr<ServeStats> stats;
  if (seconds > 0) {
    stats = std::make_unique<ServeStats>(std::chrono::milliseconds(warmup_ms),
                                         std::chrono::seconds(seconds));
    std::thread([s = stats.get()] {
      s->report();
      std::_Exit(0);  // connection threads are still serving: do not wait for them
    }).detach();
  }
  net::io_context ioc;
  tcp::acceptor acceptor(ioc, {net::ip::make_address("127.0.0.1"), port});
  for (;;) {
    tcp::socket socket(ioc);
    acceptor.accept(socket);
    socket.set_option(tcp::no_delay(true));
    std::thread(serve_connection, std::move(socket), stats.get()).detach();
  }
}

int load(uint16_t port, const std::string& path, int connections, int seconds) {
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> requests{0}, ok{0};
  std::mutex mutex;
  std::vector<double> latencies;
  std::vector<std::thread> threads;
  for (int c = 0; c < connections; ++c) {
    threads.emplace_back([&, c] {
      std::vector<double> mine;
      net::io_context ioc;
      tcp::socket socket(ioc);
      beast::error_code ec;
      socket.connect({net::ip::make_address("127.0.0.1"), port}, ec);
      if (ec) return;
      socket.set_option(tcp::no_delay(true));
      beast::flat_buffer buffer;
      uint64_t n = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        http::request<http::string_body> req{http::verb::post, path, 11};
        req.set(http::field::host, "127.0.0.1");
        req.set(http::field::content_type, "application/json");
        req.body() = "{\"DEVICE_ID\":\"dev-" + std::to_string(c) +
                     "\",\"seq\":" + std::to_string(n++) +
                     ",\"data\":{\"SPEED\":\"42.00\",\"ENGINE_STATUS\":\"ON\",\"LAT\":52.5,"
                     "\"LON\":13.4}}";
        req.keep_alive(true);
        req.prepare_payload();
        auto start = Clock::now();
        http::write(socket, req, ec);
        if (ec) break;
        http::response<http::string_body> res;
        http::read(socket, buffer, res, ec);
        if (ec) break;
        mine.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
        requests.fetch_add(1, std::memory_order_relaxed);
        if (res.result_int() == 200) ok.fetch_add(1, std::memory_order_relaxed);
      }
      std::lock_guard lock(mutex);
      latencies.insert(latencies.end(), mine.begin(), mine.end());
    });
  }
  auto start = Clock::now();
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  stop.store(true);
  for (auto& t : threads) t.join();
  double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  std::sort(latencies.begin(), latencies.end());
  std::printf("{\"requests\":%llu,\"ok\":%llu,\"rate\":%.1f,\"p50_ms\":%.3f,\"p99_ms\":%.3f}\n",
              static_cast<unsigned long long>(requests.load()),
              static_cast<unsigned long long>(ok.load()), requests.load() / elapsed,
              percentile(latencies, 0.50), percentile(latencies, 0.99));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: http_bench serve --port P [--seconds S] [--warmup-ms W] | load --port P "
                 "[--path /x] [--connections 64] [--seconds 10]\n";
    return 2;
  }
  std::string mode = argv[1];
  auto port = static_cast<uint16_t>(std::atoi(arg(argc, argv, "--port", "0").c_str()));
  if (mode == "serve")
    return serve(port, std::atoi(arg(argc, argv, "--seconds", "0").c_str()),
                 std::atoi(arg(argc, argv, "--warmup-ms", "1000").c_str()));
  if (mode == "load")
    return load(port, arg(argc, argv, "--path", "/ingest/bench"),
                std::atoi(arg(argc, argv, "--connections", "64").c_str()),
                std::atoi(arg(argc, argv, "--seconds", "10").c_str()));
  std::cerr << "http_bench: unknown mode " << mode << "\n";
  return 2;
}
