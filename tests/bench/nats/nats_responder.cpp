// The benchmark's baseline: a minimal cnats responder that answers every
// request on a subject with a small fixed JSON body, as fast as cnats can.
//
//   nats_responder --url U --subject S
// Runs until SIGTERM/SIGINT. Prints "ready" once subscribed.
#include <nats/nats.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>

namespace {

volatile std::sig_atomic_t stop = 0;
const char kBody[] = R"({"node_id":"bench","version":"baseline","abi":"1.0"})";

void on_request(natsConnection* nc, natsSubscription*, natsMsg* msg, void*) {
  if (const char* reply = natsMsg_GetReply(msg))
    natsConnection_Publish(nc, reply, kBody, static_cast<int>(sizeof(kBody) - 1));
  natsMsg_Destroy(msg);
}

}  // namespace

int main(int argc, char** argv) {
  std::string url = "nats://127.0.0.1:4222", subject;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--url") == 0) url = argv[i + 1];
    if (std::strcmp(argv[i], "--subject") == 0) subject = argv[i + 1];
  }
  if (subject.empty()) {
    std::fprintf(stderr, "usage: nats_responder --url U --subject S\n");
    return 2;
  }
  std::signal(SIGTERM, [](int) { stop = 1; });
  std::signal(SIGINT, [](int) { stop = 1; });
  natsOptions* opts = nullptr;
  natsOptions_Create(&opts);
  natsOptions_SetURL(opts, url.c_str());
  natsOptions_SetSendAsap(opts, true);  // answer at once, no client-side batching
  natsConnection* nc = nullptr;
  natsStatus s = natsConnection_Connect(&nc, opts);
  natsOptions_Destroy(opts);
  if (s != NATS_OK) {
    std::fprintf(stderr, "cannot connect to %s\n", url.c_str());
    return 1;
  }
  natsSubscription* sub = nullptr;
  natsConnection_Subscribe(&sub, nc, subject.c_str(), &on_request, nullptr);
  natsSubscription_SetPendingLimits(sub, -1, -1);
  natsConnection_Flush(nc);
  std::printf("ready\n");
  std::fflush(stdout);
  while (!stop) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  natsSubscription_Unsubscribe(sub);
  natsSubscription_Destroy(sub);
  natsConnection_Destroy(nc);
  return 0;
}
