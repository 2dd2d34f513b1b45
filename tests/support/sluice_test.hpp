// Everything a sluice test needs in one include: paths from the ctest
// environment, temp dirs and files, child processes, brokers, HTTP.
#pragma once

#include "support/env.hpp"
#include "support/files.hpp"
#include "support/http_client.hpp"
#include "support/net.hpp"
#include "support/pipeline.hpp"
#include "support/process.hpp"
#include "support/sluice_process.hpp"
#include "support/wait.hpp"
