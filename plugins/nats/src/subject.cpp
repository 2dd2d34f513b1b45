// Subject and URL syntax for the NATS plugin (see subject.hpp).
#include "subject.hpp"

#include <charconv>
#include <vector>

namespace sluice::nats {
namespace {

std::vector<std::string_view> split_tokens(std::string_view s) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t dot = s.find('.', start);
    if (dot == std::string_view::npos) {
      out.push_back(s.substr(start));
      return out;
    }
    out.push_back(s.substr(start, dot - start));
    start = dot + 1;
  }
}

}  // namespace

std::string expand_node_id(std::string_view text, std::string_view node_id) {
  static constexpr std::string_view kVar = "${node_id}";
  std::string out;
  size_t pos = 0;
  while (true) {
    size_t hit = text.find(kVar, pos);
    if (hit == std::string_view::npos) break;
    out.append(text.substr(pos, hit - pos));
    out.append(node_id);
    pos = hit + kVar.size();
  }
  out.append(text.substr(pos));
  return out;
}

std::optional<std::string> subject_problem(std::string_view subject, bool wildcards) {
  if (subject.empty()) return "a subject must not be empty";
  for (char c : subject)
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
      return "subject '" + std::string(subject) + "' must not contain whitespace";
  auto tokens = split_tokens(subject);
  for (size_t i = 0; i < tokens.size(); ++i) {
    auto t = tokens[i];
    if (t.empty())
      return "subject '" + std::string(subject) +
             "' has an empty token (two dots or a dot at an end)";
    bool wild = t == "*" || t == ">";
    if (wild && !wildcards)
      return "subject '" + std::string(subject) + "' must not contain wildcards here";
    if (t == ">" && i + 1 != tokens.size())
      return "subject '" + std::string(subject) + "': '>' may only be the last token";
    if (!wild && (t.find('*') != std::string_view::npos || t.find('>') != std::string_view::npos))
      return "subject '" + std::string(subject) + "': wildcards must be whole tokens";
  }
  return std::nullopt;
}

bool pattern_covered_by(std::string_view pattern, std::string_view filter) {
  auto p = split_tokens(pattern);
  auto f = split_tokens(filter);
  for (size_t i = 0; i < f.size(); ++i) {
    if (f[i] == ">") return i < p.size();  // '>' needs at least one more token
    if (i >= p.size()) return false;
    if (p[i] == ">") return false;  // the pattern reaches further than a single token
    if (f[i] == "*") continue;
    if (p[i] == "*" || p[i] != f[i]) return false;
  }
  return p.size() == f.size();
}

bool subject_matches(std::string_view subject, std::string_view pattern) {
  return pattern_covered_by(subject, pattern);
}

std::optional<std::string> url_problem(std::string_view url) {
  std::string u = redact_url(url);  // messages never show a password
  std::string_view rest = url;
  if (auto scheme_end = rest.find("://"); scheme_end != std::string_view::npos) {
    auto scheme = rest.substr(0, scheme_end);
    if (scheme != "nats" && scheme != "tls")
      return "url '" + u + "': scheme must be nats:// or tls://";
    rest.remove_prefix(scheme_end + 3);
  }
  if (auto at = rest.rfind('@'); at != std::string_view::npos) rest.remove_prefix(at + 1);
  while (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.empty()) return "url '" + u + "' has no host";
  std::string_view host = rest;
  if (auto colon = rest.rfind(':'); colon != std::string_view::npos && rest.front() != '[') {
    host = rest.substr(0, colon);
    auto port_text = rest.substr(colon + 1);
    int port = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port < 1 || port > 65535)
      return "url '" + u + "': port '" + std::string(port_text) + "' must be a number 1-65535";
  }
  if (host.empty()) return "url '" + u + "' has no host";
  for (char c : host)
    if (c == ' ' || c == '/' || c == '?' || c == '#')
      return "url '" + u + "': host '" + std::string(host) + "' is not a host name";
  return std::nullopt;
}

std::string redact_url(std::string_view url) {
  size_t start = url.find("://");
  start = start == std::string_view::npos ? 0 : start + 3;
  size_t at = url.find('@', start);
  if (at == std::string_view::npos) return std::string(url);
  return std::string(url.substr(0, start)) + "***" + std::string(url.substr(at));
}

bool url_wants_tls(std::string_view url) { return url.substr(0, 6) == "tls://"; }

}  // namespace sluice::nats
