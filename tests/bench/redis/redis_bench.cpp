// Redis benchmark tool (run.sh drives it): a minimal pipelined hiredis
// client, the baseline sluice is measured against. Modes:
//   xadd    --port P --key K --count N --window W --payload X   pipelined XADD
//   publish --port P --key C --count N --window W --payload X   pipelined PUBLISH
//   consume --port P --key K --count N                          XREADGROUP + XACK
//   listen  --port P --key C --count N      SUBSCRIBE, count (says "ready" on stderr)
//   relay   --port P --key C --to D --count N --window W   SUBSCRIBE to C and PUBLISH
//           each message to D, pipelined (says "ready"): the raw client doing
//           what sluice's pub/sub pass-through does
//   respond --port P --key C                answer envelope requests (until killed)
//   rpc     --port P --key C --count N --inflight K   envelope requests, latencies
// Each measuring mode prints one JSON line: messages, bytes, seconds (and
// p50_us/p99_us for rpc).
#include <hiredis/hiredis.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Args {
  std::string mode, key = "bench", payload = "x", group = "bench", to = "bench-out";
  int port = 6379;
  long count = 100000, window = 1000, inflight = 1;
};

redisContext* connect(const Args& a) {
  redisContext* c = redisConnect("127.0.0.1", a.port);
  if (!c || c->err) {
    std::fprintf(stderr, "connect: %s\n", c ? c->errstr : "oom");
    std::exit(1);
  }
  return c;
}

redisReply* get(redisContext* c) {
  void* r = nullptr;
  if (redisGetReply(c, &r) != REDIS_OK) {
    std::fprintf(stderr, "reply: %s\n", c->errstr);
    std::exit(1);
  }
  return static_cast<redisReply*>(r);
}

double since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

void report(long messages, long bytes, double seconds, const char* extra = "") {
  std::printf("{\"messages\": %ld, \"bytes\": %ld, \"seconds\": %.6f%s}\n", messages, bytes,
              seconds, extra);
}

// Pipelined writes with at most `window` unanswered.
void pipelined(const Args& a, const char* verb, bool stream) {
  redisContext* c = connect(a);
  auto start = Clock::now();
  long sent = 0, done = 0;
  while (done < a.count) {
    while (sent < a.count && sent - done < a.window) {
      if (stream)
        redisAppendCommand(c, "XADD %s * payload %b", a.key.c_str(), a.payload.data(),
                           a.payload.size());
      else
        redisAppendCommand(c, "%s %s %b", verb, a.key.c_str(), a.payload.data(), a.payload.size());
      ++sent;
    }
    freeReplyObject(get(c));
    ++done;
  }
  report(a.count, a.count * static_cast<long>(a.payload.size()), since(start));
  redisFree(c);
}

void consume(const Args& a) {
  redisContext* c = connect(a);
  freeReplyObject(
      redisCommand(c, "XGROUP CREATE %s %s 0 MKSTREAM", a.key.c_str(), a.group.c_str()));
  auto start = Clock::now();
  long got = 0, bytes = 0;
  while (got < a.count) {
    auto* r = static_cast<redisReply*>(
        redisCommand(c, "XREADGROUP GROUP %s c1 COUNT 500 BLOCK 1000 STREAMS %s >", a.group.c_str(),
                     a.key.c_str()));
    if (r && r->type == REDIS_REPLY_ARRAY && r->elements > 0) {
      redisReply* entries = r->element[0]->element[1];
      std::vector<std::string> argv = {"XACK", a.key, a.group};
      for (size_t i = 0; i < entries->elements; ++i) {
        argv.emplace_back(entries->element[i]->element[0]->str);
        redisReply* f = entries->element[i]->element[1];
        if (f->elements >= 2) bytes += static_cast<long>(f->element[1]->len);
      }
      got += static_cast<long>(entries->elements);
      std::vector<const char*> av;
      std::vector<size_t> al;
      for (auto& s : argv) {
        av.push_back(s.data());
        al.push_back(s.size());
      }
      redisAppendCommandArgv(c, static_cast<int>(av.size()), av.data(), al.data());
      freeReplyObject(get(c));
    }
    freeReplyObject(r);
  }
  report(got, bytes, since(start));
  redisFree(c);
}

void listen(const Args& a) {
  redisContext* c = connect(a);
  freeReplyObject(redisCommand(c, "SUBSCRIBE %s", a.key.c_str()));
  std::fprintf(stderr, "ready\n");
  long got = 0, bytes = 0;
  Clock::time_point first;
  while (got < a.count) {
    redisReply* r = get(c);
    if (r->type == REDIS_REPLY_ARRAY && r->elements == 3) {
      if (got == 0) first = Clock::now();
      ++got;
      bytes += static_cast<long>(r->element[2]->len);
    }
    freeReplyObject(r);
  }
  report(got, bytes, since(first));
  redisFree(c);
}

void flush(redisContext* c) {
  int done = 0;
  while (!done) {
    if (redisBufferWrite(c, &done) != REDIS_OK) {
      std::fprintf(stderr, "write: %s\n", c->errstr);
      std::exit(1);
    }
  }
}

void relay(const Args& a) {
  redisContext* in = connect(a);
  redisContext* out = connect(a);
  freeReplyObject(redisCommand(in, "SUBSCRIBE %s", a.key.c_str()));
  std::fprintf(stderr, "ready\n");
  long relayed = 0, pending = 0;
  while (relayed < a.count) {
    // A message hiredis has read already, else send what is queued and
    // wait for more.
    void* next = nullptr;
    if (redisReaderGetReply(in->reader, &next) != REDIS_OK) {
      std::fprintf(stderr, "reply: %s\n", in->errstr);
      std::exit(1);
    }
    if (!next) {
      flush(out);
      next = get(in);
    }
    auto* r = static_cast<redisReply*>(next);
    if (r->type == REDIS_REPLY_ARRAY && r->elements == 3) {
      redisAppendCommand(out, "PUBLISH %s %b", a.to.c_str(), r->element[2]->str,
                         r->element[2]->len);
      ++relayed;
      ++pending;
    }
    freeReplyObject(r);
    while (pending >= a.window) {
      freeReplyObject(get(out));
      --pending;
    }
  }
  for (; pending > 0; --pending) freeReplyObject(get(out));
  redisFree(in);
  redisFree(out);
}

std::string field(const std::string& json, const char* name) {
  std::string key = std::string("\"") + name + "\":\"";
  size_t p = json.find(key);
  if (p == std::string::npos) return "";
  p += key.size();
  return json.substr(p, json.find('"', p) - p);
}

void respond(const Args& a) {
  redisContext* sub = connect(a);
  redisContext* pub = connect(a);
  freeReplyObject(redisCommand(sub, "SUBSCRIBE %s", a.key.c_str()));
  std::fprintf(stderr, "ready\n");
  for (;;) {
    redisReply* r = get(sub);
    if (r->type == REDIS_REPLY_ARRAY && r->elements == 3) {
      std::string req(r->element[2]->str, r->element[2]->len);
      std::string reply = "{\"id\":\"" + field(req, "id") + "\",\"payload\":{\"ok\":true}}";
      freeReplyObject(redisCommand(pub, "PUBLISH %s %b", field(req, "reply_to").c_str(),
                                   reply.data(), reply.size()));
    }
    freeReplyObject(r);
  }
}

void rpc(const Args& a) {
  redisContext* sub = connect(a);
  redisContext* pub = connect(a);
  std::string reply_channel = "bench-reply-" + std::to_string(::getpid());
  freeReplyObject(redisCommand(sub, "SUBSCRIBE %s", reply_channel.c_str()));
  std::map<long, Clock::time_point> sent_at;
  std::vector<double> latencies;
  latencies.reserve(static_cast<size_t>(a.count));
  long next = 0, done = 0;
  auto start = Clock::now();
  auto send = [&] {
    std::string req = "{\"id\":\"" + std::to_string(next) + "\",\"reply_to\":\"" + reply_channel +
                      "\",\"payload\":{\"command\":\"status\"}}";
    sent_at[next++] = Clock::now();
    redisAppendCommand(pub, "PUBLISH %s %b", a.key.c_str(), req.data(), req.size());
  };
  while (done < a.count) {
    long queued = 0;
    while (next < a.count && next - done < a.inflight) {
      send();
      ++queued;
    }
    for (long i = 0; i < queued; ++i) {
      redisReply* r = get(pub);
      if (r->type == REDIS_REPLY_INTEGER && r->integer == 0) {
        std::fprintf(stderr, "nobody subscribes to %s\n", a.key.c_str());
        std::exit(1);
      }
      freeReplyObject(r);
    }
    redisReply* r = get(sub);
    if (r->type == REDIS_REPLY_ARRAY && r->elements == 3) {
      std::string body(r->element[2]->str, r->element[2]->len);
      long id = std::atol(field(body, "id").c_str());
      auto it = sent_at.find(id);
      if (it != sent_at.end()) {
        latencies.push_back(
            std::chrono::duration<double, std::micro>(Clock::now() - it->second).count());
        sent_at.erase(it);
        ++done;
      }
    }
    freeReplyObject(r);
  }
  double seconds = since(start);
  std::sort(latencies.begin(), latencies.end());
  char extra[128];
  std::snprintf(extra, sizeof extra, ", \"p50_us\": %.0f, \"p99_us\": %.0f",
                latencies[latencies.size() / 2], latencies[latencies.size() * 99 / 100]);
  report(a.count, 0, seconds, extra);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: redis_bench MODE [--port P --key K --count N ...]\n");
    return 2;
  }
  Args a;
  a.mode = argv[1];
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--port")
      a.port = std::atoi(v.c_str());
    else if (k == "--key")
      a.key = v;
    else if (k == "--count")
      a.count = std::atol(v.c_str());
    else if (k == "--window")
      a.window = std::atol(v.c_str());
    else if (k == "--inflight")
      a.inflight = std::atol(v.c_str());
    else if (k == "--payload")
      a.payload = v;
    else if (k == "--group")
      a.group = v;
    else if (k == "--to")
      a.to = v;
  }
  if (a.mode == "xadd")
    pipelined(a, "XADD", true);
  else if (a.mode == "publish")
    pipelined(a, "PUBLISH", false);
  else if (a.mode == "consume")
    consume(a);
  else if (a.mode == "listen")
    listen(a);
  else if (a.mode == "relay")
    relay(a);
  else if (a.mode == "respond")
    respond(a);
  else if (a.mode == "rpc")
    rpc(a);
  else
    return 2;
  return 0;
}
