/* `ctest`: a test plugin written in plain C99 against plugin.h alone (no
 * C++ helper), proving that the ABI works without C++. Source, sink and
 * request/reply at once:
 *   - source: a thread emits `count` messages "ctest <n>" (n from 1),
 *     retrying on BUSY, then says the source finished; with `requests`
 *     each carries the reply handle "ctest-reply-<n>";
 *   - sink: appends each payload and a newline to `sink_file`;
 *   - reply: appends "<reply_to> <payload>" to `reply_file`;
 *   - request: answers at once with "ctest reply: <payload>";
 *   - health: unhealthy while `unhealthy_flag_file` exists, so ops tests
 *     can toggle readiness from outside. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <pthread.h>
#include <sluice/plugin.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "json_scan.h"

#define CTEST_PATH_MAX 1024

/* The same source is built twice: against plugin.h as ctest, and against a
 * frozen ABI 1.1 copy of it as ctest11 (see CMakeLists.txt). */
#ifndef CTEST_NAME
#define CTEST_NAME "ctest"
#endif

typedef struct ctest_config {
  long count;
  int requests;
  char subject[256];
  char sink_file[CTEST_PATH_MAX];
  char reply_file[CTEST_PATH_MAX];
  char unhealthy_flag_file[CTEST_PATH_MAX];
} ctest_config;

typedef struct ctest_instance {
  const sluice_host_api* api;
  sluice_host* host;
  ctest_config config;
  pthread_t thread;
  int thread_started;
  pthread_mutex_t mutex; /* guards everything below and the files */
  int stopping;
  long acked;
  long nacked;
  long acked_in_batches; /* answers that came through ack_batch (ABI 1.2) */
  FILE* sink;
  FILE* replies;
  sluice_metric* emitted;
} ctest_instance;

static const char kSchema[] =
    "{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\",\"type\":\"object\","
    "\"additionalProperties\":false,\"properties\":{"
    "\"count\":{\"type\":\"integer\",\"minimum\":0,\"default\":0,"
    "\"description\":\"Messages the source emits; 0 = none.\"},"
    "\"subject\":{\"type\":\"string\",\"default\":\"ctest\","
    "\"description\":\"Subject of emitted messages.\"},"
    "\"requests\":{\"type\":\"boolean\",\"default\":false,"
    "\"description\":\"Emitted messages carry a reply handle.\"},"
    "\"sink_file\":{\"type\":\"string\",\"description\":\"Published payloads go here.\"},"
    "\"reply_file\":{\"type\":\"string\",\"description\":\"Replies go here.\"},"
    "\"unhealthy_flag_file\":{\"type\":\"string\","
    "\"description\":\"Unhealthy while this file exists.\"}}}";

static void set_error(sluice_error* error, const char* text) {
  if (!error || !error->message || error->capacity == 0) return;
  strncpy(error->message, text, error->capacity - 1);
  error->message[error->capacity - 1] = '\0';
}

/* Reads a string setting into out; 0 on a type error. */
static int read_string_setting(const char* value, char* out, size_t cap) {
  if (json_kind_of(value) != JSON_STRING) return 0;
  return json_read_string(value, out, cap) != NULL;
}

/* Parses and checks the config; 0 (and an error text) when it is wrong. */
static int parse_config(const char* json, ctest_config* config, sluice_error* error) {
  json_object_iter it;
  char key[64];
  char text[256];
  int r;
  memset(config, 0, sizeof *config);
  strcpy(config->subject, "ctest");
  json_object_begin(&it, json);
  while ((r = json_object_next(&it, key, sizeof key)) == 1) {
    if (strcmp(key, "count") == 0) {
      char* end = NULL;
      if (json_kind_of(it.value) != JSON_NUMBER) goto wrong_type;
      config->count = strtol(it.value, &end, 10);
      if (config->count < 0 || (*end == '.' || *end == 'e' || *end == 'E')) {
        set_error(error, "setting 'count' must be a non-negative integer");
        return 0;
      }
    } else if (strcmp(key, "requests") == 0) {
      json_kind kind = json_kind_of(it.value);
      if (kind != JSON_TRUE && kind != JSON_FALSE) goto wrong_type;
      config->requests = kind == JSON_TRUE;
    } else if (strcmp(key, "subject") == 0) {
      if (!read_string_setting(it.value, config->subject, sizeof config->subject)) goto wrong_type;
    } else if (strcmp(key, "sink_file") == 0) {
      if (!read_string_setting(it.value, config->sink_file, sizeof config->sink_file))
        goto wrong_type;
    } else if (strcmp(key, "reply_file") == 0) {
      if (!read_string_setting(it.value, config->reply_file, sizeof config->reply_file))
        goto wrong_type;
    } else if (strcmp(key, "unhealthy_flag_file") == 0) {
      if (!read_string_setting(it.value, config->unhealthy_flag_file,
                               sizeof config->unhealthy_flag_file))
        goto wrong_type;
    } else {
      snprintf(text, sizeof text, "unknown setting '%s'", key);
      set_error(error, text);
      return 0;
    }
  }
  if (r < 0) {
    set_error(error, "settings must be a JSON object");
    return 0;
  }
  return 1;
wrong_type:
  snprintf(text, sizeof text, "setting '%s' has the wrong type", key);
  set_error(error, text);
  return 0;
}

static int is_stopping(ctest_instance* self) {
  int stopping;
  pthread_mutex_lock(&self->mutex);
  stopping = self->stopping;
  pthread_mutex_unlock(&self->mutex);
  return stopping;
}

/* Message n ("ctest <n>"), its text in the caller's buffers. */
static void fill_message(ctest_instance* self, long n, sluice_message* m, char payload[64],
                         char reply_to[64]) {
  memset(m, 0, sizeof *m);
  m->struct_size = sizeof *m;
  m->payload.data = payload;
  m->payload.len = (size_t)snprintf(payload, 64, "ctest %ld", n);
  m->subject.data = self->config.subject;
  m->subject.len = strlen(self->config.subject);
  if (self->config.requests) {
    m->reply_to.data = reply_to;
    m->reply_to.len = (size_t)snprintf(reply_to, 64, "ctest-reply-%ld", n);
  }
}

#if SLUICE_ABI_MINOR >= 2
#define CTEST_BATCH 16

/* ABI 1.2: up to CTEST_BATCH messages per emit_batch call. The host takes
 * a prefix; the rest is offered again, so each message is taken once. */
static void* emit_thread(void* arg) {
  ctest_instance* self = (ctest_instance*)arg;
  char payloads[CTEST_BATCH][64];
  char replies[CTEST_BATCH][64];
  sluice_message batch[CTEST_BATCH];
  uint64_t ids[CTEST_BATCH];
  long next = 1;
  size_t most = SLUICE_HAS_FIELD(self->api, sluice_host_api, emit_batch) && self->api->emit_batch
                    ? CTEST_BATCH
                    : 1;
  while (next <= self->config.count) {
    size_t n = 0;
    size_t done = 0;
    for (; n < most && next + (long)n <= self->config.count; ++n) {
      fill_message(self, next + (long)n, &batch[n], payloads[n], replies[n]);
      ids[n] = (uint64_t)(next + (long)n);
    }
    while (done < n) {
      size_t accepted = 0;
      sluice_status status;
      if (is_stopping(self)) return NULL;
      if (most > 1) {
        status =
            self->api->emit_batch(self->host, batch + done, ids + done, n - done, 10, &accepted);
      } else {
        status = self->api->emit(self->host, batch, ids[0], 10);
        accepted = status == SLUICE_OK ? 1 : 0;
      }
      done += accepted;
      if (accepted) self->api->metric_add(self->emitted, (double)accepted);
      if (status != SLUICE_OK && status != SLUICE_BUSY) return NULL;
    }
    next += (long)n;
  }
  self->api->source_finished(self->host);
  return NULL;
}
#else
static void* emit_thread(void* arg) {
  ctest_instance* self = (ctest_instance*)arg;
  long n;
  for (n = 1; n <= self->config.count; ++n) {
    char payload[64];
    char reply_to[64];
    sluice_message m;
    sluice_status status;
    fill_message(self, n, &m, payload, reply_to);
    do {
      if (is_stopping(self)) return NULL;
      status = self->api->emit(self->host, &m, (uint64_t)n, 10);
    } while (status == SLUICE_BUSY);
    if (status != SLUICE_OK) return NULL;
    self->api->metric_add(self->emitted, 1);
  }
  self->api->source_finished(self->host);
  return NULL;
}
#endif

static sluice_status ctest_validate(const char* config_json, sluice_error* error) {
  ctest_config config;
  return parse_config(config_json, &config, error) ? SLUICE_OK : SLUICE_ERROR;
}

static FILE* open_append(const char* path, sluice_error* error) {
  char text[CTEST_PATH_MAX + 64];
  FILE* f = fopen(path, "a");
  if (!f) {
    snprintf(text, sizeof text, "cannot open %s: %s", path, strerror(errno));
    set_error(error, text);
  }
  return f;
}

static sluice_instance* ctest_create(const sluice_host_api* api, sluice_host* host,
                                     const char* config_json, sluice_error* error) {
  ctest_instance* self = (ctest_instance*)calloc(1, sizeof *self);
  if (!self) return NULL;
  if (!parse_config(config_json, &self->config, error)) goto fail;
  self->api = api;
  self->host = host;
  pthread_mutex_init(&self->mutex, NULL);
  if (self->config.sink_file[0] && !(self->sink = open_append(self->config.sink_file, error)))
    goto fail_mutex;
  if (self->config.reply_file[0] && !(self->replies = open_append(self->config.reply_file, error)))
    goto fail_mutex;
  self->emitted = api->metric(host, SLUICE_METRIC_COUNTER, "emitted_total",
                              "Messages the ctest source emitted");
  return (sluice_instance*)self;
fail_mutex:
  if (self->sink) fclose(self->sink);
  pthread_mutex_destroy(&self->mutex);
fail:
  free(self);
  return NULL;
}

static sluice_status ctest_start(sluice_instance* instance, sluice_error* error) {
  ctest_instance* self = (ctest_instance*)instance;
  if (self->config.count == 0) {
    self->api->source_finished(self->host);
    return SLUICE_OK;
  }
  if (pthread_create(&self->thread, NULL, emit_thread, self) != 0) {
    set_error(error, "cannot start the emitting thread");
    return SLUICE_ERROR;
  }
  self->thread_started = 1;
  return SLUICE_OK;
}

static void ctest_stop(sluice_instance* instance) {
  ctest_instance* self = (ctest_instance*)instance;
  pthread_mutex_lock(&self->mutex);
  self->stopping = 1;
  pthread_mutex_unlock(&self->mutex);
  if (self->thread_started) {
    pthread_join(self->thread, NULL);
    self->thread_started = 0;
  }
}

/* Writes "<prefix><payload>\n" to f under the lock; 0 on failure. */
static int append_line(ctest_instance* self, FILE* f, sluice_bytes prefix, sluice_bytes payload) {
  int ok;
  pthread_mutex_lock(&self->mutex);
  ok = fwrite(prefix.data ? prefix.data : "", 1, prefix.len, f) == prefix.len &&
       fwrite(payload.data ? payload.data : "", 1, payload.len, f) == payload.len &&
       fputc('\n', f) != EOF && fflush(f) == 0;
  pthread_mutex_unlock(&self->mutex);
  return ok;
}

static sluice_status ctest_publish(sluice_instance* instance, const sluice_message* message,
                                   sluice_completion* completion, sluice_error* error) {
  ctest_instance* self = (ctest_instance*)instance;
  sluice_bytes none = {NULL, 0};
  if (!self->sink) {
    set_error(error, "ctest has no sink_file configured");
    return SLUICE_REJECTED;
  }
  if (!append_line(self, self->sink, none, message->payload)) {
    set_error(error, "writing sink_file failed");
    return SLUICE_ERROR;
  }
  self->api->complete(completion, SLUICE_OK, NULL, NULL);
  return SLUICE_OK;
}

static sluice_status ctest_request(sluice_instance* instance, const sluice_message* message,
                                   uint32_t timeout_ms, sluice_completion* completion,
                                   sluice_error* error) {
  static const char kPrefix[] = "ctest reply: ";
  sluice_message reply;
  char* text;
  size_t len = sizeof kPrefix - 1 + message->payload.len;
  (void)instance;
  (void)timeout_ms;
  text = (char*)malloc(len ? len : 1);
  if (!text) {
    set_error(error, "out of memory");
    return SLUICE_ERROR;
  }
  memcpy(text, kPrefix, sizeof kPrefix - 1);
  if (message->payload.len)
    memcpy(text + sizeof kPrefix - 1, message->payload.data, message->payload.len);
  memset(&reply, 0, sizeof reply);
  reply.struct_size = sizeof reply;
  reply.payload.data = text;
  reply.payload.len = len;
  reply.subject = message->subject;
  ((ctest_instance*)instance)->api->complete(completion, SLUICE_OK, NULL, &reply);
  free(text);
  return SLUICE_OK;
}

static sluice_status ctest_reply(sluice_instance* instance, sluice_bytes reply_to,
                                 const sluice_message* message, sluice_completion* completion,
                                 sluice_error* error) {
  ctest_instance* self = (ctest_instance*)instance;
  char prefix[128];
  sluice_bytes p;
  int n;
  if (!self->replies) {
    set_error(error, "ctest has no reply_file configured");
    return SLUICE_REJECTED;
  }
  n = snprintf(prefix, sizeof prefix, "%.*s ", (int)(reply_to.len < 100 ? reply_to.len : 100),
               reply_to.data ? reply_to.data : "");
  p.data = prefix;
  p.len = (size_t)n;
  if (!append_line(self, self->replies, p, message->payload)) {
    set_error(error, "writing reply_file failed");
    return SLUICE_ERROR;
  }
  self->api->complete(completion, SLUICE_OK, NULL, NULL);
  return SLUICE_OK;
}

static void ctest_ack(sluice_instance* instance, uint64_t ack_id, sluice_outcome outcome) {
  ctest_instance* self = (ctest_instance*)instance;
  (void)ack_id;
  pthread_mutex_lock(&self->mutex);
  if (outcome == SLUICE_OUTCOME_ACK)
    ++self->acked;
  else
    ++self->nacked;
  pthread_mutex_unlock(&self->mutex);
}

#if SLUICE_ABI_MINOR >= 2
static void ctest_ack_batch(sluice_instance* instance, const uint64_t* ack_ids,
                            const sluice_outcome* outcomes, size_t count) {
  ctest_instance* self = (ctest_instance*)instance;
  size_t i;
  (void)ack_ids;
  pthread_mutex_lock(&self->mutex);
  for (i = 0; i < count; ++i) {
    if (outcomes[i] == SLUICE_OUTCOME_ACK)
      ++self->acked;
    else
      ++self->nacked;
  }
  self->acked_in_batches += (long)count;
  pthread_mutex_unlock(&self->mutex);
}
#endif

static sluice_status ctest_flush(sluice_instance* instance, uint32_t timeout_ms) {
  (void)instance;
  (void)timeout_ms;
  return SLUICE_OK; /* every publish completes before it returns */
}

static void ctest_health(sluice_instance* instance, sluice_health* health) {
  ctest_instance* self = (ctest_instance*)instance;
  const char* flag = self->config.unhealthy_flag_file;
  health->healthy = 1;
  if (flag[0] && access(flag, F_OK) == 0) {
    health->healthy = 0;
    if (health->message && health->capacity)
      snprintf(health->message, health->capacity, "unhealthy: flag file %s exists", flag);
  }
}

static void ctest_destroy(sluice_instance* instance) {
  ctest_instance* self = (ctest_instance*)instance;
  char text[128];
  ctest_stop(instance);
  snprintf(text, sizeof text, "ctest (ABI %d.%d): %ld acked, %ld nacked, %ld through ack_batch",
           SLUICE_ABI_MAJOR, SLUICE_ABI_MINOR, self->acked, self->nacked, self->acked_in_batches);
  self->api->log(self->host, SLUICE_LOG_INFO, text);
  if (self->sink) fclose(self->sink);
  if (self->replies) fclose(self->replies);
  pthread_mutex_destroy(&self->mutex);
  free(self);
}

static const sluice_plugin_vtable kVtable = {sizeof(sluice_plugin_vtable),
                                             ctest_validate,
                                             ctest_create,
                                             NULL,
                                             ctest_start,
                                             ctest_stop,
                                             ctest_publish,
                                             ctest_request,
                                             ctest_reply,
                                             ctest_ack,
                                             ctest_flush,
                                             ctest_health,
                                             ctest_destroy
#if SLUICE_ABI_MINOR >= 2
                                             ,
                                             ctest_ack_batch
#endif
};

static const sluice_plugin_descriptor kDescriptor = {
    sizeof(sluice_plugin_descriptor), SLUICE_ABI_MAJOR, SLUICE_ABI_MINOR, CTEST_NAME, "1.0.0",
    "Test plugin in plain C: emits count messages, appends published payloads and replies "
    "to files, answers requests, health follows a flag file",
    SLUICE_CAP_SOURCE | SLUICE_CAP_SINK | SLUICE_CAP_REQUEST, kSchema, &kVtable,
    /* Its subjects are `/`-separated, so routes use MQTT wildcards. */
    SLUICE_SUBJECT_SYNTAX_MQTT};

SLUICE_EXPORT const sluice_plugin_descriptor* sluice_plugin_entry(void) { return &kDescriptor; }
