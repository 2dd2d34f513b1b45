// kafka-bench: the plain-librdkafka side of the Kafka benchmark.
//
//   kafka-bench produce  -b BROKERS -t TOPIC -f FILE [-n COUNT]
//       produces the lines of FILE (cycled up to COUNT) with an idempotent
//       producer (acks=all, linger.ms=5: what the sluice connector uses)
//   kafka-bench consume  -b BROKERS -t TOPIC -n COUNT
//       reads COUNT messages from the beginning of every partition
//   kafka-bench watermarks -b BROKERS -t TOPIC -n COUNT
//       waits until TOPIC holds COUNT messages (sum of high watermarks)
//   kafka-bench committed -b BROKERS -t TOPIC -g GROUP -n COUNT
//       waits until GROUP committed COUNT messages of TOPIC
//
// Each prints one line: `messages=N bytes=B seconds=S`. The two waiting
// modes time from the first progress they see to COUNT, so that group
// joins and process start-up are not counted as throughput.
#include <librdkafka/rdkafka.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::string mode, brokers, topic, group, file;
  long long count = 1000000;
};

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "kafka-bench: %s\n", what.c_str());
  std::exit(1);
}

rd_kafka_conf_t* conf_for(const Options& o) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char err[512];
  if (rd_kafka_conf_set(conf, "bootstrap.servers", o.brokers.c_str(), err, sizeof err)) die(err);
  return conf;
}

void set(rd_kafka_conf_t* conf, const char* name, const char* value) {
  char err[512];
  if (rd_kafka_conf_set(conf, name, value, err, sizeof err)) die(err);
}

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

void report(long long messages, long long bytes, double seconds) {
  std::printf("messages=%lld bytes=%lld seconds=%.3f\n", messages, bytes, seconds);
}

int partitions_of(rd_kafka_t* rk, const std::string& topic) {
  for (int attempt = 0; attempt < 100; ++attempt) {
    rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
    const rd_kafka_metadata_t* md = nullptr;
    int n = 0;
    if (rd_kafka_metadata(rk, 0, rkt, &md, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
      if (md->topic_cnt == 1 && !md->topics[0].err) n = md->topics[0].partition_cnt;
      rd_kafka_metadata_destroy(md);
    }
    rd_kafka_topic_destroy(rkt);
    if (n > 0) return n;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return 0;
}

void delivered(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
  if (m->err) ++*static_cast<long long*>(opaque);
}

int produce(const Options& o) {
  std::vector<std::string> lines;
  std::ifstream in(o.file);
  for (std::string line; std::getline(in, line) && static_cast<long long>(lines.size()) < o.count;)
    lines.push_back(line);
  if (lines.empty()) die("no lines in " + o.file);
  rd_kafka_conf_t* conf = conf_for(o);
  set(conf, "enable.idempotence", "true");
  set(conf, "linger.ms", "5");
  long long failures = 0;
  rd_kafka_conf_set_opaque(conf, &failures);
  rd_kafka_conf_set_dr_msg_cb(conf, &delivered);
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!rk) die(err);
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, o.topic.c_str(), nullptr);
  long long bytes = 0;
  auto t0 = Clock::now();
  for (long long i = 0; i < o.count; ++i) {
    const std::string& line = lines[static_cast<size_t>(i) % lines.size()];
    std::string key = std::to_string(i % 1000);
    while (rd_kafka_produce(rkt, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY,
                            const_cast<char*>(line.data()), line.size(), key.data(), key.size(),
                            nullptr) != 0) {
      if (rd_kafka_last_error() != RD_KAFKA_RESP_ERR__QUEUE_FULL)
        die(rd_kafka_err2str(rd_kafka_last_error()));
      rd_kafka_poll(rk, 1);
    }
    bytes += static_cast<long long>(line.size());
    rd_kafka_poll(rk, 0);
  }
  if (rd_kafka_flush(rk, 120000)) die("flush timed out");
  double s = seconds_since(t0);
  if (failures) die(std::to_string(failures) + " deliveries failed");
  report(o.count, bytes, s);
  rd_kafka_topic_destroy(rkt);
  rd_kafka_destroy(rk);
  return 0;
}

int consume(const Options& o) {
  rd_kafka_conf_t* conf = conf_for(o);
  std::string group = "kafka-bench-" + std::to_string(getpid());
  set(conf, "group.id", group.c_str());
  set(conf, "enable.auto.commit", "false");
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
  if (!rk) die(err);
  rd_kafka_poll_set_consumer(rk);
  int partitions = partitions_of(rk, o.topic);
  if (!partitions) die("no topic " + o.topic);
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(partitions);
  for (int p = 0; p < partitions; ++p)
    rd_kafka_topic_partition_list_add(list, o.topic.c_str(), p)->offset = RD_KAFKA_OFFSET_BEGINNING;
  rd_kafka_assign(rk, list);
  rd_kafka_topic_partition_list_destroy(list);
  long long n = 0, bytes = 0;
  auto t0 = Clock::now();
  auto deadline = t0 + std::chrono::minutes(10);
  while (n < o.count && Clock::now() < deadline) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 100);
    if (!m) continue;
    if (!m->err) {
      ++n;
      bytes += static_cast<long long>(m->len);
    }
    rd_kafka_message_destroy(m);
  }
  report(n, bytes, seconds_since(t0));
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
  return n == o.count ? 0 : 1;
}

// Polls `progress` (messages so far) until it reaches count; times from the
// first non-zero reading.
template <class F>
int wait_for(const Options& o, F progress) {
  auto deadline = Clock::now() + std::chrono::minutes(15);
  long long first = 0;
  Clock::time_point t0{};
  long long n = 0;
  while (Clock::now() < deadline) {
    n = progress();
    if (n > 0 && first == 0) {
      first = n;
      t0 = Clock::now();
    }
    if (n >= o.count) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (n < o.count) die("only " + std::to_string(n) + " of " + std::to_string(o.count));
  // The first reading already included `first` messages: count what came after.
  report(n - first, 0, seconds_since(t0));
  return 0;
}

int watermarks(const Options& o) {
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf_for(o), err, sizeof err);
  if (!rk) die(err);
  int partitions = 0;
  int rc = wait_for(o, [&] {
    if (!partitions) partitions = partitions_of(rk, o.topic);
    long long sum = 0;
    for (int p = 0; p < partitions; ++p) {
      int64_t low = 0, high = 0;
      if (!rd_kafka_query_watermark_offsets(rk, o.topic.c_str(), p, &low, &high, 5000)) sum += high;
    }
    return sum;
  });
  rd_kafka_destroy(rk);
  return rc;
}

int committed(const Options& o) {
  rd_kafka_conf_t* conf = conf_for(o);
  set(conf, "group.id", o.group.c_str());
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
  if (!rk) die(err);
  int partitions = partitions_of(rk, o.topic);
  int rc = wait_for(o, [&] {
    rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(partitions);
    for (int p = 0; p < partitions; ++p)
      rd_kafka_topic_partition_list_add(list, o.topic.c_str(), p);
    long long sum = 0;
    if (!rd_kafka_committed(rk, list, 5000))
      for (int i = 0; i < list->cnt; ++i)
        if (list->elems[i].offset > 0) sum += list->elems[i].offset;
    rd_kafka_topic_partition_list_destroy(list);
    return sum;
  });
  rd_kafka_destroy_flags(rk, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
  return rc;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) die("usage: kafka-bench produce|consume|watermarks|committed -b B -t T ...");
  Options o;
  o.mode = argv[1];
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    std::string value = argv[i + 1];
    if (flag == "-b")
      o.brokers = value;
    else if (flag == "-t")
      o.topic = value;
    else if (flag == "-g")
      o.group = value;
    else if (flag == "-f")
      o.file = value;
    else if (flag == "-n")
      o.count = std::atoll(value.c_str());
    else
      die("unknown option " + flag);
  }
  if (o.brokers.empty() || o.topic.empty()) die("-b and -t are required");
  if (o.mode == "produce") return produce(o);
  if (o.mode == "consume") return consume(o);
  if (o.mode == "watermarks") return watermarks(o);
  if (o.mode == "committed") return committed(o);
  die("unknown mode " + o.mode);
}
