#include "support/http_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>

namespace sluice::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

// Beast's timeouts only apply to asynchronous operations, so the request runs
// as a short chain of async steps on a private io_context, bounded by run_for.
class Exchange {
 public:
  Exchange(asio::io_context& io, http::request<http::string_body> request,
           std::chrono::milliseconds timeout)
      : resolver_(io), stream_(io), request_(std::move(request)), timeout_(timeout) {}

  void start(const std::string& host, const std::string& port) {
    resolver_.async_resolve(host, port, [this](beast::error_code ec, auto results) {
      if (ec) return fail(ec, "resolve");
      stream_.expires_after(timeout_);
      stream_.async_connect(results, [this](beast::error_code ec2, auto) {
        if (ec2) return fail(ec2, "connect");
        http::async_write(stream_, request_, [this](beast::error_code ec3, std::size_t) {
          if (ec3) return fail(ec3, "write");
          http::async_read(stream_, buffer_, response_, [this](beast::error_code ec4, std::size_t) {
            if (ec4) return fail(ec4, "read");
            done_ = true;
            beast::error_code ignored;
            stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
          });
        });
      });
    });
  }

  HttpResponse result() const {
    HttpResponse out;
    if (!done_) {
      out.error = error_.empty() ? "timed out" : error_;
      return out;
    }
    out.status = static_cast<int>(response_.result_int());
    out.body = response_.body();
    for (const auto& field : response_) {
      std::string name(field.name_string());
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      out.headers[name] = std::string(field.value());
    }
    return out;
  }

 private:
  void fail(beast::error_code ec, const char* step) {
    error_ = std::string(step) + ": " + ec.message();
  }

  asio::ip::tcp::resolver resolver_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
  std::chrono::milliseconds timeout_;
  bool done_ = false;
  std::string error_;
};

}  // namespace

HttpResponse http_request(const std::string& host, std::uint16_t port, const std::string& method,
                          const std::string& target, const std::string& body,
                          const std::map<std::string, std::string>& headers,
                          std::chrono::milliseconds timeout) {
  http::request<http::string_body> request;
  request.method_string(method);
  request.target(target);
  request.version(11);
  request.set(http::field::host, host + ":" + std::to_string(port));
  request.set(http::field::connection, "close");
  for (const auto& [name, value] : headers) request.set(name, value);
  request.body() = body;
  request.prepare_payload();

  asio::io_context io;
  Exchange exchange(io, std::move(request), timeout);
  exchange.start(host, std::to_string(port));
  io.run_for(timeout);
  return exchange.result();
}

}  // namespace sluice::test
