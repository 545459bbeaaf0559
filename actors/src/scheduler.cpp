#include "streams/actors/scheduler.hpp"

#include <caf/actor_system_config.hpp>
#include <caf/policy/unprofiled.hpp>
#include <caf/resumable.hpp>
#include <caf/scheduler/coordinator.hpp>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>

namespace streams::actors {

namespace {

using clock = std::chrono::steady_clock;

/// How long a job waits in a busy worker's queue before an idle worker takes it. Longer than
/// a step takes for one batch (512 messages: ~0.25 ms in the window benchmark's reduce step),
/// so that a pipeline's actors stay on one core while it keeps up; short enough that a worker
/// blocked in a call (a store's commit, a producer's flush) holds nothing up for long.
constexpr auto steal_after = std::chrono::milliseconds(1);

/// The CAF scheduling policy that schedule_near_senders describes. One lock guards every queue:
/// like CAF's work sharing, and as cheap on a few cores.
class near_senders : public caf::policy::unprofiled {
public:
  struct job {
    caf::resumable* ptr;
    clock::time_point since; // when it became runnable
  };
  using queue = std::deque<job>;

  struct coordinator_data {
    explicit coordinator_data(caf::scheduler::abstract_coordinator*) {}

    std::mutex lock;
    std::condition_variable cv;
    queue shared;
    /// By worker id, grown as workers come (a deque: growing keeps references to the queues).
    std::deque<queue> local;
    /// Workers asleep without a deadline: woken when a job is queued anywhere.
    std::size_t idle = 0;

    queue& local_of(std::size_t worker) {
      if (local.size() <= worker)
        local.resize(worker + 1);
      return local[worker];
    }
  };

  struct worker_data {
    explicit worker_data(caf::scheduler::abstract_coordinator*) {}
  };

  template <class Coordinator>
  void central_enqueue(Coordinator* self, caf::resumable* ptr) {
    auto& d = this->d(self);
    auto now = clock::now();
    std::lock_guard<std::mutex> guard(d.lock);
    d.shared.push_back({ptr, now});
    d.cv.notify_one();
  }

  template <class Worker>
  void external_enqueue(Worker* self, caf::resumable* ptr) {
    central_enqueue(self->parent(), ptr);
  }

  template <class Worker>
  void internal_enqueue(Worker* self, caf::resumable* ptr) {
    auto& d = this->d(self->parent());
    auto now = clock::now();
    std::lock_guard<std::mutex> guard(d.lock);
    d.local_of(self->id()).push_back({ptr, now});
    if (d.idle > 0) // to watch how long it waits
      d.cv.notify_one();
  }

  /// An actor that used up its share of messages and has more.
  template <class Worker>
  void resume_job_later(Worker* self, caf::resumable* ptr) {
    internal_enqueue(self, ptr);
  }

  template <class Worker>
  caf::resumable* dequeue(Worker* self) {
    auto& d = this->d(self->parent());
    std::unique_lock<std::mutex> guard(d.lock);
    auto& own = d.local_of(self->id());
    for (;;) {
      auto* from = own.empty() ? nullptr : &own;
      if (!d.shared.empty() && (!from || d.shared.front().since < from->front().since))
        from = &d.shared;
      if (!from) {
        for (auto& q : d.local)
          if (!q.empty() && (!from || q.front().since < from->front().since))
            from = &q;
        if (!from) {
          ++d.idle;
          d.cv.wait(guard);
          --d.idle;
          continue;
        }
        auto due = from->front().since + steal_after;
        if (clock::now() < due) {
          d.cv.wait_until(guard, due);
          continue;
        }
      }
      auto* ptr = from->front().ptr;
      from->pop_front();
      return ptr;
    }
  }

  /// After the workers stopped: what their queues still hold.
  template <class Worker, class Function>
  void foreach_resumable(Worker* self, Function f) {
    auto& d = this->d(self->parent());
    std::lock_guard<std::mutex> guard(d.lock);
    drain(d.local_of(self->id()), f);
  }

  template <class Coordinator, class Function>
  void foreach_central_resumable(Coordinator* self, Function f) {
    auto& d = this->d(self);
    std::lock_guard<std::mutex> guard(d.lock);
    drain(d.shared, f);
  }

private:
  template <class Function>
  static void drain(queue& q, Function f) {
    for (; !q.empty(); q.pop_front())
      f(q.front().ptr);
  }
};

} // namespace

void schedule_near_senders(caf::actor_system_config& cfg) {
  cfg.module_factories.push_back([](caf::actor_system& sys) -> caf::actor_system::module* {
    return new caf::scheduler::coordinator<near_senders>(sys);
  });
}

} // namespace streams::actors
