// The actor systems' scheduling (streams/actors/scheduler.hpp), on a real CAF actor system
// with two worker threads: actors that message each other stay on one worker while it keeps
// up, and a job queued behind a blocked worker is taken by an idle one.

#include "streams/actors/scheduler.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

using namespace std::chrono_literals;

namespace {

using clock = std::chrono::steady_clock;

struct two_workers : caf::actor_system_config {
  two_workers() {
    set("scheduler.max-threads", 2);
    set("logger.verbosity", caf::atom("quiet"));
    streams::actors::schedule_near_senders(*this);
  }
};

/// Where an actor's handler ran, in order.
struct threads_seen {
  std::mutex lock;
  std::vector<std::thread::id> ids;

  void add() {
    std::lock_guard<std::mutex> guard(lock);
    ids.push_back(std::this_thread::get_id());
  }
  std::size_t moves() { // between consecutive handlers
    std::lock_guard<std::mutex> guard(lock);
    std::size_t n = 0;
    for (std::size_t i = 1; i < ids.size(); ++i)
      n += ids[i] != ids[i - 1];
    return n;
  }
};

/// Counts down `n` by passing a number back and forth with `peer`, then tells `done`.
caf::behavior volley(caf::event_based_actor* self, threads_seen* seen) {
  return {[=](int n, const caf::actor& peer, const caf::actor& done) {
    seen->add();
    if (n == 0)
      self->send(done, true);
    else
      self->send(peer, n - 1, caf::actor_cast<caf::actor>(self), done);
  }};
}

} // namespace

TEST_SUITE("actors.scheduler") {
  TEST_CASE("actors that message each other stay on one worker while it keeps up") {
    two_workers cfg;
    caf::actor_system sys{cfg};
    threads_seen seen;
    auto a = sys.spawn(volley, &seen);
    auto b = sys.spawn(volley, &seen);
    caf::scoped_actor self{sys};
    constexpr int exchanges = 20000;
    self->send(a, exchanges, b, caf::actor{self});
    self->receive([](bool) {}, caf::after(60s) >> [] { FAIL("the volley did not end"); });
    REQUIRE(seen.ids.size() == exchanges + 1);
    // Each handler is quick, so the other worker never sees a job wait long enough to take it:
    // work sharing moved the volley between the workers thousands of times. A few moves are
    // allowed for a worker descheduled by a busy machine.
    CHECK(seen.moves() <= 20);
  }

  TEST_CASE("a job queued behind a worker that blocks is taken by the other worker") {
    two_workers cfg;
    caf::actor_system sys{cfg};
    caf::scoped_actor self{sys};
    struct seen {
      std::thread::id other, blocker;
      clock::time_point answered;
    };
    auto s = std::make_shared<seen>(); // written before the replies that publish it
    auto other = sys.spawn([=](caf::event_based_actor*) -> caf::behavior {
      return {[=](int) {
        s->other = std::this_thread::get_id();
        s->answered = clock::now();
        return true;
      }};
    });
    auto blocker = sys.spawn([=](caf::event_based_actor* b) -> caf::behavior {
      return {[=](const caf::actor& reply_to) {
        s->blocker = std::this_thread::get_id();
        // Queued on this worker's queue: this actor sent it the message.
        b->request(other, caf::infinite, 1).then([=](bool) { b->send(reply_to, true); });
        std::this_thread::sleep_for(500ms); // a call that blocks the worker
      }};
    });
    auto sent = clock::now();
    self->send(blocker, caf::actor{self});
    self->receive(
        [&](bool) {
          CHECK(s->other != s->blocker);
          // Taken once it had waited the policy's 1 ms, long before the worker was free.
          CHECK(s->answered - sent < 250ms);
        },
        caf::after(60s) >> [] { FAIL("no answer"); });
  }

  TEST_CASE("jobs from outside the actor system run, and the system stops with none lost") {
    std::atomic<int> handled{0};
    {
      two_workers cfg;
      caf::actor_system sys{cfg};
      for (int i = 0; i < 100; ++i) {
        auto a = sys.spawn([&](caf::event_based_actor* self) -> caf::behavior {
          return {[&, self](int) {
            ++handled;
            self->quit();
          }};
        });
        caf::anon_send(a, i); // from this thread: the shared queue
      }
    } // the system waits for its actors
    CHECK(handled == 100);
  }
}
