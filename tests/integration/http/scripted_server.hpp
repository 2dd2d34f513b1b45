// A small HTTP/1.1 server for the http plugin's tests, on 127.0.0.1 and a
// free port: each request is answered by the test's handler, which may also
// hold it unanswered (a wedged service) until the server stops. It records
// every request it saw, so tests wait for "the third attempt arrived"
// instead of sleeping.
#pragma once

#include <boost/beast/http.hpp>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace sluice::test::http {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;

class ScriptedServer {
 public:
  // nullopt from the handler: hold the request unanswered until stop().
  using Handler = std::function<std::optional<Response>(const Request&)>;

  explicit ScriptedServer(Handler handler);
  ~ScriptedServer();
  ScriptedServer(const ScriptedServer&) = delete;
  ScriptedServer& operator=(const ScriptedServer&) = delete;

  uint16_t port() const { return port_; }
  std::string url(const std::string& path) const;
  std::vector<Request> requests() const;
  size_t request_count() const;
  void stop();

  // A response with `status`, `body` and optional extra headers.
  static Response reply(unsigned status, std::string body = {},
                        std::vector<std::pair<std::string, std::string>> headers = {});

 private:
  struct Impl;
  void serve(std::shared_ptr<void> socket);
  std::unique_ptr<Impl> impl_;
  Handler handler_;
  uint16_t port_ = 0;
  mutable std::mutex mutex_;
  std::condition_variable stopped_cv_;
  bool stopped_ = false;
  std::vector<Request> requests_;
  std::thread acceptor_thread_;
  std::vector<std::thread> connections_;
};

}  // namespace sluice::test::http
