#include "admin/tap_endpoint.hpp"

#include <boost/json.hpp>
#include <charconv>
#include <set>
#include <sluice/common/url_target.hpp>

#include "runtime/runtime.hpp"
#include "tap/tap.hpp"

namespace sluice::admin {
namespace http = boost::beast::http;

namespace {

Response refuse(const Request& req, http::status status, const std::string& why) {
  Response res(status, req.version());
  res.set(http::field::content_type, "application/json");
  res.body() = boost::json::serialize(boost::json::object{{"error", why}}) + "\n";
  return res;
}

// Route names as the route counters know them (YAML routes and the
// script's sluice.route alike).
std::set<std::string> route_names(runtime::Runtime& rt) {
  std::set<std::string> names;
  rt.metrics().for_each([&](const metrics::Family& family) {
    if (family.name != "sluice_route_matched_total") return;
    for (const auto& series : family.series)
      for (const auto& [label, value] : series.labels)
        if (label == "route") names.insert(value);
  });
  return names;
}

// Fills the connector, subject or route of `filter` from `target`, or
// returns what is wrong with it.
std::string resolve_target(runtime::Runtime& rt, const std::string& target,
                           tap::TapFilter& filter) {
  if (target.empty()) return "";
  if (rt.connector(target)) {
    filter.connector = target;
    return "";
  }
  if (auto colon = target.find(':'); colon != std::string::npos) {
    std::string name = target.substr(0, colon);
    if (const auto* connector = rt.connector(name)) {
      std::string error;
      filter.subject = common::SubjectPattern::compile(target.substr(colon + 1),
                                                       connector->plugin().subject_syntax(), error);
      if (!filter.subject) return "subject pattern '" + target.substr(colon + 1) + "': " + error;
      filter.connector = name;
      return "";
    }
  }
  if (route_names(rt).count(target)) {
    filter.route = target;
    return "";
  }
  std::string known;
  for (const auto& c : rt.connectors()) known += (known.empty() ? "" : ", ") + c->name();
  for (const auto& r : route_names(rt)) known += (known.empty() ? "" : ", ") + r;
  return "no connector or route named '" + target + "' (there are: " + known + ")";
}

std::string compile_where(const std::string& text, tap::TapFilter& filter) {
  boost::system::error_code ec;
  auto spec = boost::json::parse(text, ec);
  if (ec) return "where is not JSON: " + ec.message();
  std::vector<std::string> errors;
  filter.where = routing::Predicate::compile(spec, errors, "where");
  if (!filter.where) {
    std::string all;
    for (const auto& e : errors) all += (all.empty() ? "" : "; ") + e;
    return all;
  }
  return "";
}

// Cuts `out` after `left` message lines ({"dropped":..} lines do not
// count); returns the lines it kept.
size_t keep_lines(std::string& out, size_t left) {
  size_t kept = 0, pos = 0;
  while (pos < out.size() && kept < left) {
    size_t end = out.find('\n', pos);
    if (end == std::string::npos) break;
    if (out.compare(pos, 11, "{\"dropped\":") != 0) ++kept;
    pos = end + 1;
  }
  if (kept == left) out.resize(pos);
  return kept;
}

}  // namespace

StreamHandler make_tap_handler(runtime::Runtime& rt) {
  return [&rt](const Request& req) -> std::variant<Response, ResponseStream> {
    if (req.method() != http::verb::get)
      return refuse(req, http::status::method_not_allowed, "GET /tap");
    auto query = common::parse_url_target({req.target().data(), req.target().size()});
    tap::TapFilter filter;
    filter.node_id = rt.config().node_id;
    if (auto e = resolve_target(rt, query.param("target").value_or(""), filter); !e.empty())
      return refuse(req, http::status::not_found, e);
    if (auto where = query.param("where"); where && !where->empty())
      if (auto e = compile_where(*where, filter); !e.empty())
        return refuse(req, http::status::bad_request, e);
    size_t limit = 0;  // 0: until the client goes
    if (auto text = query.param("limit")) {
      auto [p, ec] = std::from_chars(text->data(), text->data() + text->size(), limit);
      if (ec != std::errc() || p != text->data() + text->size())
        return refuse(req, http::status::bad_request, "limit must be a whole number");
    }
    std::string error;
    std::shared_ptr<tap::TapLease> lease = rt.taps().open(std::move(filter), error);
    if (!lease) return refuse(req, http::status::too_many_requests, error);

    ResponseStream stream;
    stream.head.result(http::status::ok);
    stream.head.set(http::field::content_type, "application/x-ndjson");
    stream.next = [lease, limit, left = limit](std::string& out) mutable {
      lease->tap().take(out);
      if (limit == 0) return true;
      left -= keep_lines(out, left);
      return left > 0;
    };
    return stream;
  };
}

}  // namespace sluice::admin
