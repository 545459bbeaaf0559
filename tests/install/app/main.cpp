// A user's application, built outside the tree against the installed package by the install
// test. It prints what it checks; ../expected_output.txt holds the exact expected output.

#include <streams/error.hpp>
#include <streams/json.hpp>
#include <streams/pipeline.hpp>
#include <streams/sinks/stream_sinks.hpp>
#include <streams/sources/memory_source.hpp>
#ifdef STREAMS_APP_WITH_ACTORS
#include <streams/actors/runtime.hpp>
#endif
#ifdef STREAMS_APP_WITH_STATE
#include <streams/state/state_store.hpp>
#endif

#include <chrono>
#include <cstdint>
#include <exception>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using streams::bytes;
using streams::json;

/// Numbers routed by parity: even ones become JSON on stdout, odd ones are batched in memory.
/// The batch waits long enough that only its size and the end of the input close it, so a
/// run's output does not depend on timing.
streams::pipeline parity_pipeline(std::shared_ptr<streams::memory_store> odd) {
  streams::pipeline p("parity");
  auto by_parity =
      p.source("numbers", streams::sources::memory<bytes>({"1", "2", "3", "4", "5", "-6"}))
          .map("to_int", [](const bytes& s) { return std::stoi(s); })
          .filter("positive", [](const int& n) { return n > 0; })
          .route("parity", {"even", "odd"},
                 [](const int& n) { return n % 2 == 0 ? "even" : "odd"; });
  by_parity.branch("even")
      .map("to_json",
           [](const int& n) {
             json j;
             j.set("n", std::int64_t{n});
             return j;
           })
      .serialize_json("dump")
      .sink("out", streams::sinks::stdout_lines());
  by_parity.branch("odd")
      .batch("pairs", 2, std::chrono::minutes(1))
      .sink("kept", streams::sinks::memory<std::vector<int>>(std::move(odd)));
  return p;
}

/// A pipeline built wrongly on purpose: validation must name each problem.
void print_problems_of_broken_pipeline() {
  streams::pipeline p("broken");
  auto words = p.source("words", streams::sources::memory<bytes>({"a"}));
  words.map("words", [](const bytes& s) { return s + "!"; }); // reuses a name, ends nowhere
  try {
    p.validate();
    std::cout << "broken pipeline: validated (wrong)\n";
  } catch (const streams::pipeline_error& e) {
    std::cout << "broken pipeline:\n";
    for (auto& problem : e.problems())
      std::cout << "  " << problem << "\n";
  }
}

} // namespace

int main() {
  try {
    auto odd = std::make_shared<streams::memory_store>();
    auto p = parity_pipeline(odd);
    p.validate();
    std::cout << p.to_text();

    print_problems_of_broken_pipeline();

    auto doc = json::parse(R"({"event":"install","ok":false})");
    doc.set("ok", true);
    std::cout << "json: " << doc.dump() << "\n";

#ifdef STREAMS_APP_WITH_STATE
    // open_state_store is in streams::state, with the LMDB store: linking it needs LMDB.
    auto state = streams::open_state_store(std::string(streams::memory_state));
    streams::write_batch changes;
    changes.put("greeting", "hello");
    state->write(changes);
    std::cout << "state: " << state->where() << " greeting=" << state->get("greeting").value_or("?")
              << "\n";
#endif

#ifdef STREAMS_APP_WITH_ACTORS
    // The actor runtime is installed too: run the pipeline. The even numbers reach stdout
    // through the sink; the odd ones, batched, are printed from the memory store.
    auto result = streams::run(p);
    if (!result.ok)
      throw std::runtime_error(std::string("run failed: ") + result.failure->what());
    std::cout << "kept:";
    for (auto& batch : odd->payloads<std::vector<int>>()) {
      std::cout << " [";
      for (std::size_t i = 0; i < batch.size(); ++i)
        std::cout << (i ? " " : "") << batch[i];
      std::cout << "]";
    }
    std::cout << "\n";
#endif
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "streams_install_app: " << e.what() << "\n";
    return 1;
  }
}
