// A strict parser of the Prometheus text exposition format 0.0.4, for tests:
// it rejects what a real scraper would reject (bad names, bad escapes,
// samples before their TYPE, duplicate series, inconsistent histograms).
#pragma once

#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace sluice::test {

struct PromSample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

struct PromFamily {
  std::string type;
  std::string help;
  std::vector<PromSample> samples;
};

class PromParseError : public std::runtime_error {
 public:
  PromParseError(int line, const std::string& what)
      : std::runtime_error("line " + std::to_string(line) + ": " + what) {}
};

class PromText {
 public:
  static PromText parse(const std::string& text) {
    PromText out;
    out.parse_all(text);
    return out;
  }

  const std::map<std::string, PromFamily>& families() const { return families_; }

  // Sum of the samples of `name` whose labels include all of `match`.
  double sum(const std::string& name, const std::map<std::string, std::string>& match = {}) const {
    double total = 0;
    for (const auto& [fname, f] : families_)
      for (const auto& s : f.samples) {
        if (s.name != name) continue;
        bool ok = true;
        for (const auto& [k, v] : match) {
          auto it = s.labels.find(k);
          ok = ok && it != s.labels.end() && it->second == v;
        }
        if (ok) total += s.value;
      }
    return total;
  }

 private:
  static bool name_start(char c) {
    return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == ':';
  }
  static bool name_char(char c) {
    return name_start(c) || std::isdigit(static_cast<unsigned char>(c));
  }

  void parse_all(const std::string& text) {
    if (!text.empty() && text.back() != '\n')
      throw PromParseError(0, "text must end with a newline");
    size_t pos = 0;
    int line_no = 0;
    while (pos < text.size()) {
      size_t end = text.find('\n', pos);
      std::string line = text.substr(pos, end - pos);
      pos = end + 1;
      ++line_no;
      if (line.empty()) continue;
      if (line[0] == '#') {
        comment(line, line_no);
      } else {
        sample(line, line_no);
      }
    }
    for (const auto& [name, f] : families_) check_family(name, f);
  }

  void comment(const std::string& line, int n) {
    if (line.rfind("# HELP ", 0) == 0 || line.rfind("# TYPE ", 0) == 0) {
      bool help = line[2] == 'H';
      size_t name_end = line.find(' ', 7);
      std::string name =
          line.substr(7, name_end == std::string::npos ? std::string::npos : name_end - 7);
      check_name(name, n);
      std::string rest = name_end == std::string::npos ? "" : line.substr(name_end + 1);
      auto& f = families_[name];
      if (help) {
        if (seen_help_.count(name)) throw PromParseError(n, "second HELP for " + name);
        seen_help_.insert(name);
        f.help = rest;
      } else {
        if (!f.type.empty()) throw PromParseError(n, "second TYPE for " + name);
        if (!f.samples.empty()) throw PromParseError(n, "TYPE after samples of " + name);
        static const std::set<std::string> types{"counter", "gauge", "histogram", "summary",
                                                 "untyped"};
        if (!types.count(rest)) throw PromParseError(n, "unknown type '" + rest + "'");
        f.type = rest;
        current_ = name;
      }
    }
  }

  void check_name(const std::string& name, int n) {
    if (name.empty() || !name_start(name[0]))
      throw PromParseError(n, "bad metric name '" + name + "'");
    for (char c : name)
      if (!name_char(c)) throw PromParseError(n, "bad metric name '" + name + "'");
  }

  void sample(const std::string& line, int n) {
    size_t i = 0;
    while (i < line.size() && name_char(line[i])) ++i;
    PromSample s;
    s.name = line.substr(0, i);
    check_name(s.name, n);
    if (i < line.size() && line[i] == '{') {
      ++i;
      while (i < line.size() && line[i] != '}') {
        size_t start = i;
        while (i < line.size() &&
               (std::isalnum(static_cast<unsigned char>(line[i])) || line[i] == '_'))
          ++i;
        std::string key = line.substr(start, i - start);
        if (key.empty() || std::isdigit(static_cast<unsigned char>(key[0])))
          throw PromParseError(n, "bad label name");
        if (i + 1 >= line.size() || line[i] != '=' || line[i + 1] != '"')
          throw PromParseError(n, "expected =\" after label " + key);
        i += 2;
        std::string value;
        while (i < line.size() && line[i] != '"') {
          if (line[i] == '\\') {
            if (i + 1 >= line.size()) throw PromParseError(n, "dangling escape");
            char e = line[i + 1];
            if (e == 'n')
              value += '\n';
            else if (e == '\\' || e == '"')
              value += e;
            else
              throw PromParseError(n, std::string("bad escape \\") + e);
            i += 2;
          } else {
            value += line[i++];
          }
        }
        if (i >= line.size()) throw PromParseError(n, "unterminated label value");
        ++i;
        if (s.labels.count(key)) throw PromParseError(n, "duplicate label " + key);
        s.labels[key] = value;
        if (i < line.size() && line[i] == ',') ++i;
      }
      if (i >= line.size()) throw PromParseError(n, "unterminated label set");
      ++i;
    }
    if (i >= line.size() || line[i] != ' ')
      throw PromParseError(n, "expected a space before the value");
    std::string value = line.substr(i + 1);
    if (auto sp = value.find(' '); sp != std::string::npos)
      value = value.substr(0, sp);  // timestamp
    if (value == "+Inf")
      s.value = INFINITY;
    else if (value == "-Inf")
      s.value = -INFINITY;
    else if (value == "NaN")
      s.value = NAN;
    else {
      size_t used = 0;
      try {
        s.value = std::stod(value, &used);
      } catch (...) {
        throw PromParseError(n, "bad value '" + value + "'");
      }
      if (used != value.size()) throw PromParseError(n, "bad value '" + value + "'");
    }
    // The sample must belong to the family whose TYPE came last.
    if (current_.empty()) throw PromParseError(n, "sample before any TYPE");
    const auto& type = families_[current_].type;
    bool belongs = s.name == current_;
    if (type == "histogram")
      belongs = s.name == current_ + "_bucket" || s.name == current_ + "_sum" ||
                s.name == current_ + "_count";
    if (!belongs) throw PromParseError(n, s.name + " is not part of family " + current_);
    std::string series_key = s.name;
    for (const auto& [k, v] : s.labels) series_key += "\x1f" + k + "=" + v;
    if (!series_.insert(series_key).second) throw PromParseError(n, "duplicate series " + s.name);
    families_[current_].samples.push_back(std::move(s));
  }

  void check_family(const std::string& name, const PromFamily& f) {
    if (f.type == "counter")
      for (const auto& s : f.samples)
        if (s.value < 0) throw PromParseError(0, "negative counter " + name);
    if (f.type != "histogram") return;
    // Buckets cumulative, ending at +Inf == _count, per label set.
    std::map<std::string, std::vector<std::pair<double, double>>> buckets;
    std::map<std::string, double> counts;
    for (const auto& s : f.samples) {
      auto labels = s.labels;
      std::string le;
      if (s.name == name + "_bucket") {
        if (!labels.count("le")) throw PromParseError(0, name + "_bucket without le");
        le = labels["le"];
        labels.erase("le");
      }
      std::string key;
      for (const auto& [k, v] : labels) key += k + "=" + v + ",";
      if (s.name == name + "_bucket")
        buckets[key].emplace_back(le == "+Inf" ? INFINITY : std::stod(le), s.value);
      if (s.name == name + "_count") counts[key] = s.value;
    }
    for (const auto& [key, list] : buckets) {
      for (size_t i = 1; i < list.size(); ++i)
        if (list[i].first <= list[i - 1].first || list[i].second < list[i - 1].second)
          throw PromParseError(0, name + " buckets not cumulative");
      if (list.empty() || !std::isinf(list.back().first))
        throw PromParseError(0, name + " has no +Inf bucket");
      if (!counts.count(key) || counts[key] != list.back().second)
        throw PromParseError(0, name + " _count differs from the +Inf bucket");
    }
  }

  std::map<std::string, PromFamily> families_;
  std::set<std::string> seen_help_;
  std::set<std::string> series_;
  std::string current_;
};

}  // namespace sluice::test
