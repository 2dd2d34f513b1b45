/*
 * sluice plugin ABI, version 1.2 (1.1 added the descriptor's subject_syntax;
 * 1.2 added emit_batch to the host functions, ack_batch to the plugin's and
 * the glob subject syntax).
 *
 * The one public surface between the sluice host and a plugin shared object.
 * Pure C99 so that a plugin can be written in any language that speaks C, and
 * so that host and plugin built by different compilers still agree.
 *
 * Rules that hold for everything below
 * ------------------------------------
 * 1. One exported symbol: `sluice_plugin_entry` (see SLUICE_PLUGIN_ENTRY_SYMBOL)
 *    returns a static descriptor. The host refuses a plugin whose ABI major
 *    differs from its own or whose ABI minor is newer than its own.
 * 2. Every struct that crosses the boundary begins with `struct_size`, set by
 *    whoever fills the struct to sizeof(that struct) as it was compiled. A
 *    reader looks at a field only if struct_size says it is present; that is
 *    how minor versions append fields and functions without breaking either
 *    side. Use SLUICE_HAS_FIELD(ptr, type, field) to test.
 * 3. Only opaque handles cross: `sluice_host` (the host's side of one
 *    connector), `sluice_instance` (the plugin's side), `sluice_completion`
 *    (one pending publish, request or reply), `sluice_metric`. No C++ types,
 *    no exceptions, no allocator ownership crosses.
 * 4. Ownership. Everything passed *into* a call (messages, strings, bytes) is
 *    borrowed for the duration of that call only; whoever needs it longer
 *    copies it. Nothing returned by a call transfers ownership unless the
 *    function says so.
 * 5. Completion. Every `sluice_completion` handed to a plugin is completed
 *    through `sluice_host_api.complete` exactly once, from any thread. Every
 *    message the host accepted from `emit` (SLUICE_OK) is answered through the
 *    plugin's `ack` function exactly once.
 * 6. Threads. The host calls `validate`, `create`, `subscribe`, `start`,
 *    `stop`, `flush`, `health` and `destroy` from one control thread, never
 *    concurrently for the same instance. It calls `publish`, `request`,
 *    `reply` and `ack` from its worker threads, concurrently: these must be
 *    thread-safe. Host functions marked "any thread" may be called from any
 *    thread, including the plugin's own and from inside a host callback.
 * 7. Errors. Functions that can fail take a `sluice_error*` into which the
 *    plugin writes a human-readable message (use sluice_error_set in
 *    plugin.hpp, or snprintf). The host shows it prefixed with the
 *    connector's name, so the text should say what the user must fix.
 */
#ifndef SLUICE_PLUGIN_H
#define SLUICE_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SLUICE_ABI_MAJOR 1
#define SLUICE_ABI_MINOR 2

/* The exported entry point's name, as a string for dlsym-style lookups. */
#define SLUICE_PLUGIN_ENTRY_SYMBOL "sluice_plugin_entry"

#if defined(_WIN32)
#define SLUICE_EXPORT __declspec(dllexport)
#else
#define SLUICE_EXPORT __attribute__((visibility("default")))
#endif

/* True when the struct at `ptr` (whose first member is struct_size) was
 * filled by a peer that knows `field`. */
#define SLUICE_HAS_FIELD(ptr, type, field) \
  ((ptr)->struct_size >= offsetof(type, field) + sizeof(((type*)0)->field))

/* ---------------------------------------------------------------- handles */

/* The host's side of one connector. Valid from `create` until `destroy`
 * returns. */
typedef struct sluice_host sluice_host;
/* The plugin's side of one connector; whatever the plugin allocates. */
typedef struct sluice_instance sluice_instance;
/* One pending publish, request or reply, completed exactly once. */
typedef struct sluice_completion sluice_completion;
/* A metric registered by the plugin; lives as long as its connector. */
typedef struct sluice_metric sluice_metric;

/* ------------------------------------------------------------ plain values */

/* Capabilities a plugin declares (bit set). */
enum {
  SLUICE_CAP_SOURCE = 1u << 0,  /* emits messages */
  SLUICE_CAP_SINK = 1u << 1,    /* accepts messages through publish */
  SLUICE_CAP_REQUEST = 1u << 2, /* receives requests (reply) or sends them (request) */
};

/* The wildcard syntax of the subjects a source emits: how the host reads
 * the pattern in a route's `from: "<connector>:<pattern>"` and a Lua
 * handler's `from`. Declared, a pattern using another syntax's wildcards is
 * refused at load (`a/#` for a NATS source is a mistake, not a subject). */
typedef enum sluice_subject_syntax {
  /* Any syntax: subjects come from the data or the user (a file of
   * envelopes, a generator's template), or the plugin was built for ABI
   * 1.0. The host guesses each pattern's syntax from its characters
   * (`/` MQTT, `>` NATS, `#` AMQP, else NATS). */
  SLUICE_SUBJECT_SYNTAX_ANY = 0,
  SLUICE_SUBJECT_SYNTAX_LITERAL = 1, /* no wildcards: a pattern is one subject */
  SLUICE_SUBJECT_SYNTAX_NATS = 2,    /* `.` separates; `*` one token; `>` the rest */
  SLUICE_SUBJECT_SYNTAX_MQTT = 3,    /* `/` separates; `+` one level; `#` the rest */
  SLUICE_SUBJECT_SYNTAX_AMQP = 4,    /* `.` separates; `*` one word; `#` zero or more */
  /* ABI 1.2: Redis channel globs, matched over the whole subject: `*` any
   * characters (dots too), `?` one, `[abc]`, `[^a-z]`, `\` escapes. */
  SLUICE_SUBJECT_SYNTAX_GLOB = 5
} sluice_subject_syntax;

typedef enum sluice_status {
  SLUICE_OK = 0,
  SLUICE_BUSY = 1,        /* full right now; try again later (backpressure) */
  SLUICE_ERROR = 2,       /* failed; the error text says why; may be retried */
  SLUICE_CLOSED = 3,      /* shutting down; the call was not accepted */
  SLUICE_TIMEOUT = 4,     /* a request got no reply in time */
  SLUICE_UNSUPPORTED = 5, /* this plugin does not implement the call */
  SLUICE_REJECTED = 6     /* failed for good (malformed, refused): never retry */
} sluice_status;

/* What became of a message that a source emitted. */
typedef enum sluice_outcome {
  /* Every output took it, or it was dropped on purpose: commit/ack it. */
  SLUICE_OUTCOME_ACK = 0,
  /* It could not be delivered and has no dead-letter output: the plugin
   * should make the broker redeliver it (AMQP nack+requeue, JetStream nak,
   * no Kafka commit past it). */
  SLUICE_OUTCOME_NACK = 1
} sluice_outcome;

typedef enum sluice_log_level {
  SLUICE_LOG_TRACE = 0,
  SLUICE_LOG_DEBUG = 1,
  SLUICE_LOG_INFO = 2,
  SLUICE_LOG_WARN = 3,
  SLUICE_LOG_ERROR = 4
} sluice_log_level;

typedef enum sluice_metric_kind {
  SLUICE_METRIC_COUNTER = 0, /* only goes up: use metric_add */
  SLUICE_METRIC_GAUGE = 1    /* any value: use metric_set or metric_add */
} sluice_metric_kind;

/* A borrowed byte range. data may be NULL only when len is 0; a NULL data
 * means "absent" where a field says so (e.g. no key). */
typedef struct sluice_bytes {
  const char* data;
  size_t len;
} sluice_bytes;

/* A name/value pair: message headers and plugin-specific attributes. */
typedef struct sluice_header {
  sluice_bytes name;
  sluice_bytes value;
} sluice_header;

/* A message as it crosses the boundary, in either direction. All pointers
 * are borrowed for the call that passes the message. */
typedef struct sluice_message {
  size_t struct_size;
  sluice_bytes payload; /* opaque bytes */
  sluice_bytes key;     /* data == NULL: no key */
  /* Topic, routing key, channel or subject. Going out (publish), the host
   * has already resolved any template; an empty subject means "the
   * connector's configured default". */
  sluice_bytes subject;
  const sluice_header* headers;
  size_t header_count;
  /* Milliseconds since the Unix epoch; 0 = unknown (the host stamps it). */
  int64_t timestamp_ms;
  /* For a message that is a request: the plugin's reply handle (for NATS
   * the reply subject). The host gives it back to `reply`. Empty: not a
   * request. */
  sluice_bytes reply_to;
  /* Read-only facts about where the message came from, for routes and
   * scripts (e.g. "partition" and "offset" for Kafka). Not sent on. */
  const sluice_header* attributes;
  size_t attribute_count;
} sluice_message;

/* Where a plugin writes an error message: a host-owned buffer. */
typedef struct sluice_error {
  size_t struct_size;
  char* message;   /* NUL-terminated text goes here */
  size_t capacity; /* bytes available in message, including the NUL */
} sluice_error;

/* What `health` reports. `message` is a host-owned buffer like
 * sluice_error's; leave it empty when there is nothing to say. */
typedef struct sluice_health {
  size_t struct_size;
  int healthy; /* 1 healthy, 0 not */
  char* message;
  size_t capacity;
} sluice_health;

typedef void (*sluice_timer_fn)(void* user);

/* -------------------------------------------------------- host functions */

/* Functions the host gives each plugin instance. Valid as long as the
 * instance lives. Check struct_size before using a function added after
 * 1.0: SLUICE_HAS_FIELD(api, sluice_host_api, emit_batch) && api->emit_batch. */
typedef struct sluice_host_api {
  size_t struct_size;
  uint32_t abi_major;
  uint32_t abi_minor;

  /* Hands a message to the host's ingress. Any thread.
   * `ack_id` is the plugin's own identifier for the message (an offset, a
   * delivery tag, a pointer); the host passes it back to the plugin's `ack`
   * exactly once when it returns SLUICE_OK.
   * `wait_ms` is how long to wait for room if the ingress is full: 0 never
   * waits. Returns SLUICE_OK (accepted: the host copied what it needs),
   * SLUICE_BUSY (still full after wait_ms: pause and try again — this is
   * backpressure), SLUICE_CLOSED (the host is stopping; the message was not
   * accepted and must not be acked by the broker), or SLUICE_REJECTED
   * (malformed: e.g. NULL payload with a length). */
  sluice_status (*emit)(sluice_host* host, const sluice_message* message, uint64_t ack_id,
                        uint32_t wait_ms);

  /* Completes a publish, request or reply. Any thread, exactly once per
   * completion. `error` (may be NULL) explains a status other than
   * SLUICE_OK. `reply` (may be NULL) is the answer to a `request`; it is
   * borrowed for this call. After this call the completion is gone. */
  void (*complete)(sluice_completion* completion, sluice_status status, const char* error,
                   const sluice_message* reply);

  /* Writes one log line, attributed to this connector. Any thread. The host
   * rate-limits repeated lines. */
  void (*log)(sluice_host* host, sluice_log_level level, const char* text);
  /* 1 when a line at `level` would be written; lets a plugin skip
   * formatting. Any thread. */
  int (*log_enabled)(sluice_host* host, sluice_log_level level);

  /* Registers a metric named sluice_<plugin>_<name> with the label
   * connector="<connector name>". Control thread only (create or start).
   * Counters are named for what they count and end in `_total`
   * (`messages_published_total`), as Prometheus expects; the host appends
   * `_total` to a counter's name that lacks it.
   * Returns the same handle when called twice with one name. `help` is a
   * one-line description. Never NULL. */
  sluice_metric* (*metric)(sluice_host* host, sluice_metric_kind kind, const char* name,
                           const char* help);
  void (*metric_add)(sluice_metric* metric, double delta); /* any thread */
  void (*metric_set)(sluice_metric* metric, double value); /* any thread; gauges */

  /* Runs `fn(user)` after delay_ms, then every period_ms if period_ms > 0,
   * on a host timer thread. `fn` must not block. Returns an id > 0. Any
   * thread. */
  uint64_t (*timer_start)(sluice_host* host, uint32_t delay_ms, uint32_t period_ms,
                          sluice_timer_fn fn, void* user);
  /* Cancels a timer. When it returns, `fn` is not running and will not run
   * again, unless called from inside `fn` itself. Any thread. */
  void (*timer_cancel)(sluice_host* host, uint64_t timer_id);

  /* The instance's node id (config `node_id`), this connector's name, and a
   * writable directory for state such as checkpoints. Strings live as long
   * as the instance. Any thread. */
  const char* (*node_id)(sluice_host* host);
  const char* (*connector_name)(sluice_host* host);
  const char* (*state_dir)(sluice_host* host);

  /* A source says it will emit nothing more (end of a file read from the
   * head, a generator's count reached). Acks still arrive. `sluice run
   * --exit-when-done` exits once every source has finished and every
   * message is acked. Any thread; calling it twice is harmless. */
  void (*source_finished)(sluice_host* host);

  /* ABI 1.2. Hands `count` messages to the host's ingress in one call:
   * messages[i] with ack_ids[i], in order, as `emit` would one by one but
   * with one lock and one wake-up per worker instead of one per message.
   * Any thread. The host takes a prefix: it sets `*accepted` to how many
   * messages, from the first, it took (each is answered through `ack` or
   * `ack_batch` exactly once, as after emit) and returns
   *   SLUICE_OK        it took all `count`;
   *   SLUICE_BUSY      messages[*accepted] found no room within wait_ms
   *                    (the whole call's bound): offer it and the rest again;
   *   SLUICE_REJECTED  messages[*accepted] is malformed (as emit would say):
   *                    handle it as refused, then offer the rest again;
   *   SLUICE_CLOSED    the host is stopping: nothing from *accepted on was
   *                    taken.
   * `accepted` must not be NULL; count 0 returns SLUICE_OK. */
  sluice_status (*emit_batch)(sluice_host* host, const sluice_message* messages,
                              const uint64_t* ack_ids, size_t count, uint32_t wait_ms,
                              size_t* accepted);
} sluice_host_api;

/* ------------------------------------------------------ plugin functions */

typedef struct sluice_plugin_vtable {
  size_t struct_size;

  /* Checks a configuration without connecting anywhere (for `sluice
   * check`). `config_json` is a JSON object. Returns SLUICE_OK or
   * SLUICE_ERROR with every problem found in `error`. Required. */
  sluice_status (*validate)(const char* config_json, sluice_error* error);

  /* Creates an instance from a configuration. Should not block on the
   * network: connect in `start`. Returns NULL and fills `error` on failure.
   * `api` and `host` outlive the instance. Required. */
  sluice_instance* (*create)(const sluice_host_api* api, sluice_host* host, const char* config_json,
                             sluice_error* error);

  /* Asks a source to deliver messages whose subject matches `pattern`, in
   * the plugin's own wildcard syntax (a route's `from`). Called before
   * `start`, once per distinct pattern; an empty pattern means a route reads
   * everything the connector delivers. Not called at all when no route
   * reads from the connector. A plugin that takes its inputs from its
   * config may ignore the pattern. Optional (NULL). */
  sluice_status (*subscribe)(sluice_instance* instance, const char* pattern, sluice_error* error);

  /* Starts connecting and, for a source, emitting. May return before the
   * connection is up (report it through `health`). Required. */
  sluice_status (*start)(sluice_instance* instance, sluice_error* error);

  /* Stops emitting new messages (first step of shutdown). After it
   * returns, `emit` is not called again by this instance. Acks, publishes
   * and completions keep working until `destroy`. Required. */
  void (*stop)(sluice_instance* instance);

  /* Publishes a message (sink). Returns SLUICE_OK when accepted: the plugin
   * will call complete(completion) later, once the broker confirmed it (or
   * failed). Returns SLUICE_BUSY when its local queue is full (the host
   * waits and tries again; do not complete), or SLUICE_ERROR /
   * SLUICE_REJECTED with the text in `error` (do not complete). Worker
   * threads, concurrently. Optional for non-sinks. */
  sluice_status (*publish)(sluice_instance* instance, const sluice_message* message,
                           sluice_completion* completion, sluice_error* error);

  /* Sends a request and completes `completion` with the reply (passed to
   * complete's `reply`) or SLUICE_TIMEOUT after timeout_ms. Return values
   * as for publish. Worker threads, concurrently. Optional. */
  sluice_status (*request)(sluice_instance* instance, const sluice_message* message,
                           uint32_t timeout_ms, sluice_completion* completion, sluice_error* error);

  /* Sends `message` as the reply to a request this instance emitted, whose
   * reply handle was `reply_to`. Return values as for publish. Worker
   * threads, concurrently. Optional. */
  sluice_status (*reply)(sluice_instance* instance, sluice_bytes reply_to,
                         const sluice_message* message, sluice_completion* completion,
                         sluice_error* error);

  /* The host's answer to a message this instance emitted (ack_id as given
   * to emit). Worker or any host thread, concurrently; must not block for
   * long. Required for sources. */
  void (*ack)(sluice_instance* instance, uint64_t ack_id, sluice_outcome outcome);

  /* Waits up to timeout_ms for accepted publishes to complete. Returns
   * SLUICE_OK when nothing is pending, SLUICE_TIMEOUT otherwise. Optional. */
  sluice_status (*flush)(sluice_instance* instance, uint32_t timeout_ms);

  /* Reports whether the connector works (connected, group joined, ...).
   * Must not block. Optional: a plugin without it is always healthy. */
  void (*health)(sluice_instance* instance, sluice_health* health);

  /* Frees the instance. Every completion it was given must have been
   * completed before it returns. Required. */
  void (*destroy)(sluice_instance* instance);

  /* ABI 1.2. Several answers at once (ack_ids[i] with outcomes[i]), in no
   * particular order between messages: the host gathers the answers a
   * worker settles in one pass and gives them in one call. Same threads
   * and rules as `ack`; each message is answered once, by `ack` or here.
   * Optional: without it the host calls `ack` for each. */
  void (*ack_batch)(sluice_instance* instance, const uint64_t* ack_ids,
                    const sluice_outcome* outcomes, size_t count);
} sluice_plugin_vtable;

/* What `sluice_plugin_entry` returns: static data, never freed. */
typedef struct sluice_plugin_descriptor {
  size_t struct_size;
  uint32_t abi_major; /* SLUICE_ABI_MAJOR the plugin was built with */
  uint32_t abi_minor; /* SLUICE_ABI_MINOR the plugin was built with */
  const char* name;   /* [a-z0-9_]+, unique among loaded plugins */
  const char* version;
  const char* description;
  uint32_t capabilities;     /* SLUICE_CAP_* bits */
  const char* config_schema; /* JSON Schema (draft 2020-12) of the config */
  const sluice_plugin_vtable* vtable;
  /* ABI 1.1: a sluice_subject_syntax value; absent means ANY. */
  uint32_t subject_syntax;
} sluice_plugin_descriptor;

typedef const sluice_plugin_descriptor* (*sluice_plugin_entry_fn)(void);

/* The one symbol a plugin exports. */
SLUICE_EXPORT const sluice_plugin_descriptor* sluice_plugin_entry(void);

#ifdef __cplusplus
}
#endif

#endif /* SLUICE_PLUGIN_H */
