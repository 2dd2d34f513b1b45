// The http benchmark's helper, one program with two roles:
//   http_bench serve --port P
//       the baseline: a minimal Beast server that reads each request and
//       answers 200 at once (no routing, no sink), one thread per connection.
//   http_bench load --port P --path /ingest/bench --connections 64 --seconds 10
//       64 keep-alive clients POSTing one JSON body after another; prints
//       {"requests":N,"ok":N,"rate":R,"p50_ms":x,"p99_ms":y} on stdout.
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
#include <mutex>
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

void serve_connection(tcp::socket socket) {
  beast::flat_buffer buffer;
  beast::error_code ec;
  for (;;) {
    http::request<http::string_body> req;
    http::read(socket, buffer, req, ec);
    if (ec) return;
    http::response<http::string_body> res{http::status::ok, req.version()};
    res.set(http::field::content_type, "application/json");
    res.body() = R"({"messages":1})";
    res.keep_alive(req.keep_alive());
    res.prepare_payload();
    http::write(socket, res, ec);
    if (ec || !req.keep_alive()) return;
  }
}

int serve(uint16_t port) {
  net::io_context ioc;
  tcp::acceptor acceptor(ioc, {net::ip::make_address("127.0.0.1"), port});
  for (;;) {
    tcp::socket socket(ioc);
    acceptor.accept(socket);
    socket.set_option(tcp::no_delay(true));
    std::thread(serve_connection, std::move(socket)).detach();
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
  auto pct = [&](double p) {
    if (latencies.empty()) return 0.0;
    return latencies[std::min(latencies.size() - 1, static_cast<size_t>(p * latencies.size()))];
  };
  std::printf("{\"requests\":%llu,\"ok\":%llu,\"rate\":%.1f,\"p50_ms\":%.3f,\"p99_ms\":%.3f}\n",
              static_cast<unsigned long long>(requests.load()),
              static_cast<unsigned long long>(ok.load()), requests.load() / elapsed, pct(0.50),
              pct(0.99));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: http_bench serve --port P | load --port P [--path /x] "
                 "[--connections 64] [--seconds 10]\n";
    return 2;
  }
  std::string mode = argv[1];
  auto port = static_cast<uint16_t>(std::atoi(arg(argc, argv, "--port", "0").c_str()));
  if (mode == "serve") return serve(port);
  if (mode == "load")
    return load(port, arg(argc, argv, "--path", "/ingest/bench"),
                std::atoi(arg(argc, argv, "--connections", "64").c_str()),
                std::atoi(arg(argc, argv, "--seconds", "10").c_str()));
  std::cerr << "http_bench: unknown mode " << mode << "\n";
  return 2;
}
