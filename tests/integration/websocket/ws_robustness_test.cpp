// The websocket sink under abuse through `sluice run`: malformed and
// oversized frames, stalled and dead peers, 1,000 clients churning, TLS, and
// config errors. The server must stay up and leak nothing.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <boost/json.hpp>

#include "ws_harness.hpp"
#include "ws_swarm.hpp"

namespace sluice::websocket::testing {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

std::string code_of(const std::optional<std::string>& frame) {
  if (!frame) return "(nothing)";
  auto v = json::parse(*frame);
  return v.at("type").as_string() == "error" ? std::string(v.at("code").as_string())
                                             : std::string(v.at("type").as_string());
}

// Feeds `count` padded events for device d1 in batches no larger than the
// send queue, waiting for `reader` to take each batch: a reader that keeps
// up never overflows its queue however slow the machine (sanitizers, a busy
// CI host), while a client that never reads overflows it for certain.
bool feed_paced(SluiceWs& sluice, WsTestClient& reader, int count, int batch,
                const std::string& padding) {
  for (int n = 0; n < count;) {
    for (int end = std::min(count, n + batch); n < end; ++n)
      sluice.feed(R"({"data":{"DEVICE_ID":"d1"},"pad":")" + padding + R"(","n":)" +
                  std::to_string(n) + "}");
    if (!reader.wait_received(static_cast<size_t>(n), 30s)) return false;
  }
  return true;
}

TEST(WebSocketRobustness, MalformedFramesGetErrorsAndTheConnectionStaysUp) {
  SluiceWs sluice;
  auto c = sluice.connect();
  ASSERT_TRUE(c->connected());
  c->send("{not json");
  EXPECT_EQ(code_of(c->next()), "bad_json");
  c->send("[]");
  EXPECT_EQ(code_of(c->next()), "bad_frame");
  c->send(R"({"type":"dance"})");
  EXPECT_EQ(code_of(c->next()), "unknown_type");
  c->send(R"({"type":"subscribe","id":"s","filter":{"colour":["red"]}})");
  EXPECT_EQ(code_of(c->next()), "unknown_field");
  c->send(R"({"type":"subscribe","id":"s","extra":true})");
  EXPECT_EQ(code_of(c->next()), "unknown_field");
  c->send_binary(std::string("\x00\x01\x02", 3));
  EXPECT_EQ(code_of(c->next()), "bad_frame");
  c->send(R"({"type":"ping"})");
  EXPECT_EQ(code_of(c->next()), "pong");
  c->send(R"({"type":"subscribe","id":"s","filter":{"device":"d1"}})");
  EXPECT_EQ(code_of(c->next()), "subscribed");
  sluice.feed(tracking_event("d1", 1));
  EXPECT_TRUE(c->next().has_value());
}

TEST(WebSocketRobustness, OversizedFrameClosesOnlyThatClient) {
  SluiceWs sluice("    max_message_bytes: 1024\n");
  auto big = sluice.connect();
  auto other = sluice.connect("/api/v1/stream?device_ids=d1");
  ASSERT_TRUE(big->connected() && other->connected());
  // connect() waited for each to be listed; both must still be there.
  ASSERT_TRUE(test::wait_until([&] { return sluice.client_count() == 2; }, 10s));
  big->send(std::string(4096, ' ') + "{}");
  ASSERT_TRUE(big->wait_closed(10s));
  EXPECT_EQ(big->close_code(), 1009);
  sluice.feed(tracking_event("d1", 1));
  EXPECT_TRUE(other->next().has_value());
  EXPECT_TRUE(sluice.connect()->connected());
}

TEST(WebSocketRobustness, StalledClientDoesNotSlowOthersAndItsDropsAreCounted) {
  SluiceWs sluice("    send_queue: 64\n");
  WsClientOptions stalled_options;
  stalled_options.read = false;
  stalled_options.receive_buffer = 4096;
  auto stalled = sluice.connect("/api/v1/stream?device_ids=d1", stalled_options);
  auto reader = sluice.connect("/api/v1/stream?device_ids=d1");
  ASSERT_TRUE(stalled->connected() && reader->connected());

  // ~8 MB: far more than the socket buffers and the 64-frame queue hold.
  const int kEvents = 4000;
  const std::string padding(2000, 'x');
  auto started = std::chrono::steady_clock::now();
  ASSERT_TRUE(feed_paced(sluice, *reader, kEvents, 32, padding))
      << "the reading client got " << reader->received() << " of " << kEvents;
  auto elapsed = std::chrono::steady_clock::now() - started;
  // Every event reached the reader in order.
  auto frames = reader->take_all();
  for (int n : {0, kEvents / 2, kEvents - 1})
    EXPECT_NE(frames[n].find("\"n\":" + std::to_string(n) + "}"), std::string::npos);

  json::value listing;
  ASSERT_TRUE(test::wait_until(
      [&] {
        listing = json::parse(sluice.clients_json());
        return listing.at("totals").at("delivered").to_number<uint64_t>() >= kEvents;
      },
      10s));
  uint64_t stalled_dropped = 0, reader_dropped = 99, reader_delivered = 0;
  for (const auto& c : listing.at("clients").as_array()) {
    if (c.at("delivered").to_number<uint64_t>() >= kEvents) {
      reader_dropped = c.at("dropped").to_number<uint64_t>();
      reader_delivered = c.at("delivered").to_number<uint64_t>();
    } else {
      stalled_dropped = c.at("dropped").to_number<uint64_t>();
      EXPECT_LE(c.at("queued").to_number<uint64_t>(), 64u);
    }
  }
  EXPECT_EQ(reader_delivered, static_cast<uint64_t>(kEvents));
  EXPECT_EQ(reader_dropped, 0u);
  EXPECT_GT(stalled_dropped, static_cast<uint64_t>(kEvents / 2));
  EXPECT_EQ(listing.at("totals").at("dropped").to_number<uint64_t>(), stalled_dropped);
  RecordProperty("reader_seconds", std::to_string(std::chrono::duration<double>(elapsed).count()));
}

TEST(WebSocketRobustness, DisconnectPolicyClosesTheSlowClient) {
  SluiceWs sluice("    send_queue: 16\n    slow_client_policy: disconnect\n");
  WsClientOptions stalled_options;
  stalled_options.read = false;
  stalled_options.receive_buffer = 4096;
  auto stalled = sluice.connect("/api/v1/stream?device_ids=d1", stalled_options);
  auto reader = sluice.connect("/api/v1/stream?device_ids=d1");
  ASSERT_TRUE(stalled->connected() && reader->connected());
  const std::string padding(2000, 'x');
  ASSERT_TRUE(feed_paced(sluice, *reader, 3000, 8, padding)) << reader->received();
  EXPECT_TRUE(test::wait_until([&] { return sluice.client_count() == 1; }, 10s))
      << sluice.clients_json();
}

TEST(WebSocketRobustness, InvalidCloseCodeIsAnsweredWithProtocolError) {
  SluiceWs sluice;
  // 5000 and up are not close codes (RFC 6455 7.4.2); 1005 may never be sent.
  for (uint16_t invalid : {5000, 65535, 1005, 999}) {
    auto c = sluice.connect();
    ASSERT_TRUE(c->connected());
    c->close(invalid);
    ASSERT_TRUE(c->wait_closed(10s)) << invalid;
    EXPECT_EQ(c->close_code(), 1002) << "answer to close code " << invalid;
  }
  for (uint16_t valid : {1000, 3000, 4999}) {
    auto c = sluice.connect();
    c->close(valid);
    ASSERT_TRUE(c->wait_closed(10s));
    EXPECT_EQ(c->close_code(), valid);
  }
}

TEST(WebSocketRobustness, KeepaliveClosesADeadPeerButNotALiveOne) {
  SluiceWs sluice("    keepalive_s: 1\n");
  WsClientOptions dead_options;
  dead_options.read = false;  // never reads, so never answers a ping
  auto dead = sluice.connect("/api/v1/stream", dead_options);
  auto live = sluice.connect("/api/v1/stream");  // Beast answers pings while reading
  ASSERT_TRUE(dead->connected() && live->connected());
  ASSERT_TRUE(test::wait_until([&] { return sluice.client_count() == 1; }, 10s))
      << sluice.clients_json();
  std::this_thread::sleep_for(3s);  // several ping periods
  EXPECT_EQ(sluice.client_count(), 1);
  EXPECT_FALSE(live->wait_closed(0ms));
}

TEST(WebSocketRobustness, ThousandClientsComeAndGoWithoutLeaks) {
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur = std::min<rlim_t>(limit.rlim_max, 8192);
  setrlimit(RLIMIT_NOFILE, &limit);
  ASSERT_GE(limit.rlim_cur, 2200u) << "need file descriptors for 1,000 clients";

  SluiceWs sluice;
  const size_t kClients = 1000;
  size_t fds_after_first = 0, rss_after_first = 0;
  for (int round = 0; round < 3; ++round) {
    Swarm swarm;
    swarm.connect(sluice.port(), kClients,
                  [](size_t i) { return "/api/v1/stream?device_ids=d" + std::to_string(i % 50); });
    ASSERT_TRUE(
        test::wait_until([&] { return swarm.connected() + swarm.failed() == kClients; }, 60s))
        << "round " << round << ": " << swarm.connected() << " connected, " << swarm.failed()
        << " failed";
    ASSERT_EQ(swarm.connected(), kClients) << "round " << round;
    ASSERT_TRUE(test::wait_until([&] { return sluice.client_count() == int(kClients); }, 30s));
    for (int n = 0; n < 50; ++n) sluice.feed(tracking_event("d" + std::to_string(n), n));
    // Each device has 20 subscribers: 50 events -> 1,000 frames.
    ASSERT_TRUE(test::wait_until([&] { return swarm.messages() == kClients; }, 30s))
        << swarm.messages();
    swarm.leave();
    ASSERT_TRUE(test::wait_until([&] { return sluice.client_count() == 0; }, 30s))
        << "round " << round << ": " << sluice.client_count() << " clients left";
    ASSERT_TRUE(test::wait_until([&] { return swarm.open() == 0; }, 30s));
    ASSERT_TRUE(sluice.running()) << sluice.log();
    // Sockets close on the server a moment after the hub forgets them.
    size_t fds = 0;
    test::wait_until(
        [&] {
          fds = open_fds(sluice.pid());
          return round == 0 || fds <= fds_after_first;
        },
        10s);
    if (round == 0) {
      fds_after_first = fds;
      rss_after_first = rss_kb(sluice.pid());
    } else {
      EXPECT_LE(fds, fds_after_first) << "file descriptors leak (round " << round << ")";
    }
  }
  size_t rss = rss_kb(sluice.pid());
#ifndef __SANITIZE_ADDRESS__
  // Under AddressSanitizer freed memory sits in its quarantine (up to
  // 256 MB), so RSS says nothing about leaks there; LeakSanitizer checks
  // at exit instead.
  EXPECT_LT(rss, rss_after_first + 40 * 1024)
      << "RSS grew from " << rss_after_first << " kB to " << rss << " kB over two more rounds";
#endif
  RecordProperty("rss_after_first_kb", std::to_string(rss_after_first));
  RecordProperty("rss_after_last_kb", std::to_string(rss));
  EXPECT_TRUE(sluice.connect()->connected());
}

TEST(WebSocketRobustness, ServesWssWithTls) {
  test::TempDir dir;
  std::string cert = dir.file("cert.pem"), key = dir.file("key.pem");
  std::string output;
  ASSERT_EQ(
      test::run_command({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                         "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1"},
                        {}, &output),
      0)
      << output;
  SluiceWs sluice("    tls_cert: " + cert + "\n    tls_key: " + key + "\n", SluiceWs::kTls);
  WsClientOptions tls;
  tls.tls = true;
  std::unique_ptr<WsTestClient> c;
  ASSERT_TRUE(test::wait_until(
      [&] {
        c = sluice.connect("/api/v1/stream?device_ids=d1", tls);
        return c->connected();
      },
      30s))
      << c->error();
  sluice.feed(tracking_event("d1", 1));
  auto got = c->next();
  ASSERT_TRUE(got);
  EXPECT_EQ(*got, tracking_event("d1", 1));
  WsClientOptions plain;
  EXPECT_FALSE(sluice.connect("/api/v1/stream", plain)->connected());
}

TEST(WebSocketRobustness, CheckListsEveryConfigError) {
  test::TempDir dir;
  test::write_file(dir.path() / "bad.yaml", R"(connectors:
  ws:
    plugin: websocket
    listen: nowhere
    index: {device: data.DEVICE_ID}
    query_params: {device_ids: devices}
    auth: {mode: tokens, tokens: [{token: t}]}
)");
  std::string output;
  int status = test::run_sluice({"check", "-c", dir.file("bad.yaml")}, &output);
  EXPECT_NE(status, 0);
  for (const char* expected :
       {"setting 'listen'", "query_params.device_ids", "auth.tokens[0].tenant is required"})
    EXPECT_NE(output.find(expected), std::string::npos) << expected << " not in:\n" << output;
}

}  // namespace
}  // namespace sluice::websocket::testing
