#include "ws_harness.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>

namespace sluice::websocket::testing {

std::string tracking_event(const std::string& device, int n, const std::string& tenant,
                           const std::string& kind, const std::string& site) {
  return R"({"data":{"DEVICE_ID":")" + device +
         R"(","LATITUD":"+20.652472","LONGITUD":"-100.391423","SPEED":"12.50"},"tenant_id":")" +
         tenant + R"(","kind":")" + kind + R"(","site":")" + site + R"(","n":)" +
         std::to_string(n) + "}";
}

SluiceWs::SluiceWs(const std::string& sink_settings, Transport transport,
                   const std::string& top_settings)
    : port_(test::free_tcp_port()) {
  std::string config = R"(node_id: ws-test
admin: { enabled: false }
)" + top_settings + R"(
connectors:
  input:
    plugin: stdio
    mode: source
    subject: tracking.data
  ws:
    plugin: websocket
    listen: 127.0.0.1:)" +
                       std::to_string(port_) +
                       R"(
    index: {device: data.DEVICE_ID, tenant: tenant_id, kind: kind, site: site}
    query_params: {device_ids: device, sites: site}
    stream_key: device
    clients_endpoint: true
)" + sink_settings + R"(
routes:
  - from: input
    to: ws
)";
  test::write_file(dir_.path() / "sluice.yaml", config);
  test::ProcessOptions options;
  options.stdin_pipe = true;
  process_ = std::make_unique<test::SluiceProcess>(
      test::SluiceProcess::run(dir_.file("sluice.yaml"), {}, {}, options));
  bool up = test::wait_until(
      [&] {
        if (!process_->running()) return true;
        // A TLS listener cannot answer plain HTTP: an open port will do.
        if (transport == kTls) return test::tcp_port_open("127.0.0.1", port_);
        return get("/api/v1/stream").status == 426;
      },
      std::chrono::seconds(30));
  if (!up || !process_->running())
    ADD_FAILURE() << "sluice did not start serving on port " << port_ << ":\n"
                  << process_->output() << "\nconfig:\n"
                  << config;
}

SluiceWs::~SluiceWs() {
  if (process_->running()) {
    int status = process_->stop(std::chrono::seconds(15));
    EXPECT_EQ(status, 0) << "sluice did not exit cleanly:\n" << process_->output();
  }
}

void SluiceWs::feed(const std::string& line) { process_->write_stdin(line + "\n"); }

std::unique_ptr<WsTestClient> SluiceWs::connect(const std::string& target,
                                                WsClientOptions options) {
  auto client = std::make_unique<WsTestClient>(port_, target, std::move(options));
  if (client->connected()) {
    // Not asserted: a client the server closes at once (a refused scope)
    // never shows up, and its test checks that itself. With auth on, the
    // listing needs an admin token this harness does not have: no wait.
    std::string listed = "\"127.0.0.1:" + std::to_string(client->local_port()) + "\"";
    test::wait_until(
        [&] {
          auto listing = get("/api/v1/stream/clients");
          return listing.status != 200 || listing.body.find(listed) != std::string::npos;
        },
        std::chrono::seconds(5));
  }
  return client;
}

test::HttpResponse SluiceWs::get(const std::string& target) {
  return test::http_get("127.0.0.1", port_, target);
}

std::string SluiceWs::clients_json() { return get("/api/v1/stream/clients").body; }

int SluiceWs::client_count() {
  auto response = get("/api/v1/stream/clients");
  if (response.status != 200) return -1;
  boost::system::error_code ec;
  auto v = boost::json::parse(response.body, ec);
  if (ec) return -1;
  return static_cast<int>(v.at("clients").as_array().size());
}

size_t open_fds(pid_t pid) {
  size_t n = 0;
  for ([[maybe_unused]] const auto& entry :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd"))
    ++n;
  return n;
}

size_t rss_kb(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stoul(line.substr(6));
  return 0;
}

}  // namespace sluice::websocket::testing
