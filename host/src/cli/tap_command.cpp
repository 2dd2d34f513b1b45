// `sluice tap`: asks a running instance's admin server for GET /tap and
// copies the JSON lines to stdout as they come, until the limit, the
// server or Ctrl-C ends them.
#include <boost/asio.hpp>
#include <boost/json.hpp>
#include <charconv>
#include <cstdio>
#include <iostream>
#include <sluice/common/url_target.hpp>

#include "admin/http_server.hpp"
#include "cli/commands.hpp"
#include "config/config.hpp"

namespace sluice::cli {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;

int fail(const std::string& why) {
  std::cerr << "sluice tap: " << why << "\n";
  return kExitRuntimeError;
}

// "field=value" becomes {"field": value}, the value read as JSON when it is
// a number, true, false or null, and as text otherwise; a JSON object is a
// where spec of its own. All of them must hold.
bool where_spec(const std::vector<std::string>& items, boost::json::object& spec,
                std::string& error) {
  for (const auto& item : items) {
    if (!item.empty() && item.front() == '{') {
      boost::system::error_code ec;
      auto parsed = boost::json::parse(item, ec);
      if (ec || !parsed.is_object()) {
        error = "--where '" + item + "' is not a JSON object";
        return false;
      }
      for (const auto& [key, value] : parsed.as_object()) spec[key] = value;
      continue;
    }
    auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0) {
      error = "--where '" + item + "': expected FIELD=VALUE or a JSON object";
      return false;
    }
    std::string text = item.substr(eq + 1);
    boost::system::error_code ec;
    auto value = boost::json::parse(text, ec);
    if (ec || value.is_structured() || value.is_string()) value = boost::json::string(text);
    spec[item.substr(0, eq)] = value;
  }
  return true;
}

// The admin server to ask: --admin, else the config's admin.listen (an
// any-address listener is reached on loopback).
bool admin_address(const Options& options, std::string& host, unsigned short& port,
                   std::string& error) {
  std::string listen;
  if (options.admin) {
    listen = *options.admin;
  } else {
    std::vector<config::Diagnostic> diagnostics;
    auto cfg = config::load_config(options.config_path, diagnostics);
    if (!cfg.admin.enabled) {
      error = options.config_path + " has the admin server off (admin.enabled: false); tap " +
              "needs it, or give --admin HOST:PORT";
      return false;
    }
    listen = cfg.admin.listen;
  }
  if (!admin::split_host_port(listen, host, port)) {
    error = "'" + listen + "' is not HOST:PORT";
    return false;
  }
  if (host == "0.0.0.0" || host.empty()) host = "127.0.0.1";
  if (host == "::") host = "::1";
  return true;
}

}  // namespace

int tap_command(const Options& options) {
  std::string error, host;
  unsigned short port = 0;
  boost::json::object where;
  if (!where_spec(options.where, where, error)) return fail(error);
  if (options.limit) {
    size_t n = 0;
    auto [p, ec] =
        std::from_chars(options.limit->data(), options.limit->data() + options.limit->size(), n);
    if (ec != std::errc() || p != options.limit->data() + options.limit->size() || n == 0)
      return fail("--limit must be a positive whole number");
  }
  if (!admin_address(options, host, port, error)) return fail(error);

  std::string target = "/tap?target=" + common::encode_query_value(options.tap_target.value_or(""));
  if (!where.empty())
    target += "&where=" + common::encode_query_value(boost::json::serialize(where));
  if (options.limit) target += "&limit=" + *options.limit;

  net::io_context io;
  tcp::socket socket(io);
  boost::system::error_code ec;
  tcp::resolver resolver(io);
  auto endpoints = resolver.resolve(host, std::to_string(port), ec);
  if (!ec) net::connect(socket, endpoints, ec);
  const std::string where_to = host + ":" + std::to_string(port);
  if (ec)
    return fail("cannot reach the admin server at " + where_to + ": " + ec.message() +
                " (is sluice running, with this admin.listen?)");
  std::string request = "GET " + target + " HTTP/1.1\r\nHost: " + where_to +
                        "\r\nAccept: application/x-ndjson\r\nConnection: close\r\n\r\n";
  net::write(socket, net::buffer(request), ec);
  if (ec) return fail("sending to " + where_to + ": " + ec.message());

  std::string received;
  size_t head_end = net::read_until(socket, net::dynamic_buffer(received), "\r\n\r\n", ec);
  if (ec) return fail("no answer from " + where_to + ": " + ec.message());
  // "HTTP/1.1 200 OK"
  const bool ok =
      received.compare(0, 12, "HTTP/1.1 200") == 0 || received.compare(0, 12, "HTTP/1.0 200") == 0;
  std::string body = received.substr(head_end);
  if (!ok) {
    // An error is a short JSON object; read it whole.
    net::read(socket, net::dynamic_buffer(body), ec);
    boost::system::error_code parse_error;
    auto parsed = boost::json::parse(body, parse_error);
    if (!parse_error && parsed.is_object() && parsed.as_object().contains("error"))
      return fail(std::string(parsed.at("error").as_string()));
    return fail(received.substr(0, received.find("\r\n")) + (body.empty() ? "" : ": " + body));
  }
  std::fwrite(body.data(), 1, body.size(), stdout);
  std::fflush(stdout);
  char chunk[16 * 1024];
  while (true) {
    size_t n = socket.read_some(net::buffer(chunk), ec);
    if (n > 0) {
      std::fwrite(chunk, 1, n, stdout);
      std::fflush(stdout);
    }
    if (ec) break;
  }
  if (ec != net::error::eof) return fail("connection to " + where_to + " lost: " + ec.message());
  return kExitOk;
}

}  // namespace sluice::cli
