#include "admin/admin_endpoints.hpp"

#include <boost/json.hpp>

#include "admin/prometheus_text.hpp"
#include "admin/status_page.hpp"
#include "graph/topology.hpp"
#include "graph/topology_json.hpp"
#include "runtime/runtime.hpp"

namespace sluice::admin {
namespace http = boost::beast::http;

namespace {

Response respond(const Request& req, http::status status, std::string body,
                 const char* content_type) {
  Response res(status, req.version());
  res.set(http::field::content_type, content_type);
  res.set(http::field::cache_control, "no-store");
  res.body() = std::move(body);
  return res;
}

Response json(const Request& req, http::status status, const boost::json::value& v) {
  return respond(req, status, boost::json::serialize(v) + "\n", "application/json");
}

boost::json::object labels_object(const metrics::Labels& labels) {
  boost::json::object o;
  for (const auto& [k, v] : labels) o[k] = v;
  return o;
}

Response readiness(const Request& req, runtime::Runtime& rt) {
  boost::json::array connectors, unhealthy;
  for (const auto& c : rt.connectors()) {
    auto h = c->health();
    boost::json::object entry{{"name", c->name()}, {"healthy", h.healthy}, {"message", h.message}};
    if (!h.healthy) unhealthy.push_back(entry);
    connectors.push_back(std::move(entry));
  }
  bool ready = unhealthy.empty() && rt.running();
  return json(req, ready ? http::status::ok : http::status::service_unavailable,
              boost::json::object{{"ready", ready},
                                  {"unhealthy", std::move(unhealthy)},
                                  {"connectors", std::move(connectors)}});
}

}  // namespace

std::string stats_json(runtime::Runtime& rt) {
  boost::json::object families;
  rt.metrics().for_each([&](const metrics::Family& f) {
    boost::json::array series;
    for (const auto& s : f.series) {
      boost::json::object entry{{"labels", labels_object(s.labels)}};
      if (f.kind == metrics::Kind::kHistogram) {
        const auto cumulative = s.histogram.cumulative_snapshot();
        entry["count"] = cumulative.back();
        entry["sum"] = s.histogram.sum();
        boost::json::object buckets;
        for (size_t i = 0; i < metrics::Histogram::kBounds.size(); ++i)
          buckets[prometheus_number(metrics::Histogram::kBounds[i])] = cumulative[i];
        entry["buckets"] = std::move(buckets);
      } else if (f.kind == metrics::Kind::kGauge) {
        entry["value"] = s.sample ? s.sample() : s.gauge.value();
      } else {
        entry["value"] = s.counter.value();
      }
      series.push_back(std::move(entry));
    }
    families[f.name] = std::move(series);
  });
  auto status = boost::json::parse(rt.status_json()).as_object();
  status["routing_time_ewma_us"] = rt.routing_time_ewma_us();
  boost::json::array workers;
  for (const auto& w : rt.workers())
    workers.push_back(boost::json::object{{"index", w->index()},
                                          {"queue_depth", w->depth()},
                                          {"queue_capacity", w->capacity()},
                                          {"messages", w->processed()}});
  status["workers"] = std::move(workers);
  status["metrics"] = std::move(families);
  return boost::json::serialize(status);
}

HttpServerLimits admin_server_limits(const config::AdminConfig& admin) {
  HttpServerLimits limits;
  limits.max_connections = admin.max_connections;
  limits.idle_timeout = std::chrono::milliseconds(admin.idle_timeout_ms);
  limits.request_timeout = std::chrono::milliseconds(admin.request_timeout_ms);
  limits.probe_targets = {"/healthz", "/readyz"};
  return limits;
}

Handler make_admin_handler(runtime::Runtime& rt) {
  return [&rt](const Request& req) -> Response {
    std::string_view target(req.target().data(), req.target().size());
    if (auto q = target.find('?'); q != std::string_view::npos) target = target.substr(0, q);
    auto only = [&](http::verb verb, const char* allow) -> std::optional<Response> {
      if (req.method() == verb || (verb == http::verb::get && req.method() == http::verb::head))
        return std::nullopt;
      auto res = respond(req, http::status::method_not_allowed, std::string("use ") + allow + "\n",
                         "text/plain");
      res.set(http::field::allow, allow);
      return res;
    };
    if (target == "/healthz") {
      if (auto r = only(http::verb::get, "GET")) return *r;
      return json(req, http::status::ok, boost::json::object{{"status", "ok"}});
    }
    if (target == "/readyz") {
      if (auto r = only(http::verb::get, "GET")) return *r;
      return readiness(req, rt);
    }
    if (target == "/metrics") {
      if (auto r = only(http::verb::get, "GET")) return *r;
      return respond(req, http::status::ok, render_prometheus(rt.metrics()),
                     kPrometheusContentType);
    }
    if (target == "/stats") {
      if (auto r = only(http::verb::get, "GET")) return *r;
      return respond(req, http::status::ok, stats_json(rt) + "\n", "application/json");
    }
    if (target == "/graph") {
      if (auto r = only(http::verb::get, "GET")) return *r;
      // Read again per request, as `sluice graph` would: the script as it is
      // on disk (what a reload would run), the counters as they are now.
      std::vector<std::string> errors;
      auto topology = graph::build_topology(rt.config(), errors);
      if (!errors.empty()) {
        boost::json::array list;
        for (const auto& e : errors) list.push_back(boost::json::string(e));
        return json(req, http::status::internal_server_error,
                    boost::json::object{{"errors", std::move(list)}});
      }
      return json(req, http::status::ok, graph::topology_json(topology, rt.metrics()));
    }
    if (target == "/reload") {
      if (auto r = only(http::verb::post, "POST")) return *r;
      auto result = rt.reload();
      return json(req, result.ok ? http::status::ok : http::status::conflict,
                  boost::json::object{{"reloaded", result.ok}, {"message", result.message}});
    }
    if (target == "/" || target == "/index.html") {
      if (auto r = only(http::verb::get, "GET")) return *r;
      return respond(req, http::status::ok, std::string(kStatusPage), "text/html; charset=utf-8");
    }
    return respond(req, http::status::not_found,
                   "not found; try /, /healthz, /readyz, /metrics, /stats, /graph, POST /reload\n",
                   "text/plain");
  };
}

}  // namespace sluice::admin
