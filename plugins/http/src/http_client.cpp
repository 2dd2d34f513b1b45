#include "http_client.hpp"

#include <boost/beast/version.hpp>

#include "retry_policy.hpp"

namespace sluice::http_plugin {
namespace {

using Clock = std::chrono::steady_clock;

// Where a failed attempt went, for its error (built only on failure).
std::string where(const Url& url) { return url.authority() + url.target; }

std::string snippet(std::string_view body) {
  if (body.size() <= 200) return std::string(body);
  return std::string(body.substr(0, 200)) + "...";
}

}  // namespace

void HttpClient::InFlightSlot::release() {
  if (!held) return;
  held = false;
  client->in_flight_.fetch_sub(1);
  client->metrics_.in_flight.set(static_cast<double>(client->in_flight_.load()));
}

HttpClient::InFlightSlot::~InFlightSlot() {
  release();
  client->unfinished_.fetch_sub(1);
}

HttpClient::HttpClient(const ClientOptions& options, const Host& host, ClientMetrics metrics)
    : options_(options), host_(host), metrics_(std::move(metrics)), ioc_(options.io_threads) {
  // read_options() checked them: these compile.
  std::string error;
  if (auto t = MessageTemplate::compile(options_.url, MessageTemplate::Use::kUrl, error))
    url_ = std::move(*t);
  for (const auto& h : options_.headers)
    if (auto t = MessageTemplate::compile(h.value, MessageTemplate::Use::kHeader, error))
      headers_.emplace_back(h.name, *t);
}

HttpClient::~HttpClient() {
  stop();
  work_.reset();
  ioc_.stop();
  for (auto& t : threads_) t.join();
  std::lock_guard lock(mutex_);
  idle_.clear();
}

bool HttpClient::start(std::string& error) {
  try {
    tls_.emplace(ssl::context::tls_client);
    tls_->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                      ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    if (!options_.tls_ca.empty())
      tls_->load_verify_file(options_.tls_ca);
    else
      tls_->set_default_verify_paths();
    tls_->set_verify_mode(options_.tls_verify ? ssl::verify_peer : ssl::verify_none);
  } catch (const std::exception& e) {
    error = "cannot load TLS CA file '" + options_.tls_ca + "': " + e.what();
    return false;
  }
  work_.emplace(ioc_.get_executor());
  for (int i = 0; i < options_.io_threads; ++i) threads_.emplace_back([this] { ioc_.run(); });
  return true;
}

void HttpClient::stop() { stopping_.store(true); }

double HttpClient::draw() {
  std::lock_guard lock(mutex_);
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
}

Status HttpClient::publish(const MessageView& message, Completion& completion, std::string& error) {
  return submit(message, completion, false, options_.timeout_ms, error);
}

Status HttpClient::request(const MessageView& message, uint32_t timeout_ms, Completion& completion,
                           std::string& error) {
  return submit(message, completion, true, timeout_ms ? timeout_ms : options_.timeout_ms, error);
}

Status HttpClient::submit(const MessageView& message, Completion& completion, bool is_request,
                          uint32_t timeout_ms, std::string& error) {
  if (stopping_.load()) {
    error = "the http client is shutting down";
    return Status::kClosed;
  }
  // A URL or header this message cannot fill, or a URL that does not
  // parse, can never work: the message fails for good (dead letter).
  PayloadDocument document(message.payload());
  std::string text;
  if (!url_.render(message, document, text, error)) {
    error = "url " + error;
    return Status::kRejected;
  }
  auto url = parse_url(text, error);
  if (!url) return Status::kRejected;
  std::vector<std::pair<std::string_view, std::string>> headers(headers_.size());
  for (size_t i = 0; i < headers_.size(); ++i) {
    headers[i].first = headers_[i].first;
    if (!headers_[i].second.render(message, document, headers[i].second, error)) {
      error = "header " + headers_[i].first + ": " + error;
      return Status::kRejected;
    }
  }
  if (in_flight_.fetch_add(1) >= options_.max_connections) {
    in_flight_.fetch_sub(1);
    return Status::kBusy;
  }
  metrics_.in_flight.set(static_cast<double>(in_flight_.load()));
  unfinished_.fetch_add(1);
  auto job = std::make_unique<Job>(this);
  job->url = std::move(*url);
  job->is_request = is_request;
  job->timeout = std::chrono::milliseconds(timeout_ms);
  Request req;
  req.method_string(options_.method);
  req.target(job->url.target);
  req.version(11);
  req.set(http::field::host, job->url.host);
  req.set(http::field::user_agent, "sluice");
  auto content_type = message.header("content-type");
  req.set(http::field::content_type,
          content_type ? *content_type : std::string_view(options_.content_type));
  for (auto& [name, value] : headers) req.set(name, std::move(value));
  req.body() = std::string(message.payload());
  req.keep_alive(true);
  req.prepare_payload();
  job->request = serialize_request(req);
  job->completion = std::move(completion);
  net::co_spawn(ioc_, deliver(std::move(job)), net::detached);
  return Status::kOk;
}

net::awaitable<void> HttpClient::deliver(std::unique_ptr<Job> job) {
  common::BackoffPolicy policy{options_.retry_initial_ms, options_.retry_max_ms, 0.5, 1.0};
  // A request (sluice.request) is one attempt within its own timeout: its
  // caller is waiting, and whatever status came back is the answer.
  int attempts = job->is_request ? 1 : options_.max_attempts;
  std::string last_error;
  for (int attempt = 1; attempt <= attempts; ++attempt) {
    if (attempt > 1) metrics_.retries.add();
    metrics_.requests.add();
    Exchange ex = co_await exchange(job->url, job->request, job->timeout);
    std::optional<std::chrono::milliseconds> retry_after;
    if (!ex.error) {
      unsigned status = ex.response.result_int();
      if (job->is_request) {
        std::string status_text = std::to_string(status);
        OutMessage reply;
        reply.payload = ex.response.body();
        reply.headers.emplace_back("status", status_text);
        std::string type(ex.response[http::field::content_type]);
        if (!type.empty()) reply.headers.emplace_back("content-type", type);
        job->reply(reply);
        co_return;
      }
      Verdict verdict = classify_status(status);
      if (verdict == Verdict::kDone) {
        job->ok();
        co_return;
      }
      last_error = "HTTP " + std::to_string(status) + " from " + where(job->url) + ": " +
                   snippet(ex.response.body());
      if (verdict == Verdict::kReject) {
        metrics_.failed.add();
        job->fail(Status::kRejected, last_error);
        co_return;
      }
      retry_after = parse_retry_after(ex.response[http::field::retry_after],
                                      std::chrono::system_clock::now());
    } else {
      last_error = where(job->url) + ": " + ex.error.message();
    }
    if (attempt == attempts || stopping_.load()) break;
    net::steady_timer wait(ioc_, retry_delay(policy, attempt, retry_after, draw()));
    co_await wait.async_wait(kUseTuple);
  }
  metrics_.failed.add();
  if (job->is_request) {
    job->fail(Status::kTimeout, last_error);
  } else {
    job->fail(Status::kError, last_error + " (after " + std::to_string(attempts) + " attempt" +
                                  (attempts == 1 ? "" : "s") + ")");
  }
}

HttpClient::IdlePool* HttpClient::pool_of(const Url& url) {
  for (auto& pool : idle_)
    if (pool.port == url.port && pool.tls == url.tls && pool.host == url.host) return &pool;
  return nullptr;
}

std::unique_ptr<HttpClient::Connection> HttpClient::take_idle(const Url& url) {
  std::lock_guard lock(mutex_);
  IdlePool* pool = pool_of(url);
  if (!pool || pool->connections.empty()) return nullptr;
  auto connection = std::move(pool->connections.back());
  pool->connections.pop_back();
  --idle_count_;
  return connection;
}

void HttpClient::put_idle(const Url& url, std::unique_ptr<Connection> connection) {
  std::lock_guard lock(mutex_);
  if (idle_count_ >= options_.max_connections || stopping_.load()) return;
  IdlePool* pool = pool_of(url);
  if (!pool) {
    // Hosts come from a URL template: forget those with nothing idle
    // rather than collect one entry per host ever seen.
    std::erase_if(idle_, [](const IdlePool& p) { return p.connections.empty(); });
    pool = &idle_.emplace_back(IdlePool{url.tls, url.host, url.port, {}});
  }
  pool->connections.push_back(std::move(connection));
  ++idle_count_;
}

net::awaitable<std::unique_ptr<HttpClient::Connection>> HttpClient::connect(
    const Url& url, std::chrono::milliseconds timeout, beast::error_code& ec) {
  tcp::resolver resolver(ioc_);
  auto [rec, endpoints] =
      co_await resolver.async_resolve(url.host, std::to_string(url.port), kUseTuple);
  if (rec) {
    ec = rec;
    co_return nullptr;
  }
  auto connection = std::make_unique<Connection>();
  if (url.tls) {
    connection->tls.emplace(ioc_.get_executor(), *tls_);
  } else {
    connection->plain.emplace(ioc_.get_executor());
  }
  auto& lowest = connection->lowest();
  lowest.expires_after(timeout);
  auto [cec, endpoint] = co_await lowest.async_connect(endpoints, kUseTuple);
  if (cec) {
    ec = cec;
    co_return nullptr;
  }
  beast::error_code ignored;
  lowest.socket().set_option(tcp::no_delay(true), ignored);
  if (url.tls) {
    auto& stream = *connection->tls;
    if (!SSL_set_tlsext_host_name(stream.native_handle(), url.host.c_str())) {
      ec = beast::error_code(static_cast<int>(::ERR_get_error()), net::error::get_ssl_category());
      co_return nullptr;
    }
    if (options_.tls_verify) stream.set_verify_callback(ssl::host_name_verification(url.host));
    auto [hec] = co_await stream.async_handshake(ssl::stream_base::client, kUseTuple);
    if (hec) {
      ec = hec;
      co_return nullptr;
    }
  }
  co_return connection;
}

net::awaitable<Exchange> HttpClient::exchange(const Url& url, const std::string& request,
                                              std::chrono::milliseconds timeout) {
  // A kept-alive connection may have been closed by the server meanwhile:
  // a failure on one is retried once on a fresh connection.
  for (int fresh = 0; fresh < 2; ++fresh) {
    std::unique_ptr<Connection> connection = fresh == 0 ? take_idle(url) : nullptr;
    bool reused = connection != nullptr;
    if (!connection) {
      beast::error_code ec;
      connection = co_await connect(url, timeout, ec);
      if (!connection) co_return Exchange{ec, {}};
    }
    Exchange out = co_await connection->roundtrip(request, timeout);
    if (out.error && reused && out.error != beast::error::timeout) continue;
    if (!out.error && out.response.keep_alive()) put_idle(url, std::move(connection));
    co_return out;
  }
  co_return Exchange{net::error::connection_aborted, {}};
}

Status HttpClient::flush(uint32_t timeout_ms) {
  auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  while (unfinished_.load() > 0 && Clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  return unfinished_.load() == 0 ? Status::kOk : Status::kTimeout;
}

}  // namespace sluice::http_plugin
