/* A Kafka cluster for tests, hosted in-process by librdkafka's mock broker
 * (no Kafka server is packaged for Debian). Prints the bootstrap servers on
 * stdout, then serves until SIGTERM or SIGINT.
 *
 *   kafka-mock-cluster [-b BROKERS] [-t TOPIC[:PARTITIONS]]...
 */
#define _POSIX_C_SOURCE 200809L /* sigwait, pthread_sigmask, getopt */

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_TOPICS 64

static void usage(const char *prog) {
  fprintf(stderr,
          "usage: %s [-b BROKERS] [-t TOPIC[:PARTITIONS]]...\n"
          "  -b  number of mock brokers (default 3)\n"
          "  -t  topic to create up front (default 1 partition); repeatable\n",
          prog);
}

int main(int argc, char **argv) {
  int broker_count = 3;
  const char *topics[MAX_TOPICS];
  int topic_count = 0;
  int opt;
  while ((opt = getopt(argc, argv, "b:t:h")) != -1) {
    switch (opt) {
      case 'b':
        broker_count = atoi(optarg);
        if (broker_count < 1) {
          fprintf(stderr, "kafka-mock-cluster: -b needs a positive number\n");
          return 2;
        }
        break;
      case 't':
        if (topic_count == MAX_TOPICS) {
          fprintf(stderr, "kafka-mock-cluster: at most %d topics\n", MAX_TOPICS);
          return 2;
        }
        topics[topic_count++] = optarg;
        break;
      default:
        usage(argv[0]);
        return opt == 'h' ? 0 : 2;
    }
  }

  /* Block the stop signals before librdkafka starts its threads, so that they
   * inherit the mask and only sigwait() below sees them. */
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);

  /* The mock cluster needs a client instance for its book-keeping; it is
   * never used to produce. */
  char errstr[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (rk == NULL) {
    fprintf(stderr, "kafka-mock-cluster: rd_kafka_new: %s\n", errstr);
    return 1;
  }
  rd_kafka_mock_cluster_t *cluster = rd_kafka_mock_cluster_new(rk, broker_count);
  if (cluster == NULL) {
    fprintf(stderr, "kafka-mock-cluster: could not create the mock cluster\n");
    rd_kafka_destroy(rk);
    return 1;
  }

  for (int i = 0; i < topic_count; i++) {
    char name[256];
    int partitions = 1;
    snprintf(name, sizeof name, "%s", topics[i]);
    char *colon = strrchr(name, ':');
    if (colon != NULL) {
      *colon = '\0';
      partitions = atoi(colon + 1);
    }
    int replication = broker_count < 3 ? broker_count : 3;
    rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(cluster, name, partitions, replication);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR || partitions < 1) {
      fprintf(stderr, "kafka-mock-cluster: cannot create topic %s with %d partitions: %s\n", name,
              partitions, rd_kafka_err2str(err));
      rd_kafka_mock_cluster_destroy(cluster);
      rd_kafka_destroy(rk);
      return 1;
    }
    fprintf(stderr, "kafka-mock-cluster: topic %s, %d partition(s)\n", name, partitions);
  }

  printf("%s\n", rd_kafka_mock_cluster_bootstraps(cluster));
  fflush(stdout);

  int sig = 0;
  sigwait(&stop_signals, &sig);
  fprintf(stderr, "kafka-mock-cluster: signal %d, shutting down\n", sig);
  rd_kafka_mock_cluster_destroy(cluster);
  rd_kafka_destroy(rk);
  return 0;
}
