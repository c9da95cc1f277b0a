#include "thread_pool.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <thread>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define CPU_RELAX() _mm_pause()
#else
#define CPU_RELAX() ((void)0)
#endif

namespace {

/** How long an idle worker polls for the next task before sleeping. */
constexpr auto kSpinBeforeSleep = std::chrono::microseconds(200);

/**
 * How long the caller, its own parts done, polls for the workers' parts before sleeping until the
 * last one finishes. Sleeping frees its core: when the operating system has preempted a worker in
 * the middle of a part (other processes share the two cores), the worker can then run there
 * instead of waiting for its own core while the caller spins.
 */
constexpr auto kCallerSpinBeforeSleep = std::chrono::microseconds(50);

/**
 * The task being run. `claim` packs the task's generation (high 32 bits) with the next unclaimed
 * part (low 32 bits); a part is taken by a compare-exchange that also checks the generation, so a
 * late worker can never take a part of a task that has already finished.
 */
struct Task {
  std::atomic<TaskPart> fn{nullptr};
  std::atomic<void*> context{nullptr};
  std::atomic<int> parts{0};
  std::atomic<uint64_t> claim{0};
  std::atomic<int> done{0};
  /** Set while the caller sleeps on `finished` for the last part; whoever completes it notifies. */
  std::atomic<bool> callerSleeping{false};
  std::mutex finishedMutex;
  std::condition_variable finished;
};

/** Claims and runs parts of generation `generation` until none is left. */
void runClaimedParts(Task& task, uint64_t generation) {
  for (;;) {
    uint64_t state = task.claim.load(std::memory_order_acquire);
    if ((state >> 32) != generation) return;
    const int part = static_cast<int>(state & 0xffffffffu);
    TaskPart fn = task.fn.load(std::memory_order_relaxed);
    void* context = task.context.load(std::memory_order_relaxed);
    const int parts = task.parts.load(std::memory_order_relaxed);
    if (part >= parts) return;
    if (!task.claim.compare_exchange_weak(state, state + 1, std::memory_order_acq_rel)) continue;
    fn(context, part);
    // seq_cst pairs with the caller's store of callerSleeping then load of done: one sees the other.
    if (task.done.fetch_add(1, std::memory_order_seq_cst) + 1 == parts && task.callerSleeping.load(std::memory_order_seq_cst)) {
      std::lock_guard<std::mutex> lock(task.finishedMutex);
      task.finished.notify_one();
    }
  }
}

/** Returns once all `parts` parts of the current task are done: polls, then sleeps (see kCallerSpinBeforeSleep). */
void waitForParts(Task& task, int parts) {
  const auto spinStart = std::chrono::steady_clock::now();
  int polls = 0;
  while (task.done.load(std::memory_order_acquire) < parts) {
    CPU_RELAX();
    if (++polls % 64 == 0 && std::chrono::steady_clock::now() - spinStart > kCallerSpinBeforeSleep) {
      std::unique_lock<std::mutex> lock(task.finishedMutex);
      task.callerSleeping.store(true, std::memory_order_seq_cst);
      task.finished.wait(lock, [&] { return task.done.load(std::memory_order_seq_cst) >= parts; });
      task.callerSleeping.store(false, std::memory_order_relaxed);
      return;
    }
  }
}

int threadCountFromEnvironment() {
  int hardware = static_cast<int>(std::thread::hardware_concurrency());
  int count = hardware < 2 ? 1 : 2;
  if (const char* requested = std::getenv("BACKPROP_NATIVE_THREADS")) {
    int value = std::atoi(requested);
    if (value >= 1 && value <= 2) count = value;
  }
  return count;
}

class Pool {
 public:
  Pool() : threads_(threadCountFromEnvironment()) {
    for (int worker = 1; worker < threads_; worker++) std::thread([this] { workerLoop(); }).detach();  // lives until exit
  }

  int threads() const { return threads_; }

  void run(TaskPart fn, void* context, int parts) {
    std::unique_lock<std::mutex> busy(busy_, std::try_to_lock);
    if (threads_ <= 1 || parts <= 1 || !busy.owns_lock()) {
      for (int part = 0; part < parts; part++) fn(context, part);
      return;
    }
    const uint64_t generation = (task_.claim.load(std::memory_order_relaxed) >> 32) + 1;
    task_.fn.store(fn, std::memory_order_relaxed);
    task_.context.store(context, std::memory_order_relaxed);
    task_.parts.store(parts, std::memory_order_relaxed);
    task_.done.store(0, std::memory_order_relaxed);
    task_.claim.store(generation << 32, std::memory_order_seq_cst);  // publishes the fields above
    if (sleepers_.load(std::memory_order_seq_cst) > 0) {
      std::lock_guard<std::mutex> lock(sleepMutex_);
      wake_.notify_all();
    }
    runClaimedParts(task_, generation);
    waitForParts(task_, parts);
  }

 private:
  void workerLoop() {
    uint64_t seen = 0;
    for (;;) {
      const auto spinStart = std::chrono::steady_clock::now();
      int polls = 0;
      while ((task_.claim.load(std::memory_order_acquire) >> 32) == seen) {
        CPU_RELAX();
        if (++polls % 256 == 0 && std::chrono::steady_clock::now() - spinStart > kSpinBeforeSleep) {
          std::unique_lock<std::mutex> lock(sleepMutex_);
          sleepers_.fetch_add(1, std::memory_order_seq_cst);
          wake_.wait(lock, [&] { return (task_.claim.load(std::memory_order_seq_cst) >> 32) != seen; });
          sleepers_.fetch_sub(1, std::memory_order_relaxed);
        }
      }
      seen = task_.claim.load(std::memory_order_acquire) >> 32;
      runClaimedParts(task_, seen);
    }
  }

  const int threads_;
  Task task_;
  std::mutex busy_;
  std::mutex sleepMutex_;
  std::condition_variable wake_;
  std::atomic<int> sleepers_{0};
};

Pool& pool() {
  static Pool* instance = new Pool();  // leaked on purpose: detached workers outlive static destructors
  return *instance;
}

}  // namespace

int poolThreadCount() { return pool().threads(); }

void runParallel(TaskPart fn, void* context, int parts) { pool().run(fn, context, parts); }
