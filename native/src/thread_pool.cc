#include "thread_pool.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define CPU_RELAX() _mm_pause()
#else
#define CPU_RELAX() ((void)0)
#endif

namespace {

/** How long an idle worker polls for the next task before sleeping. */
constexpr auto kSpinBeforeSleep = std::chrono::microseconds(200);

class Worker {
 public:
  explicit Worker(int part) : part_(part) {
    std::thread([this] { loop(); }).detach();  // never joined: the pool lives until the process exits
  }

  void post(TaskPart fn, void* context) {
    fn_ = fn;
    context_ = context;
    posted_.fetch_add(1, std::memory_order_seq_cst);
    if (sleeping_.load(std::memory_order_seq_cst)) {
      std::lock_guard<std::mutex> lock(mutex_);
      wake_.notify_one();
    }
  }

  void wait() const {
    const unsigned long target = posted_.load(std::memory_order_relaxed);
    while (finished_.load(std::memory_order_acquire) != target) CPU_RELAX();
  }

 private:
  void loop() {
    unsigned long seen = 0;
    for (;;) {
      auto spinStart = std::chrono::steady_clock::now();
      int polls = 0;
      while (posted_.load(std::memory_order_acquire) == seen) {
        CPU_RELAX();
        if (++polls % 256 == 0 && std::chrono::steady_clock::now() - spinStart > kSpinBeforeSleep) {
          std::unique_lock<std::mutex> lock(mutex_);
          sleeping_.store(true, std::memory_order_seq_cst);
          wake_.wait(lock, [&] { return posted_.load(std::memory_order_seq_cst) != seen; });
          sleeping_.store(false, std::memory_order_relaxed);
        }
      }
      seen++;
      fn_(context_, part_);
      finished_.store(seen, std::memory_order_release);
    }
  }

  const int part_;
  TaskPart fn_ = nullptr;
  void* context_ = nullptr;
  std::atomic<unsigned long> posted_{0};
  std::atomic<unsigned long> finished_{0};
  std::atomic<bool> sleeping_{false};
  std::mutex mutex_;
  std::condition_variable wake_;
};

int threadCountFromEnvironment() {
  int hardware = static_cast<int>(std::thread::hardware_concurrency());
  int count = hardware < 2 ? 1 : 2;
  if (const char* requested = std::getenv("BACKPROP_NATIVE_THREADS")) {
    int value = std::atoi(requested);
    if (value >= 1 && value <= 2) count = value;
  }
  return count;
}

struct Pool {
  int threads = threadCountFromEnvironment();
  std::vector<Worker*> workers;
  std::mutex busy;
  Pool() {
    for (int part = 1; part < threads; part++) workers.push_back(new Worker(part));
  }
};

Pool& pool() {
  static Pool* instance = new Pool();  // leaked on purpose: detached workers outlive static destructors
  return *instance;
}

}  // namespace

int poolThreadCount() { return pool().threads; }

void runParallel(TaskPart fn, void* context, int parts) {
  Pool& p = pool();
  if (parts > p.threads) parts = p.threads;
  std::unique_lock<std::mutex> lock(p.busy, std::try_to_lock);
  if (parts <= 1 || !lock.owns_lock()) {
    for (int part = 0; part < parts; part++) fn(context, part);
    return;
  }
  for (int part = 1; part < parts; part++) p.workers[part - 1]->post(fn, context);
  fn(context, 0);
  for (int part = 1; part < parts; part++) p.workers[part - 1]->wait();
}
