#include "poller.hpp"

#include "polled_document.hpp"

namespace sluice::http_plugin {

Poller::Poller(const PollOptions& options, const ClientOptions& client_options, HttpClient& client,
               const Host& host, PollMetrics metrics)
    : options_(options),
      client_options_(client_options),
      client_(client),
      host_(host),
      metrics_(std::move(metrics)) {}

void Poller::start() { net::co_spawn(client_.io(), run(), net::detached); }

void Poller::ack(Outcome outcome) {
  if (outcome == Outcome::kNack) forget_validators_.store(true);
}

net::awaitable<void> Poller::run() {
  net::steady_timer timer(client_.io());
  while (!stopping_.load()) {
    auto next = std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.interval_ms);
    co_await poll_once();
    timer.expires_at(next);
    co_await timer.async_wait(kUseTuple);
  }
}

net::awaitable<void> Poller::poll_once() {
  if (forget_validators_.exchange(false)) {
    etag_.clear();
    last_modified_.clear();
  }
  Request req{http::verb::get, options_.url.target, 11};
  req.set(http::field::host, options_.url.host);
  req.set(http::field::user_agent, "sluice");
  req.set(http::field::accept, "application/json, */*");
  sluice_message empty{};
  empty.struct_size = sizeof empty;
  MessageView none(&empty);
  PayloadDocument no_payload({});
  std::string error, value;
  // read_options() refused payload fields here: nothing can fail.
  for (const auto& h : client_options_.headers)
    if (auto t = MessageTemplate::compile(h.value, MessageTemplate::Use::kHeader, error);
        t && t->render(none, no_payload, value, error))
      req.set(h.name, value);
  if (!etag_.empty()) req.set(http::field::if_none_match, etag_);
  if (!last_modified_.empty()) req.set(http::field::if_modified_since, last_modified_);
  req.keep_alive(true);
  metrics_.polls.add();
  std::string bytes = serialize_request(req);
  Exchange ex = co_await client_.exchange(options_.url, bytes,
                                          std::chrono::milliseconds(client_options_.timeout_ms));
  if (ex.error) {
    metrics_.errors.add();
    host_.logf(LogLevel::kWarn, "GET %s failed: %s", options_.subject.c_str(),
               ex.error.message().c_str());
    co_return;
  }
  unsigned status = ex.response.result_int();
  if (status == 304) {
    metrics_.unchanged.add();
    co_return;
  }
  if (status < 200 || status >= 300) {
    metrics_.errors.add();
    host_.logf(LogLevel::kWarn, "GET %s answered HTTP %u", options_.subject.c_str(), status);
    co_return;
  }
  PolledDocument document = read_document(ex.response.body(), options_.array_path);
  if (!document.error.empty()) {
    metrics_.errors.add();
    host_.logf(LogLevel::kWarn, "GET %s: %s", options_.subject.c_str(), document.error.c_str());
    co_return;
  }
  bool all_taken = true;
  for (const auto& payload : document.payloads) {
    if (stopping_.load()) {
      all_taken = false;
      break;
    }
    OutMessage out;
    out.payload = payload;
    out.subject = options_.subject;
    std::string type(ex.response[http::field::content_type]);
    if (!type.empty()) out.headers.emplace_back("content-type", type);
    // Waiting here is the backpressure: the next poll waits too.
    Status s = Status::kClosed;
    gate_.run([&] {
      s = host_.emit(out, next_ack_id_++, std::min<uint32_t>(options_.interval_ms, 1000));
    });
    if (s != Status::kOk) {
      all_taken = false;
      break;
    }
    metrics_.messages.add();
  }
  if (all_taken) {
    etag_ = std::string(ex.response[http::field::etag]);
    last_modified_ = std::string(ex.response[http::field::last_modified]);
  } else {
    etag_.clear();
    last_modified_.clear();
  }
}

}  // namespace sluice::http_plugin
